-- Who may read and write organizations, memberships and profiles: every role against every action.
-- Roles: anon, a signed-in outsider, staff / manager / admin / owner of organization A, an admin of another
-- organization B, and service_role. A refused privilege is 42501; a row RLS hides is simply not there.
BEGIN;
\ir setup.psql
SELECT plan(92);

-- Fixtures -------------------------------------------------------------------------------------------------------
CREATE TEMP TABLE who (name text PRIMARY KEY, id uuid NOT NULL);
INSERT INTO who VALUES
  ('owner_a',   '00000000-0000-4000-8000-0000000000a1'),
  ('admin_a',   '00000000-0000-4000-8000-0000000000a2'),
  ('manager_a', '00000000-0000-4000-8000-0000000000a3'),
  ('staff_a',   '00000000-0000-4000-8000-0000000000a4'),
  ('admin_b',   '00000000-0000-4000-8000-0000000000b1'),
  ('outsider',  '00000000-0000-4000-8000-0000000000c1'),
  ('newcomer',  '00000000-0000-4000-8000-0000000000c2');
INSERT INTO auth.users (id, email) SELECT id, name || '@example.com' FROM who;
INSERT INTO app.organizations (id, name, slug) VALUES
  ('0000000a-0000-4000-8000-000000000000', 'Org A', 'org-a'),
  ('0000000b-0000-4000-8000-000000000000', 'Org B', 'org-b'),
  ('0000000c-0000-4000-8000-000000000000', 'Org C (owner_a deletes it)', 'org-c'),
  ('0000000d-0000-4000-8000-000000000000', 'Org D (service_role deletes it)', 'org-d');
INSERT INTO app.memberships (org_id, user_id, role)
SELECT '0000000a-0000-4000-8000-000000000000', id, role::app.member_role
  FROM who JOIN (VALUES ('owner_a', 'owner'), ('admin_a', 'admin'), ('manager_a', 'manager'), ('staff_a', 'staff'))
       AS r(name, role) USING (name);
INSERT INTO app.memberships (org_id, user_id, role) VALUES
  ('0000000b-0000-4000-8000-000000000000', '00000000-0000-4000-8000-0000000000b1', 'admin'),
  ('0000000c-0000-4000-8000-000000000000', '00000000-0000-4000-8000-0000000000a1', 'owner');
INSERT INTO app.profiles (user_id, display_name) SELECT id, initcap(name) FROM who WHERE name <> 'newcomer';

