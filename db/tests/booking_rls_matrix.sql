-- Who may read and write each booking table: anon, a signed-in outsider, staff / manager / admin of organization
-- A, an admin of organization B and service_role, each against select, insert, update and delete. Staff read
-- their organization's bookings, find its customers by e-mail and move its bookings (status and reason only), and
-- so does service_role for every organization, as the api functions running as their caller need; bookings and
-- customers are only ever written by place_booking, and slots, counters, lines and claims only by its triggers.
BEGIN;
\ir setup.psql
SELECT plan(170);

\ir fixtures.psql

-- Each organization (x = a, b): a venue, a room, a private game and a ticketed event with two ticket types, a
-- customer, a slot of each, and one booking of each (the private one claims the room).
CREATE TEMP TABLE side AS SELECT x, pg_temp.id('org_' || x) AS org FROM unnest(ARRAY['a', 'b']) x;
SELECT pg_temp.fresh(VARIADIC array_agg(n || '_' || x))
  FROM side, unnest(ARRAY['venue', 'room', 'private', 'event', 'ticket', 'quota_ticket', 'customer', 'private_slot',
                          'event_slot', 'private_booking', 'event_booking']) n;
INSERT INTO app.venues (org_id, id, name, timezone) SELECT org, pg_temp.id('venue_' || x), 'Venue', 'UTC' FROM side;
INSERT INTO app.resources (org_id, venue_id, id, kind, name)
SELECT org, pg_temp.id('venue_' || x), pg_temp.id('room_' || x), 'room', 'Room' FROM side;
INSERT INTO app.experiences (org_id, venue_id, id, kind, name, duration_minutes, max_party, capacity, currency)
SELECT org, pg_temp.id('venue_' || x), pg_temp.id(k.name || '_' || x), k.kind::app.experience_kind, 'Thing', 60, 6,
       k.capacity, 'EUR'
  FROM side, (VALUES ('private', 'private_session', NULL), ('event', 'ticketed_event', 50)) k(name, kind, capacity);
INSERT INTO app.experience_resources (org_id, venue_id, experience_id, resource_id)
SELECT org, pg_temp.id('venue_' || x), pg_temp.id('private_' || x), pg_temp.id('room_' || x) FROM side;
INSERT INTO app.ticket_types (org_id, experience_id, id, name, price_minor, quota)
SELECT org, pg_temp.id('event_' || x), pg_temp.id(q.name || '_' || x), 'Ticket', 1000, q.quota
  FROM side, (VALUES ('ticket', NULL), ('quota_ticket', 10)) q(name, quota);
INSERT INTO app.customers (org_id, id, email) SELECT org, pg_temp.id('customer_' || x), 'someone@example.com' FROM side;
INSERT INTO app.slots (org_id, id, experience_id, starts_at, ends_at, capacity)
SELECT org, pg_temp.id(k || '_slot_' || x), pg_temp.id(k || '_' || x), '2030-06-01 10:00+00', '2030-06-01 11:00+00',
       CASE k WHEN 'private' THEN 1 ELSE 50 END
  FROM side, unnest(ARRAY['private', 'event']) k;
INSERT INTO app.bookings (org_id, id, experience_id, slot_id, customer_id, status, party_size, places, starts_at,
                          ends_at, price_minor, currency, confirmation_code)
SELECT org, pg_temp.id(k || '_booking_' || x), pg_temp.id(k || '_' || x), pg_temp.id(k || '_slot_' || x),
       pg_temp.id('customer_' || x), 'confirmed', 2, CASE k WHEN 'private' THEN 1 ELSE 2 END,
       '2030-06-01 10:00+00', '2030-06-01 11:00+00', 2000, 'EUR',
       CASE k WHEN 'private' THEN 'PPPPPPPP' ELSE 'TTTTTTTT' END
  FROM side, unnest(ARRAY['private', 'event']) k;
INSERT INTO app.booking_tickets (org_id, booking_id, ticket_type_id, quantity, price_minor)
SELECT org, pg_temp.id('event_booking_' || x), pg_temp.id('ticket_' || x), 2, 1000 FROM side;

CREATE TEMP TABLE cases (tbl text PRIMARY KEY, insert_sql text NOT NULL, delete_sql text NOT NULL,
                         update_set text NOT NULL, insert_min text NOT NULL, update_min text NOT NULL,
                         delete_min text NOT NULL, select_min text NOT NULL, service_may text NOT NULL);
