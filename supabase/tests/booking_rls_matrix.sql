-- Who may read and write each booking table: anon, a signed-in outsider, staff / manager / admin of organization
-- A, an admin of organization B and service_role, each against select, insert, update and delete. Staff read
-- everything of their organization, keep its customers and move its bookings; bookings are only ever created by
-- place_booking, and slots, counters, lines and claims only by its triggers; admins may erase customers.
BEGIN;
\ir setup.psql
SELECT plan(170);

CREATE TEMP TABLE who (name text PRIMARY KEY, id uuid NOT NULL);
INSERT INTO who VALUES
  ('staff_a',   '00000000-0000-4000-8000-0000000000a4'),
  ('manager_a', '00000000-0000-4000-8000-0000000000a3'),
  ('admin_a',   '00000000-0000-4000-8000-0000000000a2'),
  ('admin_b',   '00000000-0000-4000-8000-0000000000b1'),
  ('outsider',  '00000000-0000-4000-8000-0000000000c1');
INSERT INTO auth.users (id, email) SELECT id, name || '@example.com' FROM who;
INSERT INTO app.organizations (id, name, slug) VALUES
  ('0000000a-0000-4000-8000-000000000000', 'Org A', 'org-a'),
  ('0000000b-0000-4000-8000-000000000000', 'Org B', 'org-b');
INSERT INTO app.memberships (org_id, user_id, role) VALUES
  ('0000000a-0000-4000-8000-000000000000', '00000000-0000-4000-8000-0000000000a4', 'staff'),
  ('0000000a-0000-4000-8000-000000000000', '00000000-0000-4000-8000-0000000000a3', 'manager'),
  ('0000000a-0000-4000-8000-000000000000', '00000000-0000-4000-8000-0000000000a2', 'admin'),
  ('0000000b-0000-4000-8000-000000000000', '00000000-0000-4000-8000-0000000000b1', 'admin');

-- Each organization: a venue, a room, a private game and a ticketed event with two ticket types, a customer, a
-- slot of each, and one booking of each (the private one claims the room).
INSERT INTO app.venues (org_id, id, name, timezone)
SELECT o, (p || '1000000-0000-4000-8000-000000000001')::uuid, 'Venue', 'UTC'
  FROM (VALUES ('0000000a-0000-4000-8000-000000000000'::uuid, 'a'), ('0000000b-0000-4000-8000-000000000000', 'b')) x(o, p);
INSERT INTO app.resources (org_id, venue_id, id, kind, name)
SELECT org_id, id, (left(id::text, 1) || '2000000-0000-4000-8000-000000000001')::uuid, 'room', 'Room' FROM app.venues;
INSERT INTO app.experiences (org_id, venue_id, id, kind, name, duration_minutes, max_party, capacity, currency)
SELECT org_id, id, (left(id::text, 1) || '3000000-0000-4000-8000-00000000000' || k.n)::uuid, k.kind::app.experience_kind,
       'Thing', 60, 6, k.capacity, 'EUR'
  FROM app.venues, (VALUES (1, 'private_session', NULL), (2, 'ticketed_event', 50)) k(n, kind, capacity);
INSERT INTO app.experience_resources (org_id, venue_id, experience_id, resource_id)
SELECT e.org_id, e.venue_id, e.id, r.id FROM app.experiences e JOIN app.resources r ON r.venue_id = e.venue_id
 WHERE e.kind = 'private_session';
INSERT INTO app.ticket_types (org_id, experience_id, id, name, price_minor, quota)
SELECT org_id, id, (left(id::text, 1) || '5000000-0000-4000-8000-00000000000' || q.n)::uuid, 'Ticket', 1000, q.quota
  FROM app.experiences, (VALUES (1, NULL), (2, 10)) q(n, quota) WHERE kind = 'ticketed_event';
INSERT INTO app.customers (org_id, id, email)
SELECT id, (left(id::text, 8) || '-0000-4000-8000-00000000c0de')::uuid, 'someone@example.com' FROM app.organizations;
INSERT INTO app.slots (org_id, id, experience_id, starts_at, ends_at, capacity)
SELECT org_id, (left(id::text, 1) || '6' || right(id::text, 34))::uuid, id, '2030-06-01 10:00+00', '2030-06-01 11:00+00',
       coalesce(capacity, 1)
  FROM app.experiences;
INSERT INTO app.bookings (org_id, id, experience_id, slot_id, customer_id, status, party_size, places, starts_at,
                          ends_at, price_minor, currency, confirmation_code)
SELECT s.org_id, (left(s.id::text, 1) || '8' || right(s.id::text, 34))::uuid, s.experience_id, s.id, c.id,
       'confirmed', 2, CASE WHEN s.capacity = 1 THEN 1 ELSE 2 END, s.starts_at, s.ends_at, 2000, 'EUR',
       CASE WHEN s.capacity = 1 THEN 'PPPPPPPP' ELSE 'TTTTTTTT' END
  FROM app.slots s JOIN app.customers c ON c.org_id = s.org_id;
