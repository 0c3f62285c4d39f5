-- Deploy tessera:auth_inlinable to pg
-- requires: service_readiness
--
-- The auth shim's claim readers become inlinable, as Supabase's own are: no SET search_path (a function with one
-- is never inlined, and is planned again on every call; whoami paid that three times a request), and instead
-- every name qualified, casts and the ->> operator included, so no caller's search_path can redirect them.
-- Only the shim's functions change; Supabase's auth schema is left as it is.

BEGIN;

DO $shim$
BEGIN
  IF pg_catalog.obj_description(to_regnamespace('auth'), 'pg_namespace')
     IS DISTINCT FROM 'tessera shim: Supabase auth schema' THEN
    RAISE NOTICE 'schema auth is not the shim''s: left untouched';
    RETURN;
  END IF;
  CREATE OR REPLACE FUNCTION auth.jwt() RETURNS pg_catalog.jsonb
    LANGUAGE sql STABLE
    AS $fn$
      SELECT coalesce(
        nullif(pg_catalog.current_setting('request.jwt.claim', true), ''),
        nullif(pg_catalog.current_setting('request.jwt.claims', true), '')
      )::pg_catalog.jsonb
    $fn$;
  CREATE OR REPLACE FUNCTION auth.uid() RETURNS pg_catalog.uuid
    LANGUAGE sql STABLE
    AS $fn$
      SELECT coalesce(
        nullif(pg_catalog.current_setting('request.jwt.claim.sub', true), ''),
        nullif(pg_catalog.current_setting('request.jwt.claims', true), '')::pg_catalog.jsonb OPERATOR(pg_catalog.->>) 'sub'
      )::pg_catalog.uuid
    $fn$;
  CREATE OR REPLACE FUNCTION auth.role() RETURNS pg_catalog.text
    LANGUAGE sql STABLE
    AS $fn$
      SELECT coalesce(
        nullif(pg_catalog.current_setting('request.jwt.claim.role', true), ''),
        nullif(pg_catalog.current_setting('request.jwt.claims', true), '')::pg_catalog.jsonb OPERATOR(pg_catalog.->>) 'role'
      )::pg_catalog.text
    $fn$;
  CREATE OR REPLACE FUNCTION auth.email() RETURNS pg_catalog.text
    LANGUAGE sql STABLE
    AS $fn$
      SELECT coalesce(
        nullif(pg_catalog.current_setting('request.jwt.claim.email', true), ''),
        nullif(pg_catalog.current_setting('request.jwt.claims', true), '')::pg_catalog.jsonb OPERATOR(pg_catalog.->>) 'email'
      )::pg_catalog.text
    $fn$;
END
$shim$;

COMMIT;
