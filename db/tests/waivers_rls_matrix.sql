-- Who may read and write each waiver table: anon, a signed-in outsider, staff / manager / admin of organization A,
-- an admin of organization B and service_role, each against select, insert, update and delete. Members read their
-- organization's templates and versions; managers and up add them and change the columns the api functions change
-- (a template's archived_at; a version's title and body, until signed); nobody deletes either. Signatures are
-- nobody's to touch directly: they are written and read through the definer functions of waivers.sql only.
BEGIN;
\ir setup.psql
SELECT plan(86);

\ir fixtures.psql
SELECT pg_temp.fresh('template_a', 'template_b');
INSERT INTO app.waiver_templates (org_id, id, name) VALUES
  (pg_temp.id('org_a'), pg_temp.id('template_a'), 'Waiver A'),
  (pg_temp.id('org_b'), pg_temp.id('template_b'), 'Waiver B');
INSERT INTO app.waiver_versions (org_id, template_id, version, title, body) VALUES
  (pg_temp.id('org_a'), pg_temp.id('template_a'), 1, 'Release', 'A''s text'),
  (pg_temp.id('org_b'), pg_temp.id('template_b'), 1, 'Release', 'B''s text');

-- One row per table: how to add a fresh row of A's (%L is its marker: the author, since the roles may not choose
-- an id) and how to remove exactly that row again.
CREATE TEMP TABLE cases (tbl text PRIMARY KEY, insert_sql text NOT NULL, delete_sql text NOT NULL,
                         update_set text NOT NULL, insert_min text NOT NULL, update_min text NOT NULL,
                         delete_min text NOT NULL, select_min text NOT NULL, service_may text NOT NULL);
INSERT INTO cases VALUES
  ('waiver_templates',
   $$INSERT INTO app.waiver_templates (org_id, name, created_by) VALUES (pg_temp.id('org_a'), 'New waiver', %L)$$,
   $$DELETE FROM app.waiver_templates WHERE created_by = %L RETURNING 1$$,
   'archived_at = archived_at', 'manager', 'manager', 'nogrant', 'staff', ''),
  ('waiver_versions',
   $$INSERT INTO app.waiver_versions (org_id, template_id, version, title, body, created_by)
     VALUES (pg_temp.id('org_a'), pg_temp.id('template_a'), 99, 'Release', 'New text', %L)$$,
   $$DELETE FROM app.waiver_versions WHERE created_by = %L RETURNING 1$$,
   'title = title', 'manager', 'manager', 'nogrant', 'staff', ''),
  ('waiver_signatures',
   $$INSERT INTO app.waiver_signatures (org_id, id, booking_id, version_id, participant_name, date_of_birth, minor,
                                        signature, text_sha256, signed_via)
     SELECT pg_temp.id('org_a'), %L, gen_random_uuid(), gen_random_uuid(), 'X', '1990-01-01', false, 'X',
            repeat('0', 64), 'online'$$,
   $$DELETE FROM app.waiver_signatures WHERE id = %L RETURNING 1$$,
   'org_id = org_id', 'nogrant', 'nogrant', 'nogrant', 'nogrant', '');

\ir rls_matrix.psql

SELECT pg_temp.check_role(r, t)
  FROM unnest(ARRAY['anon', 'outsider', 'staff_a', 'manager_a', 'admin_a', 'admin_b', 'service_role']) r,
       unnest(ARRAY['waiver_templates', 'waiver_versions', 'waiver_signatures']) t;

SELECT is((SELECT count(*)::int FROM pg_policies WHERE schemaname = 'app'
             AND tablename IN ('waiver_templates', 'waiver_versions', 'waiver_signatures') AND cmd = 'DELETE'), 0,
          'no policy lets anyone delete a waiver template, version or signature');
SELECT is((SELECT count(*)::int FROM pg_policies WHERE schemaname = 'app' AND tablename = 'waiver_signatures'
             AND cmd = 'SELECT' AND qual LIKE '%org_ids(''staff''%'), 1,
          'signatures are scoped to their organization''s staff');
SELECT * FROM finish();
ROLLBACK;
