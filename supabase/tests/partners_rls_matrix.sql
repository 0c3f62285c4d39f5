-- Who may read and write event partners: managers, admins and owners of organization A, reading too; staff of A
-- see none; another organization sees none of A's.
BEGIN;
\ir setup.psql
SELECT plan(28);
\ir fixtures.psql
SELECT pg_temp.fresh('venue_a', 'venue_b', 'show_a', 'show_b');
INSERT INTO app.venues (org_id, id, name, timezone) VALUES
  (pg_temp.id('org_a'), pg_temp.id('venue_a'), 'Venue A', 'Europe/London'),
  (pg_temp.id('org_b'), pg_temp.id('venue_b'), 'Venue B', 'Asia/Riyadh');
INSERT INTO app.experiences (org_id, venue_id, id, kind, name, duration_minutes, max_party, capacity, currency) VALUES
  (pg_temp.id('org_a'), pg_temp.id('venue_a'), pg_temp.id('show_a'), 'ticketed_event', 'Show A', 60, 8, 40, 'GBP'),
  (pg_temp.id('org_b'), pg_temp.id('venue_b'), pg_temp.id('show_b'), 'ticketed_event', 'Show B', 60, 8, 40, 'SAR');
INSERT INTO app.event_partners (org_id, kind, name, experience_id, currency) VALUES
  (pg_temp.id('org_a'), 'vendor', 'Partner A', pg_temp.id('show_a'), 'GBP'),
  (pg_temp.id('org_b'), 'sponsor', 'Partner B', pg_temp.id('show_b'), 'SAR');

CREATE TEMP TABLE cases (tbl text PRIMARY KEY, insert_sql text NOT NULL, delete_sql text NOT NULL,
                         update_set text NOT NULL DEFAULT 'org_id = org_id', insert_min text NOT NULL DEFAULT 'nogrant',
                         update_min text NOT NULL DEFAULT 'nogrant', delete_min text NOT NULL DEFAULT 'nogrant',
                         select_min text NOT NULL DEFAULT 'staff', service_may text NOT NULL DEFAULT '');
INSERT INTO cases (tbl, insert_sql, delete_sql, update_set, insert_min, update_min, delete_min, select_min) VALUES
  ('event_partners', $$INSERT INTO app.event_partners (org_id, kind, name, experience_id, currency)
     VALUES (pg_temp.id('org_a'), 'vendor', %L, pg_temp.id('show_a'), 'GBP')$$,
   $$DELETE FROM app.event_partners WHERE name = %L RETURNING 1$$, 'notes = notes',
   'manager', 'manager', 'manager', 'manager');

\ir rls_matrix.psql

SELECT pg_temp.check_role(r, 'event_partners')
  FROM unnest(ARRAY['anon', 'outsider', 'staff_a', 'manager_a', 'admin_a', 'admin_b', 'service_role']) r;

SELECT * FROM finish();
ROLLBACK;
