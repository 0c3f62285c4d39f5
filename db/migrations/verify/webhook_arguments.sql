-- Verify tessera:webhook_arguments on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

-- Checks of functions that webhook_secret_overlap_rules changed are retired; its verify checks them now.

DO $verify$
BEGIN
  PERFORM 'api.update_webhook_endpoint(uuid,uuid,text,text[],text,boolean)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.update_webhook_endpoint(uuid,uuid,text,text[],text,boolean)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.update_webhook_endpoint(uuid,uuid,text,text[],text,boolean)';
  END IF;
  PERFORM 'private.webhook_event_types_arg(text[])'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.webhook_event_types_arg(text[])', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.webhook_event_types_arg(text[])';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.webhook_event_types_arg(text[])', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.webhook_event_types_arg(text[])';
  END IF;
END
$verify$;

ROLLBACK;
