-- Verify tessera:roles on pg
--
-- Raises unless the four roles exist, service_role bypasses RLS, and authenticator logs in and may become each
-- API role.

BEGIN;

DO $$
DECLARE
  role_name text;
BEGIN
  FOREACH role_name IN ARRAY ARRAY['anon', 'authenticated', 'service_role', 'authenticator'] LOOP
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = role_name) THEN
      RAISE EXCEPTION 'role % is missing', role_name;
    END IF;
  END LOOP;
  IF NOT (SELECT rolbypassrls FROM pg_catalog.pg_roles WHERE rolname = 'service_role') THEN
    RAISE EXCEPTION 'service_role must bypass row-level security';
  END IF;
  IF NOT (SELECT rolcanlogin FROM pg_catalog.pg_roles WHERE rolname = 'authenticator') THEN
    RAISE EXCEPTION 'authenticator must be able to log in';
  END IF;
  FOREACH role_name IN ARRAY ARRAY['anon', 'authenticated', 'service_role'] LOOP
    IF NOT pg_catalog.pg_has_role('authenticator', role_name, 'MEMBER') THEN
      RAISE EXCEPTION 'authenticator cannot switch to %', role_name;
    END IF;
  END LOOP;
END
$$;

ROLLBACK;