INSERT INTO app.booking_tickets (org_id, booking_id, ticket_type_id, quantity, price_minor)
SELECT b.org_id, b.id, (left(b.id::text, 1) || '5000000-0000-4000-8000-000000000001')::uuid, 2, 1000
  FROM app.bookings b JOIN app.experiences e ON e.id = b.experience_id WHERE e.kind = 'ticketed_event';

CREATE TEMP TABLE cases (tbl text PRIMARY KEY, insert_sql text NOT NULL, delete_sql text NOT NULL,
                         update_set text NOT NULL, insert_min text NOT NULL, update_min text NOT NULL,
                         delete_min text NOT NULL);
INSERT INTO cases VALUES
  ('customers',
   $$INSERT INTO app.customers (org_id, id, email) VALUES ('0000000a-0000-4000-8000-000000000000', %1$L, %1$L || '@example.com')$$,
   $$DELETE FROM app.customers WHERE id = %L RETURNING 1$$, 'name = name', 'staff', 'staff', 'admin'),
  ('bookings',
   $$INSERT INTO app.bookings (org_id, id, experience_id, slot_id, customer_id, status, party_size, places, starts_at,
                               ends_at, price_minor, currency, hold_expires_at, confirmation_code)
     SELECT org_id, %L, experience_id, id, '0000000a-0000-4000-8000-00000000c0de', 'pending', 1, 1, starts_at, ends_at,
            0, 'EUR', now() + interval '15 minutes', 'ZZZZZZZZ'
       FROM app.slots WHERE id = 'a6000000-0000-4000-8000-000000000002'$$,
   $$DELETE FROM app.bookings WHERE id = %L RETURNING 1$$, 'cancel_reason = cancel_reason', 'nogrant', 'staff',
   'nogrant'),
  ('booking_tickets',
   $$INSERT INTO app.booking_tickets (org_id, booking_id, ticket_type_id, quantity, price_minor)
     SELECT '0000000a-0000-4000-8000-000000000000', 'a8000000-0000-4000-8000-000000000001',
            'a5000000-0000-4000-8000-000000000001', 1, 0 WHERE %L IS NOT NULL$$,
   $$DELETE FROM app.booking_tickets WHERE booking_id = 'a8000000-0000-4000-8000-000000000001' AND %L IS NOT NULL
     RETURNING 1$$, 'org_id = org_id', 'nogrant', 'nogrant', 'nogrant'),
  ('slots',
   $$INSERT INTO app.slots (org_id, id, experience_id, starts_at, ends_at, capacity)
     VALUES ('0000000a-0000-4000-8000-000000000000', %L, 'a3000000-0000-4000-8000-000000000002',
             '2031-01-01 10:00+00', '2031-01-01 11:00+00', 5)$$,
   $$DELETE FROM app.slots WHERE id = %L RETURNING 1$$, 'org_id = org_id', 'nogrant', 'nogrant', 'nogrant'),
  ('slot_ticket_counts',
   $$INSERT INTO app.slot_ticket_counts (org_id, slot_id, ticket_type_id, quota)
     SELECT '0000000a-0000-4000-8000-000000000000', 'a6000000-0000-4000-8000-000000000002',
            'a5000000-0000-4000-8000-000000000002', 10 WHERE %L IS NOT NULL$$,
   $$DELETE FROM app.slot_ticket_counts WHERE ticket_type_id = 'a5000000-0000-4000-8000-000000000002'
       AND %L IS NOT NULL RETURNING 1$$, 'org_id = org_id', 'nogrant', 'nogrant', 'nogrant'),
  ('booking_resources',
   $$INSERT INTO app.booking_resources (org_id, booking_id, resource_id, during)
     SELECT '0000000a-0000-4000-8000-000000000000', 'a8000000-0000-4000-8000-000000000002',
            'a2000000-0000-4000-8000-000000000001', '[2031-01-01, 2031-01-02)' WHERE %L IS NOT NULL$$,
   $$DELETE FROM app.booking_resources WHERE booking_id = 'a8000000-0000-4000-8000-000000000002' AND %L IS NOT NULL
     RETURNING 1$$, 'org_id = org_id', 'nogrant', 'nogrant', 'nogrant');

\ir rls_matrix.psql

SELECT pg_temp.check_role(r, t)
  FROM unnest(ARRAY['anon', 'outsider', 'staff_a', 'manager_a', 'admin_a', 'admin_b', 'service_role']) r,
       unnest(ARRAY['customers', 'bookings', 'booking_tickets', 'slots', 'slot_ticket_counts', 'booking_resources']) t;

-- Column privileges: staff move a booking's status, but cannot rewrite its price.
SELECT set_config('request.jwt.claims', '{"role":"authenticated","sub":"00000000-0000-4000-8000-0000000000a4"}', true);
SET LOCAL ROLE authenticated;
SELECT throws_ok($$ UPDATE app.bookings SET price_minor = 0 $$, '42501', NULL, 'staff cannot rewrite a booking''s price');
SELECT throws_ok($$ UPDATE app.bookings SET starts_at = starts_at + interval '1 day' $$, '42501', NULL,
                 'nor move it in time except through reschedule_booking');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
