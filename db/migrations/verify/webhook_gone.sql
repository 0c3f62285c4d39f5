-- Verify tessera:webhook_gone on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

DO $verify$
BEGIN
  PERFORM 'private.disable_webhook_endpoint(uuid,uuid,text)'::pg_catalog.regprocedure;
  PERFORM 'private.fail_webhook_delivery(uuid,text,integer,text,integer,boolean)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.fail_webhook_delivery(uuid,text,integer,text,integer,boolean)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.fail_webhook_delivery(uuid,text,integer,text,integer,boolean)';
  END IF;
  PERFORM 'private.webhook_endpoint_failed(uuid,uuid,text)'::pg_catalog.regprocedure;
END
$verify$;

ROLLBACK;
