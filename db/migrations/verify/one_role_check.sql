-- Verify tessera:one_role_check on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

-- Checks of functions that webhook_secret_overlap_rules changed are retired; its verify checks them now.

DO $verify$
BEGIN
  PERFORM 'private.create_webhook_endpoint(uuid,text,text[],text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.create_webhook_endpoint(uuid,text,text[],text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.create_webhook_endpoint(uuid,text,text[],text)';
  END IF;
  PERFORM 'private.delete_webhook_endpoint(uuid,uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.delete_webhook_endpoint(uuid,uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.delete_webhook_endpoint(uuid,uuid)';
  END IF;
  PERFORM 'private.list_failed_messages(uuid,timestamp with time zone,uuid,integer)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.list_failed_messages(uuid,timestamp with time zone,uuid,integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.list_failed_messages(uuid,timestamp with time zone,uuid,integer)';
  END IF;
  PERFORM 'private.list_webhook_deliveries(uuid,uuid,text,timestamp with time zone,uuid,integer)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.list_webhook_deliveries(uuid,uuid,text,timestamp with time zone,uuid,integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.list_webhook_deliveries(uuid,uuid,text,timestamp with time zone,uuid,integer)';
  END IF;
  PERFORM 'private.list_webhook_endpoints(uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.list_webhook_endpoints(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.list_webhook_endpoints(uuid)';
  END IF;
  PERFORM 'private.queue_marketing_message(uuid,text,text,text,uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.queue_marketing_message(uuid,text,text,text,uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.queue_marketing_message(uuid,text,text,text,uuid)';
  END IF;
  PERFORM 'private.retry_message(uuid,uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.retry_message(uuid,uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.retry_message(uuid,uuid)';
  END IF;
  PERFORM 'private.retry_webhook_delivery(uuid,uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.retry_webhook_delivery(uuid,uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.retry_webhook_delivery(uuid,uuid)';
  END IF;
  PERFORM 'private.set_customer_preferences(uuid,uuid,text,boolean)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.set_customer_preferences(uuid,uuid,text,boolean)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.set_customer_preferences(uuid,uuid,text,boolean)';
  END IF;
  PERFORM 'private.update_webhook_endpoint(uuid,uuid,text,text[],text,boolean)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.update_webhook_endpoint(uuid,uuid,text,text[],text,boolean)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.update_webhook_endpoint(uuid,uuid,text,text[],text,boolean)';
  END IF;
  IF pg_catalog.to_regprocedure('private.delivery_manager(uuid)') IS NOT NULL THEN
    RAISE EXCEPTION '% should be gone', 'private.delivery_manager(uuid)';
  END IF;
  IF pg_catalog.to_regprocedure('private.webhook_admin(uuid)') IS NOT NULL THEN
    RAISE EXCEPTION '% should be gone', 'private.webhook_admin(uuid)';
  END IF;
END
$verify$;

ROLLBACK;
