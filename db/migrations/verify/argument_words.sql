-- Verify tessera:argument_words on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

-- Checks of functions that fn_org_routing changed are retired; its verify checks them now.

-- Checks of functions that place_booking_doc changed are retired; its verify checks them now.

-- Checks of functions that batch_size changed are retired; its verify checks them now.

-- Checks of functions that tickets_arg changed are retired; its verify checks them now.

DO $verify$
BEGIN
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
  PERFORM 'api.create_organization(text,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.create_organization(text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.create_organization(text,text)';
  END IF;
  PERFORM 'api.list_bookings(uuid,timestamp with time zone,timestamp with time zone,text[],uuid,text,timestamp with time zone,uuid,integer)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.list_bookings(uuid,timestamp with time zone,timestamp with time zone,text[],uuid,text,timestamp with time zone,uuid,integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.list_bookings(uuid,timestamp with time zone,timestamp with time zone,text[],uuid,text,timestamp with time zone,uuid,integer)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'api.list_bookings(uuid,timestamp with time zone,timestamp with time zone,text[],uuid,text,timestamp with time zone,uuid,integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'api.list_bookings(uuid,timestamp with time zone,timestamp with time zone,text[],uuid,text,timestamp with time zone,uuid,integer)';
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
  PERFORM 'api.set_display_name(text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.set_display_name(text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.set_display_name(text)';
  END IF;
  PERFORM 'api.widget_availability(text,uuid,date,date,integer)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'api.widget_availability(text,uuid,date,date,integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'api.widget_availability(text,uuid,date,date,integer)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.widget_availability(text,uuid,date,date,integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.widget_availability(text,uuid,date,date,integer)';
  END IF;
  PERFORM 'api.widget_experiences(text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'api.widget_experiences(text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'api.widget_experiences(text)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.widget_experiences(text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.widget_experiences(text)';
  END IF;
  PERFORM 'api.widget_ticket_types(text,uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'api.widget_ticket_types(text,uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'api.widget_ticket_types(text,uuid)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.widget_ticket_types(text,uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.widget_ticket_types(text,uuid)';
  END IF;
  PERFORM 'private.enum_arg(text,text[],regtype)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'private.enum_arg(text,text[],regtype)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'private.enum_arg(text,text[],regtype)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.enum_arg(text,text[],regtype)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.enum_arg(text,text[],regtype)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.enum_arg(text,text[],regtype)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.enum_arg(text,text[],regtype)';
  END IF;
  PERFORM 'private.text_arg(text,text,integer,integer)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'private.text_arg(text,text,integer,integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'private.text_arg(text,text,integer,integer)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.text_arg(text,text,integer,integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.text_arg(text,text,integer,integer)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.text_arg(text,text,integer,integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.text_arg(text,text,integer,integer)';
  END IF;
  IF pg_catalog.to_regprocedure('api.batch_update_booking_status(uuid[],app.booking_status)') IS NOT NULL THEN
    RAISE EXCEPTION '% should be gone', 'api.batch_update_booking_status(uuid[],app.booking_status)';
  END IF;
  IF pg_catalog.to_regprocedure('api.list_bookings(uuid,timestamp with time zone,timestamp with time zone,app.booking_status[],uuid,text,timestamp with time zone,uuid,integer)') IS NOT NULL THEN
    RAISE EXCEPTION '% should be gone', 'api.list_bookings(uuid,timestamp with time zone,timestamp with time zone,app.booking_status[],uuid,text,timestamp with time zone,uuid,integer)';
  END IF;
END
$verify$;

ROLLBACK;
