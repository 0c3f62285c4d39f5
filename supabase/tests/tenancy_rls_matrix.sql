-- Who may read and write organizations, memberships and profiles: every role against every action.
-- Roles: anon, a signed-in outsider, staff / manager / admin / owner of organization A, an admin of another
-- organization B, and service_role. A refused privilege is 42501; a row RLS hides is simply not there.
-- Signed-in users read the three tables under RLS (my_organizations and the profile upsert run as the caller) and
-- write their own profile only; organizations and memberships change through definer functions
-- (create_organization), never directly, and service_role holds nothing here (no function it may call reads these).
BEGIN;
\ir setup.psql
SELECT plan(92);

-- Fixtures -------------------------------------------------------------------------------------------------------
\ir fixtures.psql
-- Besides the cast: newcomer (no profile yet), org_c (owned by owner_a alone), org_d (service_role tries to delete
-- it) and org_e (the id service_role tries to create).
SELECT pg_temp.fresh('newcomer', 'org_c', 'org_d', 'org_e');
INSERT INTO auth.users (id, email) SELECT id, 'newcomer.' || id || '@example.com' FROM fx WHERE name = 'newcomer';
INSERT INTO app.organizations (id, name, slug) VALUES
  (pg_temp.id('org_c'), 'Org C (owner_a owns it)', pg_temp.slug('org_c')),
  (pg_temp.id('org_d'), 'Org D', pg_temp.slug('org_d'));
INSERT INTO app.memberships (org_id, user_id, role) VALUES (pg_temp.id('org_c'), pg_temp.id('owner_a'), 'owner');
INSERT INTO app.profiles (user_id, display_name)
SELECT id, initcap(name) FROM fx WHERE name IN ('owner_a', 'admin_a', 'manager_a', 'staff_a', 'admin_b', 'outsider');

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
SELECT throws_ok($$ UPDATE app.organizations SET name = name $$, '42501', NULL,
                 'a non-member cannot update organizations');
SELECT throws_ok($$ DELETE FROM app.organizations $$, '42501', NULL, 'a non-member cannot delete organizations');
RESET ROLE;

SELECT pg_temp.act_as('staff_a');
SELECT results_eq($$ SELECT id FROM app.organizations $$, $$ VALUES (pg_temp.id('org_a')) $$,
                  'staff see their own organization only');
SELECT throws_ok($$ INSERT INTO app.organizations (name, slug) VALUES ('X', 'x') $$, '42501', NULL,
                 'staff cannot insert organizations directly');
SELECT throws_ok($$ UPDATE app.organizations SET name = name $$, '42501', NULL,
                 'staff cannot rename the organization');
SELECT throws_ok($$ DELETE FROM app.organizations $$, '42501', NULL, 'staff cannot delete the organization');
RESET ROLE;

SELECT pg_temp.act_as('manager_a');
SELECT results_eq($$ SELECT id FROM app.organizations $$, $$ VALUES (pg_temp.id('org_a')) $$,
                  'managers see their own organization only');
SELECT throws_ok($$ INSERT INTO app.organizations (name, slug) VALUES ('X', 'x') $$, '42501', NULL,
                 'managers cannot insert organizations directly');
SELECT throws_ok($$ UPDATE app.organizations SET name = name $$, '42501', NULL,
                 'managers cannot rename the organization');
SELECT throws_ok($$ DELETE FROM app.organizations $$, '42501', NULL, 'managers cannot delete the organization');
RESET ROLE;

SELECT pg_temp.act_as('admin_a');
SELECT results_eq($$ SELECT id FROM app.organizations $$, $$ VALUES (pg_temp.id('org_a')) $$,
                  'admins see their own organization only');
SELECT throws_ok($$ INSERT INTO app.organizations (name, slug) VALUES ('X', 'x') $$, '42501', NULL,
                 'admins cannot insert organizations directly');
SELECT throws_ok($$ UPDATE app.organizations SET name = name WHERE id = pg_temp.id('org_a') $$, '42501', NULL,
                 'admins cannot rename their organization directly (no api function does it yet)');
SELECT throws_ok($$ DELETE FROM app.organizations $$, '42501', NULL, 'admins cannot delete the organization');
RESET ROLE;

SELECT pg_temp.act_as('owner_a');
SELECT throws_ok($$ DELETE FROM app.organizations WHERE id = pg_temp.id('org_c') $$, '42501', NULL,
                 'owners cannot delete an organization directly, not even one they alone own');
RESET ROLE;

SELECT pg_temp.act_as('admin_b');
SELECT results_eq($$ SELECT id FROM app.organizations $$, $$ VALUES (pg_temp.id('org_b')) $$,
                  'an admin of another organization sees only theirs');
