-- Revert tessera:roles from pg
--
-- Drops only the roles this project created (they carry the shim's comment), never the platform's, and keeps a
-- role that another database on the same server still grants privileges to: roles are shared server-wide.

BEGIN;

DO $$
DECLARE
  shim constant text := 'tessera shim: Supabase API role';
  role_name text;
BEGIN
  FOREACH role_name IN ARRAY ARRAY['authenticator', 'service_role', 'authenticated', 'anon'] LOOP
    CONTINUE WHEN pg_catalog.shobj_description(
      (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = role_name), 'pg_authid') IS DISTINCT FROM shim;
    BEGIN
      EXECUTE format('DROP ROLE %I', role_name);
    EXCEPTION WHEN dependent_objects_still_exist THEN
      RAISE NOTICE 'role % is still used by another database on this server; kept', role_name;
    END;
  END LOOP;
END
$$;

COMMIT;
