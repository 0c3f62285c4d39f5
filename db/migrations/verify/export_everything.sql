-- Verify tessera:export_everything on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

-- Checks of functions that fn_org_joins changed are retired; its verify checks them now.

-- Checks of functions that erasure_reasons changed are retired; its verify checks them now.

DO $verify$
BEGIN
  PERFORM 'api.export_customer(uuid,uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.export_customer(uuid,uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.export_customer(uuid,uuid)';
  END IF;
END
$verify$;

ROLLBACK;
