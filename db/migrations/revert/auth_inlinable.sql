-- Revert tessera:auth_inlinable from pg
--
-- The shim's claim readers as the auth change made them, with SET search_path.

BEGIN;

DO $shim$
BEGIN
  IF pg_catalog.obj_description(to_regnamespace('auth'), 'pg_namespace')
     IS DISTINCT FROM 'tessera shim: Supabase auth schema' THEN
    RAISE NOTICE 'schema auth is not the shim''s: left untouched';
    RETURN;
  END IF;
  CREATE OR REPLACE FUNCTION auth.jwt() RETURNS jsonb
    LANGUAGE sql STABLE
    SET search_path = ''
    AS $fn$
      SELECT coalesce(
        nullif(pg_catalog.current_setting('request.jwt.claim', true), ''),
        nullif(pg_catalog.current_setting('request.jwt.claims', true), '')
      )::jsonb
    $fn$;
  CREATE OR REPLACE FUNCTION auth.uid() RETURNS uuid
    LANGUAGE sql STABLE
    SET search_path = ''
    AS $fn$
      SELECT coalesce(
        nullif(pg_catalog.current_setting('request.jwt.claim.sub', true), ''),
        nullif(pg_catalog.current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub'
      )::uuid
    $fn$;
  CREATE OR REPLACE FUNCTION auth.role() RETURNS text
    LANGUAGE sql STABLE
    SET search_path = ''
    AS $fn$
      SELECT coalesce(
        nullif(pg_catalog.current_setting('request.jwt.claim.role', true), ''),
        nullif(pg_catalog.current_setting('request.jwt.claims', true), '')::jsonb ->> 'role'
      )::text
    $fn$;
  CREATE OR REPLACE FUNCTION auth.email() RETURNS text
    LANGUAGE sql STABLE
    SET search_path = ''
    AS $fn$
      SELECT coalesce(
        nullif(pg_catalog.current_setting('request.jwt.claim.email', true), ''),
        nullif(pg_catalog.current_setting('request.jwt.claims', true), '')::jsonb ->> 'email'
      )::text
    $fn$;
END
$shim$;

COMMIT;
