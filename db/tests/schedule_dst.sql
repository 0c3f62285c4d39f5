-- Weekly schedules keep their wall-clock time across daylight saving changes; a skipped local time is skipped and
-- a repeated one is taken at its first occurrence. New York and London shift by an hour, Lord Howe by half an
-- hour, Riyadh not at all.
BEGIN;
\ir setup.psql
SELECT plan(14);

\ir fixtures.psql
SELECT pg_temp.fresh(VARIADIC ARRAY[v, 'game_' || v]) FROM unnest(ARRAY['new_york', 'london', 'riyadh', 'lord_howe']) v;
INSERT INTO app.venues (org_id, id, name, timezone) VALUES
  (pg_temp.id('org_a'), pg_temp.id('new_york'), 'New York', 'America/New_York'),
  (pg_temp.id('org_a'), pg_temp.id('london'), 'London', 'Europe/London'),
  (pg_temp.id('org_a'), pg_temp.id('riyadh'), 'Riyadh', 'Asia/Riyadh'),
  (pg_temp.id('org_a'), pg_temp.id('lord_howe'), 'Lord Howe', 'Australia/Lord_Howe');
INSERT INTO app.experiences (org_id, venue_id, id, kind, name, duration_minutes, max_party, currency)
SELECT pg_temp.id('org_a'), v.id, pg_temp.id('game_' || f.name), 'private_session', 'Game in ' || v.name, 60, 6, 'USD'
  FROM app.venues v JOIN fx f USING (id);

