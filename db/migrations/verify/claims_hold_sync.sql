-- Verify tessera:claims_hold_sync on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

DO $verify$
BEGIN
  PERFORM 'private.availability(uuid,date,date,integer,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.availability(uuid,date,date,integer,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.availability(uuid,date,date,integer,text)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.availability(uuid,date,date,integer,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.availability(uuid,date,date,integer,text)';
  END IF;
  PERFORM 'private.bookings_sync()'::pg_catalog.regprocedure;
END
$verify$;

ROLLBACK;
