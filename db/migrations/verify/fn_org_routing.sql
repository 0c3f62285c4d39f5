-- Verify tessera:fn_org_routing on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

DO $verify$
BEGIN
  PERFORM 'api.move_lead(uuid,text,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.move_lead(uuid,text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.move_lead(uuid,text,text)';
  END IF;
  PERFORM 'api.unassign_session_staff(uuid,timestamp with time zone,uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.unassign_session_staff(uuid,timestamp with time zone,uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.unassign_session_staff(uuid,timestamp with time zone,uuid)';
  END IF;
  PERFORM 'private.booking_problems(uuid[])'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.booking_problems(uuid[])', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.booking_problems(uuid[])';
  END IF;
  PERFORM 'private.booking_tickets_types()'::pg_catalog.regprocedure;
  PERFORM 'private.booking_waiver_status(uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.booking_waiver_status(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.booking_waiver_status(uuid)';
  END IF;
  PERFORM 'private.bookings_tickets()'::pg_catalog.regprocedure;
  PERFORM 'private.check_in_answer(app.tickets,app.check_ins)'::pg_catalog.regprocedure;
  PERFORM 'private.check_in_waiver(app.tickets)'::pg_catalog.regprocedure;
  PERFORM 'private.email_arg(text,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'private.email_arg(text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'private.email_arg(text,text)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.email_arg(text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.email_arg(text,text)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.email_arg(text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.email_arg(text,text)';
  END IF;
  PERFORM 'private.get_waiver(text,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'private.get_waiver(text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'private.get_waiver(text,text)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.get_waiver(text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.get_waiver(text,text)';
  END IF;
  PERFORM 'private.leave_waitlist(text,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'private.leave_waitlist(text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'private.leave_waitlist(text,text)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.leave_waitlist(text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.leave_waitlist(text,text)';
  END IF;
  PERFORM 'private.move_booking(uuid,app.booking_status,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.move_booking(uuid,app.booking_status,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.move_booking(uuid,app.booking_status,text)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.move_booking(uuid,app.booking_status,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.move_booking(uuid,app.booking_status,text)';
  END IF;
  PERFORM 'private.slots_keep_staff()'::pg_catalog.regprocedure;
  PERFORM 'private.waitlist_answer(app.waitlist_entries)'::pg_catalog.regprocedure;
  PERFORM 'private.waiver_counts(app.bookings)'::pg_catalog.regprocedure;
END
$verify$;

ROLLBACK;
