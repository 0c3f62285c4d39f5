-- Functions of the `schedule` area: turning weekly wall-clock schedules into instants, DST-correct.
-- A schedule says "Saturdays at 19:00" in the venue's zone; 19:00 stays 19:00 across a clock change. A local time
-- the clocks skip (spring forward) does not happen, so that occurrence is skipped; a local time that happens twice
-- (fall back) is taken at its first occurrence, the one people are still on summer time for.

CREATE OR REPLACE FUNCTION private.local_to_instants(tz text, local_times timestamp[])
RETURNS TABLE (local_time timestamp, instant timestamptz)
LANGUAGE plpgsql
STABLE
PARALLEL SAFE
SET search_path = ''
AS $$
BEGIN
  -- Many at once: availability converts every scheduled start of its window with one call, and zone lookups are
  -- what costs. So they are done per day, not per time: on a day of exactly 24 hours whose midnights both
  -- exist, nothing changes offset, and a time is that midnight plus its time of day. Other days (a clock change)
  -- take the careful reading: `plain` is PostgreSQL's own, right unless the time is skipped or happens twice;
  -- `earlier` uses the offset in force a day before, the first of the two when it happens twice (a zone changes
  -- offset at most once in a day). A time whose reading does not show it is skipped.
  RETURN QUERY
  WITH t AS (
    SELECT l.local_time, l.local_time::date AS day FROM pg_catalog.unnest(local_times) AS l(local_time)
  ), d AS MATERIALIZED (  -- once per day, not once per time
    SELECT m.day, m.midnight,
           (m.midnight AT TIME ZONE tz) = m.day AND (m.next_midnight AT TIME ZONE tz) = m.day + 1
             AND m.next_midnight - m.midnight = interval '24 hours' AS steady
      FROM (SELECT t.day, t.day::timestamp AT TIME ZONE tz AS midnight,
                   (t.day + 1)::timestamp AT TIME ZONE tz AS next_midnight
              FROM (SELECT DISTINCT t.day FROM t) t) m
  )
  SELECT t.local_time,
         CASE WHEN d.steady THEN d.midnight + (t.local_time - t.day)
              WHEN e.earlier < p.plain AND (e.earlier AT TIME ZONE tz) = t.local_time THEN e.earlier
              WHEN (p.plain AT TIME ZONE tz) = t.local_time THEN p.plain END
    FROM t JOIN d ON d.day = t.day
   CROSS JOIN LATERAL (SELECT t.local_time AT TIME ZONE tz AS plain) p
   CROSS JOIN LATERAL (SELECT (t.local_time - (((p.plain - interval '1 day') AT TIME ZONE tz)
                                               - ((p.plain - interval '1 day') AT TIME ZONE 'UTC')))
                              AT TIME ZONE 'UTC' AS earlier) e;
END
$$;

COMMENT ON FUNCTION private.local_to_instants(text, timestamp[]) IS
'The instants wall-clock times happen in an IANA zone, in the order given: NULL for a time the clocks skip (spring
forward), the first of the two for a time that happens twice (fall back).';

REVOKE ALL ON FUNCTION private.local_to_instants(text, timestamp[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.local_to_instants(text, timestamp[]) TO authenticated, service_role;


CREATE OR REPLACE FUNCTION private.local_to_instant(local_time timestamp, tz text)
RETURNS timestamptz
LANGUAGE plpgsql
STABLE
PARALLEL SAFE
SET search_path = ''
AS $$
BEGIN
  RETURN (SELECT i.instant FROM private.local_to_instants(tz, ARRAY[local_time]) i);
END
$$;

COMMENT ON FUNCTION private.local_to_instant(timestamp, text) IS
'The instant a wall-clock time happens in an IANA zone: NULL when the clocks skip it (spring forward), the first
of the two when it happens twice (fall back). One at a time; see local_to_instants.';

REVOKE ALL ON FUNCTION private.local_to_instant(timestamp, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.local_to_instant(timestamp, text) TO authenticated, service_role;


CREATE OR REPLACE FUNCTION private.schedule_occurrences(p_experience_id uuid, p_from date, p_to date)
RETURNS TABLE (starts_at timestamptz, ends_at timestamptz, local_start timestamp)
LANGUAGE plpgsql
STABLE
SET search_path = ''
AS $$
-- PL/pgSQL so that its queries are planned once per session, not on every call: availability runs this for
-- every request.
DECLARE
  tz       text;
  duration interval;
BEGIN
  SELECT v.timezone, pg_catalog.make_interval(mins => e.duration_minutes) INTO tz, duration
    FROM app.experiences e JOIN app.venues v ON v.org_id = e.org_id AND v.id = e.venue_id
   WHERE e.id = p_experience_id;
  RETURN QUERY
  SELECT i.instant, i.instant + duration, i.local_time
    FROM private.local_to_instants(tz, ARRAY(
           -- Each rule's weekdays only: from its first matching date, a week at a time.
           SELECT DISTINCT d.day + s.start_time
             FROM app.schedules s
            CROSS JOIN LATERAL (SELECT GREATEST(p_from, s.valid_from) AS first) f
            CROSS JOIN LATERAL pg_catalog.generate_series(
                    (f.first + (s.weekday - pg_catalog.date_part('isodow', f.first)::integer + 7) % 7)::timestamp,
                    LEAST(p_to, coalesce(s.valid_until, p_to))::timestamp,
                    interval '7 days') AS d(day)
            WHERE s.experience_id = p_experience_id)) i
   WHERE i.instant IS NOT NULL
   ORDER BY 1;
END
$$;

COMMENT ON FUNCTION private.schedule_occurrences(uuid, date, date) IS
'Every scheduled start of an experience between two venue-local dates (inclusive): UTC start and end, and the
venue-local start. Reads through the caller''s row-level security.';

REVOKE ALL ON FUNCTION private.schedule_occurrences(uuid, date, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.schedule_occurrences(uuid, date, date) TO authenticated, service_role;


CREATE OR REPLACE FUNCTION private.opening_hours(p_venue_id uuid, p_from date, p_to date)
RETURNS tsmultirange
LANGUAGE plpgsql
STABLE
SET search_path = ''
AS $$
BEGIN
  -- One multirange for a whole window, so that a caller tests each start with one containment (@>) instead of
  -- a query per start. Intervals of consecutive days that meet at midnight merge, so a session may run past
  -- midnight when the venue is open on both sides of it.
  RETURN (
    SELECT CASE WHEN pg_catalog.count(h.id) > 0
                THEN coalesce(pg_catalog.range_agg(pg_catalog.tsrange(d.day + h.opens, d.day + h.closes))
                                FILTER (WHERE pg_catalog.date_part('isodow', d.day) = h.weekday),
                              '{}'::tsmultirange) END
      FROM app.venue_hours h
     CROSS JOIN pg_catalog.generate_series(p_from::timestamp, p_to::timestamp, interval '1 day') AS d(day)
     WHERE h.venue_id = p_venue_id);
END
$$;

COMMENT ON FUNCTION private.opening_hours(uuid, date, date) IS
'When a venue is open between two of its local dates (inclusive), as a multirange of its wall-clock time; NULL
when the venue has no hours at all, which means open whenever it has sessions. A session fits when its local
start-to-end range is contained (@>).';

REVOKE ALL ON FUNCTION private.opening_hours(uuid, date, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.opening_hours(uuid, date, date) TO authenticated, service_role;
