-- Wall-clock times become instants exactly as the definition says, checked against brute force: walk every quarter
-- hour of a year of instants, read each on the zone's clock, and keep the first instant that shows each reading.
-- A reading no instant shows is skipped (NULL). Zones: New York and London (an hour at 02:00 / 01:00), Lord Howe
-- (half an hour), Riyadh (none), Santiago (changes at midnight, so a day can start with skipped or repeated time).
BEGIN;
\ir setup.psql
SELECT plan(6);

CREATE FUNCTION pg_temp.mismatches(p_zone text) RETURNS bigint LANGUAGE sql AS $$
  WITH truth AS (
    SELECT (i AT TIME ZONE p_zone) AS local_time, min(i) AS instant
      FROM generate_series(timestamptz '2025-12-25 00:00+00', timestamptz '2027-01-05 00:00+00',
                           interval '15 minutes') i
     GROUP BY 1
  ), asked AS (
    SELECT g AS local_time FROM generate_series(timestamp '2026-01-01', timestamp '2026-12-31 23:45',
                                                interval '15 minutes') g
  ), got AS (
    SELECT * FROM private.local_to_instants(p_zone, ARRAY(SELECT local_time FROM asked))
  )
  SELECT count(*) FROM asked a
    LEFT JOIN truth t USING (local_time)
    LEFT JOIN got g USING (local_time)
   WHERE t.instant IS DISTINCT FROM g.instant
$$;

SELECT is(pg_temp.mismatches('America/New_York'), 0::bigint, 'New York: every quarter hour of 2026 as brute force has it');
SELECT is(pg_temp.mismatches('Europe/London'), 0::bigint, 'London: every quarter hour of 2026 as brute force has it');
SELECT is(pg_temp.mismatches('Australia/Lord_Howe'), 0::bigint, 'Lord Howe: every quarter hour of 2026 as brute force has it');
SELECT is(pg_temp.mismatches('Asia/Riyadh'), 0::bigint, 'Riyadh: every quarter hour of 2026 as brute force has it');
SELECT is(pg_temp.mismatches('America/Santiago'), 0::bigint, 'Santiago (changes at midnight): every quarter hour of 2026 as brute force has it');
SELECT is(private.local_to_instant('2026-11-01 01:30', 'America/New_York'), timestamptz '2026-11-01 05:30+00',
          'the one-at-a-time form agrees: a repeated time is its first occurrence');

SELECT * FROM finish();
ROLLBACK;
