-- Verify tessera:booking_answers on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

-- Checks of functions that argument_words changed are retired; its verify checks them now.

DO $verify$
BEGIN
  PERFORM 'api.mark_no_show(uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.mark_no_show(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.mark_no_show(uuid)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'api.mark_no_show(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'api.mark_no_show(uuid)';
  END IF;
  PERFORM 'private.booking_answer(app.bookings)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'private.booking_answer(app.bookings)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'private.booking_answer(app.bookings)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.booking_answer(app.bookings)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.booking_answer(app.bookings)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.booking_answer(app.bookings)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.booking_answer(app.bookings)';
  END IF;
END
$verify$;

ROLLBACK;
