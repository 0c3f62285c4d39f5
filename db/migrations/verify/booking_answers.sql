-- Verify tessera:booking_answers on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

DO $verify$
BEGIN
  PERFORM 'api.batch_update_booking_status(uuid[],app.booking_status)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.batch_update_booking_status(uuid[],app.booking_status)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.batch_update_booking_status(uuid[],app.booking_status)';
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
  PERFORM 'api.create_booking(uuid,timestamp with time zone,text,integer,text,text,jsonb,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.create_booking(uuid,timestamp with time zone,text,integer,text,text,jsonb,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.create_booking(uuid,timestamp with time zone,text,integer,text,text,jsonb,text)';
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
  PERFORM 'api.reschedule_booking(uuid,timestamp with time zone)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.reschedule_booking(uuid,timestamp with time zone)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.reschedule_booking(uuid,timestamp with time zone)';
  END IF;
  PERFORM 'api.widget_create_booking(text,uuid,timestamp with time zone,text,integer,text,text,jsonb,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'api.widget_create_booking(text,uuid,timestamp with time zone,text,integer,text,text,jsonb,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'api.widget_create_booking(text,uuid,timestamp with time zone,text,integer,text,text,jsonb,text)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.widget_create_booking(text,uuid,timestamp with time zone,text,integer,text,text,jsonb,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.widget_create_booking(text,uuid,timestamp with time zone,text,integer,text,text,jsonb,text)';
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
