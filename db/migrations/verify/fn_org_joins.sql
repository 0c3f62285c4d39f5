-- Verify tessera:fn_org_joins on pg
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
  PERFORM 'private.bookable_slot(app.experiences,timestamp with time zone)'::pg_catalog.regprocedure;
  PERFORM 'private.booking_by_pair(text,text)'::pg_catalog.regprocedure;
  PERFORM 'private.booking_message(app.bookings)'::pg_catalog.regprocedure;
  PERFORM 'private.booking_tickets_sync()'::pg_catalog.regprocedure;
  PERFORM 'private.bookings_sync()'::pg_catalog.regprocedure;
  PERFORM 'private.bookings_waitlist()'::pg_catalog.regprocedure;
  PERFORM 'private.checkouts_to_expire(integer)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.checkouts_to_expire(integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.checkouts_to_expire(integer)';
  END IF;
  PERFORM 'private.count_tickets(uuid,uuid,uuid,integer)'::pg_catalog.regprocedure;
  PERFORM 'private.create_order(uuid,text,integer,text,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'private.create_order(uuid,text,integer,text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'private.create_order(uuid,text,integer,text,text)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.create_order(uuid,text,integer,text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.create_order(uuid,text,integer,text,text)';
  END IF;
  PERFORM 'private.create_refund(uuid,app.payments,bigint,text,text,uuid,text)'::pg_catalog.regprocedure;
  PERFORM 'private.customer_row_ids(app.customers)'::pg_catalog.regprocedure;
  PERFORM 'private.drop_future_staff_work(uuid,uuid)'::pg_catalog.regprocedure;
  PERFORM 'private.due_refunds(integer)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.due_refunds(integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.due_refunds(integer)';
  END IF;
  PERFORM 'private.erase_customer(uuid,uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.erase_customer(uuid,uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.erase_customer(uuid,uuid)';
  END IF;
  PERFORM 'private.export_customer(uuid,uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.export_customer(uuid,uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.export_customer(uuid,uuid)';
  END IF;
  PERFORM 'private.get_customer(uuid,uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.get_customer(uuid,uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.get_customer(uuid,uuid)';
  END IF;
  PERFORM 'private.get_customer_segments(uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.get_customer_segments(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.get_customer_segments(uuid)';
  END IF;
  PERFORM 'private.get_tickets(text,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'private.get_tickets(text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'private.get_tickets(text,text)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.get_tickets(text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.get_tickets(text,text)';
  END IF;
  PERFORM 'private.is_offered(uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'private.is_offered(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'private.is_offered(uuid)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.is_offered(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.is_offered(uuid)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.is_offered(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.is_offered(uuid)';
  END IF;
  PERFORM 'private.join_waitlist(text,uuid,timestamp with time zone,integer,text,text,text,boolean)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'private.join_waitlist(text,uuid,timestamp with time zone,integer,text,text,text,boolean)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'private.join_waitlist(text,uuid,timestamp with time zone,integer,text,text,text,boolean)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.join_waitlist(text,uuid,timestamp with time zone,integer,text,text,text,boolean)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.join_waitlist(text,uuid,timestamp with time zone,integer,text,text,text,boolean)';
  END IF;
  PERFORM 'private.list_customers(uuid,text,text,text,integer)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.list_customers(uuid,text,text,text,integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.list_customers(uuid,text,text,text,integer)';
  END IF;
  PERFORM 'private.may_order(app.bookings,text,text)'::pg_catalog.regprocedure;
  PERFORM 'private.order_answer(uuid)'::pg_catalog.regprocedure;
  PERFORM 'private.orders_to_reconcile(integer)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.orders_to_reconcile(integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.orders_to_reconcile(integer)';
  END IF;
  PERFORM 'private.price_lines(app.experiences,timestamp with time zone,integer,jsonb,timestamp with time zone)'::pg_catalog.regprocedure;
  PERFORM 'private.queue_session_messages(app.bookings,timestamp with time zone)'::pg_catalog.regprocedure;
  PERFORM 'private.report_performance(uuid,date,date,uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.report_performance(uuid,date,date,uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.report_performance(uuid,date,date,uuid)';
  END IF;
  PERFORM 'private.schedule_occurrences(uuid,date,date)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.schedule_occurrences(uuid,date,date)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.schedule_occurrences(uuid,date,date)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.schedule_occurrences(uuid,date,date)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.schedule_occurrences(uuid,date,date)';
  END IF;
  PERFORM 'private.search_experiences(uuid,text,text,uuid,text,date,integer,integer,boolean,integer,integer)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'private.search_experiences(uuid,text,text,uuid,text,date,integer,integer,boolean,integer,integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'private.search_experiences(uuid,text,text,uuid,text,date,integer,integer,boolean,integer,integer)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.search_experiences(uuid,text,text,uuid,text,date,integer,integer,boolean,integer,integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.search_experiences(uuid,text,text,uuid,text,date,integer,integer,boolean,integer,integer)';
  END IF;
  PERFORM 'private.session_id(uuid,timestamp with time zone)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.session_id(uuid,timestamp with time zone)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.session_id(uuid,timestamp with time zone)';
  END IF;
  PERFORM 'private.settle_impact(uuid[],jsonb,boolean)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.settle_impact(uuid[],jsonb,boolean)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.settle_impact(uuid[],jsonb,boolean)';
  END IF;
  PERFORM 'private.shifts_keep_sessions()'::pg_catalog.regprocedure;
  PERFORM 'private.uncovered_session(uuid,uuid)'::pg_catalog.regprocedure;
  PERFORM 'private.waitlist_offer_data(app.waitlist_entries,app.bookings,text)'::pg_catalog.regprocedure;
  PERFORM 'private.waiver_signatures_fill()'::pg_catalog.regprocedure;
END
$verify$;

ROLLBACK;
