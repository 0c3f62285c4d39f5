-- Verify tessera:preferences_rules on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

-- Checks of functions that plpgsql_check_clean changed are retired; its verify checks them now.

-- Checks of functions that one_role_check changed are retired; its verify checks them now.

DO $verify$
BEGIN
  PERFORM 'api.get_customer_preferences(uuid,uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.get_customer_preferences(uuid,uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.get_customer_preferences(uuid,uuid)';
  END IF;
  PERFORM 'api.get_my_preferences(uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.get_my_preferences(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.get_my_preferences(uuid)';
  END IF;
  PERFORM 'api.queue_marketing_message(uuid,text,text,text,uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.queue_marketing_message(uuid,text,text,text,uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.queue_marketing_message(uuid,text,text,text,uuid)';
  END IF;
  PERFORM 'api.set_customer_preferences(uuid,uuid,text,boolean)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.set_customer_preferences(uuid,uuid,text,boolean)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.set_customer_preferences(uuid,uuid,text,boolean)';
  END IF;
  PERFORM 'api.set_my_preferences(uuid,text,text,boolean)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.set_my_preferences(uuid,text,text,boolean)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.set_my_preferences(uuid,text,text,boolean)';
  END IF;
  PERFORM 'api.unsubscribe(uuid,text,uuid,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('service_role', 'api.unsubscribe(uuid,text,uuid,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'api.unsubscribe(uuid,text,uuid,text)';
  END IF;
  PERFORM 'private.customer_preferences(uuid,uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.customer_preferences(uuid,uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.customer_preferences(uuid,uuid)';
  END IF;
  PERFORM 'private.customers_preferences_erase()'::pg_catalog.regprocedure;
  PERFORM 'private.marketing_refused(uuid,uuid,uuid,text)'::pg_catalog.regprocedure;
  PERFORM 'private.message_channel_arg(text)'::pg_catalog.regprocedure;
  PERFORM 'private.message_refused(app.notifications_outbox)'::pg_catalog.regprocedure;
  PERFORM 'private.my_preferences(uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.my_preferences(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.my_preferences(uuid)';
  END IF;
  PERFORM 'private.put_preference(uuid,uuid,uuid,text,text,boolean,text)'::pg_catalog.regprocedure;
  PERFORM 'private.set_my_preferences(uuid,text,text,boolean)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.set_my_preferences(uuid,text,text,boolean)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.set_my_preferences(uuid,text,text,boolean)';
  END IF;
  PERFORM 'private.unsubscribe(uuid,text,uuid,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.unsubscribe(uuid,text,uuid,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.unsubscribe(uuid,text,uuid,text)';
  END IF;
  PERFORM 'private.unsubscribe_subjects(uuid[],text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.unsubscribe_subjects(uuid[],text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.unsubscribe_subjects(uuid[],text)';
  END IF;
END
$verify$;

ROLLBACK;
