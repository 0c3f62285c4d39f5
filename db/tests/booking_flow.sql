-- Booking end to end: availability, holds, idempotent retries, run-out holds giving places back without any job,
-- cancellation refunds, ticket quotas, and the database refusing to oversell whatever the caller does.
BEGIN;
\ir setup.psql
SELECT plan(37);

\ir fixtures.psql
SELECT pg_temp.fresh('venue_a', 'vault_room', 'vault', 'kids_vault', 'quiz', 'standard', 'front_row');
INSERT INTO app.venues (org_id, id, name, timezone) VALUES
  (pg_temp.id('org_a'), pg_temp.id('venue_a'), 'Venue', 'Europe/London');
INSERT INTO app.resources (org_id, venue_id, id, kind, name) VALUES
  (pg_temp.id('org_a'), pg_temp.id('venue_a'), pg_temp.id('vault_room'), 'room', 'Vault room');
INSERT INTO app.experiences (org_id, venue_id, id, kind, name, duration_minutes, buffer_minutes, min_party,
                             max_party, capacity, currency, full_refund_before, late_refund_percent)
VALUES
  (pg_temp.id('org_a'), pg_temp.id('venue_a'),
   pg_temp.id('vault'), 'private_session', 'The Vault', 60, 15, 2, 6, NULL, 'GBP', '48 hours', 50),
  (pg_temp.id('org_a'), pg_temp.id('venue_a'),
   pg_temp.id('kids_vault'), 'private_session', 'The Vault (kids)', 45, 0, 2, 6, NULL, 'GBP',
   '48 hours', 50),
  (pg_temp.id('org_a'), pg_temp.id('venue_a'),
   pg_temp.id('quiz'), 'ticketed_event', 'Quiz night', 120, 0, 1, 10, 5, 'GBP', '48 hours', 0);
-- Both Vault games run in the same room.
INSERT INTO app.experience_resources (org_id, venue_id, experience_id, resource_id) VALUES
  (pg_temp.id('org_a'), pg_temp.id('venue_a'), pg_temp.id('vault'), pg_temp.id('vault_room')),
  (pg_temp.id('org_a'), pg_temp.id('venue_a'), pg_temp.id('kids_vault'), pg_temp.id('vault_room'));
INSERT INTO app.price_tiers (org_id, experience_id, min_party, max_party, price_minor) VALUES
  (pg_temp.id('org_a'), pg_temp.id('vault'), 2, 6, 2500),
  (pg_temp.id('org_a'), pg_temp.id('kids_vault'), 2, 6, 1500);
INSERT INTO app.ticket_types (org_id, experience_id, id, name, price_minor, quota) VALUES
  (pg_temp.id('org_a'), pg_temp.id('quiz'), pg_temp.id('standard'), 'Standard', 1000, NULL),
  (pg_temp.id('org_a'), pg_temp.id('quiz'), pg_temp.id('front_row'), 'Front row', 3000, 2);
