-- Who may read and write the segment tables: nobody of the API roles. Scores, segments and runs are written only by
-- api.refresh_customer_segments and read only through get_customer_segments, list_customers and get_customer
-- (definers in private with their own checks); no API role holds a privilege on them, and row-level security is
-- forced on them besides.
BEGIN;
\ir setup.psql
SELECT plan(58);

\ir fixtures.psql

CREATE TEMP TABLE cases (tbl text PRIMARY KEY, insert_sql text NOT NULL, delete_sql text NOT NULL,
                         update_set text NOT NULL, insert_min text NOT NULL, update_min text NOT NULL,
                         delete_min text NOT NULL, select_min text NOT NULL, service_may text NOT NULL);
INSERT INTO cases
SELECT t, format($$INSERT INTO app.%I (org_id) SELECT pg_temp.id('org_a') WHERE %%L IS NOT NULL$$, t),
       format($$DELETE FROM app.%I WHERE org_id = pg_temp.id('org_a') AND %%L IS NOT NULL RETURNING 1$$, t),
       'org_id = org_id', 'nogrant', 'nogrant', 'nogrant', 'nogrant', ''
  FROM unnest(ARRAY['customer_segments', 'customer_segment_runs']) t;

\ir rls_matrix.psql

SELECT pg_temp.check_role(r, t)
  FROM unnest(ARRAY['anon', 'outsider', 'staff_a', 'manager_a', 'admin_a', 'admin_b', 'service_role']) r,
       unnest(ARRAY['customer_segments', 'customer_segment_runs']) t;

SELECT ok((SELECT relrowsecurity AND relforcerowsecurity FROM pg_class WHERE oid = format('app.%I', t)::regclass),
          format('row-level security is enabled and forced on app.%s', t))
  FROM unnest(ARRAY['customer_segments', 'customer_segment_runs']) t;

SELECT * FROM finish();
ROLLBACK;
