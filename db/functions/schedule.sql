-- Functions of the `schedule` area: turning weekly wall-clock schedules into instants, DST-correct.
-- A schedule says "Saturdays at 19:00" in the venue's zone; 19:00 stays 19:00 across a clock change. A local time
-- the clocks skip (spring forward) does not happen, so that occurrence is skipped; a local time that happens twice
-- (fall back) is taken at its first occurrence, the one people are still on summer time for.

CREATE OR REPLACE FUNCTION private.local_to_instant(local_time timestamp, tz text)
RETURNS timestamptz
LANGUAGE sql
STABLE
PARALLEL SAFE
SET search_path = ''
AS $$
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
$$;

COMMENT ON FUNCTION private.local_to_instant(timestamp, text) IS
'The instant a wall-clock time happens in an IANA zone: NULL when the clocks skip it (spring forward), the first
of the two when it happens twice (fall back).';

REVOKE ALL ON FUNCTION private.local_to_instant(timestamp, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.local_to_instant(timestamp, text) TO authenticated, service_role;


CREATE OR REPLACE FUNCTION private.schedule_occurrences(p_experience_id uuid, p_from date, p_to date)
RETURNS TABLE (starts_at timestamptz, ends_at timestamptz, local_start timestamp)
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
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
$$;

COMMENT ON FUNCTION private.schedule_occurrences(uuid, date, date) IS
'Every scheduled start of an experience between two venue-local dates (inclusive): UTC start and end, and the
venue-local start. Reads through the caller''s row-level security.';

REVOKE ALL ON FUNCTION private.schedule_occurrences(uuid, date, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.schedule_occurrences(uuid, date, date) TO authenticated, service_role;
