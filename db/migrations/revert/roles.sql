-- Revert tessera:roles from pg
--
-- Drops only the roles this project created (they carry the shim's comment), never the platform's. Roles are
-- shared by every database on the server: an API role that another database still grants privileges to is kept,
-- and authenticator, which exists to switch into them, is kept for as long as any of them is.

BEGIN;

DO $$
DECLARE
  shim constant text := 'tessera shim: Supabase API role';
  role_name text;
BEGIN
  FOREACH role_name IN ARRAY ARRAY['service_role', 'authenticated', 'anon', 'authenticator'] LOOP
    CONTINUE WHEN pg_catalog.shobj_description(
      (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = role_name), 'pg_authid') IS DISTINCT FROM shim;
    IF role_name = 'authenticator' AND EXISTS (
      SELECT FROM pg_catalog.pg_roles WHERE rolname IN ('anon', 'authenticated', 'service_role')) THEN
      RAISE NOTICE 'authenticator is kept: the API roles it switches into are still in use';
      CONTINUE;
    END IF;
    BEGIN
      EXECUTE format('DROP ROLE %I', role_name);
    EXCEPTION WHEN dependent_objects_still_exist THEN
      RAISE NOTICE 'role % is still used by another database on this server; kept', role_name;
    END;
  END LOOP;
END
$$;

COMMIT;
