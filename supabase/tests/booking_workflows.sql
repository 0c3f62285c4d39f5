-- Rescheduling frees the old places only when the new ones are taken; a batch moves all or nothing and names the
-- first booking that cannot move; bookings page by keyset in start order.
BEGIN;
\ir setup.psql
SELECT plan(15);

\ir fixtures.psql
SELECT pg_temp.fresh('venue', 'tour', 'adult');
INSERT INTO app.venues (org_id, id, name, timezone) VALUES
  (pg_temp.id('org_a'), pg_temp.id('venue'), 'Venue', 'America/New_York');
INSERT INTO app.experiences (org_id, venue_id, id, kind, name, duration_minutes, max_party, capacity, currency) VALUES
  (pg_temp.id('org_a'), pg_temp.id('venue'), pg_temp.id('tour'), 'ticketed_event', 'Tour', 90, 10, 3, 'USD');
INSERT INTO app.ticket_types (org_id, experience_id, id, name, price_minor) VALUES
  (pg_temp.id('org_a'), pg_temp.id('tour'), pg_temp.id('adult'), 'Adult', 2000);
INSERT INTO app.schedules (org_id, experience_id, weekday, start_time, valid_from)
SELECT pg_temp.id('org_a'), pg_temp.id('tour'), d, '10:00', current_date
  FROM generate_series(1, 7) d;

CREATE TEMP TABLE day AS SELECT
  private.local_to_instant((current_date + 10) + time '10:00', 'America/New_York') AS first_at,
  private.local_to_instant((current_date + 11) + time '10:00', 'America/New_York') AS second_at;
GRANT SELECT ON day TO PUBLIC;

SELECT pg_temp.act_as('staff_a');
CREATE TEMP TABLE mine AS
SELECT n, (api.create_booking(pg_temp.id('tour'),
                              CASE WHEN n <= 2 THEN (SELECT first_at FROM day) ELSE (SELECT second_at FROM day) END,
                              'guest' || n || '@example.com', tickets => pg_temp.tickets('adult', 1))).id
  FROM generate_series(1, 5) n;

-- Two on the first tour, three (full) on the second.
SELECT throws_ok($$ SELECT api.reschedule_booking((SELECT id FROM mine WHERE n = 1), (SELECT second_at FROM day)) $$,
                 'PT409', 'sold out: the new session has no room for this booking',
                 'moving into a full session is refused');
SELECT is((SELECT starts_at FROM app.bookings WHERE id = (SELECT id FROM mine WHERE n = 1)),
          (SELECT first_at FROM day), 'and the booking keeps its place');
RESET ROLE;  -- the counters are the database's own
SELECT results_eq($$ SELECT taken FROM app.slots WHERE experience_id = pg_temp.id('tour') ORDER BY starts_at $$,
                  $$ VALUES (2), (3) $$, 'and both counters are as they were');
SELECT pg_temp.act_as('staff_a');
SELECT lives_ok($$ SELECT api.cancel_booking((SELECT id FROM mine WHERE n = 3)) $$, 'a place frees up');
SELECT is((api.reschedule_booking((SELECT id FROM mine WHERE n = 1), (SELECT second_at FROM day))).starts_at,
          (SELECT second_at FROM day), 'now the move succeeds');
RESET ROLE;  -- the counters are the database's own
SELECT results_eq($$ SELECT taken FROM app.slots WHERE experience_id = pg_temp.id('tour') ORDER BY starts_at $$,
                  $$ VALUES (1), (3) $$, 'the old place is freed and the new one taken, in one statement');
SELECT pg_temp.act_as('staff_a');
SELECT throws_ok($$ SELECT api.reschedule_booking((SELECT id FROM mine WHERE n = 3), (SELECT first_at FROM day)) $$,
                 'PT409', NULL, 'a cancelled booking cannot be rescheduled');

-- Batches
SELECT throws_ok(
  format($$ SELECT * FROM api.batch_update_booking_status(ARRAY[%L, %L, %L]::uuid[], 'confirmed') $$,
         (SELECT id FROM mine WHERE n = 1), (SELECT id FROM mine WHERE n = 3), (SELECT id FROM mine WHERE n = 4)),
  'PT409', format('booking %s cannot move to confirmed: booking %s cannot go from cancelled to confirmed',
                  (SELECT id FROM mine WHERE n = 3),
                  (SELECT confirmation_code FROM app.bookings WHERE id = (SELECT id FROM mine WHERE n = 3))),
  'a batch stops at the first booking that cannot move, and names it');
SELECT is((SELECT status::text FROM app.bookings WHERE id = (SELECT id FROM mine WHERE n = 1)), 'pending',
          'and writes nothing, not even the bookings before it');
SELECT results_eq(
  format($$ SELECT status::text FROM api.batch_update_booking_status(ARRAY[%L, %L]::uuid[], 'confirmed') $$,
         (SELECT id FROM mine WHERE n = 1), (SELECT id FROM mine WHERE n = 2)),
  $$ VALUES ('confirmed'), ('confirmed') $$, 'a batch that can move moves every booking');

-- Reading
CREATE TEMP TABLE page1 AS SELECT * FROM api.list_bookings(pg_temp.id('org_a'), page_size => 2);
CREATE TEMP TABLE page2 AS SELECT * FROM api.list_bookings(pg_temp.id('org_a'),
  after_starts_at => (SELECT max(starts_at) FROM page1),
  after_id => (SELECT id FROM page1 ORDER BY starts_at DESC, id DESC LIMIT 1), page_size => 2);
CREATE TEMP TABLE page3 AS SELECT * FROM api.list_bookings(pg_temp.id('org_a'),
  after_starts_at => (SELECT max(starts_at) FROM page2),
  after_id => (SELECT id FROM page2 ORDER BY starts_at DESC, id DESC LIMIT 1), page_size => 2);
SELECT results_eq($$ SELECT id FROM (SELECT * FROM page1 UNION ALL SELECT * FROM page2 UNION ALL SELECT * FROM page3) p $$,
                  $$ SELECT id FROM app.bookings WHERE org_id = pg_temp.id('org_a') ORDER BY starts_at, id $$,
                  'keyset pages cover every booking once, in start order');
SELECT results_eq($$ SELECT count(*)::int FROM api.list_bookings(pg_temp.id('org_a'),
                       statuses => ARRAY['cancelled']) $$, $$ VALUES (1) $$,
                  'bookings filter by status');
SELECT results_eq($$ SELECT count(*)::int FROM api.list_bookings(pg_temp.id('org_a'),
                       customer_email => ' GUEST2@example.com') $$, $$ VALUES (1) $$,
                  'and by customer e-mail, whatever its case');
RESET ROLE;

SELECT pg_temp.act_as('admin_b');
SELECT throws_ok(format($$ SELECT api.get_booking(%L) $$, (SELECT id FROM mine WHERE n = 1)), 'PT404', NULL,
                 'another organization''s booking does not exist for you');
SELECT is_empty($$ SELECT * FROM api.list_bookings(pg_temp.id('org_a')) $$,
                'and its list is empty');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
