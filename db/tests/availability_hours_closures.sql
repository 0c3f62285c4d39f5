-- Availability and booking honour the venue's opening hours (a session must fit inside them, and may run past
-- midnight only when the venue is open on both sides of it) and its closures; a venue without hours is open
-- whenever it has sessions.
BEGIN;
\ir setup.psql
SELECT plan(13);

\ir fixtures.psql
SELECT pg_temp.fresh('with_hours', 'no_hours', 'game', 'game_elsewhere');
INSERT INTO app.venues (org_id, id, name, timezone) VALUES
  (pg_temp.id('org_a'), pg_temp.id('with_hours'), 'With hours', 'Europe/London'),
  (pg_temp.id('org_a'), pg_temp.id('no_hours'), 'No hours', 'Europe/London');
INSERT INTO app.experiences (org_id, venue_id, id, kind, name, duration_minutes, min_party, max_party, currency)
VALUES
  (pg_temp.id('org_a'), pg_temp.id('with_hours'), pg_temp.id('game'), 'private_session', 'Game', 60, 2, 6, 'GBP'),
  (pg_temp.id('org_a'), pg_temp.id('no_hours'),
   pg_temp.id('game_elsewhere'), 'private_session', 'Game elsewhere', 60, 2, 6, 'GBP');
INSERT INTO app.price_tiers (org_id, experience_id, min_party, max_party, price_minor)
SELECT pg_temp.id('org_a'), e, 2, 6, 2500
  FROM unnest(ARRAY[pg_temp.id('game'), pg_temp.id('game_elsewhere')]::uuid[]) e;

-- The first venue opens 10:00-22:00, except that on the day twenty days from now ("late") it stays open until
-- 24:00 and the next day opens at 00:00 until 02:00 as well as 10:00-22:00.
CREATE TEMP TABLE day AS SELECT current_date + 20 AS late;
GRANT SELECT ON day TO PUBLIC;
INSERT INTO app.venue_hours (org_id, venue_id, weekday, opens, closes)
SELECT pg_temp.id('org_a'), pg_temp.id('with_hours'), d,
       '10:00'::time, CASE WHEN d = extract(isodow FROM late) THEN '24:00' ELSE '22:00' END::time
  FROM generate_series(1, 7) d, day
UNION ALL
SELECT pg_temp.id('org_a'), pg_temp.id('with_hours'),
       extract(isodow FROM late + 1)::int, '00:00', '02:00'
  FROM day;
-- Closed on the morning twelve days from now.
INSERT INTO app.venue_closures (org_id, venue_id, during, reason)
SELECT pg_temp.id('org_a'), pg_temp.id('with_hours'),
       tstzrange(((current_date + 12) + time '09:00') AT TIME ZONE 'Europe/London',
                 ((current_date + 12) + time '12:00') AT TIME ZONE 'Europe/London'), 'Boiler';
-- Both games start every day at 11:00, 21:30 (ends after 22:00) and 23:30 (ends after midnight).
INSERT INTO app.schedules (org_id, experience_id, weekday, start_time, valid_from)
SELECT pg_temp.id('org_a'), e, d, t::time, current_date
  FROM unnest(ARRAY[pg_temp.id('game'), pg_temp.id('game_elsewhere')]::uuid[]) e,
       generate_series(1, 7) d, unnest(ARRAY['11:00', '21:30', '23:30']) t;

SELECT pg_temp.act_as('staff_a');

CREATE FUNCTION pg_temp.local_starts(p_experience text, p_day date) RETURNS text[] LANGUAGE sql AS $$
  SELECT coalesce(array_agg(to_char(local_start, 'HH24:MI') ORDER BY starts_at), '{}')
    FROM api.check_availability(pg_temp.id(p_experience), p_day, p_day, 2)
$$;

SELECT is(pg_temp.local_starts('game', current_date + 5), ARRAY['11:00'],
          'on an ordinary day only the session inside 10:00-22:00 is offered');
SELECT is(pg_temp.local_starts('game', (SELECT late FROM day)), ARRAY['11:00', '21:30', '23:30'],
          'open until midnight and again from midnight: the late sessions fit, the last one across midnight');
SELECT is(pg_temp.local_starts('game', current_date + 12), ARRAY[]::text[],
          'a closure removes the session it touches, and ordinary hours the others');
SELECT is(pg_temp.local_starts('game_elsewhere', current_date + 5), ARRAY['11:00', '21:30', '23:30'],
          'a venue without hours is open whenever it has sessions');
SELECT is(pg_temp.local_starts('game_elsewhere', current_date + 12), ARRAY['11:00', '21:30', '23:30'],
          'a closure of one venue does not close another');

SELECT throws_ok($$ SELECT api.create_booking(pg_temp.id('game'),
                     private.local_to_instant((current_date + 5) + time '21:30', 'Europe/London'),
                     'x@example.com', 2) $$, 'PT400', 'the venue is not open for the whole session',
                 'booking a session that runs past closing time is refused');
SELECT throws_ok($$ SELECT api.create_booking(pg_temp.id('game'),
                     private.local_to_instant((current_date + 5) + time '23:30', 'Europe/London'),
                     'x@example.com', 2) $$, 'PT400', 'the venue is not open for the whole session',
                 'booking a session across midnight is refused when the venue closes at 22:00');
SELECT throws_ok($$ SELECT api.create_booking(pg_temp.id('game'),
                     private.local_to_instant((current_date + 12) + time '11:00', 'Europe/London'),
                     'x@example.com', 2) $$, 'PT400', 'the venue is closed then',
                 'booking a session during a closure is refused');
SELECT lives_ok($$ SELECT api.create_booking(pg_temp.id('game'),
                    private.local_to_instant((SELECT late FROM day) + time '23:30', 'Europe/London'),
                    'late@example.com', 2) $$,
                'booking across midnight succeeds when the venue is open on both sides of it');
SELECT is((SELECT remaining FROM api.check_availability(pg_temp.id('game'),
             (SELECT late FROM day), (SELECT late FROM day), 2) WHERE local_start::time = '23:30'), 0,
          'the booked late session shows nothing left');
SELECT lives_ok($$ SELECT api.create_booking(pg_temp.id('game_elsewhere'),
                    private.local_to_instant((current_date + 12) + time '11:00', 'Europe/London'),
                    'other@example.com', 2) $$,
                'the venue without hours or closures takes the booking the closed venue refused');
RESET ROLE;
SELECT is(private.opening_hours(pg_temp.id('no_hours'), current_date, current_date + 30), NULL,
          'a venue without hours has no opening multirange (open whenever it has sessions)');
SELECT pg_temp.act_as('staff_a');

SELECT throws_ok($$ SELECT count(*) FROM api.check_availability(pg_temp.id('game'),
                      current_date, current_date + 367, 2) $$, 'PT400',
                 'at most 367 days of availability per request', 'a window of more than 367 days is refused');

SELECT * FROM finish();
ROLLBACK;
