-- Verify tessera:whoami_plpgsql on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

DO $verify$
BEGIN
  PERFORM 'api.whoami()'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'api.whoami()', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'api.whoami()';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.whoami()', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.whoami()';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'api.whoami()', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'api.whoami()';
  END IF;
END
$verify$;

ROLLBACK;
