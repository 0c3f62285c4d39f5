-- The roles PostgREST/Supabase switch into exist and behave as on Supabase.
BEGIN;
\ir setup.psql
SELECT plan(14);

SELECT has_role('anon', 'anon exists');
SELECT has_role('authenticated', 'authenticated exists');
SELECT has_role('service_role', 'service_role exists');
SELECT has_role('authenticator', 'authenticator exists');

SELECT ok((SELECT rolbypassrls FROM pg_roles WHERE rolname = 'service_role'), 'service_role bypasses row-level security');
SELECT ok(NOT (SELECT rolbypassrls FROM pg_roles WHERE rolname = 'anon'), 'anon does not bypass row-level security');
SELECT ok(NOT (SELECT rolbypassrls FROM pg_roles WHERE rolname = 'authenticated'),
          'authenticated does not bypass row-level security');
SELECT ok((SELECT rolcanlogin FROM pg_roles WHERE rolname = 'authenticator'), 'authenticator can log in');
SELECT ok(NOT (SELECT rolinherit FROM pg_roles WHERE rolname = 'authenticator'),
          'authenticator is NOINHERIT: it holds no privileges until it switches role');
SELECT is((SELECT count(*)::int FROM pg_roles WHERE rolname IN ('anon', 'authenticated', 'service_role') AND rolcanlogin),
          0, 'the API roles cannot log in');
SELECT is_member_of('anon', 'authenticator', 'authenticator may become anon');
SELECT is_member_of('authenticated', 'authenticator', 'authenticator may become authenticated');
SELECT is_member_of('service_role', 'authenticator', 'authenticator may become service_role');
SELECT ok(NOT pg_has_role('authenticator', 'postgres', 'MEMBER'), 'authenticator may not become the owner');

SELECT * FROM finish();
ROLLBACK;
