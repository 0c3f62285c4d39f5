-- The activity feed and the upcoming bookings: what staff did, told for people from the audit log rows the booking
-- functions wrote (with the actor's display name), newest first and keyset-paged, amounts for managers only, and
-- never another organization's rows; the sessions to come, soonest first.
BEGIN;
\ir setup.psql
SELECT plan(16);
\ir fixtures.psql
SELECT pg_temp.shop();

CREATE TEMP TABLE got (name text PRIMARY KEY, id uuid, code text);
GRANT ALL ON got TO PUBLIC;

SELECT pg_temp.act_as('staff_a');
SELECT api.set_display_name('Sara');
INSERT INTO got SELECT 'x', b.id, b.confirmation_code
  FROM api.create_booking(pg_temp.id('vault'), (SELECT at_19 FROM day), 'ada@example.com', 4) b;
SELECT pg_temp.act_as('manager_a');
SELECT api.set_display_name('Omar');
SELECT api.confirm_booking((SELECT id FROM got WHERE name = 'x'));
SELECT pg_temp.act_as('staff_a');
SELECT api.cancel_booking((SELECT id FROM got WHERE name = 'x'), 'the group fell ill');
SELECT pg_temp.act_as('anon');
INSERT INTO got SELECT 'y', b.id, b.confirmation_code
  FROM api.widget_create_booking(pg_temp.key('brooklyn'), pg_temp.id('subway'), (SELECT at_19_ny FROM day),
                                 'grace@example.com', 2, 'Grace') b;
-- The payment provider's webhook records the money (service_role; here as the owner with its claims).
SELECT pg_temp.act_as('service_role');
RESET ROLE;
WITH o AS (
  INSERT INTO app.orders (org_id, booking_id, customer_id, currency, prices_include_vat, vat_rate_bp,
                          subtotal_minor, vat_minor, total_minor, expires_at)
  SELECT b.org_id, b.id, b.customer_id, 'USD', true, 0, 6000, 0, 6000, now() + interval '15 minutes'
    FROM app.bookings b WHERE b.id = (SELECT id FROM got WHERE name = 'y')
  RETURNING org_id, id)
INSERT INTO app.payments (org_id, order_id, provider, provider_ref, method, amount_minor, currency)
SELECT o.org_id, o.id, 'offline', 'receipt-dashboard', 'cash', 6000, 'USD' FROM o;

SELECT pg_temp.act_as('manager_a');
SELECT results_eq(
  $$SELECT message FROM api.get_recent_activity(pg_temp.id('org_a'))$$,
  (SELECT format($$VALUES ('60.00 USD was paid for booking %1$s'), ('A customer booked %1$s'),
                          ('Sara cancelled booking %2$s'), ('Omar confirmed booking %2$s'), ('Sara booked %2$s')$$,
                 (SELECT code FROM got WHERE name = 'y'), (SELECT code FROM got WHERE name = 'x'))),
  'the feed tells what people did, newest first, by their display names ("Sara cancelled booking …")');

SELECT results_eq(
  $$SELECT actor_name, action, booking_id, confirmation_code FROM api.get_recent_activity(pg_temp.id('org_a'))
     WHERE action = 'cancelled'$$,
  $$SELECT 'Sara', 'cancelled', id, code FROM got WHERE name = 'x'$$,
  'each row names the actor, the action and the booking it concerns');

SELECT results_eq(
  $$SELECT actor_name, action FROM api.get_recent_activity(pg_temp.id('org_a'), 2)$$,
  $$VALUES ('Tessera', 'paid'), ('A customer', 'booked')$$,
  'page_size bounds the page; the service is Tessera and a widget visitor a customer');

-- Keyset: the page after the second row starts at the third.
SELECT results_eq(
  $$SELECT message FROM api.get_recent_activity(pg_temp.id('org_a'), 2,
      (SELECT cursor FROM api.get_recent_activity(pg_temp.id('org_a'), 2) OFFSET 1))$$,
  (SELECT format($$VALUES ('Sara cancelled booking %1$s'), ('Omar confirmed booking %1$s')$$,
                 (SELECT code FROM got WHERE name = 'x'))),
  'before => the last row''s cursor gives the next page');
SELECT is((SELECT count(*)::int FROM api.get_recent_activity(pg_temp.id('org_a'), 20,
             (SELECT cursor FROM api.get_recent_activity(pg_temp.id('org_a'), 20) OFFSET 4))),
          0, 'the page after the oldest row is empty');

SELECT pg_temp.act_as('staff_a');
SELECT is((SELECT message FROM api.get_recent_activity(pg_temp.id('org_a'), 1)),
          format('A payment was received for booking %s', (SELECT code FROM got WHERE name = 'y')),
          'staff read the feed (which the audit log''s RLS keeps from them), without amounts');

SELECT throws_ok($$SELECT * FROM api.get_recent_activity(pg_temp.id('org_a'), 20, 'yesterday')$$, 'PT400',
                 'before must be the cursor of an activity row, not yesterday', 'a cursor that is none is refused');
SELECT throws_ok($$SELECT * FROM api.get_recent_activity(pg_temp.id('org_a'), 0)$$, 'PT400',
                 'page_size must be a whole number from 1 to 100, not 0', 'page_size is 1 to 100');

SELECT pg_temp.act_as('admin_b');
SELECT throws_ok($$SELECT * FROM api.get_recent_activity(pg_temp.id('org_a'))$$, 'PT404', 'organization not found',
                 'a member of another organization gets not found');
SELECT is((SELECT count(*)::int FROM api.get_recent_activity(pg_temp.id('org_b'))), 0,
          'another organization''s feed holds none of these rows');
SELECT pg_temp.act_as('outsider');
SELECT throws_ok($$SELECT * FROM api.get_upcoming_bookings(pg_temp.id('org_a'))$$, 'PT404', 'organization not found',
                 'someone outside the organization does not see what is coming');

-- Upcoming: the widget's pending booking (its hold live) at 19:00 in New York, and another staff booking at 19:00
-- in London the same day, sooner; the cancelled one is not coming.
SELECT pg_temp.act_as('staff_a');
INSERT INTO got SELECT 'z', b.id, b.confirmation_code
  FROM api.create_booking(pg_temp.id('vault'), (SELECT at_19 FROM day), 'lin@example.com', 3, 'Lin') b;
SELECT results_eq(
  $$SELECT confirmation_code, status::text, local_start, venue_name, experience_name, party_size, customer_name
      FROM api.get_upcoming_bookings(pg_temp.id('org_a'))$$,
  $$VALUES ((SELECT code FROM got WHERE name = 'z'), 'pending', (SELECT d + time '19:00' FROM day), 'Soho',
            'The Vault', 3, 'Lin'),
           ((SELECT code FROM got WHERE name = 'y'), 'pending', (SELECT d + time '19:00' FROM day), 'Brooklyn',
            'Subway', 2, 'Grace')$$,
  'upcoming bookings soonest first, with the venue-local start, venue, experience, party and customer');
SELECT is((SELECT count(*)::int FROM api.get_upcoming_bookings(pg_temp.id('org_a'), 1)), 1, 'page_size bounds it');
RESET ROLE;
UPDATE app.bookings SET hold_expires_at = now() - interval '1 minute' WHERE id = (SELECT id FROM got WHERE name = 'z');
SELECT pg_temp.act_as('staff_a');
SELECT results_eq(
  $$SELECT booking_id FROM api.get_upcoming_bookings(pg_temp.id('org_a'))$$,
  $$SELECT id FROM got WHERE name = 'y'$$,
  'a pending booking whose hold ran out is not coming, whether or not it was marked expired');
SELECT throws_ok($$SELECT * FROM api.get_upcoming_bookings(pg_temp.id('org_a'), 501)$$, 'PT400',
                 'page_size must be a whole number from 1 to 500, not 501', 'page_size is 1 to 500');
SELECT pg_temp.act_as('manager_a');
SELECT is((SELECT count(*)::int FROM api.get_recent_activity(pg_temp.id('org_a'), 100)), 6,
          'a booking made since is the newest row of the feed');

SELECT * FROM finish();
ROLLBACK;
