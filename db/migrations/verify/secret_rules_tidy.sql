-- Verify tessera:secret_rules_tidy on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

DO $verify$
BEGIN
  PERFORM 'api.rotate_webhook_secret(uuid,uuid,integer)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.rotate_webhook_secret(uuid,uuid,integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.rotate_webhook_secret(uuid,uuid,integer)';
  END IF;
  PERFORM 'private.audit_safe(jsonb)'::pg_catalog.regprocedure;
  PERFORM 'private.purge_finished_messages(interval,integer)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.purge_finished_messages(interval,integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.purge_finished_messages(interval,integer)';
  END IF;
END
$verify$;

ROLLBACK;
