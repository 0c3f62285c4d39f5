-- Who may read and write each staff table: anon, a signed-in outsider, staff / manager / admin of organization A,
-- an admin of organization B and service_role, each against select, insert, update and delete. Members read their
-- organization's shifts and session assignments, managers and up write them (the api functions run as the caller);
-- time entries are written only by the time clock's definers (no API role holds a write privilege), staff read
-- their own and managers everyone's, and their corrections the same way (A's entries here are all staff_a's, so
-- staff_a reads them all).
BEGIN;
\ir setup.psql
SELECT plan(112);

\ir fixtures.psql
SELECT pg_temp.fresh('venue_a', 'venue_b', 'game_a', 'game_b', 'slot_a', 'slot_b', 'entry_a', 'entry_b');
INSERT INTO app.venues (org_id, id, name, timezone) VALUES
  (pg_temp.id('org_a'), pg_temp.id('venue_a'), 'Venue A', 'Europe/London'),
  (pg_temp.id('org_b'), pg_temp.id('venue_b'), 'Venue B', 'Asia/Riyadh');
INSERT INTO app.experiences (org_id, venue_id, id, kind, name, duration_minutes, max_party, currency) VALUES
  (pg_temp.id('org_a'), pg_temp.id('venue_a'), pg_temp.id('game_a'), 'private_session', 'Game A', 60, 6, 'GBP'),
  (pg_temp.id('org_b'), pg_temp.id('venue_b'), pg_temp.id('game_b'), 'private_session', 'Game B', 60, 6, 'SAR');
INSERT INTO app.slots (org_id, id, experience_id, starts_at, ends_at, capacity) VALUES
  (pg_temp.id('org_a'), pg_temp.id('slot_a'), pg_temp.id('game_a'), '2030-01-07 19:00Z', '2030-01-07 20:00Z', 1),
  (pg_temp.id('org_b'), pg_temp.id('slot_b'), pg_temp.id('game_b'), '2030-01-07 19:00Z', '2030-01-07 20:00Z', 1);
INSERT INTO app.shifts (org_id, venue_id, user_id, during) VALUES
  (pg_temp.id('org_a'), pg_temp.id('venue_a'), pg_temp.id('staff_a'), '[2030-01-07 18:00Z, 2030-01-07 22:00Z)'),
  (pg_temp.id('org_a'), pg_temp.id('venue_a'), pg_temp.id('admin_a'), '[2030-01-07 18:00Z, 2030-01-07 22:00Z)'),
  (pg_temp.id('org_b'), pg_temp.id('venue_b'), pg_temp.id('admin_b'), '[2030-01-07 18:00Z, 2030-01-07 22:00Z)');
INSERT INTO app.session_staff (org_id, slot_id, user_id) VALUES
  (pg_temp.id('org_a'), pg_temp.id('slot_a'), pg_temp.id('staff_a')),
  (pg_temp.id('org_b'), pg_temp.id('slot_b'), pg_temp.id('admin_b'));
INSERT INTO app.time_entries (org_id, venue_id, id, user_id, clock_in, clock_out) VALUES
  (pg_temp.id('org_a'), pg_temp.id('venue_a'), pg_temp.id('entry_a'), pg_temp.id('staff_a'),
   '2026-11-02 09:00Z', '2026-11-02 17:00Z'),
  (pg_temp.id('org_b'), pg_temp.id('venue_b'), pg_temp.id('entry_b'), pg_temp.id('admin_b'),
   '2026-11-02 09:00Z', '2026-11-02 17:00Z');
INSERT INTO app.time_entry_corrections (org_id, entry_id, after_clock_in, after_clock_out, reason, corrected_by)
VALUES
  (pg_temp.id('org_a'), pg_temp.id('entry_a'), '2026-11-02 09:00Z', '2026-11-02 17:00Z', 'added', pg_temp.id('admin_a')),
  (pg_temp.id('org_b'), pg_temp.id('entry_b'), '2026-11-02 09:00Z', '2026-11-02 17:00Z', 'added', pg_temp.id('admin_b'));

-- One row per table: how to add a fresh row of A's (%L is its marker) and how to remove exactly that row again.
-- Shifts and assignments are marked in a column the API roles may write (a note, who assigned), since the ids are
-- the database's to give.
CREATE TEMP TABLE cases (tbl text PRIMARY KEY, insert_sql text NOT NULL, delete_sql text NOT NULL,
                         update_set text NOT NULL DEFAULT 'org_id = org_id', insert_min text NOT NULL DEFAULT 'nogrant',
                         update_min text NOT NULL DEFAULT 'nogrant', delete_min text NOT NULL DEFAULT 'nogrant',
                         select_min text NOT NULL DEFAULT 'nogrant', service_may text NOT NULL DEFAULT '');
INSERT INTO cases (tbl, insert_sql, delete_sql, update_set, insert_min, update_min, delete_min, select_min) VALUES
  ('shifts', $$INSERT INTO app.shifts (org_id, venue_id, user_id, during, note)
     VALUES (pg_temp.id('org_a'), pg_temp.id('venue_a'), pg_temp.id('staff_a'),
             '[2030-01-08 10:00Z, 2030-01-08 12:00Z)', %L)$$,
   $$DELETE FROM app.shifts WHERE note = %L RETURNING 1$$, 'note = note', 'manager', 'manager', 'manager', 'staff'),
  ('session_staff', $$INSERT INTO app.session_staff (org_id, slot_id, user_id, assigned_by)
     VALUES (pg_temp.id('org_a'), pg_temp.id('slot_a'), pg_temp.id('admin_a'), %L)$$,
   $$DELETE FROM app.session_staff WHERE assigned_by = %L RETURNING 1$$, 'user_id = user_id', 'manager', 'nogrant',
   'manager', 'staff'),
  ('time_entries', $$INSERT INTO app.time_entries (org_id, venue_id, id, user_id, clock_in, clock_out)
     VALUES (pg_temp.id('org_a'), pg_temp.id('venue_a'), %L, pg_temp.id('staff_a'), '2026-11-03 09:00Z',
             '2026-11-03 17:00Z')$$,
   $$DELETE FROM app.time_entries WHERE id = %L RETURNING 1$$, 'org_id = org_id', 'nogrant', 'nogrant', 'nogrant',
   'staff'),
  ('time_entry_corrections', $$INSERT INTO app.time_entry_corrections (org_id, id, entry_id, after_clock_in, reason,
                                                                       corrected_by)
     VALUES (pg_temp.id('org_a'), %L, pg_temp.id('entry_a'), '2026-11-02 09:00Z', 'again', pg_temp.id('admin_a'))$$,
   $$DELETE FROM app.time_entry_corrections WHERE id = %L RETURNING 1$$, 'org_id = org_id', 'nogrant', 'nogrant',
   'nogrant', 'staff');

\ir rls_matrix.psql

SELECT pg_temp.check_role(r, t)
  FROM unnest(ARRAY['anon', 'outsider', 'staff_a', 'manager_a', 'admin_a', 'admin_b', 'service_role']) r,
       unnest(ARRAY['shifts', 'session_staff', 'time_entries', 'time_entry_corrections']) t;

SELECT * FROM finish();
ROLLBACK;
