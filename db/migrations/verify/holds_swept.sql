-- Verify tessera:holds_swept on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

DO $verify$
BEGIN
  PERFORM 'api.expire_holds()'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.expire_holds()', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.expire_holds()';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'api.expire_holds()', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'api.expire_holds()';
  END IF;
END
$verify$;

ROLLBACK;