SELECT throws_ok($$ INSERT INTO app.organizations (name, slug) VALUES ('X', 'x') $$, '42501', NULL,
                 'an admin of another organization cannot insert organizations directly');
SELECT throws_ok($$ UPDATE app.organizations SET name = name WHERE id = pg_temp.id('org_a') $$, '42501', NULL,
                 'an admin of another organization cannot rename A');
SELECT throws_ok($$ DELETE FROM app.organizations WHERE id = pg_temp.id('org_a') $$, '42501', NULL,
                 'an admin of another organization cannot delete A');
RESET ROLE;

SELECT pg_temp.act_as('service_role');
SELECT throws_ok($$ SELECT count(*) FROM app.organizations $$, '42501', NULL,
                 'service_role reads no organization directly');
SELECT throws_ok($$ INSERT INTO app.organizations (id, name, slug)
                    VALUES (pg_temp.id('org_e'), 'Org E', pg_temp.slug('org_e')) $$, '42501', NULL,
                 'service_role cannot create organizations directly');
SELECT throws_ok($$ UPDATE app.organizations SET name = name WHERE id = pg_temp.id('org_a') $$, '42501', NULL,
                 'service_role cannot update an organization directly');
SELECT throws_ok($$ DELETE FROM app.organizations WHERE id = pg_temp.id('org_d') $$, '42501', NULL,
                 'service_role cannot delete an organization directly');
RESET ROLE;

-- memberships ----------------------------------------------------------------------------------------------------
SELECT pg_temp.act_as('anon');
SELECT throws_ok($$ SELECT count(*) FROM app.memberships $$, '42501', NULL, 'anon cannot read memberships');
SELECT throws_ok($$ INSERT INTO app.memberships (org_id, user_id, role)
                    VALUES (pg_temp.id('org_a'), pg_temp.id('outsider'), 'staff') $$,
                 '42501', NULL, 'anon cannot add members');
SELECT throws_ok($$ UPDATE app.memberships SET role = role $$, '42501', NULL, 'anon cannot change roles');
SELECT throws_ok($$ DELETE FROM app.memberships $$, '42501', NULL, 'anon cannot remove members');
RESET ROLE;

SELECT pg_temp.act_as('outsider');
SELECT is_empty($$ SELECT user_id FROM app.memberships $$, 'a non-member sees no membership');
SELECT throws_ok($$ INSERT INTO app.memberships (org_id, user_id, role)
                    VALUES (pg_temp.id('org_a'), pg_temp.id('outsider'), 'owner') $$,
                 '42501', NULL, 'a non-member cannot make themselves a member');
SELECT throws_ok($$ UPDATE app.memberships SET role = role $$, '42501', NULL, 'a non-member changes no role');
SELECT throws_ok($$ DELETE FROM app.memberships $$, '42501', NULL, 'a non-member removes no member');
RESET ROLE;

SELECT pg_temp.act_as('staff_a');
SELECT is((SELECT count(*)::int FROM app.memberships), 4, 'staff see the members of their organization only');
SELECT throws_ok($$ INSERT INTO app.memberships (org_id, user_id, role)
                    VALUES (pg_temp.id('org_a'), pg_temp.id('outsider'), 'staff') $$,
                 '42501', NULL, 'staff cannot add members');
SELECT throws_ok($$ UPDATE app.memberships SET role = 'owner' WHERE user_id = auth.uid() $$, '42501', NULL,
                 'staff cannot promote themselves');
SELECT throws_ok($$ DELETE FROM app.memberships $$, '42501', NULL, 'staff cannot remove members');
RESET ROLE;

SELECT pg_temp.act_as('manager_a');
SELECT is((SELECT count(*)::int FROM app.memberships), 4, 'managers see the members of their organization only');
SELECT throws_ok($$ INSERT INTO app.memberships (org_id, user_id, role)
                    VALUES (pg_temp.id('org_a'), pg_temp.id('outsider'), 'staff') $$,
                 '42501', NULL, 'managers cannot add members');
SELECT throws_ok($$ UPDATE app.memberships SET role = role $$, '42501', NULL, 'managers cannot change roles');
SELECT throws_ok($$ DELETE FROM app.memberships $$, '42501', NULL, 'managers cannot remove members');
RESET ROLE;

SELECT pg_temp.act_as('admin_a');
SELECT is((SELECT count(*)::int FROM app.memberships), 4, 'admins see the members of their organization only');
SELECT throws_ok($$ INSERT INTO app.memberships (org_id, user_id, role)
                    VALUES (pg_temp.id('org_a'), pg_temp.id('outsider'), 'staff') $$,
                 '42501', NULL, 'admins cannot add members directly (no api function does it yet)');
SELECT throws_ok($$ INSERT INTO app.memberships (org_id, user_id, role)
                    VALUES (pg_temp.id('org_a'), pg_temp.id('newcomer'), 'owner') $$,
                 '42501', NULL, 'admins cannot make owners');
