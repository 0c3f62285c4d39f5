-- Verify tessera:payments_rules on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

-- Checks of functions that fn_org_joins changed are retired; its verify checks them now.

-- Checks of functions that org_in_keys changed are retired; its verify checks them now.

-- Checks of functions that erasure_reasons changed are retired; its verify checks them now.

-- Checks of functions that fn_org_routing_payments changed are retired; its verify checks them now.
-- Checks of functions that audit_platform_org changed are retired; its verify checks them now.

-- Checks of functions that plpgsql_check_clean changed are retired; its verify checks them now.

-- Checks of functions that booking_message changed are retired; its verify checks them now.

-- Checks of functions that team_rules changed are retired; its verify checks them now.

-- Checks of functions that crm_rules changed are retired; its verify checks them now.

-- Checks of functions that checkout_lines changed are retired; its verify checks them now.

DO $verify$
BEGIN
  PERFORM 'api.apply_payment_event(text,jsonb)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('service_role', 'api.apply_payment_event(text,jsonb)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'api.apply_payment_event(text,jsonb)';
  END IF;
  PERFORM 'api.begin_checkout(uuid,text,text,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'api.begin_checkout(uuid,text,text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'api.begin_checkout(uuid,text,text,text)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.begin_checkout(uuid,text,text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.begin_checkout(uuid,text,text,text)';
  END IF;
  PERFORM 'api.checkouts_to_expire(integer)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('service_role', 'api.checkouts_to_expire(integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'api.checkouts_to_expire(integer)';
  END IF;
  PERFORM 'api.due_refunds(integer)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('service_role', 'api.due_refunds(integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'api.due_refunds(integer)';
  END IF;
  PERFORM 'api.get_loyalty_balance(uuid,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.get_loyalty_balance(uuid,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.get_loyalty_balance(uuid,text)';
  END IF;
  PERFORM 'api.orders_to_reconcile(integer)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('service_role', 'api.orders_to_reconcile(integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'api.orders_to_reconcile(integer)';
  END IF;
  PERFORM 'api.record_checkout(uuid,text,text,text,timestamp with time zone)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('service_role', 'api.record_checkout(uuid,text,text,text,timestamp with time zone)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'api.record_checkout(uuid,text,text,text,timestamp with time zone)';
  END IF;
  PERFORM 'api.record_offline_payment(uuid,bigint,text,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.record_offline_payment(uuid,bigint,text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.record_offline_payment(uuid,bigint,text,text)';
  END IF;
  PERFORM 'api.record_refund_failure(uuid,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('service_role', 'api.record_refund_failure(uuid,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'api.record_refund_failure(uuid,text)';
  END IF;
  PERFORM 'api.record_refund_submission(uuid,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('service_role', 'api.record_refund_submission(uuid,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'api.record_refund_submission(uuid,text)';
  END IF;
  PERFORM 'api.request_refund(uuid,bigint,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.request_refund(uuid,bigint,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.request_refund(uuid,bigint,text)';
  END IF;
  PERFORM 'private.booking_paid(uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.booking_paid(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.booking_paid(uuid)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.booking_paid(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.booking_paid(uuid)';
  END IF;
  PERFORM 'private.checkouts_guard()'::pg_catalog.regprocedure;
  PERFORM 'private.event_arg(text,jsonb)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'private.event_arg(text,jsonb)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'private.event_arg(text,jsonb)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.event_arg(text,jsonb)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.event_arg(text,jsonb)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.event_arg(text,jsonb)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.event_arg(text,jsonb)';
  END IF;
  PERFORM 'private.event_order(text,text,text)'::pg_catalog.regprocedure;
  PERFORM 'private.late_minor(uuid,boolean)'::pg_catalog.regprocedure;
  PERFORM 'private.loyalty_balance(uuid,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.loyalty_balance(uuid,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.loyalty_balance(uuid,text)';
  END IF;
  PERFORM 'private.loyalty_change(uuid,uuid,integer)'::pg_catalog.regprocedure;
  PERFORM 'private.loyalty_debit(uuid,uuid,integer,uuid)'::pg_catalog.regprocedure;
  PERFORM 'private.loyalty_reverse(app.orders,app.refunds,bigint,bigint)'::pg_catalog.regprocedure;
  PERFORM 'private.provider_arg(text,text,text[])'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'private.provider_arg(text,text,text[])', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'private.provider_arg(text,text,text[])';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.provider_arg(text,text,text[])', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.provider_arg(text,text,text[])';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.provider_arg(text,text,text[])', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.provider_arg(text,text,text[])';
  END IF;
  PERFORM 'private.record_offline_payment(uuid,bigint,text,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.record_offline_payment(uuid,bigint,text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.record_offline_payment(uuid,bigint,text,text)';
  END IF;
  PERFORM 'private.request_refund(uuid,bigint,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.request_refund(uuid,bigint,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.request_refund(uuid,bigint,text)';
  END IF;
  PERFORM 'private.require_service_role(text)'::pg_catalog.regprocedure;
  PERFORM 'private.stripe_charge_refunds(app.payments,jsonb)'::pg_catalog.regprocedure;
END
$verify$;

ROLLBACK;