INSERT INTO cases VALUES
  ('customers',
   $$INSERT INTO app.customers (org_id, id, email) VALUES (pg_temp.id('org_a'), %1$L, %1$L || '@example.com')$$,
   $$DELETE FROM app.customers WHERE id = %L RETURNING 1$$, 'name = name', 'nogrant', 'nogrant', 'nogrant',
   'staff', 'select'),
  ('bookings',
   $$INSERT INTO app.bookings (org_id, id, experience_id, slot_id, customer_id, status, party_size, places, starts_at,
                               ends_at, price_minor, currency, hold_expires_at, confirmation_code)
     SELECT org_id, %L, experience_id, id, pg_temp.id('customer_a'), 'pending', 1, 1, starts_at, ends_at,
            0, 'EUR', now() + interval '15 minutes', 'ZZZZZZZZ'
       FROM app.slots WHERE id = pg_temp.id('event_slot_a')$$,
   $$DELETE FROM app.bookings WHERE id = %L RETURNING 1$$, 'cancel_reason = cancel_reason', 'nogrant', 'staff',
   'nogrant', 'staff', 'select,update'),
  ('booking_tickets',
   $$INSERT INTO app.booking_tickets (org_id, booking_id, ticket_type_id, quantity, price_minor)
     SELECT pg_temp.id('org_a'), pg_temp.id('private_booking_a'), pg_temp.id('ticket_a'), 1, 0 WHERE %L IS NOT NULL$$,
   $$DELETE FROM app.booking_tickets WHERE booking_id = pg_temp.id('private_booking_a') AND %L IS NOT NULL
     RETURNING 1$$, 'org_id = org_id', 'nogrant', 'nogrant', 'nogrant', 'nogrant', ''),
  ('slots',
   $$INSERT INTO app.slots (org_id, id, experience_id, starts_at, ends_at, capacity)
     VALUES (pg_temp.id('org_a'), %L, pg_temp.id('event_a'),
             '2031-01-01 10:00+00', '2031-01-01 11:00+00', 5)$$,
   $$DELETE FROM app.slots WHERE id = %L RETURNING 1$$, 'org_id = org_id', 'nogrant', 'nogrant', 'nogrant', 'nogrant',
   ''),
  ('slot_ticket_counts',
   $$INSERT INTO app.slot_ticket_counts (org_id, slot_id, ticket_type_id, quota)
     SELECT pg_temp.id('org_a'), pg_temp.id('event_slot_a'), pg_temp.id('quota_ticket_a'), 10 WHERE %L IS NOT NULL$$,
   $$DELETE FROM app.slot_ticket_counts WHERE ticket_type_id = pg_temp.id('quota_ticket_a')
       AND %L IS NOT NULL RETURNING 1$$, 'org_id = org_id', 'nogrant', 'nogrant', 'nogrant', 'nogrant', ''),
  ('booking_resources',
   $$INSERT INTO app.booking_resources (org_id, booking_id, resource_id, during)
     SELECT pg_temp.id('org_a'), pg_temp.id('event_booking_a'),
            pg_temp.id('room_a'), '[2031-01-01, 2031-01-02)' WHERE %L IS NOT NULL$$,
   $$DELETE FROM app.booking_resources WHERE booking_id = pg_temp.id('event_booking_a') AND %L IS NOT NULL
     RETURNING 1$$, 'org_id = org_id', 'nogrant', 'nogrant', 'nogrant', 'nogrant', '');

\ir rls_matrix.psql

SELECT pg_temp.check_role(r, t)
  FROM unnest(ARRAY['anon', 'outsider', 'staff_a', 'manager_a', 'admin_a', 'admin_b', 'service_role']) r,
       unnest(ARRAY['customers', 'bookings', 'booking_tickets', 'slots', 'slot_ticket_counts', 'booking_resources']) t;

-- Column privileges: staff move a booking's status, but cannot rewrite its price.
SELECT pg_temp.act_as('staff_a');
SELECT throws_ok($$ UPDATE app.bookings SET price_minor = 0 $$, '42501', NULL, 'staff cannot rewrite a booking''s price');
SELECT throws_ok($$ UPDATE app.bookings SET starts_at = starts_at + interval '1 day' $$, '42501', NULL,
                 'nor move it in time except through reschedule_booking');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
