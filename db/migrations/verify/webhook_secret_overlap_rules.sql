-- Verify tessera:webhook_secret_overlap_rules on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

-- Checks of functions that secret_rules_tidy changed are retired; its verify checks them now.

-- Checks of functions that webhook_overlap_end changed are retired; its verify checks them now.

DO $verify$
BEGIN
  PERFORM 'api.create_webhook_endpoint(uuid,text,text[],text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.create_webhook_endpoint(uuid,text,text[],text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.create_webhook_endpoint(uuid,text,text[],text)';
  END IF;
  PERFORM 'private.audit_record()'::pg_catalog.regprocedure;
  PERFORM 'private.claim_webhook_deliveries(text,integer,interval)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.claim_webhook_deliveries(text,integer,interval)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.claim_webhook_deliveries(text,integer,interval)';
  END IF;
  PERFORM 'private.rotate_webhook_secret(uuid,uuid,integer)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.rotate_webhook_secret(uuid,uuid,integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.rotate_webhook_secret(uuid,uuid,integer)';
  END IF;
  PERFORM 'private.webhook_endpoint_json(app.webhook_endpoints,boolean)'::pg_catalog.regprocedure;
  IF pg_catalog.to_regprocedure('api.rotate_webhook_secret(uuid,uuid)') IS NOT NULL THEN
    RAISE EXCEPTION '% should be gone', 'api.rotate_webhook_secret(uuid,uuid)';
  END IF;
  IF pg_catalog.to_regprocedure('private.rotate_webhook_secret(uuid,uuid)') IS NOT NULL THEN
    RAISE EXCEPTION '% should be gone', 'private.rotate_webhook_secret(uuid,uuid)';
  END IF;
END
$verify$;

ROLLBACK;
