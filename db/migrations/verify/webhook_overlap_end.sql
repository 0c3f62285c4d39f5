-- Verify tessera:webhook_overlap_end on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

-- Checks of functions that secret_rules_tidy changed are retired; its verify checks them now.

DO $verify$
BEGIN
  PERFORM 'api.end_webhook_secret_overlap(uuid,uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.end_webhook_secret_overlap(uuid,uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.end_webhook_secret_overlap(uuid,uuid)';
  END IF;
  PERFORM 'private.end_webhook_secret_overlap(uuid,uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.end_webhook_secret_overlap(uuid,uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.end_webhook_secret_overlap(uuid,uuid)';
  END IF;
END
$verify$;

ROLLBACK;
