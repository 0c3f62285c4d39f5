-- Who may read and write invitations directly: nobody. They are made, accepted and withdrawn only through the team
-- functions (SECURITY DEFINER, each with its own checks), so no API role holds a privilege on the table and its
-- forced RLS has no policy.
BEGIN;
\ir setup.psql
SELECT plan(28);
\ir fixtures.psql
INSERT INTO app.invitations (org_id, email, role, token_hash, expires_at) VALUES
  (pg_temp.id('org_a'), 'a.' || left(pg_temp.id('org_a')::text, 8) || '@example.com', 'staff',
   sha256(gen_random_uuid()::text::bytea), now() + interval '1 day'),
  (pg_temp.id('org_b'), 'b.' || left(pg_temp.id('org_b')::text, 8) || '@example.com', 'staff',
   sha256(gen_random_uuid()::text::bytea), now() + interval '1 day');

CREATE TEMP TABLE cases (tbl text PRIMARY KEY, insert_sql text NOT NULL, delete_sql text NOT NULL,
                         update_set text NOT NULL DEFAULT 'org_id = org_id', insert_min text NOT NULL DEFAULT 'nogrant',
                         update_min text NOT NULL DEFAULT 'nogrant', delete_min text NOT NULL DEFAULT 'nogrant',
                         select_min text NOT NULL DEFAULT 'staff', service_may text NOT NULL DEFAULT '');
INSERT INTO cases (tbl, insert_sql, delete_sql, select_min) VALUES
  ('invitations', $$INSERT INTO app.invitations (org_id, email, role, token_hash, expires_at)
     VALUES (pg_temp.id('org_a'), %L || '@example.com', 'staff', sha256('x'::bytea), now() + interval '1 day')$$,
   $$DELETE FROM app.invitations WHERE email = %L || '@example.com' RETURNING 1$$, 'nogrant');

\ir rls_matrix.psql

SELECT pg_temp.check_role(r, 'invitations')
  FROM unnest(ARRAY['anon', 'outsider', 'staff_a', 'manager_a', 'admin_a', 'admin_b', 'service_role']) r;

SELECT * FROM finish();
ROLLBACK;
