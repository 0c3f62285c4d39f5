-- Verify tessera:availability_definer on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

-- Checks of functions that profile_and_window changed are retired; its verify checks them now.

-- Checks of functions that availability_fast changed are retired; its verify checks them now.

DO $verify$
BEGIN
  PERFORM 'private.widget_availability(text,uuid,date,date,integer)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'private.widget_availability(text,uuid,date,date,integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'private.widget_availability(text,uuid,date,date,integer)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.widget_availability(text,uuid,date,date,integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.widget_availability(text,uuid,date,date,integer)';
  END IF;
  IF pg_catalog.to_regprocedure('private.availability(uuid,date,date,integer)') IS NOT NULL THEN
    RAISE EXCEPTION '% should be gone', 'private.availability(uuid,date,date,integer)';
  END IF;
END
$verify$;

ROLLBACK;
