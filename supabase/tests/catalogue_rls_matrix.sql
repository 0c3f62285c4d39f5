-- Who may read and write each catalogue table: anon, a signed-in outsider, staff / manager / admin of
-- organization A, an admin of organization B and service_role, each against select, insert, update and delete.
-- Members read their organization's catalogue (get_catalogue); the back-office functions write it as their caller,
-- so managers add and change rows (admins add venues), only the columns of the PATCH keys change, and what is
-- referenced is archived, never deleted (no delete privilege on venues, rooms, experiences, ticket types): 42501
-- where a privilege is missing, no rows where RLS hides them.
BEGIN;
\ir setup.psql
SELECT plan(252);

-- Fixtures: two organizations with one of everything each. ------------------------------------------------------
\ir fixtures.psql
SELECT pg_temp.fresh('venue_a', 'venue_b', 'room_a1', 'room_a2', 'room_b', 'vault', 'mystery_night', 'desert_escape');

INSERT INTO app.venues (org_id, id, name, timezone) VALUES
  (pg_temp.id('org_a'), pg_temp.id('venue_a'), 'Venue A', 'Europe/London'),
  (pg_temp.id('org_b'), pg_temp.id('venue_b'), 'Venue B', 'Asia/Riyadh');
INSERT INTO app.venue_hours (org_id, venue_id, weekday, opens, closes) VALUES
  (pg_temp.id('org_a'), pg_temp.id('venue_a'), 1, '10:00', '22:00'),
  (pg_temp.id('org_b'), pg_temp.id('venue_b'), 1, '10:00', '22:00');
INSERT INTO app.venue_closures (org_id, venue_id, during) VALUES
  (pg_temp.id('org_a'), pg_temp.id('venue_a'), '[2030-12-25, 2030-12-26)'),
  (pg_temp.id('org_b'), pg_temp.id('venue_b'), '[2030-12-25, 2030-12-26)');
INSERT INTO app.resources (org_id, venue_id, id, kind, name) VALUES
  (pg_temp.id('org_a'), pg_temp.id('venue_a'), pg_temp.id('room_a1'), 'room', 'Room A1'),
  (pg_temp.id('org_a'), pg_temp.id('venue_a'), pg_temp.id('room_a2'), 'room', 'Room A2'),
  (pg_temp.id('org_b'), pg_temp.id('venue_b'), pg_temp.id('room_b'), 'room', 'Room B1');
INSERT INTO app.experiences (org_id, venue_id, id, kind, name, duration_minutes, max_party, capacity, currency)
VALUES
  (pg_temp.id('org_a'), pg_temp.id('venue_a'),
   pg_temp.id('vault'), 'private_session', 'The Vault', 60, 6, NULL, 'GBP'),
  (pg_temp.id('org_a'), pg_temp.id('venue_a'),
   pg_temp.id('mystery_night'), 'ticketed_event', 'Murder Mystery Night', 120, 8, 40, 'GBP'),
  (pg_temp.id('org_b'), pg_temp.id('venue_b'),
   pg_temp.id('desert_escape'), 'private_session', 'Desert Escape', 60, 6, NULL, 'SAR');
INSERT INTO app.experience_resources (org_id, venue_id, experience_id, resource_id) VALUES
  (pg_temp.id('org_a'), pg_temp.id('venue_a'), pg_temp.id('vault'), pg_temp.id('room_a1')),
  (pg_temp.id('org_b'), pg_temp.id('venue_b'), pg_temp.id('desert_escape'), pg_temp.id('room_b'));
INSERT INTO app.price_tiers (org_id, experience_id, min_party, max_party, price_minor) VALUES
  (pg_temp.id('org_a'), pg_temp.id('vault'), 1, 4, 2500),
  (pg_temp.id('org_b'), pg_temp.id('desert_escape'), 1, 4, 9000);
INSERT INTO app.ticket_types (org_id, experience_id, name, price_minor) VALUES
  (pg_temp.id('org_a'), pg_temp.id('mystery_night'), 'Adult', 3500),
  (pg_temp.id('org_b'), pg_temp.id('desert_escape'), 'Adult', 9000);
INSERT INTO app.schedules (org_id, experience_id, weekday, start_time, valid_from) VALUES
  (pg_temp.id('org_a'), pg_temp.id('vault'), 1, '19:00', '2030-01-01'),
  (pg_temp.id('org_b'), pg_temp.id('desert_escape'), 1, '19:00', '2030-01-01');

-- One row per table: how to add a fresh row of A's (%L is its id) and how to remove exactly that row again.
CREATE TEMP TABLE cases (tbl text PRIMARY KEY, insert_sql text NOT NULL, delete_sql text NOT NULL,
                         update_set text NOT NULL DEFAULT 'org_id = org_id', insert_min text NOT NULL DEFAULT 'nogrant',
                         update_min text NOT NULL DEFAULT 'nogrant', delete_min text NOT NULL DEFAULT 'nogrant',
                         select_min text NOT NULL DEFAULT 'nogrant', service_may text NOT NULL DEFAULT '');