SELECT throws_ok($$ UPDATE app.memberships SET role = 'manager' WHERE user_id = pg_temp.id('staff_a') $$,
                 '42501', NULL, 'admins cannot change a member''s role directly');
SELECT throws_ok($$ UPDATE app.memberships SET role = 'owner' WHERE user_id = pg_temp.id('staff_a') $$,
                 '42501', NULL, 'admins cannot promote anyone to owner');
SELECT throws_ok($$ UPDATE app.memberships SET role = 'staff' WHERE role = 'owner' $$, '42501', NULL,
                 'admins cannot demote owners');
SELECT throws_ok($$ DELETE FROM app.memberships WHERE role = 'owner' $$, '42501', NULL,
                 'admins cannot remove owners');
SELECT throws_ok($$ DELETE FROM app.memberships WHERE user_id = pg_temp.id('staff_a') $$, '42501', NULL,
                 'admins cannot remove members directly');
SELECT throws_ok($$ INSERT INTO app.memberships (org_id, user_id, role)
                    VALUES (pg_temp.id('org_b'), pg_temp.id('outsider'), 'staff') $$,
                 '42501', NULL, 'admins cannot add members to another organization');
RESET ROLE;

SELECT pg_temp.act_as('owner_a');
SELECT throws_ok($$ INSERT INTO app.memberships (org_id, user_id, role)
                    VALUES (pg_temp.id('org_a'), pg_temp.id('newcomer'), 'owner') $$, '42501', NULL,
                 'owners cannot make owners directly');
SELECT throws_ok($$ DELETE FROM app.memberships WHERE user_id = pg_temp.id('owner_a') $$, '42501', NULL,
                 'owners cannot remove owners directly');
RESET ROLE;

SELECT pg_temp.act_as('admin_b');
SELECT results_eq($$ SELECT user_id FROM app.memberships $$, $$ VALUES (pg_temp.id('admin_b')) $$,
                  'an admin of another organization sees only their organization''s members');
SELECT throws_ok($$ INSERT INTO app.memberships (org_id, user_id, role)
                    VALUES (pg_temp.id('org_a'), pg_temp.id('admin_b'), 'admin') $$,
                 '42501', NULL, 'an admin of another organization cannot join A');
SELECT throws_ok($$ UPDATE app.memberships SET role = role WHERE org_id = pg_temp.id('org_a') $$, '42501', NULL,
                 'an admin of another organization changes no role in A');
SELECT throws_ok($$ DELETE FROM app.memberships WHERE org_id = pg_temp.id('org_a') $$, '42501', NULL,
                 'an admin of another organization removes nobody from A');
RESET ROLE;

SELECT pg_temp.act_as('service_role');
SELECT throws_ok($$ SELECT count(*) FROM app.memberships $$, '42501', NULL,
                 'service_role reads no membership directly');
SELECT throws_ok($$ INSERT INTO app.memberships (org_id, user_id, role)
                    VALUES (pg_temp.id('org_b'), pg_temp.id('outsider'), 'owner') $$, '42501', NULL,
                 'service_role cannot add members directly');
SELECT throws_ok($$ UPDATE app.memberships SET role = 'staff' WHERE user_id = pg_temp.id('admin_b') $$, '42501',
                 NULL, 'service_role cannot change roles directly');
SELECT throws_ok($$ DELETE FROM app.memberships WHERE user_id = pg_temp.id('admin_b') $$, '42501', NULL,
                 'service_role cannot remove members directly');
RESET ROLE;

-- profiles -------------------------------------------------------------------------------------------------------
SELECT pg_temp.act_as('anon');
SELECT throws_ok($$ SELECT count(*) FROM app.profiles $$, '42501', NULL, 'anon cannot read profiles');
SELECT throws_ok($$ INSERT INTO app.profiles (user_id, display_name)
                    VALUES (pg_temp.id('newcomer'), 'X') $$, '42501', NULL, 'anon cannot add profiles');
SELECT throws_ok($$ UPDATE app.profiles SET display_name = 'X' $$, '42501', NULL, 'anon cannot edit profiles');
SELECT throws_ok($$ DELETE FROM app.profiles $$, '42501', NULL, 'anon cannot delete profiles');
RESET ROLE;

SELECT pg_temp.act_as('outsider');
SELECT results_eq($$ SELECT display_name FROM app.profiles $$, $$ VALUES ('Outsider') $$,
                  'a non-member sees only their own profile');
SELECT throws_ok($$ INSERT INTO app.profiles (user_id, display_name)
                    VALUES (pg_temp.id('newcomer'), 'Not me') $$, '42501', NULL,
                 'nobody can create someone else''s profile');
