-- Revert tessera:auth from pg
--
-- Removes the shim only where the shim put it (the schema carries its comment); Supabase's own auth schema is
-- never touched. Objects are dropped one by one, without CASCADE, so anything else still using them stops the
-- revert loudly instead of vanishing with it.

BEGIN;

DO $shim$
BEGIN
  IF pg_catalog.obj_description(to_regnamespace('auth'), 'pg_namespace')
     IS DISTINCT FROM 'tessera shim: Supabase auth schema' THEN
    RAISE NOTICE 'schema auth is not the shim''s: left untouched';
    RETURN;
  END IF;
  DROP FUNCTION auth.email();
  DROP FUNCTION auth.role();
  DROP FUNCTION auth.uid();
  DROP FUNCTION auth.jwt();
  DROP TABLE auth.users;
  DROP SCHEMA auth;
END
$shim$;

COMMIT;
