-- Wall-clock times become instants exactly as the definition says, checked against brute force: walk every quarter
-- hour of a year of instants, read each on the zone's clock, and keep the first instant that shows each reading.
-- A reading no instant shows is skipped (NULL, or no occurrence). Both paths are checked: local_to_instant, and
-- schedule_occurrences with its per-day shortcut, for a schedule at every quarter hour of every day of 2026.
-- Zones: New York and London (an hour at 02:00 / 01:00), Lord Howe (half an hour), Riyadh (none), Santiago
-- (changes at midnight, so a day can start with skipped or repeated time).
BEGIN;
\ir setup.psql
SELECT plan(11);

CREATE TEMP TABLE zone (n int, name text);
INSERT INTO zone VALUES (1, 'America/New_York'), (2, 'Europe/London'), (3, 'Australia/Lord_Howe'),
                        (4, 'Asia/Riyadh'), (5, 'America/Santiago');

CREATE FUNCTION pg_temp.truth(p_zone text) RETURNS TABLE (local_time timestamp, instant timestamptz)
LANGUAGE sql AS $$
  SELECT (i AT TIME ZONE p_zone), min(i)
    FROM generate_series(timestamptz '2025-12-25 00:00+00', timestamptz '2027-01-05 00:00+00',
                         interval '15 minutes') i
   GROUP BY 1
$$;

CREATE FUNCTION pg_temp.asked() RETURNS SETOF timestamp LANGUAGE sql AS $$
  SELECT generate_series(timestamp '2026-01-01', timestamp '2026-12-31 23:45', interval '15 minutes')
$$;

CREATE FUNCTION pg_temp.one_at_a_time_mismatches(p_zone text) RETURNS bigint LANGUAGE sql AS $$
  SELECT count(*) FROM pg_temp.asked() a(local_time)
    LEFT JOIN pg_temp.truth(p_zone) t USING (local_time)
   WHERE t.instant IS DISTINCT FROM private.local_to_instant(a.local_time, p_zone)
$$;

-- A venue in each zone with a game that starts every quarter hour of every day.
\ir fixtures.psql
SELECT pg_temp.fresh(VARIADIC ARRAY['venue_' || n, 'game_' || n]) FROM zone;
INSERT INTO app.venues (org_id, id, name, timezone) SELECT pg_temp.id('org_a'), pg_temp.id('venue_' || n), name, name
  FROM zone;
INSERT INTO app.experiences (org_id, venue_id, id, kind, name, duration_minutes, max_party, currency)
SELECT pg_temp.id('org_a'), pg_temp.id('venue_' || n), pg_temp.id('game_' || n), 'private_session', 'Game ' || n, 15,
       6, 'USD'
  FROM zone;
INSERT INTO app.schedules (org_id, experience_id, weekday, start_time, valid_from)
SELECT pg_temp.id('org_a'), pg_temp.id('game_' || n), d, time '00:00' + q * interval '15 minutes', '2026-01-01'
  FROM zone, generate_series(1, 7) d, generate_series(0, 95) q;

CREATE FUNCTION pg_temp.schedule_mismatches(p_zone int) RETURNS bigint LANGUAGE sql AS $$
  WITH got AS (
    SELECT local_start, starts_at FROM private.schedule_occurrences(pg_temp.id('game_' || p_zone), '2026-01-01',
                                                                    '2026-12-31')
  ), want AS (
    SELECT t.local_time, t.instant FROM pg_temp.asked() a(local_time)
      JOIN pg_temp.truth((SELECT name FROM zone WHERE n = p_zone)) t USING (local_time)
  )
  SELECT count(*) FROM want w FULL JOIN got g ON g.local_start = w.local_time
   WHERE g.starts_at IS DISTINCT FROM w.instant
$$;

SELECT is(pg_temp.one_at_a_time_mismatches(name), 0::bigint,
          name || ': local_to_instant agrees with brute force for every quarter hour of 2026')
  FROM zone ORDER BY n;
SELECT is(pg_temp.schedule_mismatches(n), 0::bigint,
          name || ': schedule_occurrences agrees with brute force for every quarter hour of 2026')
  FROM zone ORDER BY n;
SELECT is(private.local_to_instant('2026-11-01 01:30', 'America/New_York'), timestamptz '2026-11-01 05:30+00',
          'a repeated time is its first occurrence');

SELECT * FROM finish();
ROLLBACK;
