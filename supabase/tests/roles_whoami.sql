-- api.whoami() tells each API role who the database takes it to be, and nobody else may call it.
BEGIN;
\ir setup.psql
SELECT plan(7);

SELECT function_privs_are('api', 'whoami', ARRAY[]::text[], 'anon', ARRAY['EXECUTE'], 'anon may call api.whoami()');
SELECT function_privs_are('api', 'whoami', ARRAY[]::text[], 'authenticated', ARRAY['EXECUTE'],
                          'authenticated may call api.whoami()');
SELECT ok(NOT has_function_privilege('public', 'api.whoami()', 'EXECUTE'), 'PUBLIC may not call api.whoami()');

SELECT set_config('request.jwt.claims', '{"role": "anon"}', true);
SET LOCAL ROLE anon;
SELECT is(api.whoami(), '{"role": "anon", "email": null, "user_id": null}'::jsonb,
          'an anonymous caller is anon with no user');
RESET ROLE;

SELECT set_config('request.jwt.claims',
  '{"sub": "4d9b5e2a-6c1f-4a8e-9d3b-2f7c8e1a0b6d", "role": "authenticated", "email": "ada@example.com"}', true);
SET LOCAL ROLE authenticated;
SELECT is(api.whoami() ->> 'user_id', '4d9b5e2a-6c1f-4a8e-9d3b-2f7c8e1a0b6d', 'a signed-in caller is their user id');
SELECT is(api.whoami() ->> 'role', 'authenticated', 'a signed-in caller runs as authenticated');
RESET ROLE;

CREATE ROLE tessera_test_outsider NOLOGIN;
SET LOCAL ROLE tessera_test_outsider;
SELECT throws_ok($$ SELECT api.whoami() $$, '42501', NULL, 'a role without the grant cannot call api.whoami()');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
