-- Verify tessera:booking_workflows on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

DO $verify$
BEGIN
  PERFORM 'api.batch_update_booking_status(uuid[],app.booking_status)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.batch_update_booking_status(uuid[],app.booking_status)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.batch_update_booking_status(uuid[],app.booking_status)';
  END IF;
  PERFORM 'api.get_booking(uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.get_booking(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.get_booking(uuid)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'api.get_booking(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'api.get_booking(uuid)';
  END IF;
  PERFORM 'api.list_bookings(uuid,timestamp with time zone,timestamp with time zone,app.booking_status[],uuid,text,timestamp with time zone,uuid,integer)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.list_bookings(uuid,timestamp with time zone,timestamp with time zone,app.booking_status[],uuid,text,timestamp with time zone,uuid,integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.list_bookings(uuid,timestamp with time zone,timestamp with time zone,app.booking_status[],uuid,text,timestamp with time zone,uuid,integer)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'api.list_bookings(uuid,timestamp with time zone,timestamp with time zone,app.booking_status[],uuid,text,timestamp with time zone,uuid,integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'api.list_bookings(uuid,timestamp with time zone,timestamp with time zone,app.booking_status[],uuid,text,timestamp with time zone,uuid,integer)';
  END IF;
  PERFORM 'api.reschedule_booking(uuid,timestamp with time zone)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.reschedule_booking(uuid,timestamp with time zone)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.reschedule_booking(uuid,timestamp with time zone)';
  END IF;
  PERFORM 'private.reschedule(uuid,timestamp with time zone)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.reschedule(uuid,timestamp with time zone)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.reschedule(uuid,timestamp with time zone)';
  END IF;
END
$verify$;

ROLLBACK;
