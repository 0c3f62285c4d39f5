-- The API roles' statement_timeout (the role_timeouts migration): anon 3s and authenticated 8s for the role, as
-- Supabase sets them, read by the proxy with the schema and applied in each request's transaction; service_role
-- keeps none of its own. (A statement past the bound is cancelled with 57014, which PL/pgSQL's WHEN OTHERS does not
-- catch, so pgTAP cannot show it: tests/test_ops_timeouts.py does, over HTTP.)
BEGIN;
\ir setup.psql

SELECT plan(3);

SELECT ok((SELECT s.setconfig @> ARRAY['statement_timeout=3s']
             FROM pg_catalog.pg_db_role_setting s
            WHERE s.setrole = 'anon'::regrole AND s.setdatabase = 0),
          'anon has statement_timeout 3s, for every database of the cluster');
SELECT ok((SELECT s.setconfig @> ARRAY['statement_timeout=8s']
             FROM pg_catalog.pg_db_role_setting s
            WHERE s.setrole = 'authenticated'::regrole AND s.setdatabase = 0),
          'authenticated has statement_timeout 8s, for every database of the cluster');
SELECT ok(NOT EXISTS (SELECT 1 FROM pg_catalog.pg_db_role_setting s, unnest(s.setconfig) c
                       WHERE s.setrole = 'service_role'::regrole AND c LIKE 'statement_timeout=%'),
          'service_role keeps no statement_timeout of its own (jobs may run long; the proxy bounds its requests)');

SELECT * FROM finish();
ROLLBACK;
