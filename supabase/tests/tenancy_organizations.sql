-- Creating an organization makes the caller its owner; the membership helpers answer only about the caller.
BEGIN;
\ir setup.psql
SELECT plan(16);

\ir fixtures.psql
-- Two users of no organization yet, and the slug Ada's new organization takes.
SELECT pg_temp.fresh('ada', 'grace', 'escape_rooms');
INSERT INTO auth.users (id, email) SELECT id, name || '@example.com' FROM fx WHERE name IN ('ada', 'grace');

SELECT function_privs_are('api', 'create_organization', ARRAY['text', 'text'], 'anon', ARRAY[]::text[],
                          'anon may not create organizations');
SET LOCAL ROLE anon;
SELECT throws_ok($$ SELECT api.create_organization('X', 'x') $$, '42501', NULL, 'anon is refused outright');
RESET ROLE;

SELECT set_config('request.jwt.claims', '{"role": "authenticated"}', true);
SET LOCAL ROLE authenticated;
SELECT throws_ok($$ SELECT api.create_organization('X', 'x') $$, 'PT401', 'sign in to create an organization',
                 'a token without a user cannot create an organization');
RESET ROLE;

SELECT pg_temp.act_as('ada');
SELECT is((api.create_organization('Escape Rooms Ltd', pg_temp.slug('escape_rooms'))).slug,
          pg_temp.slug('escape_rooms'),
          'a signed-in user creates an organization');
SELECT results_eq($$ SELECT name, slug, role::text FROM api.my_organizations() $$,
                  $$ VALUES ('Escape Rooms Ltd', pg_temp.slug('escape_rooms'), 'owner') $$, 'and owns it');
SELECT is(cardinality(private.org_ids('owner')), 1, 'org_ids(owner) lists it');
SELECT is(cardinality(private.org_ids('staff')), 1, 'a stronger role counts for a weaker one');
SELECT throws_ok($$ SELECT api.create_organization('Copycat', pg_temp.slug('escape_rooms')) $$, 'PT409',
                 format('the slug %s is taken', pg_temp.slug('escape_rooms')),
                 'a taken slug is refused with a clear message');
SELECT throws_ok($$ SELECT api.create_organization('Bad', 'Not A Slug!') $$, 'PT400',
                 'invalid organization name or slug', 'an invalid slug is refused');
SELECT throws_ok($$ SELECT api.create_organization('   ', 'blank-name') $$, 'PT400',
                 'invalid organization name or slug', 'a blank name is refused');
SELECT is((SELECT count(*)::int FROM api.my_organizations()), 1, 'refused attempts leave nothing behind');
RESET ROLE;

SELECT pg_temp.act_as('grace');
SELECT is(cardinality(private.org_ids('staff')), 0, 'another user belongs to nothing');
SELECT is(private.co_member_ids(), '{}'::uuid[], 'and works with nobody');
SELECT is_empty($$ SELECT * FROM api.my_organizations() $$, 'and lists no organization');
RESET ROLE;

UPDATE app.organizations SET updated_at = '2020-01-01' WHERE slug = pg_temp.slug('escape_rooms');
SELECT is((SELECT updated_at FROM app.organizations WHERE slug = pg_temp.slug('escape_rooms')), now(),
          'updated_at follows every update, whatever the statement says');
SELECT ok((SELECT created_at <= updated_at FROM app.organizations WHERE slug = pg_temp.slug('escape_rooms')),
          'created_at stays');

SELECT * FROM finish();
ROLLBACK;
