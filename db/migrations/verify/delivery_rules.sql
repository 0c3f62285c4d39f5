-- Verify tessera:delivery_rules on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

-- Checks of functions that one_role_check changed are retired; its verify checks them now.

-- Checks of functions that preferences_rules changed are retired; its verify checks them now.

DO $verify$
BEGIN
  PERFORM 'api.list_failed_messages(uuid,text,integer)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.list_failed_messages(uuid,text,integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.list_failed_messages(uuid,text,integer)';
  END IF;
  PERFORM 'api.mark_notifications_read(uuid[])'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.mark_notifications_read(uuid[])', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.mark_notifications_read(uuid[])';
  END IF;
  PERFORM 'api.my_notifications(text,integer)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.my_notifications(text,integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.my_notifications(text,integer)';
  END IF;
  PERFORM 'api.retry_message(uuid,uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.retry_message(uuid,uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.retry_message(uuid,uuid)';
  END IF;
  PERFORM 'private.complete_message(uuid,text,text,text,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.complete_message(uuid,text,text,text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.complete_message(uuid,text,text,text,text)';
  END IF;
  PERFORM 'private.fail_message(uuid,text,text,boolean)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.fail_message(uuid,text,text,boolean)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.fail_message(uuid,text,text,boolean)';
  END IF;
  PERFORM 'private.keyset_cursor(timestamp with time zone,uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.keyset_cursor(timestamp with time zone,uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.keyset_cursor(timestamp with time zone,uuid)';
  END IF;
  PERFORM 'private.keyset_decode(text,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.keyset_decode(text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.keyset_decode(text,text)';
  END IF;
  PERFORM 'private.mark_notifications_read(uuid[])'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.mark_notifications_read(uuid[])', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.mark_notifications_read(uuid[])';
  END IF;
  PERFORM 'private.message_backoff(integer,double precision)'::pg_catalog.regprocedure;
  PERFORM 'private.message_max_attempts()'::pg_catalog.regprocedure;
  PERFORM 'private.my_notifications(timestamp with time zone,uuid,integer)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.my_notifications(timestamp with time zone,uuid,integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.my_notifications(timestamp with time zone,uuid,integer)';
  END IF;
  PERFORM 'private.release_messages(uuid[],text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.release_messages(uuid[],text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.release_messages(uuid[],text)';
  END IF;
END
$verify$;

ROLLBACK;
