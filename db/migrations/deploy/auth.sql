-- Deploy tessera:auth to pg
-- requires: roles
--
-- Supabase's `auth` schema, reduced to what the database side of Tessera relies on: auth.users and the helpers
-- auth.uid(), auth.role(), auth.email() and auth.jwt(), which read the request's JWT claims the way PostgREST
-- hands them over (request.jwt.claims, or the legacy per-claim settings Supabase still reads first).
-- A transaction-local setting reads back as '' (not NULL) once its transaction is over, so on a pooled connection
-- every read goes through nullif(…, ''): no claims means NULL, never a JSON parse error.
-- On Supabase the schema exists and belongs to the platform: then nothing here runs, and revert leaves it alone.

BEGIN;

DO $shim$
BEGIN
  IF EXISTS (SELECT FROM pg_catalog.pg_namespace WHERE nspname = 'auth') THEN
    RAISE NOTICE 'schema auth already exists (Supabase): the auth shim is not installed';
    RETURN;
  END IF;

  CREATE SCHEMA auth;
  COMMENT ON SCHEMA auth IS 'tessera shim: Supabase auth schema';
  GRANT USAGE ON SCHEMA auth TO anon, authenticated, service_role;

  -- The columns of Supabase's auth.users that Tessera reads, with Supabase's names and types.
  CREATE TABLE auth.users (
    id                 uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
    aud                varchar(255) NOT NULL DEFAULT 'authenticated',
    role               varchar(255) NOT NULL DEFAULT 'authenticated',
    email              varchar(255),
    phone              text,
    raw_app_meta_data  jsonb        NOT NULL DEFAULT '{}'::jsonb,
    raw_user_meta_data jsonb        NOT NULL DEFAULT '{}'::jsonb,
    is_anonymous       boolean      NOT NULL DEFAULT false,
    created_at         timestamptz  NOT NULL DEFAULT now(),
    updated_at         timestamptz  NOT NULL DEFAULT now()
  );
  COMMENT ON TABLE auth.users IS 'tessera shim: the accounts Supabase Auth would hold; written by trusted code only';
  -- As on Supabase: no API role reads or writes accounts directly.
  ALTER TABLE auth.users ENABLE ROW LEVEL SECURITY;
  ALTER TABLE auth.users FORCE ROW LEVEL SECURITY;

  CREATE FUNCTION auth.jwt() RETURNS jsonb
    LANGUAGE sql STABLE
    SET search_path = ''
    AS $fn$
      SELECT coalesce(
        nullif(pg_catalog.current_setting('request.jwt.claim', true), ''),
        nullif(pg_catalog.current_setting('request.jwt.claims', true), '')
      )::jsonb
    $fn$;
  COMMENT ON FUNCTION auth.jwt() IS
    'All claims of the request''s JWT as jsonb; NULL when the request carries none.';

  CREATE FUNCTION auth.uid() RETURNS uuid
    LANGUAGE sql STABLE
    SET search_path = ''
    AS $fn$
      SELECT coalesce(
        nullif(pg_catalog.current_setting('request.jwt.claim.sub', true), ''),
        nullif(pg_catalog.current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub'
      )::uuid
    $fn$;
  COMMENT ON FUNCTION auth.uid() IS
    'The signed-in user''s id (claim sub); NULL for anonymous requests. Call it as (select auth.uid()) in policies.';

  CREATE FUNCTION auth.role() RETURNS text
    LANGUAGE sql STABLE
    SET search_path = ''
    AS $fn$
      SELECT coalesce(
        nullif(pg_catalog.current_setting('request.jwt.claim.role', true), ''),
        nullif(pg_catalog.current_setting('request.jwt.claims', true), '')::jsonb ->> 'role'
      )::text
    $fn$;
  COMMENT ON FUNCTION auth.role() IS 'The request''s role claim (anon, authenticated, service_role); NULL without claims.';

  CREATE FUNCTION auth.email() RETURNS text
    LANGUAGE sql STABLE
    SET search_path = ''
    AS $fn$
      SELECT coalesce(
        nullif(pg_catalog.current_setting('request.jwt.claim.email', true), ''),
        nullif(pg_catalog.current_setting('request.jwt.claims', true), '')::jsonb ->> 'email'
      )::text
    $fn$;
  COMMENT ON FUNCTION auth.email() IS 'The request''s email claim; NULL without claims.';

  REVOKE ALL ON FUNCTION auth.jwt(), auth.uid(), auth.role(), auth.email() FROM PUBLIC;
  GRANT EXECUTE ON FUNCTION auth.jwt(), auth.uid(), auth.role(), auth.email()
    TO anon, authenticated, service_role;
END
$shim$;

COMMIT;
