-- Deploy tessera:roles to pg
--
-- The roles PostgREST and Supabase switch into: anon (no token), authenticated (a signed-in user), service_role
-- (trusted servers, bypasses RLS) and the login role authenticator that may become any of them.
-- On Supabase they exist already and belong to the platform: each role is created only where it is missing and
-- then marked with a comment, so that revert can tell our roles from the platform's and touch only ours.
-- Roles belong to the whole server, not one database, and two databases may deploy at once: a role that appears
-- between our check and our CREATE is taken as it is.

BEGIN;

DO $$
DECLARE
  shim constant text := 'tessera shim: Supabase API role';
  spec record;
BEGIN
  FOR spec IN
    SELECT * FROM (VALUES
      ('anon',          'NOLOGIN',           '3s'),
      ('authenticated', 'NOLOGIN',           '8s'),
      ('service_role',  'NOLOGIN BYPASSRLS', NULL),
      ('authenticator', 'LOGIN NOINHERIT',   '8s')
    ) AS r(name, attributes, statement_timeout)
  LOOP
    CONTINUE WHEN EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = spec.name);
    BEGIN
      EXECUTE format('CREATE ROLE %I %s', spec.name, spec.attributes);
      EXECUTE format('COMMENT ON ROLE %I IS %L', spec.name, shim);
      IF spec.statement_timeout IS NOT NULL THEN
        EXECUTE format('ALTER ROLE %I SET statement_timeout = %L', spec.name, spec.statement_timeout);
      END IF;
      IF spec.name = 'authenticator' THEN
        ALTER ROLE authenticator SET lock_timeout = '8s';
        GRANT anon, authenticated, service_role TO authenticator;
      END IF;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
      NULL;  -- another database's deploy created it a moment ago
    END;
  END LOOP;
END
$$;

COMMIT;
