-- Verify tessera:profile_and_window on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

-- Checks of functions that time_args changed are retired; its verify checks them now.

-- Checks of functions that claims_hold_sync changed are retired; its verify checks them now.

DO $verify$
BEGIN
  PERFORM 'api.set_display_name(text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.set_display_name(text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.set_display_name(text)';
  END IF;
END
$verify$;

ROLLBACK;
