-- Deploy tessera:schedule to pg
-- requires: catalogue
--
-- Weekly wall-clock schedules to instants, DST-correct: skipped local times are skipped, repeated ones taken first.

BEGIN;

SET LOCAL check_function_bodies = off;

CREATE OR REPLACE FUNCTION private.local_to_instant(local_time timestamp without time zone, tz text)
 RETURNS timestamp with time zone
 LANGUAGE sql
 STABLE PARALLEL SAFE
 SET search_path TO ''
AS $function$
  -- Try the UTC offsets in force a day either side (a zone changes offset at most once around here); keep the
  -- instants that really show this wall-clock time in the zone, and take the earliest.
  SELECT pg_catalog.min(candidate)
    FROM (SELECT (local_time - o.utc_offset) AT TIME ZONE 'UTC' AS candidate
            FROM (SELECT (i AT TIME ZONE tz) - (i AT TIME ZONE 'UTC') AS utc_offset
                    FROM (SELECT local_time AT TIME ZONE tz AS guess) g,
                         LATERAL (VALUES (g.guess - interval '1 day'), (g.guess), (g.guess + interval '1 day')) AS t(i)
                 ) o
         ) c
   WHERE (c.candidate AT TIME ZONE tz) = local_time
$function$
;

CREATE OR REPLACE FUNCTION private.schedule_occurrences(p_experience_id uuid, p_from date, p_to date)
 RETURNS TABLE(starts_at timestamp with time zone, ends_at timestamp with time zone, local_start timestamp without time zone)
 LANGUAGE sql
 STABLE
 SET search_path TO ''
AS $function$
  SELECT DISTINCT i.instant,
         i.instant + pg_catalog.make_interval(mins => e.duration_minutes),
         l.local_start
    FROM app.experiences e
    JOIN app.venues v ON v.org_id = e.org_id AND v.id = e.venue_id
    JOIN app.schedules s ON s.org_id = e.org_id AND s.experience_id = e.id
   CROSS JOIN LATERAL pg_catalog.generate_series(
           GREATEST(p_from, s.valid_from)::timestamp,
           LEAST(p_to, coalesce(s.valid_until, p_to))::timestamp,
           interval '1 day') AS d(day)
   CROSS JOIN LATERAL (SELECT d.day + s.start_time AS local_start) l
   CROSS JOIN LATERAL (SELECT private.local_to_instant(l.local_start, v.timezone) AS instant) i
   WHERE e.id = p_experience_id
     AND pg_catalog.date_part('isodow', d.day) = s.weekday
     AND i.instant IS NOT NULL
   ORDER BY 1
$function$
;
REVOKE ALL ON FUNCTION private.local_to_instant(timestamp without time zone,text) FROM PUBLIC, authenticated, service_role;
GRANT EXECUTE ON FUNCTION private.local_to_instant(timestamp without time zone,text) TO authenticated;
GRANT EXECUTE ON FUNCTION private.local_to_instant(timestamp without time zone,text) TO service_role;
COMMENT ON FUNCTION private.local_to_instant(timestamp without time zone,text) IS 'The instant a wall-clock time happens in an IANA zone: NULL when the clocks skip it (spring forward), the first
of the two when it happens twice (fall back).';
REVOKE ALL ON FUNCTION private.schedule_occurrences(uuid,date,date) FROM PUBLIC, authenticated, service_role;
GRANT EXECUTE ON FUNCTION private.schedule_occurrences(uuid,date,date) TO authenticated;
GRANT EXECUTE ON FUNCTION private.schedule_occurrences(uuid,date,date) TO service_role;
COMMENT ON FUNCTION private.schedule_occurrences(uuid,date,date) IS 'Every scheduled start of an experience between two venue-local dates (inclusive): UTC start and end, and the
venue-local start. Reads through the caller''s row-level security.';

COMMIT;
