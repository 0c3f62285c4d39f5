-- Verify tessera:availability_answers on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

-- Checks of functions that catalogue_manage changed are retired; its verify checks them now.

-- Checks of functions that argument_words changed are retired; its verify checks them now.

DO $verify$
BEGIN
  PERFORM 'api.check_availability(uuid,date,date,integer)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.check_availability(uuid,date,date,integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.check_availability(uuid,date,date,integer)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'api.check_availability(uuid,date,date,integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'api.check_availability(uuid,date,date,integer)';
  END IF;
  PERFORM 'private.availability_window(date,date,integer)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'private.availability_window(date,date,integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'private.availability_window(date,date,integer)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.availability_window(date,date,integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.availability_window(date,date,integer)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.availability_window(date,date,integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.availability_window(date,date,integer)';
  END IF;
  PERFORM 'private.widget_availability(text,uuid,date,date,integer)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'private.widget_availability(text,uuid,date,date,integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'private.widget_availability(text,uuid,date,date,integer)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.widget_availability(text,uuid,date,date,integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.widget_availability(text,uuid,date,date,integer)';
  END IF;
END
$verify$;

ROLLBACK;
