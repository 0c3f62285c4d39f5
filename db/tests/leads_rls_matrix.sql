-- Who may read and write leads: staff of organization A read, add and work A's leads; nobody deletes one (a lead
-- ends won or lost); another organization sees none.
BEGIN;
\ir setup.psql
SELECT plan(28);
\ir fixtures.psql
INSERT INTO app.leads (org_id, contact_name) VALUES (pg_temp.id('org_a'), 'Lead A'), (pg_temp.id('org_b'), 'Lead B');

CREATE TEMP TABLE cases (tbl text PRIMARY KEY, insert_sql text NOT NULL, delete_sql text NOT NULL,
                         update_set text NOT NULL DEFAULT 'org_id = org_id', insert_min text NOT NULL DEFAULT 'nogrant',
                         update_min text NOT NULL DEFAULT 'nogrant', delete_min text NOT NULL DEFAULT 'nogrant',
                         select_min text NOT NULL DEFAULT 'staff', service_may text NOT NULL DEFAULT '');
INSERT INTO cases (tbl, insert_sql, delete_sql, update_set, insert_min, update_min) VALUES
  ('leads', $$INSERT INTO app.leads (org_id, contact_name) VALUES (pg_temp.id('org_a'), %L)$$,
   $$DELETE FROM app.leads WHERE contact_name = %L RETURNING 1$$, 'notes = notes', 'staff', 'staff');

\ir rls_matrix.psql

SELECT pg_temp.check_role(r, 'leads')
  FROM unnest(ARRAY['anon', 'outsider', 'staff_a', 'manager_a', 'admin_a', 'admin_b', 'service_role']) r;

SELECT * FROM finish();
ROLLBACK;
