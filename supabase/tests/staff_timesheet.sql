-- The timesheet: worked minutes per person, venue and venue-local day. An entry across midnight splits at the
-- venue's local midnight, and each day counts the real time elapsed, so the nights the clocks change are an hour
-- longer or shorter than the wall clock says. Europe/London on both 2026 transitions
-- (29 March: 01:00 GMT becomes 02:00 BST; 25 October: 02:00 BST becomes 01:00 GMT), an ordinary night, and
-- Asia/Riyadh (UTC+3 all year).
BEGIN;
\ir setup.psql
SELECT plan(14);

\ir fixtures.psql
SELECT pg_temp.fresh('soho', 'riyadh');
INSERT INTO app.venues (org_id, id, name, timezone) VALUES
  (pg_temp.id('org_a'), pg_temp.id('soho'), 'Soho', 'Europe/London'),
  (pg_temp.id('org_a'), pg_temp.id('riyadh'), 'Riyadh', 'Asia/Riyadh');
INSERT INTO app.profiles (user_id, display_name) VALUES (pg_temp.id('staff_a'), 'Nora Night');

-- Wall-clock times of each venue, as a manager would enter them.
CREATE FUNCTION pg_temp.at(p_venue text, p_local timestamp) RETURNS timestamptz LANGUAGE sql AS $$
  SELECT p_local AT TIME ZONE (SELECT timezone FROM app.venues WHERE id = pg_temp.id(p_venue))
$$;
INSERT INTO app.time_entries (org_id, venue_id, user_id, clock_in, clock_out) VALUES
  -- An ordinary night in London.
  (pg_temp.id('org_a'), pg_temp.id('soho'), pg_temp.id('staff_a'),
   pg_temp.at('soho', '2026-11-20 22:00'), pg_temp.at('soho', '2026-11-21 06:00')),
  -- The spring night: 22:00 GMT to 06:00 BST is seven hours.
  (pg_temp.id('org_a'), pg_temp.id('soho'), pg_temp.id('staff_a'),
   pg_temp.at('soho', '2026-03-28 22:00'), pg_temp.at('soho', '2026-03-29 06:00')),
  -- The autumn night: 22:00 BST to 06:00 GMT is nine hours.
  (pg_temp.id('org_a'), pg_temp.id('soho'), pg_temp.id('staff_a'),
   pg_temp.at('soho', '2026-10-24 22:00'), pg_temp.at('soho', '2026-10-25 06:00')),
  -- Riyadh, no DST: 22:00 to 06:00 is eight hours, split at Riyadh's midnight (21:00 UTC).
  (pg_temp.id('org_a'), pg_temp.id('riyadh'), pg_temp.id('staff_a'),
   pg_temp.at('riyadh', '2026-11-10 22:00'), pg_temp.at('riyadh', '2026-11-11 06:00')),
  -- Two entries in one day add up.
  (pg_temp.id('org_a'), pg_temp.id('soho'), pg_temp.id('staff_a'),
   pg_temp.at('soho', '2026-11-21 12:00'), pg_temp.at('soho', '2026-11-21 13:30')),
  -- Someone else's day.
  (pg_temp.id('org_a'), pg_temp.id('soho'), pg_temp.id('manager_a'),
   pg_temp.at('soho', '2026-11-20 09:00'), pg_temp.at('soho', '2026-11-20 17:00'));

SELECT pg_temp.act_as('manager_a');
SELECT results_eq($$ SELECT day, minutes, hours FROM api.get_timesheet(pg_temp.id('org_a'), '2026-11-20', '2026-11-21',
                                                                     pg_temp.id('staff_a')) $$,
                  $$ VALUES ('2026-11-20'::date, 120, 2.00::numeric), ('2026-11-21', 450, 7.50) $$,
                  'a night shift splits at local midnight (and a second entry that day adds up)');
SELECT results_eq($$ SELECT day, minutes FROM api.get_timesheet(pg_temp.id('org_a'), '2026-10-24', '2026-10-25',
                                                              pg_temp.id('staff_a')) $$,
                  $$ VALUES ('2026-10-24'::date, 120), ('2026-10-25', 420) $$,
                  'the autumn DST night counts nine hours for 22:00 to 06:00');
