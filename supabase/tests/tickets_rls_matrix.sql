-- Who may read and write each tickets table: anon, a signed-in outsider, staff / manager / admin of organization A,
-- an admin of organization B and service_role, each against select, insert, update and delete. Nobody: tickets are
-- issued and revoked by the bookings trigger, read through get_tickets and check_in, check-ins written by check_in,
-- and a signing key's secret never leaves the definer functions that sign and verify.
BEGIN;
\ir setup.psql
SELECT plan(114);

\ir fixtures.psql
SELECT pg_temp.shop();
-- A confirmed booking in each organization (its tickets, and so a key, come with it) and a check-in of org A's.
SELECT pg_temp.fresh('venue_b', 'game_b', 'slot_a', 'slot_b', 'customer_a', 'customer_b', 'booking_a', 'booking_b');
INSERT INTO app.venues (org_id, id, name, timezone) VALUES (pg_temp.id('org_b'), pg_temp.id('venue_b'), 'B', 'UTC');
INSERT INTO app.experiences (org_id, venue_id, id, kind, name, duration_minutes, max_party, currency)
VALUES (pg_temp.id('org_b'), pg_temp.id('venue_b'), pg_temp.id('game_b'), 'private_session', 'Game B', 60, 6, 'EUR');
INSERT INTO app.slots (org_id, id, experience_id, starts_at, ends_at, capacity) VALUES
  (pg_temp.id('org_a'), pg_temp.id('slot_a'), pg_temp.id('quiz'), '2030-06-01 10:00+00', '2030-06-01 12:00+00', 20),
  (pg_temp.id('org_b'), pg_temp.id('slot_b'), pg_temp.id('game_b'), '2030-06-01 10:00+00', '2030-06-01 11:00+00', 1);
INSERT INTO app.customers (org_id, id, email) VALUES
  (pg_temp.id('org_a'), pg_temp.id('customer_a'), 'a@example.com'),
  (pg_temp.id('org_b'), pg_temp.id('customer_b'), 'b@example.com');
INSERT INTO app.bookings (org_id, id, experience_id, slot_id, customer_id, status, party_size, places, starts_at,
                          ends_at, price_minor, currency, confirmation_code)
SELECT pg_temp.id('org_' || x), pg_temp.id('booking_' || x), s.experience_id, s.id, pg_temp.id('customer_' || x),
       'confirmed', 2, CASE x WHEN 'a' THEN 2 ELSE 1 END, s.starts_at, s.ends_at, 0, 'EUR', 'TTTTTTTT'
  FROM unnest(ARRAY['a', 'b']) x JOIN app.slots s ON s.id = pg_temp.id('slot_' || x);
INSERT INTO app.check_ins (org_id, ticket_id, scanner_nonce, checked_in_by)
SELECT org_id, id, 'nonce', pg_temp.id('staff_a') FROM app.tickets WHERE booking_id = pg_temp.id('booking_a') AND seat_no = 1;

CREATE TEMP TABLE cases (tbl text PRIMARY KEY, insert_sql text NOT NULL, delete_sql text NOT NULL,
                         update_set text NOT NULL, insert_min text NOT NULL, update_min text NOT NULL,
                         delete_min text NOT NULL, select_min text NOT NULL, service_may text NOT NULL);
INSERT INTO cases VALUES
  ('ticket_keys',
   $$INSERT INTO app.ticket_keys (org_id, kid, secret)
     SELECT pg_temp.id('org_a'), 99, decode(repeat('00', 32), 'hex') WHERE %L IS NOT NULL$$,
   $$DELETE FROM app.ticket_keys WHERE org_id = pg_temp.id('org_a') AND kid = 99 AND %L IS NOT NULL RETURNING 1$$,
   'org_id = org_id', 'nogrant', 'nogrant', 'nogrant', 'nogrant', ''),
  ('tickets',
   $$INSERT INTO app.tickets (org_id, id, booking_id, slot_id, venue_id, seat_no, valid_from, valid_until, kid)
     SELECT org_id, %L, booking_id, slot_id, venue_id, 3, valid_from, valid_until, kid
       FROM app.tickets WHERE booking_id = pg_temp.id('booking_a') AND seat_no = 1$$,
   $$DELETE FROM app.tickets WHERE id = %L RETURNING 1$$, 'org_id = org_id', 'nogrant', 'nogrant', 'nogrant',
   'nogrant', ''),
  ('check_ins',
   $$INSERT INTO app.check_ins (org_id, ticket_id, scanner_nonce, checked_in_by)
     SELECT org_id, id, %L, pg_temp.id('staff_a') FROM app.tickets
      WHERE booking_id = pg_temp.id('booking_a') AND seat_no = 2$$,
   $$DELETE FROM app.check_ins WHERE scanner_nonce = %L RETURNING 1$$, 'org_id = org_id', 'nogrant', 'nogrant',
   'nogrant', 'nogrant', '');

\ir rls_matrix.psql

SELECT pg_temp.check_role(r, t)
  FROM unnest(ARRAY['anon', 'outsider', 'staff_a', 'manager_a', 'admin_a', 'admin_b', 'service_role']) r,
       unnest(ARRAY['ticket_keys', 'tickets', 'check_ins']) t;

-- The lookup failures carry no organization: the same four refusals for every role.
CREATE FUNCTION pg_temp.refused_everything(p_role text) RETURNS SETOF text LANGUAGE plpgsql AS $f$
DECLARE
  stmt text;
BEGIN
  PERFORM pg_temp.act_as(p_role);
  FOREACH stmt IN ARRAY ARRAY['SELECT * FROM app.ticket_lookup_failures',
                              $$INSERT INTO app.ticket_lookup_failures (subject, hour) VALUES ('code X', now())$$,
                              'UPDATE app.ticket_lookup_failures SET failures = 0',
                              'DELETE FROM app.ticket_lookup_failures'] LOOP
    RETURN NEXT throws_ok(stmt, '42501', NULL, p_role || ' on ticket_lookup_failures: ' || split_part(stmt, ' ', 1)
                                               || ' refused');
  END LOOP;
  PERFORM set_config('role', 'none', true);
END
$f$;
SELECT pg_temp.refused_everything(r)
  FROM unnest(ARRAY['anon', 'outsider', 'staff_a', 'manager_a', 'admin_a', 'admin_b', 'service_role']) r;

-- Beneath the missing privileges, RLS: were a read granted, staff would see their own organization's rows only.
SELECT is((SELECT count(*)::int FROM pg_policies WHERE schemaname = 'app' AND tablename IN ('tickets', 'check_ins')
             AND cmd = 'SELECT' AND qual LIKE '%org_ids(''staff''%'), 2,
          'tickets and check-ins are scoped to their organization''s staff');
SELECT is((SELECT count(*)::int FROM pg_policies WHERE schemaname = 'app'
             AND tablename IN ('ticket_keys', 'ticket_lookup_failures')), 0, 'keys and lookup failures have no policy');
SELECT * FROM finish();
ROLLBACK;