-- Become someone for the statements that follow (until RESET ROLE), the way the API does it.
CREATE FUNCTION pg_temp.act_as(p_name text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  claims jsonb;
BEGIN
  IF p_name IN ('anon', 'service_role') THEN
    claims := jsonb_build_object('role', p_name);
  ELSE
    claims := jsonb_build_object('role', 'authenticated', 'sub', (SELECT id FROM pg_temp.who WHERE name = p_name));
  END IF;
  PERFORM set_config('request.jwt.claims', claims::text, true);
  PERFORM set_config('role', claims ->> 'role', true);
END
$$;

-- organizations --------------------------------------------------------------------------------------------------
SELECT pg_temp.act_as('anon');
SELECT throws_ok($$ SELECT count(*) FROM app.organizations $$, '42501', NULL, 'anon cannot read organizations');
SELECT throws_ok($$ INSERT INTO app.organizations (name, slug) VALUES ('X', 'x') $$, '42501', NULL,
                 'anon cannot create organizations');
SELECT throws_ok($$ UPDATE app.organizations SET name = name $$, '42501', NULL, 'anon cannot update organizations');
SELECT throws_ok($$ DELETE FROM app.organizations $$, '42501', NULL, 'anon cannot delete organizations');
RESET ROLE;

SELECT pg_temp.act_as('outsider');
SELECT is_empty($$ SELECT id FROM app.organizations $$, 'a non-member sees no organization');
SELECT throws_ok($$ INSERT INTO app.organizations (name, slug) VALUES ('X', 'x') $$, '42501', NULL,
                 'a non-member cannot insert organizations directly');
SELECT is_empty($$ UPDATE app.organizations SET name = name RETURNING id $$, 'a non-member updates nothing');
SELECT is_empty($$ DELETE FROM app.organizations RETURNING id $$, 'a non-member deletes nothing');
RESET ROLE;

SELECT pg_temp.act_as('staff_a');
SELECT results_eq($$ SELECT slug FROM app.organizations $$, $$ VALUES ('org-a') $$,
                  'staff see their own organization only');
SELECT throws_ok($$ INSERT INTO app.organizations (name, slug) VALUES ('X', 'x') $$, '42501', NULL,
                 'staff cannot insert organizations directly');
SELECT is_empty($$ UPDATE app.organizations SET name = name RETURNING id $$, 'staff cannot rename the organization');
SELECT is_empty($$ DELETE FROM app.organizations RETURNING id $$, 'staff cannot delete the organization');
RESET ROLE;

SELECT pg_temp.act_as('manager_a');
SELECT results_eq($$ SELECT slug FROM app.organizations $$, $$ VALUES ('org-a') $$,
                  'managers see their own organization only');
SELECT throws_ok($$ INSERT INTO app.organizations (name, slug) VALUES ('X', 'x') $$, '42501', NULL,
                 'managers cannot insert organizations directly');
SELECT is_empty($$ UPDATE app.organizations SET name = name RETURNING id $$,
                'managers cannot rename the organization');
SELECT is_empty($$ DELETE FROM app.organizations RETURNING id $$, 'managers cannot delete the organization');
RESET ROLE;

SELECT pg_temp.act_as('admin_a');
SELECT results_eq($$ SELECT slug FROM app.organizations $$, $$ VALUES ('org-a') $$,
                  'admins see their own organization only');
SELECT throws_ok($$ INSERT INTO app.organizations (name, slug) VALUES ('X', 'x') $$, '42501', NULL,
                 'admins cannot insert organizations directly');
SELECT results_eq($$ UPDATE app.organizations SET name = name RETURNING slug $$, $$ VALUES ('org-a') $$,
                  'admins may rename their organization, and only it');
SELECT is_empty($$ DELETE FROM app.organizations RETURNING id $$, 'admins cannot delete the organization');
RESET ROLE;

SELECT pg_temp.act_as('owner_a');
SELECT results_eq($$ DELETE FROM app.organizations WHERE slug IN ('org-c', 'org-b') RETURNING slug $$,
                  $$ VALUES ('org-c') $$, 'owners may delete an organization they own, and only that');
RESET ROLE;

SELECT pg_temp.act_as('admin_b');
SELECT results_eq($$ SELECT slug FROM app.organizations $$, $$ VALUES ('org-b') $$,
                  'an admin of another organization sees only theirs');
SELECT throws_ok($$ INSERT INTO app.organizations (name, slug) VALUES ('X', 'x') $$, '42501', NULL,
                 'an admin of another organization cannot insert organizations directly');
SELECT is_empty($$ UPDATE app.organizations SET name = name WHERE slug = 'org-a' RETURNING id $$,
                'an admin of another organization cannot rename A');
SELECT is_empty($$ DELETE FROM app.organizations WHERE slug = 'org-a' RETURNING id $$,
                'an admin of another organization cannot delete A');
RESET ROLE;

SELECT pg_temp.act_as('service_role');
SELECT results_eq($$ SELECT slug FROM app.organizations ORDER BY slug $$,
                  $$ VALUES ('org-a'), ('org-b'), ('org-d') $$, 'service_role sees every organization');
SELECT lives_ok($$ INSERT INTO app.organizations (name, slug) VALUES ('Org E', 'org-e') $$,
                'service_role may create organizations directly');
SELECT results_eq($$ UPDATE app.organizations SET name = name WHERE slug = 'org-a' RETURNING slug $$,
                  $$ VALUES ('org-a') $$, 'service_role may update any organization');
SELECT results_eq($$ DELETE FROM app.organizations WHERE slug IN ('org-d', 'org-e') RETURNING slug $$,
                  $$ VALUES ('org-d'), ('org-e') $$, 'service_role may delete any organization');
RESET ROLE;

-- memberships ----------------------------------------------------------------------------------------------------
SELECT pg_temp.act_as('anon');
SELECT throws_ok($$ SELECT count(*) FROM app.memberships $$, '42501', NULL, 'anon cannot read memberships');
SELECT throws_ok($$ INSERT INTO app.memberships (org_id, user_id, role)
                    VALUES ('0000000a-0000-4000-8000-000000000000', '00000000-0000-4000-8000-0000000000c1', 'staff') $$,
                 '42501', NULL, 'anon cannot add members');
SELECT throws_ok($$ UPDATE app.memberships SET role = role $$, '42501', NULL, 'anon cannot change roles');
SELECT throws_ok($$ DELETE FROM app.memberships $$, '42501', NULL, 'anon cannot remove members');
RESET ROLE;

SELECT pg_temp.act_as('outsider');
SELECT is_empty($$ SELECT user_id FROM app.memberships $$, 'a non-member sees no membership');
SELECT throws_ok($$ INSERT INTO app.memberships (org_id, user_id, role)
                    VALUES ('0000000a-0000-4000-8000-000000000000', '00000000-0000-4000-8000-0000000000c1', 'owner') $$,
                 '42501', NULL, 'a non-member cannot make themselves a member');
SELECT is_empty($$ UPDATE app.memberships SET role = role RETURNING user_id $$, 'a non-member changes no role');
SELECT is_empty($$ DELETE FROM app.memberships RETURNING user_id $$, 'a non-member removes no member');
RESET ROLE;

SELECT pg_temp.act_as('staff_a');
SELECT is((SELECT count(*)::int FROM app.memberships), 4, 'staff see the members of their organization only');
SELECT throws_ok($$ INSERT INTO app.memberships (org_id, user_id, role)
                    VALUES ('0000000a-0000-4000-8000-000000000000', '00000000-0000-4000-8000-0000000000c1', 'staff') $$,
                 '42501', NULL, 'staff cannot add members');
SELECT is_empty($$ UPDATE app.memberships SET role = 'owner' WHERE user_id = auth.uid() RETURNING user_id $$,
                'staff cannot promote themselves');
SELECT is_empty($$ DELETE FROM app.memberships RETURNING user_id $$, 'staff cannot remove members');
RESET ROLE;

SELECT pg_temp.act_as('manager_a');
SELECT is((SELECT count(*)::int FROM app.memberships), 4, 'managers see the members of their organization only');
SELECT throws_ok($$ INSERT INTO app.memberships (org_id, user_id, role)
                    VALUES ('0000000a-0000-4000-8000-000000000000', '00000000-0000-4000-8000-0000000000c1', 'staff') $$,
                 '42501', NULL, 'managers cannot add members');
SELECT is_empty($$ UPDATE app.memberships SET role = role RETURNING user_id $$, 'managers cannot change roles');
SELECT is_empty($$ DELETE FROM app.memberships RETURNING user_id $$, 'managers cannot remove members');
RESET ROLE;

SELECT pg_temp.act_as('admin_a');
SELECT is((SELECT count(*)::int FROM app.memberships), 4, 'admins see the members of their organization only');
SELECT lives_ok($$ INSERT INTO app.memberships (org_id, user_id, role)
                   VALUES ('0000000a-0000-4000-8000-000000000000', '00000000-0000-4000-8000-0000000000c1', 'staff') $$,
                'admins may add members');
SELECT throws_ok($$ INSERT INTO app.memberships (org_id, user_id, role)
                    VALUES ('0000000a-0000-4000-8000-000000000000', '00000000-0000-4000-8000-0000000000c2', 'owner') $$,
                 '42501', NULL, 'admins cannot make owners');
SELECT results_eq($$ UPDATE app.memberships SET role = 'manager' WHERE user_id = '00000000-0000-4000-8000-0000000000c1'
                     RETURNING role::text $$, $$ VALUES ('manager') $$, 'admins may change a member''s role');
SELECT throws_ok($$ UPDATE app.memberships SET role = 'owner' WHERE user_id = '00000000-0000-4000-8000-0000000000c1' $$,
                 '42501', NULL, 'admins cannot promote anyone to owner');
SELECT is_empty($$ UPDATE app.memberships SET role = 'staff' WHERE role = 'owner' RETURNING user_id $$,
                'admins cannot demote owners');
SELECT is_empty($$ DELETE FROM app.memberships WHERE role = 'owner' RETURNING user_id $$,
                'admins cannot remove owners');
SELECT results_eq($$ DELETE FROM app.memberships WHERE user_id = '00000000-0000-4000-8000-0000000000c1'
                     RETURNING role::text $$, $$ VALUES ('manager') $$, 'admins may remove members');
SELECT throws_ok($$ INSERT INTO app.memberships (org_id, user_id, role)
                    VALUES ('0000000b-0000-4000-8000-000000000000', '00000000-0000-4000-8000-0000000000c1', 'staff') $$,
                 '42501', NULL, 'admins cannot add members to another organization');
RESET ROLE;

SELECT pg_temp.act_as('owner_a');
SELECT lives_ok($$ INSERT INTO app.memberships (org_id, user_id, role)
                   VALUES ('0000000a-0000-4000-8000-000000000000', '00000000-0000-4000-8000-0000000000c2', 'owner') $$,
                'owners may make owners');
SELECT results_eq($$ DELETE FROM app.memberships WHERE user_id = '00000000-0000-4000-8000-0000000000c2'
                     RETURNING role::text $$, $$ VALUES ('owner') $$, 'owners may remove owners');
RESET ROLE;

SELECT pg_temp.act_as('admin_b');
SELECT results_eq($$ SELECT user_id FROM app.memberships $$, $$ VALUES ('00000000-0000-4000-8000-0000000000b1'::uuid) $$,
                  'an admin of another organization sees only their organization''s members');
SELECT throws_ok($$ INSERT INTO app.memberships (org_id, user_id, role)
                    VALUES ('0000000a-0000-4000-8000-000000000000', '00000000-0000-4000-8000-0000000000b1', 'admin') $$,
                 '42501', NULL, 'an admin of another organization cannot join A');
SELECT is_empty($$ UPDATE app.memberships SET role = role WHERE org_id = '0000000a-0000-4000-8000-000000000000'
                   RETURNING user_id $$, 'an admin of another organization changes no role in A');
SELECT is_empty($$ DELETE FROM app.memberships WHERE org_id = '0000000a-0000-4000-8000-000000000000'
                   RETURNING user_id $$, 'an admin of another organization removes nobody from A');
RESET ROLE;

SELECT pg_temp.act_as('service_role');
SELECT is((SELECT count(*)::int FROM app.memberships), 5, 'service_role sees every membership');
SELECT lives_ok($$ INSERT INTO app.memberships (org_id, user_id, role)
                   VALUES ('0000000b-0000-4000-8000-000000000000', '00000000-0000-4000-8000-0000000000c1', 'owner') $$,
                'service_role may add any member');
SELECT results_eq($$ UPDATE app.memberships SET role = 'staff' WHERE user_id = '00000000-0000-4000-8000-0000000000c1'
                     RETURNING role::text $$, $$ VALUES ('staff') $$, 'service_role may change any role');
SELECT results_eq($$ DELETE FROM app.memberships WHERE user_id = '00000000-0000-4000-8000-0000000000c1'
                     RETURNING role::text $$, $$ VALUES ('staff') $$, 'service_role may remove any member');
RESET ROLE;

-- profiles -------------------------------------------------------------------------------------------------------
SELECT pg_temp.act_as('anon');
SELECT throws_ok($$ SELECT count(*) FROM app.profiles $$, '42501', NULL, 'anon cannot read profiles');
SELECT throws_ok($$ INSERT INTO app.profiles (user_id, display_name)
                    VALUES ('00000000-0000-4000-8000-0000000000c2', 'X') $$, '42501', NULL, 'anon cannot add profiles');
SELECT throws_ok($$ UPDATE app.profiles SET display_name = 'X' $$, '42501', NULL, 'anon cannot edit profiles');
SELECT throws_ok($$ DELETE FROM app.profiles $$, '42501', NULL, 'anon cannot delete profiles');
RESET ROLE;

SELECT pg_temp.act_as('outsider');
SELECT results_eq($$ SELECT display_name FROM app.profiles $$, $$ VALUES ('Outsider') $$,
                  'a non-member sees only their own profile');
SELECT throws_ok($$ INSERT INTO app.profiles (user_id, display_name)
                    VALUES ('00000000-0000-4000-8000-0000000000c2', 'Not me') $$, '42501', NULL,
                 'nobody can create someone else''s profile');
SELECT results_eq($$ UPDATE app.profiles SET display_name = 'Outsider' RETURNING display_name $$,
                  $$ VALUES ('Outsider') $$, 'a user may edit their own profile, and only it');
SELECT is_empty($$ DELETE FROM app.profiles RETURNING user_id $$, 'a user cannot delete profiles, not even their own');
RESET ROLE;

SELECT pg_temp.act_as('newcomer');
SELECT lives_ok($$ INSERT INTO app.profiles (user_id, display_name)
                   VALUES ('00000000-0000-4000-8000-0000000000c2', 'Newcomer') $$,
                'a user may create their own profile');
RESET ROLE;

SELECT pg_temp.act_as('staff_a');
SELECT results_eq($$ SELECT display_name FROM app.profiles ORDER BY 1 $$,
                  $$ VALUES ('Admin_A'), ('Manager_A'), ('Owner_A'), ('Staff_A') $$,
                  'staff see the profiles of the people they work with');
SELECT throws_ok($$ INSERT INTO app.profiles (user_id, display_name)
                    VALUES ('00000000-0000-4000-8000-0000000000a1', 'X') $$, '42501', NULL,
                 'staff cannot create profiles for colleagues');
SELECT is_empty($$ UPDATE app.profiles SET display_name = 'X' WHERE user_id <> auth.uid() RETURNING user_id $$,
                'staff cannot edit colleagues'' profiles');
SELECT is_empty($$ DELETE FROM app.profiles RETURNING user_id $$, 'staff cannot delete profiles');
RESET ROLE;

SELECT pg_temp.act_as('manager_a');
SELECT is((SELECT count(*)::int FROM app.profiles), 4, 'managers see the profiles of the people they work with');
SELECT is_empty($$ UPDATE app.profiles SET display_name = 'X' WHERE user_id <> auth.uid() RETURNING user_id $$,
                'managers cannot edit colleagues'' profiles');
SELECT is_empty($$ DELETE FROM app.profiles RETURNING user_id $$, 'managers cannot delete profiles');
RESET ROLE;

SELECT pg_temp.act_as('admin_a');
SELECT is((SELECT count(*)::int FROM app.profiles), 4, 'admins see the profiles of the people they work with');
SELECT is_empty($$ UPDATE app.profiles SET display_name = 'X' WHERE user_id <> auth.uid() RETURNING user_id $$,
                'admins cannot edit colleagues'' profiles');
SELECT is_empty($$ DELETE FROM app.profiles RETURNING user_id $$, 'admins cannot delete profiles');
RESET ROLE;

SELECT pg_temp.act_as('admin_b');
SELECT results_eq($$ SELECT display_name FROM app.profiles $$, $$ VALUES ('Admin_B') $$,
                  'an admin of another organization sees none of A''s profiles');
SELECT is_empty($$ UPDATE app.profiles SET display_name = 'X' WHERE user_id <> auth.uid() RETURNING user_id $$,
                'an admin of another organization cannot edit A''s profiles');
SELECT is_empty($$ DELETE FROM app.profiles RETURNING user_id $$,
                'an admin of another organization cannot delete profiles');
RESET ROLE;

SELECT pg_temp.act_as('service_role');
SELECT is((SELECT count(*)::int FROM app.profiles), 7, 'service_role sees every profile');
SELECT results_eq($$ UPDATE app.profiles SET display_name = 'Renamed' WHERE user_id = '00000000-0000-4000-8000-0000000000c1'
                     RETURNING display_name $$, $$ VALUES ('Renamed') $$, 'service_role may edit any profile');
SELECT results_eq($$ DELETE FROM app.profiles WHERE user_id = '00000000-0000-4000-8000-0000000000c1'
                     RETURNING user_id $$, $$ VALUES ('00000000-0000-4000-8000-0000000000c1'::uuid) $$,
                  'service_role may delete profiles');
RESET ROLE;

-- A JWT claiming super admin in user_metadata is nobody special; in app_metadata it reads everything. ----------
SELECT set_config('request.jwt.claims', jsonb_build_object('role', 'authenticated',
  'sub', '00000000-0000-4000-8000-0000000000c2', 'user_metadata', jsonb_build_object('tessera_super_admin', true))::text,
  true);
SET LOCAL ROLE authenticated;
SELECT is_empty($$ SELECT id FROM app.organizations $$, 'super admin in user_metadata grants nothing');
RESET ROLE;
SELECT set_config('request.jwt.claims', jsonb_build_object('role', 'authenticated',
  'sub', '00000000-0000-4000-8000-0000000000c2', 'app_metadata', jsonb_build_object('tessera_super_admin', true))::text,
  true);
SET LOCAL ROLE authenticated;
SELECT is((SELECT count(*)::int FROM app.organizations), 2, 'a platform super admin (app_metadata) reads every organization');
SELECT is_empty($$ UPDATE app.organizations SET name = name RETURNING id $$,
                'a platform super admin still cannot edit an organization they are not admin of');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