SELECT is((SELECT sum(hours) FROM api.get_timesheet(pg_temp.id('org_a'), '2026-10-24', '2026-10-25',
                                                    pg_temp.id('staff_a'))), 9.00, '... 9.00 hours in all');
SELECT results_eq($$ SELECT day, minutes FROM api.get_timesheet(pg_temp.id('org_a'), '2026-03-28', '2026-03-29',
                                                              pg_temp.id('staff_a')) $$,
                  $$ VALUES ('2026-03-28'::date, 120), ('2026-03-29', 300) $$,
                  'the spring DST night counts seven hours for 22:00 to 06:00');
SELECT results_eq($$ SELECT venue_id, day, minutes FROM api.get_timesheet(pg_temp.id('org_a'), '2026-11-10',
                                                                        '2026-11-11', pg_temp.id('staff_a')) $$,
                  $$ VALUES (pg_temp.id('riyadh'), '2026-11-10'::date, 120), (pg_temp.id('riyadh'), '2026-11-11', 360) $$,
                  'a night in Riyadh (no DST) splits at Riyadh''s midnight');
SELECT results_eq($$ SELECT day, minutes FROM api.get_timesheet(pg_temp.id('org_a'), '2026-11-21', '2026-11-21',
                                                              pg_temp.id('staff_a')) $$,
                  $$ VALUES ('2026-11-21'::date, 450) $$,
                  'a window counts only its own days of an entry that began the day before');
SELECT is((SELECT count(*)::int FROM api.get_timesheet(pg_temp.id('org_a'), '2026-11-01', '2026-11-09')), 0,
          'days without work have no rows');
SELECT results_eq($$ SELECT user_id, display_name, day, minutes FROM api.get_timesheet(pg_temp.id('org_a'),
                                                                                     '2026-11-20', '2026-11-20') $$,
                  $$ SELECT * FROM (VALUES (pg_temp.id('staff_a'), 'Nora Night', '2026-11-20'::date, 120),
                                           (pg_temp.id('manager_a'), NULL, '2026-11-20', 480)) v
                      ORDER BY 1, 3 $$,
                  'managers see everyone''s time, with their names');
RESET ROLE;

SELECT pg_temp.act_as('staff_a');
SELECT is((SELECT count(DISTINCT user_id)::int FROM api.get_timesheet(pg_temp.id('org_a'), '2026-11-20', '2026-11-20')),
          1, 'staff see their own time only');
SELECT is((SELECT count(*)::int FROM api.get_timesheet(pg_temp.id('org_a'), '2026-11-20', '2026-11-20',
                                                        pg_temp.id('manager_a'))), 0,
          '... even when asking for someone else''s');
SELECT FROM api.clock_in(pg_temp.id('soho'));
RESET ROLE;
UPDATE app.time_entries SET clock_in = now() - interval '2 hours'
 WHERE user_id = pg_temp.id('staff_a') AND clock_out IS NULL;
SELECT pg_temp.act_as('staff_a');
SELECT is((SELECT sum(minutes)::int FROM api.get_timesheet(pg_temp.id('org_a'), (now() - interval '2 hours')::date - 1,
                                                            current_date + 1, pg_temp.id('staff_a'))), 120,
          'an open entry counts up to now');
RESET ROLE;

SELECT pg_temp.act_as('outsider');
SELECT is((SELECT count(*)::int FROM api.get_timesheet(pg_temp.id('org_a'), '2026-11-20', '2026-11-20')), 0,
          'others see nothing');
SELECT throws_ok($$ SELECT * FROM api.get_timesheet(pg_temp.id('org_a'), '2026-11-20', '2026-11-19') $$, 'PT400',
                 'to_date must be from from_date to 366 days after it', 'a window ends after it starts');
SELECT throws_ok($$ SELECT * FROM api.get_timesheet(pg_temp.id('org_a'), '2025-01-01', '2026-11-19') $$, 'PT400',
                 NULL, '... and is at most a year or so');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
