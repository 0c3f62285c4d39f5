-- Verify tessera:batch_ids_required on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

DO $verify$
BEGIN
  PERFORM 'api.batch_update_booking_status(uuid[],text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.batch_update_booking_status(uuid[],text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.batch_update_booking_status(uuid[],text)';
  END IF;
END
$verify$;

ROLLBACK;
