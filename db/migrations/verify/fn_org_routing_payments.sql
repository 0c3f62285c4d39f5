-- Verify tessera:fn_org_routing_payments on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

DO $verify$
BEGIN
  PERFORM 'private.apply_moyasar_event(jsonb)'::pg_catalog.regprocedure;
  PERFORM 'private.apply_refund_facts(app.payments,bigint,jsonb)'::pg_catalog.regprocedure;
  PERFORM 'private.apply_stripe_event(jsonb)'::pg_catalog.regprocedure;
  PERFORM 'private.bookings_order_follow()'::pg_catalog.regprocedure;
  PERFORM 'private.bookings_refund_on_cancel()'::pg_catalog.regprocedure;
  PERFORM 'private.cancel_order(uuid,text,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'private.cancel_order(uuid,text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'private.cancel_order(uuid,text,text)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.cancel_order(uuid,text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.cancel_order(uuid,text,text)';
  END IF;
  PERFORM 'private.expire_checkout(text,text,uuid)'::pg_catalog.regprocedure;
  PERFORM 'private.external_refund(app.payments,bigint,text)'::pg_catalog.regprocedure;
  PERFORM 'private.fail_order(uuid,text)'::pg_catalog.regprocedure;
  PERFORM 'private.fail_refund(uuid,text)'::pg_catalog.regprocedure;
  PERFORM 'private.lock_order(uuid)'::pg_catalog.regprocedure;
  PERFORM 'private.orders_refund_on_end()'::pg_catalog.regprocedure;
  PERFORM 'private.orders_release()'::pg_catalog.regprocedure;
  PERFORM 'private.payment_answer(app.orders,text,jsonb)'::pg_catalog.regprocedure;
  PERFORM 'private.record_refund_outcome(uuid,text,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.record_refund_outcome(uuid,text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.record_refund_outcome(uuid,text,text)';
  END IF;
  PERFORM 'private.refund_answer(app.refunds)'::pg_catalog.regprocedure;
  PERFORM 'private.refund_order(uuid,bigint,text,text,uuid)'::pg_catalog.regprocedure;
  PERFORM 'private.same_points(app.orders,integer)'::pg_catalog.regprocedure;
END
$verify$;

ROLLBACK;