SELECT results_eq($$ UPDATE app.profiles SET display_name = 'Outsider' RETURNING display_name $$,
                  $$ VALUES ('Outsider') $$, 'a user may edit their own profile, and only it');
SELECT throws_ok($$ DELETE FROM app.profiles $$, '42501', NULL,
                 'a user cannot delete profiles, not even their own');
RESET ROLE;

SELECT pg_temp.act_as('newcomer');
SELECT lives_ok($$ INSERT INTO app.profiles (user_id, display_name)
                   VALUES (pg_temp.id('newcomer'), 'Newcomer') $$,
                'a user may create their own profile');
RESET ROLE;

SELECT pg_temp.act_as('staff_a');
SELECT results_eq($$ SELECT display_name FROM app.profiles ORDER BY 1 $$,
                  $$ VALUES ('Admin_A'), ('Manager_A'), ('Owner_A'), ('Staff_A') $$,
                  'staff see the profiles of the people they work with');
SELECT throws_ok($$ INSERT INTO app.profiles (user_id, display_name)
                    VALUES (pg_temp.id('owner_a'), 'X') $$, '42501', NULL,
                 'staff cannot create profiles for colleagues');
SELECT is_empty($$ UPDATE app.profiles SET display_name = 'X' WHERE user_id <> auth.uid() RETURNING user_id $$,
                'staff cannot edit colleagues'' profiles');
SELECT throws_ok($$ DELETE FROM app.profiles $$, '42501', NULL, 'staff cannot delete profiles');
RESET ROLE;

SELECT pg_temp.act_as('manager_a');
SELECT is((SELECT count(*)::int FROM app.profiles), 4, 'managers see the profiles of the people they work with');
SELECT is_empty($$ UPDATE app.profiles SET display_name = 'X' WHERE user_id <> auth.uid() RETURNING user_id $$,
                'managers cannot edit colleagues'' profiles');
SELECT throws_ok($$ DELETE FROM app.profiles $$, '42501', NULL, 'managers cannot delete profiles');
RESET ROLE;

SELECT pg_temp.act_as('admin_a');
SELECT is((SELECT count(*)::int FROM app.profiles), 4, 'admins see the profiles of the people they work with');
SELECT is_empty($$ UPDATE app.profiles SET display_name = 'X' WHERE user_id <> auth.uid() RETURNING user_id $$,
                'admins cannot edit colleagues'' profiles');
SELECT throws_ok($$ DELETE FROM app.profiles $$, '42501', NULL, 'admins cannot delete profiles');
RESET ROLE;

SELECT pg_temp.act_as('admin_b');
SELECT results_eq($$ SELECT display_name FROM app.profiles $$, $$ VALUES ('Admin_B') $$,
                  'an admin of another organization sees none of A''s profiles');
SELECT is_empty($$ UPDATE app.profiles SET display_name = 'X' WHERE user_id <> auth.uid() RETURNING user_id $$,
                'an admin of another organization cannot edit A''s profiles');
SELECT throws_ok($$ DELETE FROM app.profiles $$, '42501', NULL,
                 'an admin of another organization cannot delete profiles');
RESET ROLE;

SELECT pg_temp.act_as('service_role');
SELECT throws_ok($$ SELECT count(*) FROM app.profiles $$, '42501', NULL, 'service_role reads no profile directly');
SELECT throws_ok($$ UPDATE app.profiles SET display_name = 'Renamed' WHERE user_id = pg_temp.id('outsider') $$,
                 '42501', NULL, 'service_role cannot edit profiles directly');
SELECT throws_ok($$ DELETE FROM app.profiles WHERE user_id = pg_temp.id('outsider') $$, '42501', NULL,
                 'service_role cannot delete profiles directly');
RESET ROLE;

-- A JWT claiming super admin in user_metadata is nobody special; in app_metadata it reads everything. ----------
SELECT set_config('request.jwt.claims', jsonb_build_object('role', 'authenticated',
  'sub', pg_temp.id('newcomer'), 'user_metadata', jsonb_build_object('tessera_super_admin', true))::text,
  true);
SET LOCAL ROLE authenticated;
SELECT is_empty($$ SELECT id FROM app.organizations $$, 'super admin in user_metadata grants nothing');
RESET ROLE;
SELECT count(*) AS organizations FROM app.organizations \gset
SELECT set_config('request.jwt.claims', jsonb_build_object('role', 'authenticated',
  'sub', pg_temp.id('newcomer'), 'app_metadata', jsonb_build_object('tessera_super_admin', true))::text,
  true);
SET LOCAL ROLE authenticated;
SELECT is((SELECT count(*)::int FROM app.organizations), :organizations,
          'a platform super admin (app_metadata) reads every organization');
SELECT throws_ok($$ UPDATE app.organizations SET name = name $$, '42501', NULL,
                 'a platform super admin still cannot edit an organization');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
