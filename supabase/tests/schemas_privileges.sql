-- Only api is exposed over HTTP. anon reaches no table: besides api it may use private, where only the widget's
-- key-checking functions are granted to it. Signed-in users also reach app (the tables their invoker functions
-- use, under forced RLS: schemas_table_privileges.sql), private (the helpers granted to them) and audit (read
-- under RLS), never to create anything. New functions are not
-- executable by PUBLIC unless granted.
BEGIN;
\ir setup.psql
SELECT plan(19);

SELECT has_schema('app', 'schema app exists');
SELECT has_schema('api', 'schema api exists');
SELECT has_schema('private', 'schema private exists');
SELECT has_schema('audit', 'schema audit exists');

SELECT schema_privs_are('api', 'anon', ARRAY['USAGE'], 'anon may use api, and only use it');
SELECT schema_privs_are('api', 'authenticated', ARRAY['USAGE'], 'authenticated may use api, and only use it');
SELECT schema_privs_are('api', 'service_role', ARRAY['USAGE'], 'service_role may use api, and only use it');

SELECT ok(NOT has_schema_privilege('anon', 'app', 'USAGE'), 'anon cannot use app');
SELECT schema_privs_are('app', 'authenticated', ARRAY['USAGE'], 'authenticated may only use app (tables under RLS)');
SELECT schema_privs_are('private', 'anon', ARRAY['USAGE'],
                        'anon may only use private (the widget''s key-checking functions, granted one by one)');
SELECT schema_privs_are('private', 'authenticated', ARRAY['USAGE'],
                        'authenticated may only use private (granted helpers)');
SELECT ok(NOT has_schema_privilege('anon', 'audit', 'USAGE'), 'anon cannot use audit');
SELECT schema_privs_are('audit', 'authenticated', ARRAY['USAGE'],
                        'authenticated may only use audit (admins read their organization''s log under RLS)');
SELECT ok(NOT has_schema_privilege('authenticated', 'api', 'CREATE'), 'authenticated cannot create objects in api');

CREATE FUNCTION api.default_privileges_probe() RETURNS int LANGUAGE sql SET search_path = '' AS 'SELECT 1';
SELECT ok(NOT has_function_privilege('public', 'api.default_privileges_probe()', 'EXECUTE'),
          'a new function is not executable by PUBLIC');
SELECT ok(NOT has_function_privilege('anon', 'api.default_privileges_probe()', 'EXECUTE'),
          'a new function is not executable by anon until granted');
SET LOCAL ROLE authenticated;
SELECT throws_ok($$ SELECT api.default_privileges_probe() $$, '42501', NULL,
                 'calling a function nobody granted is refused');
RESET ROLE;

SELECT ok(EXISTS (SELECT FROM pg_default_acl WHERE defaclobjtype = 'f' AND defaclnamespace = 0),
          'default privileges for functions are set server-wide for the deploying role');
SELECT is((SELECT count(*)::int FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname IN ('api', 'private', 'app', 'audit')
              AND NOT coalesce(array_to_string(p.proconfig, ',') LIKE '%search_path=%', false)
              -- range types' constructors are PostgreSQL's own (they belong to the type)
              AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                                                        AND d.deptype = 'i')),
          0, 'every function in the project''s schemas pins its search_path');

SELECT * FROM finish();
ROLLBACK;
