-- Who may read and write message preferences directly: nobody. Accounts change their own, managers a customer's,
-- and the service records unsubscribes, all through the preference functions (SECURITY DEFINER, each with its own
-- checks), so no API role holds a privilege on the table and its forced RLS has no policy.
BEGIN;
\ir setup.psql
SELECT plan(28);
\ir fixtures.psql
SELECT pg_temp.fresh('ada', 'bea');
INSERT INTO app.customers (org_id, id, email, name)
VALUES (pg_temp.id('org_a'), pg_temp.id('ada'), 'ada.' || left(pg_temp.id('ada')::text, 8) || '@example.com', 'Ada'),
       (pg_temp.id('org_b'), pg_temp.id('bea'), 'bea.' || left(pg_temp.id('bea')::text, 8) || '@example.com', 'Bea');
INSERT INTO app.message_preferences (org_id, customer_id, channel, category, enabled, source) VALUES
  (pg_temp.id('org_a'), pg_temp.id('ada'), 'email', 'marketing', false, 'unsubscribe_link'),
  (pg_temp.id('org_b'), pg_temp.id('bea'), 'email', 'marketing', true, 'staff');
INSERT INTO app.message_preferences (org_id, user_id, channel, category, enabled, source) VALUES
  (pg_temp.id('org_a'), pg_temp.id('staff_a'), 'in_app', 'marketing', false, 'api');

CREATE TEMP TABLE cases (tbl text PRIMARY KEY, insert_sql text NOT NULL, delete_sql text NOT NULL,
                         update_set text NOT NULL DEFAULT 'org_id = org_id', insert_min text NOT NULL DEFAULT 'nogrant',
                         update_min text NOT NULL DEFAULT 'nogrant', delete_min text NOT NULL DEFAULT 'nogrant',
                         select_min text NOT NULL DEFAULT 'staff', service_may text NOT NULL DEFAULT '');
-- A fresh row: an in-app preference of admin_a's, marked by its id.
INSERT INTO cases (tbl, insert_sql, delete_sql, select_min) VALUES
  ('message_preferences', $$INSERT INTO app.message_preferences (org_id, id, user_id, channel, category, enabled,
                                                                 source)
     VALUES (pg_temp.id('org_a'), %L, pg_temp.id('admin_a'), 'sms', 'marketing', true, 'api')$$,
   $$DELETE FROM app.message_preferences WHERE id = %L RETURNING 1$$, 'nogrant');

\ir rls_matrix.psql

SELECT pg_temp.check_role(r, 'message_preferences')
  FROM unnest(ARRAY['anon', 'outsider', 'staff_a', 'manager_a', 'admin_a', 'admin_b', 'service_role']) r;

SELECT * FROM finish();
ROLLBACK;
