-- Verify tessera:profile_and_window on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

-- Checks of functions that claims_hold_sync changed are retired; its verify checks them now.

DO $verify$
BEGIN
  PERFORM 'api.check_availability(uuid,date,date,integer)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.check_availability(uuid,date,date,integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.check_availability(uuid,date,date,integer)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'api.check_availability(uuid,date,date,integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'api.check_availability(uuid,date,date,integer)';
  END IF;
  PERFORM 'api.set_display_name(text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.set_display_name(text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.set_display_name(text)';
  END IF;
END
$verify$;

ROLLBACK;
