-- Who may read and write the audit tables: admins and owners read their organization's log, seals, purges and
-- redactions;
-- staff and managers read nothing; nobody writes them but the definer triggers and functions, not even
-- service_role, which may only read.
BEGIN;
\ir setup.psql
SELECT plan(112);

\ir fixtures.psql
-- Log rows in both organizations, sealed, purged, then fresh rows and a second seal: every table has rows.
INSERT INTO app.customers (org_id, email)
SELECT o, 'early' || n || '@example.com' FROM unnest(ARRAY[pg_temp.id('org_a'), pg_temp.id('org_b')]) o,
       generate_series(1, 2) n;
SELECT private.seal_audit_log('0 seconds');
SELECT private.purge_audit_log(now() + interval '1 day');
INSERT INTO app.customers (org_id, email)
SELECT o, 'late' || n || '@example.com' FROM unnest(ARRAY[pg_temp.id('org_a'), pg_temp.id('org_b')]) o,
       generate_series(1, 3) n;
SELECT private.seal_audit_log('0 seconds');

CREATE TEMP TABLE cases (tbl text PRIMARY KEY, insert_sql text NOT NULL, delete_sql text NOT NULL,
                         update_set text NOT NULL, insert_min text NOT NULL DEFAULT 'nogrant',
                         update_min text NOT NULL DEFAULT 'nogrant', delete_min text NOT NULL DEFAULT 'nogrant',
                         select_min text NOT NULL DEFAULT 'admin', service_may text NOT NULL DEFAULT 'select');
INSERT INTO cases (tbl, insert_sql, delete_sql, update_set) VALUES
  ('audit.log', $$INSERT INTO audit.log (org_id, actor_role, table_name, operation)
                  VALUES (pg_temp.id('org_a'), 'forger', %L, 'INSERT')$$,
   $$DELETE FROM audit.log WHERE table_name = %L RETURNING 1$$, 'actor_role = actor_role'),
  ('audit.seals', $$INSERT INTO audit.seals (org_id, first_log_id, last_log_id, row_count, previous_hash, hash)
                    SELECT pg_temp.id('org_a'), 1, 1, 1, repeat('0', 64), repeat('1', 64)
                     WHERE %L IS NOT NULL$$,
   $$DELETE FROM audit.seals WHERE hash = repeat('1', 64) AND %L IS NOT NULL RETURNING 1$$, 'hash = hash'),
  ('audit.purges', $$INSERT INTO audit.purges (org_id, upto_log_id, removed)
                     SELECT pg_temp.id('org_a'), 1, 0 WHERE %L IS NOT NULL$$,
   $$DELETE FROM audit.purges WHERE removed = 0 AND %L IS NOT NULL RETURNING 1$$, 'removed = removed'),
  ('audit.redactions', $$INSERT INTO audit.redactions (org_id, log_id, request_id, sealed_digest, redacted_digest)
                         VALUES (pg_temp.id('org_a'), 0, %L, repeat('c', 64), repeat('d', 64))$$,
   $$DELETE FROM audit.redactions WHERE request_id = %L RETURNING 1$$, 'log_id = log_id');

\ir rls_matrix.psql

SELECT pg_temp.check_role(r, t)
  FROM unnest(ARRAY['anon', 'outsider', 'staff_a', 'manager_a', 'admin_a', 'admin_b', 'service_role']) r,
       unnest(ARRAY['audit.log', 'audit.seals', 'audit.purges', 'audit.redactions']) t;

SELECT * FROM finish();
ROLLBACK;
