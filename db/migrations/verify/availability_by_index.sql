-- Verify tessera:availability_by_index on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

DO $verify$
BEGIN
  PERFORM 'private.availability(uuid,date,date,integer)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.availability(uuid,date,date,integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.availability(uuid,date,date,integer)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.availability(uuid,date,date,integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.availability(uuid,date,date,integer)';
  END IF;
  PERFORM 'private.bookable_slot(app.experiences,timestamp with time zone)'::pg_catalog.regprocedure;
END
$verify$;

ROLLBACK;
