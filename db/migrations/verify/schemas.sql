-- Verify tessera:schemas on pg
--
-- Raises unless the schemas exist, api alone is usable by the API roles, and new functions are not executable by
-- PUBLIC.

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
    IF has_schema_privilege(role_name, 'private', 'USAGE') THEN
      RAISE EXCEPTION '% must not use schema private', role_name;
    END IF;
  END LOOP;
  CREATE FUNCTION api.verify_schemas_probe() RETURNS int LANGUAGE sql AS 'SELECT 1';
  IF has_function_privilege('public', 'api.verify_schemas_probe()', 'EXECUTE') THEN
    RAISE EXCEPTION 'new functions are executable by PUBLIC: default privileges are not revoked';
  END IF;
END
$$;

ROLLBACK;
