-- Revert tessera:occurrences_by_day from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

SET LOCAL check_function_bodies = off;

CREATE OR REPLACE FUNCTION private.local_to_instants(tz text, local_times timestamp without time zone[])
 RETURNS TABLE(local_time timestamp without time zone, instant timestamp with time zone)
 LANGUAGE plpgsql
 STABLE PARALLEL SAFE
 SET search_path TO ''
AS $function$
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
$function$
;

CREATE OR REPLACE FUNCTION private.local_to_instant(local_time timestamp without time zone, tz text)
 RETURNS timestamp with time zone
 LANGUAGE plpgsql
 STABLE PARALLEL SAFE
 SET search_path TO ''
AS $function$
BEGIN
  RETURN (SELECT i.instant FROM private.local_to_instants(tz, ARRAY[local_time]) i);
END
$function$
;

CREATE OR REPLACE FUNCTION private.schedule_occurrences(p_experience_id uuid, p_from date, p_to date)
 RETURNS TABLE(starts_at timestamp with time zone, ends_at timestamp with time zone, local_start timestamp without time zone)
 LANGUAGE plpgsql
 STABLE
 SET search_path TO ''
AS $function$
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
$function$
;
REVOKE ALL ON FUNCTION private.local_to_instant(timestamp without time zone,text) FROM PUBLIC, authenticated, service_role;
GRANT EXECUTE ON FUNCTION private.local_to_instant(timestamp without time zone,text) TO authenticated;
GRANT EXECUTE ON FUNCTION private.local_to_instant(timestamp without time zone,text) TO service_role;
COMMENT ON FUNCTION private.local_to_instant(timestamp without time zone,text) IS 'The instant a wall-clock time happens in an IANA zone: NULL when the clocks skip it (spring forward), the first
of the two when it happens twice (fall back). One at a time; see local_to_instants.';
REVOKE ALL ON FUNCTION private.local_to_instants(text,timestamp without time zone[]) FROM PUBLIC, authenticated, service_role;
GRANT EXECUTE ON FUNCTION private.local_to_instants(text,timestamp without time zone[]) TO authenticated;
GRANT EXECUTE ON FUNCTION private.local_to_instants(text,timestamp without time zone[]) TO service_role;
COMMENT ON FUNCTION private.local_to_instants(text,timestamp without time zone[]) IS 'The instants wall-clock times happen in an IANA zone, in the order given: NULL for a time the clocks skip (spring
forward), the first of the two for a time that happens twice (fall back).';
REVOKE ALL ON FUNCTION private.schedule_occurrences(uuid,date,date) FROM PUBLIC, authenticated, service_role;
GRANT EXECUTE ON FUNCTION private.schedule_occurrences(uuid,date,date) TO authenticated;
GRANT EXECUTE ON FUNCTION private.schedule_occurrences(uuid,date,date) TO service_role;
COMMENT ON FUNCTION private.schedule_occurrences(uuid,date,date) IS 'Every scheduled start of an experience between two venue-local dates (inclusive): UTC start and end, and the
venue-local start. Reads through the caller''s row-level security.';

COMMIT;
