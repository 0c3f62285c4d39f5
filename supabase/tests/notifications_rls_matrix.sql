-- Who may read and write the organizations' templates, the preview's checks and the delivery attempts: anon, a signed-in outsider, staff /
-- manager / admin of organization A, an admin of organization B and service_role, each against select, insert,
-- update and delete. Nobody: templates change only through api.save_template / api.delete_template and checks are
-- recorded only through api.record_template_check, attempts only by the worker's definers, each checking its
-- caller; no API role holds a privilege on these tables, and row-level security is forced on them besides. The
-- reference tables (the kinds of message, Tessera's default templates) have no organization: no API role holds a
-- privilege on them either (the template functions read them as definers).
BEGIN;
\ir setup.psql
SELECT plan(95);

\ir fixtures.psql

CREATE TEMP TABLE cases (tbl text PRIMARY KEY, insert_sql text NOT NULL, delete_sql text NOT NULL,
                         update_set text NOT NULL, insert_min text NOT NULL, update_min text NOT NULL,
                         delete_min text NOT NULL, select_min text NOT NULL, service_may text NOT NULL);
INSERT INTO cases
SELECT t, format($$INSERT INTO app.%I (org_id) SELECT pg_temp.id('org_a') WHERE %%L IS NOT NULL$$, t),
       format($$DELETE FROM app.%I WHERE org_id = pg_temp.id('org_a') AND %%L IS NOT NULL RETURNING 1$$, t),
       'org_id = org_id', 'nogrant', 'nogrant', 'nogrant', 'nogrant', ''
  FROM unnest(ARRAY['notification_templates', 'template_checks', 'notification_attempts']) t;

\ir rls_matrix.psql

SELECT pg_temp.check_role(r, t)
  FROM unnest(ARRAY['anon', 'outsider', 'staff_a', 'manager_a', 'admin_a', 'admin_b', 'service_role']) r,
       unnest(ARRAY['notification_templates', 'template_checks', 'notification_attempts']) t;

-- RLS is enabled and forced on each, so a privilege granted by mistake still shows no rows without a policy.
SELECT ok((SELECT relrowsecurity AND relforcerowsecurity FROM pg_class WHERE oid = format('app.%I', t)::regclass),
          format('row-level security is enabled and forced on app.%s', t))
  FROM unnest(ARRAY['notification_templates', 'template_checks', 'notification_attempts']) t;

SELECT ok(NOT has_table_privilege(r, format('app.%I', t), 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE'),
          format('%s holds no privilege on app.%s', r, t))
  FROM unnest(ARRAY['anon', 'authenticated', 'service_role']) r,
       unnest(ARRAY['notification_kinds', 'default_templates']) t;
SELECT ok((SELECT relrowsecurity AND relforcerowsecurity FROM pg_class WHERE oid = format('app.%I', t)::regclass),
          format('row-level security is enabled and forced on app.%s', t))
  FROM unnest(ARRAY['notification_kinds', 'default_templates']) t;

SELECT * FROM finish();
ROLLBACK;
