-- Verify tessera:webhook_endpoints_rules on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

-- Checks of functions that webhook_secret_overlap_rules changed are retired; its verify checks them now.

-- Checks of functions that webhook_gone changed are retired; its verify checks them now.

-- Checks of functions that plpgsql_check_clean changed are retired; its verify checks them now.

-- Checks of functions that one_role_check changed are retired; its verify checks them now.

-- Checks of functions that webhook_arguments changed are retired; its verify checks them now.

DO $verify$
BEGIN
  PERFORM 'api.delete_webhook_endpoint(uuid,uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.delete_webhook_endpoint(uuid,uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.delete_webhook_endpoint(uuid,uuid)';
  END IF;
  PERFORM 'api.list_webhook_deliveries(uuid,uuid,text,text,integer)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.list_webhook_deliveries(uuid,uuid,text,text,integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.list_webhook_deliveries(uuid,uuid,text,text,integer)';
  END IF;
  PERFORM 'api.list_webhook_endpoints(uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.list_webhook_endpoints(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.list_webhook_endpoints(uuid)';
  END IF;
  PERFORM 'api.retry_webhook_delivery(uuid,uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.retry_webhook_delivery(uuid,uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.retry_webhook_delivery(uuid,uuid)';
  END IF;
  PERFORM 'private.bookings_webhooks()'::pg_catalog.regprocedure;
  PERFORM 'private.check_ins_webhooks()'::pg_catalog.regprocedure;
  PERFORM 'private.complete_webhook_delivery(uuid,text,integer,integer)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.complete_webhook_delivery(uuid,text,integer,integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.complete_webhook_delivery(uuid,text,integer,integer)';
  END IF;
  PERFORM 'private.payments_webhooks()'::pg_catalog.regprocedure;
  PERFORM 'private.refunds_webhooks()'::pg_catalog.regprocedure;
  PERFORM 'private.release_webhook_deliveries(uuid[],text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.release_webhook_deliveries(uuid[],text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.release_webhook_deliveries(uuid[],text)';
  END IF;
  PERFORM 'private.waitlist_entries_webhooks()'::pg_catalog.regprocedure;
  PERFORM 'private.webhook_address_public(inet)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.webhook_address_public(inet)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.webhook_address_public(inet)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.webhook_address_public(inet)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.webhook_address_public(inet)';
  END IF;
  PERFORM 'private.webhook_backoff(integer,double precision)'::pg_catalog.regprocedure;
  PERFORM 'private.webhook_booking_data(app.bookings)'::pg_catalog.regprocedure;
  PERFORM 'private.webhook_disable_after()'::pg_catalog.regprocedure;
  PERFORM 'private.webhook_emit(uuid,text,text,jsonb)'::pg_catalog.regprocedure;
  PERFORM 'private.webhook_event_types()'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.webhook_event_types()', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.webhook_event_types()';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.webhook_event_types()', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.webhook_event_types()';
  END IF;
  PERFORM 'private.webhook_max_attempts()'::pg_catalog.regprocedure;
  PERFORM 'private.webhook_secret()'::pg_catalog.regprocedure;
  PERFORM 'private.webhook_url_arg(text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.webhook_url_arg(text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.webhook_url_arg(text)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.webhook_url_arg(text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.webhook_url_arg(text)';
  END IF;
  PERFORM 'private.webhook_url_problem(text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.webhook_url_problem(text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.webhook_url_problem(text)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.webhook_url_problem(text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.webhook_url_problem(text)';
  END IF;
END
$verify$;

ROLLBACK;
