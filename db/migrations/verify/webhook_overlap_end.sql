-- Verify tessera:webhook_overlap_end on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

DO $verify$
BEGIN
  PERFORM 'api.end_webhook_secret_overlap(uuid,uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.end_webhook_secret_overlap(uuid,uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.end_webhook_secret_overlap(uuid,uuid)';
  END IF;
  PERFORM 'api.rotate_webhook_secret(uuid,uuid,integer)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.rotate_webhook_secret(uuid,uuid,integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.rotate_webhook_secret(uuid,uuid,integer)';
  END IF;
  PERFORM 'private.end_webhook_secret_overlap(uuid,uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.end_webhook_secret_overlap(uuid,uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.end_webhook_secret_overlap(uuid,uuid)';
  END IF;
  PERFORM 'private.purge_finished_messages(interval,integer)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.purge_finished_messages(interval,integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.purge_finished_messages(interval,integer)';
  END IF;
END
$verify$;

ROLLBACK;
