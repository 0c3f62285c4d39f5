-- Verify tessera:schemas on pg
--
-- Raises unless the schemas exist, api is usable by the API roles, anon cannot reach the tables, and new functions
-- are not executable by PUBLIC. (Later changes grant signed-in users what their tables and helpers need.)

BEGIN;

DO $$
DECLARE
  schema_name text;
  role_name text;
BEGIN
  FOREACH schema_name IN ARRAY ARRAY['app', 'api', 'private', 'audit'] LOOP
    IF to_regnamespace(schema_name) IS NULL THEN
      RAISE EXCEPTION 'schema % is missing', schema_name;
    END IF;
  END LOOP;
  FOREACH role_name IN ARRAY ARRAY['anon', 'authenticated', 'service_role'] LOOP
    IF NOT has_schema_privilege(role_name, 'api', 'USAGE') THEN
      RAISE EXCEPTION '% cannot use schema api', role_name;
    END IF;
  END LOOP;
  IF has_schema_privilege('anon', 'app', 'USAGE') THEN
    RAISE EXCEPTION 'anon must not use schema app';
  END IF;
  CREATE FUNCTION api.verify_schemas_probe() RETURNS int LANGUAGE sql AS 'SELECT 1';
  IF has_function_privilege('public', 'api.verify_schemas_probe()', 'EXECUTE') THEN
    RAISE EXCEPTION 'new functions are executable by PUBLIC: default privileges are not revoked';
  END IF;
END
$$;

ROLLBACK;