-- Every day at 19:00 (the Vault, the quiz) and 19:30 (the kids' Vault, overlapping the same room).
INSERT INTO app.schedules (org_id, experience_id, weekday, start_time, valid_from)
SELECT pg_temp.id('org_a'), e, d, t::time, current_date
  FROM generate_series(1, 7) d,
       (VALUES (pg_temp.id('vault'), '19:00'),
               (pg_temp.id('kids_vault'), '19:30'),
               (pg_temp.id('quiz'), '19:00')) s(e, t);

-- The session ten days from now at 19:00 London time.
CREATE TEMP TABLE day AS SELECT (current_date + 10) AS d,
  private.local_to_instant((current_date + 10) + time '19:00', 'Europe/London') AS at_19,
  private.local_to_instant((current_date + 10) + time '19:30', 'Europe/London') AS at_1930;
GRANT SELECT ON day TO PUBLIC;

SELECT pg_temp.act_as('staff_a');

SELECT results_eq(
  $$ SELECT remaining, price_minor, currency FROM api.check_availability(pg_temp.id('vault'),
       (SELECT d FROM day), (SELECT d FROM day), 4) $$,
  $$ VALUES (1, 10000::bigint, 'GBP') $$, 'a free private session: one group, priced per person for the party');
SELECT is((SELECT local_start FROM api.check_availability(pg_temp.id('vault'),
                                                          (SELECT d FROM day), (SELECT d FROM day), 4)),
          (SELECT d FROM day) + time '19:00', 'availability shows the venue-local start');
SELECT throws_ok($$ SELECT * FROM api.check_availability(pg_temp.id('vault'),
                   (SELECT d FROM day), (SELECT d FROM day), 9) $$, 'PT400', NULL,
                 'a party too large for the game is told so');

CREATE TEMP TABLE first_booking AS
SELECT * FROM api.create_booking(pg_temp.id('vault'), (SELECT at_19 FROM day),
                                 'Ada@Example.com', 4, 'Ada', idempotency_key => 'checkout-1');
SELECT is((SELECT status::text FROM first_booking), 'pending', 'a booking that needs payment starts pending');
SELECT matches((SELECT confirmation_code FROM first_booking), '^[A-HJKMNP-Z2-9]{8}$',
               'it carries an unambiguous 8-character code');
SELECT ok((SELECT hold_expires_at BETWEEN now() + interval '14 minutes' AND now() + interval '16 minutes'
             FROM first_booking), 'its hold lasts the experience''s hold time (15 minutes)');
SELECT is((SELECT price_minor FROM first_booking), 10000::bigint, 'its price is fixed at booking');
SELECT is((SELECT remaining FROM api.check_availability(pg_temp.id('vault'),
                                                        (SELECT d FROM day), (SELECT d FROM day), 2)),
          0, 'the held session is no longer available');
SELECT is((SELECT remaining FROM api.check_availability(pg_temp.id('kids_vault'),
                                                        (SELECT d FROM day), (SELECT d FROM day), 2)),
          0, 'nor is another game in the same room overlapping it (buffer included)');

SELECT is((SELECT id FROM api.create_booking(pg_temp.id('vault'), (SELECT at_19 FROM day),
                                             'ada@example.com', 4, 'Ada', idempotency_key => 'checkout-1')),
          (SELECT id FROM first_booking), 'a retry with the same idempotency key returns the same booking');
SELECT throws_ok($$ SELECT api.create_booking(pg_temp.id('vault'), (SELECT at_19 FROM day),
                    'grace@example.com', 3) $$, 'PT409', NULL, 'a second group cannot take the held session');
SELECT throws_ok($$ SELECT api.create_booking(pg_temp.id('kids_vault'), (SELECT at_1930 FROM day),
                    'grace@example.com', 3) $$, 'PT409', 'this time is no longer available',
                 'nor the overlapping game in the same room');
SELECT is((SELECT count(*)::int FROM app.customers WHERE email_key = 'ada@example.com'), 1,
          'customers are matched by e-mail whatever its case');

-- The hold runs out: nothing runs, yet the places come back.
RESET ROLE;
UPDATE app.bookings SET hold_expires_at = now() - interval '1 second' WHERE id = (SELECT id FROM first_booking);
SET LOCAL ROLE authenticated;
SELECT is((SELECT remaining FROM api.check_availability(pg_temp.id('vault'),
                                                        (SELECT d FROM day), (SELECT d FROM day), 2)),
          1, 'a run-out hold counts for nothing in availability');
SELECT is((SELECT remaining FROM api.check_availability(pg_temp.id('kids_vault'),
                                                        (SELECT d FROM day), (SELECT d FROM day), 2)),
          1, 'nor does its claim on the room hold back the other game there');
RESET ROLE;
SELECT is((SELECT held_until FROM app.booking_resources WHERE booking_id = (SELECT id FROM first_booking)),
          now() - interval '1 second', 'a pending booking''s room claim carries its hold deadline');
SET LOCAL ROLE authenticated;
SELECT throws_ok($$ SELECT api.confirm_booking((SELECT id FROM first_booking)) $$, 'PT409', NULL,
                 'a run-out hold cannot be confirmed');
CREATE TEMP TABLE second_booking AS
SELECT * FROM api.create_booking(pg_temp.id('kids_vault'), (SELECT at_1930 FROM day),
                                 'grace@example.com', 3, 'Grace');
SELECT is((SELECT status::text FROM app.bookings WHERE id = (SELECT id FROM first_booking)), 'expired',
          'booking over it marks the run-out hold expired in the same transaction');
-- Counters and claims are the database's own (staff read them through the api functions only).
RESET ROLE;
SELECT is((SELECT taken FROM app.slots WHERE id = (SELECT slot_id FROM app.bookings JOIN first_booking USING (id))), 0,
          'and its slot counter gives the place back');

-- Confirming, cancelling and what is refunded.
SELECT isnt((SELECT held_until FROM app.booking_resources WHERE booking_id = (SELECT id FROM second_booking)), NULL,
            'a new hold''s claim lasts as long as the hold');
SET LOCAL ROLE authenticated;
SELECT is((api.confirm_booking((SELECT id FROM second_booking))).status::text, 'confirmed', 'staff confirm a booking');
RESET ROLE;
SELECT is((SELECT held_until FROM app.booking_resources WHERE booking_id = (SELECT id FROM second_booking)), NULL,
          'a confirmed booking''s claim no longer lapses');
SET LOCAL ROLE authenticated;
SELECT is(api.cancel_booking((SELECT id FROM second_booking), 'changed plans'), 4500::bigint,
          'cancelling a paid booking well before the cutoff refunds it in full');
SELECT is((SELECT remaining FROM api.check_availability(pg_temp.id('vault'),
                                                        (SELECT d FROM day), (SELECT d FROM day), 2)),
          1, 'a cancelled booking frees the room');
SELECT throws_ok($$ SELECT api.confirm_booking((SELECT id FROM second_booking)) $$, 'PT409',
                 NULL, 'a cancelled booking cannot be confirmed again');

-- Ticketed events share a capacity; a ticket type's own quota holds within it.
SELECT is((SELECT remaining FROM api.check_availability(pg_temp.id('quiz'),
                                                        (SELECT d FROM day), (SELECT d FROM day), 1)),
          5, 'the quiz has five places');
SELECT is((api.create_booking(pg_temp.id('quiz'), (SELECT at_19 FROM day), 'team1@example.com',
           tickets => pg_temp.tickets('front_row', 2))).price_minor,
          6000::bigint, 'two front-row tickets, priced per ticket');
SELECT throws_ok($$ SELECT api.create_booking(pg_temp.id('quiz'), (SELECT at_19 FROM day),
                    'team2@example.com',
                    tickets => pg_temp.tickets('front_row', 1)) $$,
                 'PT409', 'sold out: not enough tickets of that type left', 'the front row''s own quota of 2 holds');
SELECT lives_ok($$ SELECT api.create_booking(pg_temp.id('quiz'), (SELECT at_19 FROM day),
                   'team3@example.com',
                   tickets => pg_temp.tickets('standard', 3)) $$,
                'three standard tickets fill the rest');
SELECT throws_ok($$ SELECT api.create_booking(pg_temp.id('quiz'), (SELECT at_19 FROM day),
                    'team4@example.com',
                    tickets => pg_temp.tickets('standard', 1)) $$,
                 'PT409', 'sold out: not enough places left in this session', 'a sixth place does not exist');
SELECT is((SELECT remaining FROM api.check_availability(pg_temp.id('quiz'),
                                                        (SELECT d FROM day), (SELECT d FROM day), 1)),
          0, 'the quiz shows sold out');

-- Invalid requests say what is wrong.
SELECT throws_ok($$ SELECT api.create_booking(pg_temp.id('vault'),
                    (SELECT at_19 FROM day) + interval '5 minutes', 'x@example.com', 2) $$, 'PT400', NULL,
                 'a start that is not scheduled is refused');
SELECT throws_ok($$ SELECT api.create_booking(pg_temp.id('vault'),
                    private.local_to_instant((current_date + 120) + time '19:00', 'Europe/London'),
                    'x@example.com', 2) $$, 'PT400', 'this session is not open for booking yet',
                 'beyond the advance window is refused');
RESET ROLE;

-- Staff of another organization learn nothing, and the tables themselves refuse overselling.
SELECT pg_temp.act_as('admin_b');
SELECT throws_ok($$ SELECT api.create_booking(pg_temp.id('vault'), (SELECT at_19 FROM day),
                    'x@example.com', 2) $$, 'PT404', 'experience not found',
                 'another organization''s experience does not exist for you');
SELECT is_empty($$ SELECT * FROM api.check_availability(pg_temp.id('vault'),
                   (SELECT d FROM day), (SELECT d FROM day), 2) $$, 'nor does its availability');
RESET ROLE;
SELECT throws_ok($$ UPDATE app.slots SET taken = capacity + 1 WHERE org_id = pg_temp.id('org_a') $$, '23514',
                 NULL, 'even the owner cannot push a counter past capacity');
SELECT pg_temp.act_as('staff_a');
SELECT id FROM api.create_booking(pg_temp.id('vault'), (SELECT at_19 FROM day), 'z@example.com', 2);
RESET ROLE;
SELECT throws_ok($$ INSERT INTO app.booking_resources (org_id, booking_id, resource_id, during)
                    SELECT org_id, id, pg_temp.id('vault_room'), tstzrange(starts_at, ends_at)
                      FROM app.bookings WHERE experience_id = pg_temp.id('quiz') LIMIT 1 $$,
                 '23P01', NULL, 'nor claim a room that is already claimed at that time');

SELECT * FROM finish();
ROLLBACK;