-- Every day at 19:00, 02:30 (New York's skipped hour), 01:30 (New York's and London's repeated hour),
-- 02:15 and 01:45 (Lord Howe's skipped and repeated half hours).
INSERT INTO app.schedules (org_id, experience_id, weekday, start_time, valid_from)
SELECT pg_temp.id('org_a'), e.id, d, t::time, '2026-01-01'
  FROM app.experiences e JOIN fx USING (id), generate_series(1, 7) d,
       unnest(ARRAY['19:00', '02:30', '01:30', '02:15', '01:45']) t;

CREATE FUNCTION pg_temp.starts(p_venue text, p_from date, p_to date, p_time time) RETURNS SETOF timestamptz
LANGUAGE sql AS $$
  SELECT starts_at FROM private.schedule_occurrences(pg_temp.id('game_' || p_venue), p_from, p_to)
   WHERE local_start::time = p_time ORDER BY 1
$$;

-- New York: spring forward 2026-03-08 02:00 -> 03:00; fall back 2026-11-01 02:00 -> 01:00.
SELECT results_eq($$ SELECT * FROM pg_temp.starts('new_york', '2026-03-07', '2026-03-09', '19:00') $$,
  $$ VALUES ('2026-03-08 00:00+00'::timestamptz), ('2026-03-08 23:00+00'), ('2026-03-09 23:00+00') $$,
  'America/New_York: 19:00 stays 19:00 local across spring forward (UTC moves an hour)');
SELECT results_eq($$ SELECT * FROM pg_temp.starts('new_york', '2026-03-07', '2026-03-09', '02:30') $$,
  $$ VALUES ('2026-03-07 07:30+00'::timestamptz), ('2026-03-09 06:30+00') $$,
  'America/New_York: 02:30 on the spring-forward day does not exist and is skipped');
SELECT results_eq($$ SELECT * FROM pg_temp.starts('new_york', '2026-11-01', '2026-11-01', '01:30') $$,
  $$ VALUES ('2026-11-01 05:30+00'::timestamptz) $$,
  'America/New_York: 01:30 on the fall-back day is taken once, at its first (EDT) occurrence');
SELECT results_eq($$ SELECT * FROM pg_temp.starts('new_york', '2026-10-31', '2026-11-02', '19:00') $$,
  $$ VALUES ('2026-10-31 23:00+00'::timestamptz), ('2026-11-02 00:00+00'), ('2026-11-03 00:00+00') $$,
  'America/New_York: 19:00 stays 19:00 local across fall back');

-- London: spring forward 2026-03-29 01:00 -> 02:00; fall back 2026-10-25 02:00 -> 01:00.
SELECT results_eq($$ SELECT * FROM pg_temp.starts('london', '2026-03-28', '2026-03-30', '01:30') $$,
  $$ VALUES ('2026-03-28 01:30+00'::timestamptz), ('2026-03-30 00:30+00') $$,
  'Europe/London: 01:30 on the spring-forward day is skipped');
SELECT results_eq($$ SELECT * FROM pg_temp.starts('london', '2026-10-25', '2026-10-25', '01:30') $$,
  $$ VALUES ('2026-10-25 00:30+00'::timestamptz) $$,
  'Europe/London: 01:30 on the fall-back day is taken at its first (BST) occurrence');
SELECT results_eq($$ SELECT * FROM pg_temp.starts('london', '2026-03-28', '2026-03-29', '19:00') $$,
  $$ VALUES ('2026-03-28 19:00+00'::timestamptz), ('2026-03-29 18:00+00') $$,
  'Europe/London: 19:00 stays 19:00 local (GMT, then BST)');

-- Riyadh: no daylight saving time; the dates other zones change on are ordinary days.
SELECT results_eq($$ SELECT * FROM pg_temp.starts('riyadh', '2026-03-28', '2026-03-30', '01:30') $$,
  $$ VALUES ('2026-03-27 22:30+00'::timestamptz), ('2026-03-28 22:30+00'), ('2026-03-29 22:30+00') $$,
  'Asia/Riyadh: every day, the same UTC time');
SELECT is((SELECT count(*)::int FROM private.schedule_occurrences(pg_temp.id('game_riyadh'),
                                                                  '2026-01-01', '2026-12-31')),
          365 * 5, 'Asia/Riyadh: five starts every day of the year, none skipped or doubled');

-- Lord Howe: half-hour shifts. Fall back 2026-04-05 02:00 -> 01:30; spring forward 2026-10-04 02:00 -> 02:30.
SELECT results_eq($$ SELECT * FROM pg_temp.starts('lord_howe', '2026-04-05', '2026-04-05', '01:45') $$,
  $$ VALUES ('2026-04-04 14:45+00'::timestamptz) $$,
  'Australia/Lord_Howe: 01:45 on the fall-back day is taken at its first (+11:00) occurrence');
SELECT results_eq($$ SELECT * FROM pg_temp.starts('lord_howe', '2026-10-03', '2026-10-05', '02:15') $$,
  $$ VALUES ('2026-10-02 15:45+00'::timestamptz), ('2026-10-04 15:15+00') $$,
  'Australia/Lord_Howe: 02:15 on the spring-forward day falls in the skipped half hour');
SELECT results_eq($$ SELECT * FROM pg_temp.starts('lord_howe', '2026-04-04', '2026-04-05', '19:00') $$,
  $$ VALUES ('2026-04-04 08:00+00'::timestamptz), ('2026-04-05 08:30+00') $$,
  'Australia/Lord_Howe: 19:00 stays 19:00 local while UTC moves half an hour');

-- Schedules end when they say, and a local date maps to the venue's day, not UTC's.
UPDATE app.schedules SET valid_until = '2026-06-10' WHERE experience_id = pg_temp.id('game_riyadh');
SELECT is((SELECT count(*)::int FROM private.schedule_occurrences(pg_temp.id('game_riyadh'),
                                                                  '2026-06-01', '2026-06-30')),
          10 * 5, 'a schedule stops at its valid_until date');
SELECT is((SELECT min(local_start)::date FROM private.schedule_occurrences(pg_temp.id('game_lord_howe'),
                                                                          '2026-06-01', '2026-06-01')),
          '2026-06-01'::date, 'dates are the venue''s own calendar days');

SELECT * FROM finish();
ROLLBACK;
