-- Verify tessera:self_moves on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

-- Checks of functions that argument_words changed are retired; its verify checks them now.

-- Checks of functions that booking_answers changed are retired; its verify checks them now.

DO $verify$
BEGIN
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
