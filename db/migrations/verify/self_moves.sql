-- Verify tessera:self_moves on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

-- Checks of functions that booking_answers changed are retired; its verify checks them now.

DO $verify$
BEGIN
  PERFORM 'api.cancel_booking(uuid,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.cancel_booking(uuid,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.cancel_booking(uuid,text)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'api.cancel_booking(uuid,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'api.cancel_booking(uuid,text)';
  END IF;
  PERFORM 'private.move_booking(uuid,app.booking_status,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.move_booking(uuid,app.booking_status,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.move_booking(uuid,app.booking_status,text)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.move_booking(uuid,app.booking_status,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.move_booking(uuid,app.booking_status,text)';
  END IF;
END
$verify$;

ROLLBACK;