INSERT INTO cases (tbl, insert_sql, delete_sql) VALUES
  ('venues', $$INSERT INTO app.venues (org_id, id, name, timezone)
     VALUES (pg_temp.id('org_a'), %L, 'New venue', 'Europe/London')$$,
   $$DELETE FROM app.venues WHERE id = %L RETURNING 1$$),
  ('venue_hours', $$INSERT INTO app.venue_hours (org_id, venue_id, id, weekday, opens, closes)
     VALUES (pg_temp.id('org_a'), pg_temp.id('venue_a'), %L, 7, '08:00', '09:00')$$,
   $$DELETE FROM app.venue_hours WHERE id = %L RETURNING 1$$),
  ('venue_closures', $$INSERT INTO app.venue_closures (org_id, venue_id, id, during)
     VALUES (pg_temp.id('org_a'), pg_temp.id('venue_a'), %L,
             '[2031-01-01, 2031-01-02)')$$,
   $$DELETE FROM app.venue_closures WHERE id = %L RETURNING 1$$),
  ('resources', $$INSERT INTO app.resources (org_id, venue_id, id, kind, name)
     VALUES (pg_temp.id('org_a'), pg_temp.id('venue_a'), %L, 'staff', 'GM')$$,
   $$DELETE FROM app.resources WHERE id = %L RETURNING 1$$),
  ('experiences', $$INSERT INTO app.experiences (org_id, venue_id, id, kind, name, duration_minutes, max_party,
                                                 currency)
     VALUES (pg_temp.id('org_a'), pg_temp.id('venue_a'), %L, 'private_session',
             'New game', 60, 6, 'GBP')$$,
   $$DELETE FROM app.experiences WHERE id = %L RETURNING 1$$),
  ('experience_resources', $$INSERT INTO app.experience_resources (org_id, venue_id, experience_id, resource_id)
     SELECT pg_temp.id('org_a'), pg_temp.id('venue_a'),
            pg_temp.id('vault'), pg_temp.id('room_a2') WHERE %L IS NOT NULL$$,
   $$DELETE FROM app.experience_resources WHERE resource_id = pg_temp.id('room_a2')
     AND %L IS NOT NULL RETURNING 1$$),
  ('price_tiers', $$INSERT INTO app.price_tiers (org_id, experience_id, id, min_party, max_party, price_minor)
     VALUES (pg_temp.id('org_a'), pg_temp.id('vault'), %L, 5, 6, 2000)$$,
   $$DELETE FROM app.price_tiers WHERE id = %L RETURNING 1$$),
  ('ticket_types', $$INSERT INTO app.ticket_types (org_id, experience_id, id, name, price_minor)
     VALUES (pg_temp.id('org_a'), pg_temp.id('mystery_night'), %L, 'Child', 1500)$$,
   $$DELETE FROM app.ticket_types WHERE id = %L RETURNING 1$$),
  ('schedules', $$INSERT INTO app.schedules (org_id, experience_id, id, weekday, start_time, valid_from)
     VALUES (pg_temp.id('org_a'), pg_temp.id('vault'), %L, 3, '18:00',
             '2030-01-01')$$,
   $$DELETE FROM app.schedules WHERE id = %L RETURNING 1$$);

-- Staff read everything; managers add (admins add venues); managers change the PATCH columns of what has them and
-- replace or remove hours, closures, rooms of an experience, tiers and schedules; service_role reads the refund
-- policy only.
UPDATE cases SET select_min = 'staff', insert_min = 'manager';
UPDATE cases SET insert_min = 'admin' WHERE tbl = 'venues';
UPDATE cases SET update_min = 'manager', update_set = 'name = name'
 WHERE tbl IN ('venues', 'resources', 'experiences', 'ticket_types');
UPDATE cases SET update_min = 'manager', update_set = 'price_minor = price_minor' WHERE tbl = 'price_tiers';
UPDATE cases SET delete_min = 'manager'
 WHERE tbl IN ('venue_hours', 'venue_closures', 'experience_resources', 'price_tiers', 'schedules');
UPDATE cases SET service_may = 'select' WHERE tbl = 'experiences';

\ir rls_matrix.psql

SELECT pg_temp.check_role(r, t)
  FROM unnest(ARRAY['anon', 'outsider', 'staff_a', 'manager_a', 'admin_a', 'admin_b', 'service_role']) r,
       unnest(ARRAY['venues', 'venue_hours', 'venue_closures', 'resources', 'experiences', 'experience_resources',
                    'price_tiers', 'ticket_types', 'schedules']) t;

SELECT * FROM finish();
ROLLBACK;
