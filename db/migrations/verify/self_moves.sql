-- Verify tessera:self_moves on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

DO $verify$
BEGIN
  PERFORM 'api.batch_update_booking_status(uuid[],app.booking_status)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.batch_update_booking_status(uuid[],app.booking_status)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.batch_update_booking_status(uuid[],app.booking_status)';
  END IF;
  PERFORM 'api.cancel_booking(uuid,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.cancel_booking(uuid,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.cancel_booking(uuid,text)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'api.cancel_booking(uuid,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'api.cancel_booking(uuid,text)';
  END IF;
  PERFORM 'api.complete_booking(uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.complete_booking(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.complete_booking(uuid)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'api.complete_booking(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'api.complete_booking(uuid)';
  END IF;
  PERFORM 'api.confirm_booking(uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.confirm_booking(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.confirm_booking(uuid)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'api.confirm_booking(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'api.confirm_booking(uuid)';
  END IF;
  PERFORM 'api.mark_no_show(uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.mark_no_show(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.mark_no_show(uuid)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'api.mark_no_show(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'api.mark_no_show(uuid)';
  END IF;
  PERFORM 'api.reject_booking(uuid,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.reject_booking(uuid,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.reject_booking(uuid,text)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'api.reject_booking(uuid,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'api.reject_booking(uuid,text)';
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
