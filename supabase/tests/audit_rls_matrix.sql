-- Who may read and write the audit tables: admins and owners read their organization's log, seals and purges;
-- staff and managers read nothing; nobody writes them but the definer triggers and functions, not even
-- service_role, which may only read.
BEGIN;
\ir setup.psql
SELECT plan(84);

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
-- Log rows in both organizations, sealed, purged, then fresh rows and a second seal: every table has rows.
INSERT INTO app.customers (org_id, email)
SELECT o, 'early' || n || '@example.com' FROM unnest(ARRAY['0000000a-0000-4000-8000-000000000000',
                                                           '0000000b-0000-4000-8000-000000000000']::uuid[]) o,
       generate_series(1, 2) n;
SELECT private.seal_audit_log('0 seconds');
SELECT private.purge_audit_log(now() + interval '1 day');
INSERT INTO app.customers (org_id, email)
SELECT o, 'late' || n || '@example.com' FROM unnest(ARRAY['0000000a-0000-4000-8000-000000000000',
                                                          '0000000b-0000-4000-8000-000000000000']::uuid[]) o,
       generate_series(1, 3) n;
SELECT private.seal_audit_log('0 seconds');

CREATE TEMP TABLE cases (tbl text PRIMARY KEY, insert_sql text NOT NULL, delete_sql text NOT NULL,
                         update_set text NOT NULL, insert_min text NOT NULL DEFAULT 'nogrant',
                         update_min text NOT NULL DEFAULT 'nogrant', delete_min text NOT NULL DEFAULT 'nogrant',
                         select_min text NOT NULL DEFAULT 'admin', service_writes boolean NOT NULL DEFAULT false);
INSERT INTO cases (tbl, insert_sql, delete_sql, update_set) VALUES
  ('audit.log', $$INSERT INTO audit.log (org_id, actor_role, table_name, operation)
                  VALUES ('0000000a-0000-4000-8000-000000000000', 'forger', %L, 'INSERT')$$,
   $$DELETE FROM audit.log WHERE table_name = %L RETURNING 1$$, 'actor_role = actor_role'),
  ('audit.seals', $$INSERT INTO audit.seals (org_id, first_log_id, last_log_id, row_count, previous_hash, hash)
                    SELECT '0000000a-0000-4000-8000-000000000000', 1, 1, 1, repeat('0', 64), repeat('1', 64)
                     WHERE %L IS NOT NULL$$,
   $$DELETE FROM audit.seals WHERE hash = repeat('1', 64) AND %L IS NOT NULL RETURNING 1$$, 'hash = hash'),
  ('audit.purges', $$INSERT INTO audit.purges (org_id, upto_log_id, removed)
                     SELECT '0000000a-0000-4000-8000-000000000000', 1, 0 WHERE %L IS NOT NULL$$,
   $$DELETE FROM audit.purges WHERE removed = 0 AND %L IS NOT NULL RETURNING 1$$, 'removed = removed');

\ir rls_matrix.psql

SELECT pg_temp.check_role(r, t)
  FROM unnest(ARRAY['anon', 'outsider', 'staff_a', 'manager_a', 'admin_a', 'admin_b', 'service_role']) r,
       unnest(ARRAY['audit.log', 'audit.seals', 'audit.purges']) t;

SELECT * FROM finish();
ROLLBACK;
