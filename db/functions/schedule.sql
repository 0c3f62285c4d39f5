-- Functions of the `schedule` area: turning weekly wall-clock schedules into instants, DST-correct.
-- A schedule says "Saturdays at 19:00" in the venue's zone; 19:00 stays 19:00 across a clock change. A local time
-- the clocks skip (spring forward) does not happen, so that occurrence is skipped; a local time that happens twice
-- (fall back) is taken at its first occurrence, the one people are still on summer time for.

-- Replaced by the one-at-a-time reading below; schedule_occurrences does its own per-day shortcut.
DROP FUNCTION IF EXISTS private.local_to_instants(text, timestamp[]);

CREATE OR REPLACE FUNCTION private.local_to_instant(local_time timestamp, tz text)
RETURNS timestamptz
LANGUAGE plpgsql
STABLE
PARALLEL SAFE
SET search_path = ''
AS $$
-- Plain expressions, no query.
DECLARE
  -- PostgreSQL's own reading of the wall-clock time: right unless the time is skipped or happens twice.
  plain   timestamptz := local_time AT TIME ZONE tz;
  -- The same wall-clock time read with the offset in force a day earlier: the first of the two when it happens
  -- twice (a zone changes offset at most once in a day).
  earlier timestamptz := (local_time - (((plain - interval '1 day') AT TIME ZONE tz)
                                        - ((plain - interval '1 day') AT TIME ZONE 'UTC'))) AT TIME ZONE 'UTC';
BEGIN
  -- A time that neither reading shows on the zone's clock is skipped.
  RETURN CASE WHEN earlier < plain AND (earlier AT TIME ZONE tz) = local_time THEN earlier
              WHEN (plain AT TIME ZONE tz) = local_time THEN plain END;
END
$$;

COMMENT ON FUNCTION private.local_to_instant(timestamp, text) IS
'The instant a wall-clock time happens in an IANA zone: NULL when the clocks skip it (spring forward), the first
of the two when it happens twice (fall back).';

REVOKE ALL ON FUNCTION private.local_to_instant(timestamp, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.local_to_instant(timestamp, text) TO authenticated, service_role;


CREATE OR REPLACE FUNCTION private.schedule_occurrences(p_experience_id uuid, p_from date, p_to date)
RETURNS TABLE (starts_at timestamptz, ends_at timestamptz, local_start timestamp)
LANGUAGE plpgsql
STABLE
SET search_path = ''
SET plan_cache_mode = force_generic_plan
AS $$
-- PL/pgSQL with one generic plan, so that its queries are planned once per session, not on every call:
-- availability runs this for every request. Unordered: callers sort what they keep.
DECLARE
  tz       text;
  duration interval;
  org      uuid;
BEGIN
  SELECT v.timezone, pg_catalog.make_interval(mins => e.duration_minutes), e.org_id INTO tz, duration, org
    FROM app.experiences e JOIN app.venues v ON v.org_id = e.org_id AND v.id = e.venue_id
   WHERE e.id = p_experience_id;
  RETURN QUERY
  WITH local AS (
    -- The window's days once, each matched with the rules of its weekday.
    SELECT DISTINCT d.day, d.day + s.start_time AS local_start
      FROM (SELECT g::date AS day, pg_catalog.date_part('isodow', g)::integer AS weekday
              FROM pg_catalog.generate_series(p_from::timestamp, p_to::timestamp, interval '1 day') AS g) d
      JOIN app.schedules s ON s.org_id = org AND s.experience_id = p_experience_id AND s.weekday = d.weekday
                          AND d.day >= s.valid_from AND (s.valid_until IS NULL OR d.day <= s.valid_until)
  ), days AS MATERIALIZED (
    -- Zone lookups are what costs, so they are made per day, not per start: on a day of exactly 24 hours whose
    -- midnights both exist, no offset changes, and a start is that midnight plus its time of day. Any other day
    -- (a clock change) takes local_to_instant's careful reading, start by start.
    SELECT m.day, m.midnight,
           (m.midnight AT TIME ZONE tz) = m.day AND (m.next_midnight AT TIME ZONE tz) = m.day + 1
             AND m.next_midnight - m.midnight = interval '24 hours' AS steady
      FROM (SELECT l.day, l.day::timestamp AT TIME ZONE tz AS midnight,
                   (l.day + 1)::timestamp AT TIME ZONE tz AS next_midnight
              FROM (SELECT DISTINCT local.day FROM local) l) m
  )
  SELECT i.instant, i.instant + duration, l.local_start
    FROM local l
    JOIN days d ON d.day = l.day
   CROSS JOIN LATERAL (SELECT CASE WHEN d.steady THEN d.midnight + (l.local_start - l.day)
                                   ELSE private.local_to_instant(l.local_start, tz) END AS instant) i
   WHERE i.instant IS NOT NULL;
END
$$;

COMMENT ON FUNCTION private.schedule_occurrences(uuid, date, date) IS
'Every scheduled start of an experience between two venue-local dates (inclusive), in no particular order: UTC
start and end, and the venue-local start. Reads through the caller''s row-level security.';

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
