-- Rescheduling frees the old places only when the new ones are taken; a batch moves all or nothing and names the
-- first booking that cannot move; bookings page by keyset in start order.
BEGIN;
\ir setup.psql
SELECT plan(15);

INSERT INTO auth.users (id, email) VALUES
  ('00000000-0000-4000-8000-0000000000a4', 'staff@a.example'),
  ('00000000-0000-4000-8000-0000000000b1', 'admin@b.example');
INSERT INTO app.organizations (id, name, slug) VALUES
  ('0000000a-0000-4000-8000-000000000000', 'Org A', 'org-a'),
  ('0000000b-0000-4000-8000-000000000000', 'Org B', 'org-b');
INSERT INTO app.memberships (org_id, user_id, role) VALUES
  ('0000000a-0000-4000-8000-000000000000', '00000000-0000-4000-8000-0000000000a4', 'staff'),
  ('0000000b-0000-4000-8000-000000000000', '00000000-0000-4000-8000-0000000000b1', 'admin');
INSERT INTO app.venues (org_id, id, name, timezone) VALUES
  ('0000000a-0000-4000-8000-000000000000', 'a1000000-0000-4000-8000-000000000001', 'Venue', 'America/New_York');
INSERT INTO app.experiences (org_id, venue_id, id, kind, name, duration_minutes, max_party, capacity, currency) VALUES
  ('0000000a-0000-4000-8000-000000000000', 'a1000000-0000-4000-8000-000000000001',
   'a3000000-0000-4000-8000-000000000003', 'ticketed_event', 'Tour', 90, 10, 3, 'USD');
INSERT INTO app.ticket_types (org_id, experience_id, id, name, price_minor) VALUES
  ('0000000a-0000-4000-8000-000000000000', 'a3000000-0000-4000-8000-000000000003',
   'a5000000-0000-4000-8000-000000000001', 'Adult', 2000);
INSERT INTO app.schedules (org_id, experience_id, weekday, start_time, valid_from)
SELECT '0000000a-0000-4000-8000-000000000000', 'a3000000-0000-4000-8000-000000000003', d, '10:00', current_date
  FROM generate_series(1, 7) d;

CREATE TEMP TABLE day AS SELECT
  private.local_to_instant((current_date + 10) + time '10:00', 'America/New_York') AS first_at,
  private.local_to_instant((current_date + 11) + time '10:00', 'America/New_York') AS second_at;
GRANT SELECT ON day TO PUBLIC;
CREATE FUNCTION pg_temp.tickets(n int) RETURNS jsonb LANGUAGE sql AS $$
  SELECT jsonb_build_array(jsonb_build_object('ticket_type_id', 'a5000000-0000-4000-8000-000000000001', 'quantity', n))
$$;
GRANT EXECUTE ON FUNCTION pg_temp.tickets(int) TO PUBLIC;

SELECT set_config('request.jwt.claims', '{"role":"authenticated","sub":"00000000-0000-4000-8000-0000000000a4"}', true);
SET LOCAL ROLE authenticated;
CREATE TEMP TABLE mine AS
SELECT n, (api.create_booking('a3000000-0000-4000-8000-000000000003',
                              CASE WHEN n <= 2 THEN (SELECT first_at FROM day) ELSE (SELECT second_at FROM day) END,
                              'guest' || n || '@example.com', tickets => pg_temp.tickets(1))).id
  FROM generate_series(1, 5) n;

-- Two on the first tour, three (full) on the second.
SELECT throws_ok($$ SELECT api.reschedule_booking((SELECT id FROM mine WHERE n = 1), (SELECT second_at FROM day)) $$,
                 'PT409', 'sold out: the new session has no room for this booking',
                 'moving into a full session is refused');
SELECT is((SELECT starts_at FROM app.bookings WHERE id = (SELECT id FROM mine WHERE n = 1)),
          (SELECT first_at FROM day), 'and the booking keeps its place');
SELECT results_eq($$ SELECT taken FROM app.slots ORDER BY starts_at $$, $$ VALUES (2), (3) $$,
                  'and both counters are as they were');
SELECT lives_ok($$ SELECT api.cancel_booking((SELECT id FROM mine WHERE n = 3)) $$, 'a place frees up');
SELECT is((api.reschedule_booking((SELECT id FROM mine WHERE n = 1), (SELECT second_at FROM day))).starts_at,
          (SELECT second_at FROM day), 'now the move succeeds');
SELECT results_eq($$ SELECT taken FROM app.slots ORDER BY starts_at $$, $$ VALUES (1), (3) $$,
                  'the old place is freed and the new one taken, in one statement');
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
CREATE TEMP TABLE page1 AS SELECT * FROM api.list_bookings('0000000a-0000-4000-8000-000000000000', page_size => 2);
CREATE TEMP TABLE page2 AS SELECT * FROM api.list_bookings('0000000a-0000-4000-8000-000000000000',
  after_starts_at => (SELECT max(starts_at) FROM page1),
  after_id => (SELECT id FROM page1 ORDER BY starts_at DESC, id DESC LIMIT 1), page_size => 2);
CREATE TEMP TABLE page3 AS SELECT * FROM api.list_bookings('0000000a-0000-4000-8000-000000000000',
  after_starts_at => (SELECT max(starts_at) FROM page2),
  after_id => (SELECT id FROM page2 ORDER BY starts_at DESC, id DESC LIMIT 1), page_size => 2);
SELECT results_eq($$ SELECT id FROM (SELECT * FROM page1 UNION ALL SELECT * FROM page2 UNION ALL SELECT * FROM page3) p $$,
                  $$ SELECT id FROM app.bookings ORDER BY starts_at, id $$,
                  'keyset pages cover every booking once, in start order');
SELECT results_eq($$ SELECT count(*)::int FROM api.list_bookings('0000000a-0000-4000-8000-000000000000',
                       statuses => ARRAY['cancelled']) $$, $$ VALUES (1) $$,
                  'bookings filter by status');
SELECT results_eq($$ SELECT count(*)::int FROM api.list_bookings('0000000a-0000-4000-8000-000000000000',
                       customer_email => ' GUEST2@example.com') $$, $$ VALUES (1) $$,
                  'and by customer e-mail, whatever its case');
RESET ROLE;

SELECT set_config('request.jwt.claims', '{"role":"authenticated","sub":"00000000-0000-4000-8000-0000000000b1"}', true);
SET LOCAL ROLE authenticated;
SELECT throws_ok(format($$ SELECT api.get_booking(%L) $$, (SELECT id FROM mine WHERE n = 1)), 'PT404', NULL,
                 'another organization''s booking does not exist for you');
SELECT is_empty($$ SELECT * FROM api.list_bookings('0000000a-0000-4000-8000-000000000000') $$,
                'and its list is empty');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
