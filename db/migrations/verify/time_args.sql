-- Verify tessera:time_args on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

DO $verify$
BEGIN
  PERFORM 'api.check_availability(uuid,date,date,integer)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.check_availability(uuid,date,date,integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.check_availability(uuid,date,date,integer)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'api.check_availability(uuid,date,date,integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'api.check_availability(uuid,date,date,integer)';
  END IF;
  PERFORM 'api.create_booking(uuid,timestamp with time zone,text,integer,text,text,jsonb,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.create_booking(uuid,timestamp with time zone,text,integer,text,text,jsonb,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.create_booking(uuid,timestamp with time zone,text,integer,text,text,jsonb,text)';
  END IF;
  PERFORM 'api.list_bookings(uuid,timestamp with time zone,timestamp with time zone,app.booking_status[],uuid,text,timestamp with time zone,uuid,integer)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.list_bookings(uuid,timestamp with time zone,timestamp with time zone,app.booking_status[],uuid,text,timestamp with time zone,uuid,integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.list_bookings(uuid,timestamp with time zone,timestamp with time zone,app.booking_status[],uuid,text,timestamp with time zone,uuid,integer)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'api.list_bookings(uuid,timestamp with time zone,timestamp with time zone,app.booking_status[],uuid,text,timestamp with time zone,uuid,integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'api.list_bookings(uuid,timestamp with time zone,timestamp with time zone,app.booking_status[],uuid,text,timestamp with time zone,uuid,integer)';
  END IF;
  PERFORM 'api.purge_audit_log(timestamp with time zone)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('service_role', 'api.purge_audit_log(timestamp with time zone)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'api.purge_audit_log(timestamp with time zone)';
  END IF;
  PERFORM 'api.reschedule_booking(uuid,timestamp with time zone)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.reschedule_booking(uuid,timestamp with time zone)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.reschedule_booking(uuid,timestamp with time zone)';
  END IF;
  PERFORM 'api.widget_availability(text,uuid,date,date,integer)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'api.widget_availability(text,uuid,date,date,integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'api.widget_availability(text,uuid,date,date,integer)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.widget_availability(text,uuid,date,date,integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.widget_availability(text,uuid,date,date,integer)';
  END IF;
  PERFORM 'api.widget_create_booking(text,uuid,timestamp with time zone,text,integer,text,text,jsonb,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'api.widget_create_booking(text,uuid,timestamp with time zone,text,integer,text,text,jsonb,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'api.widget_create_booking(text,uuid,timestamp with time zone,text,integer,text,text,jsonb,text)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.widget_create_booking(text,uuid,timestamp with time zone,text,integer,text,text,jsonb,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.widget_create_booking(text,uuid,timestamp with time zone,text,integer,text,text,jsonb,text)';
  END IF;
  PERFORM 'private.time_arg(text,date)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'private.time_arg(text,date)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'private.time_arg(text,date)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.time_arg(text,date)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.time_arg(text,date)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.time_arg(text,date)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.time_arg(text,date)';
  END IF;
  PERFORM 'private.time_arg(text,daterange)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'private.time_arg(text,daterange)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'private.time_arg(text,daterange)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.time_arg(text,daterange)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.time_arg(text,daterange)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.time_arg(text,daterange)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.time_arg(text,daterange)';
  END IF;
  PERFORM 'private.time_arg(text,timestamp with time zone)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'private.time_arg(text,timestamp with time zone)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'private.time_arg(text,timestamp with time zone)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.time_arg(text,timestamp with time zone)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.time_arg(text,timestamp with time zone)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.time_arg(text,timestamp with time zone)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.time_arg(text,timestamp with time zone)';
  END IF;
  PERFORM 'private.time_arg(text,timestamp without time zone)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'private.time_arg(text,timestamp without time zone)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'private.time_arg(text,timestamp without time zone)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.time_arg(text,timestamp without time zone)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.time_arg(text,timestamp without time zone)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.time_arg(text,timestamp without time zone)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.time_arg(text,timestamp without time zone)';
  END IF;
  PERFORM 'private.time_arg(text,tstzrange)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'private.time_arg(text,tstzrange)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'private.time_arg(text,tstzrange)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.time_arg(text,tstzrange)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.time_arg(text,tstzrange)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.time_arg(text,tstzrange)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.time_arg(text,tstzrange)';
  END IF;
END
$verify$;

ROLLBACK;
