-- Verify tessera:patch_value_types on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

DO $verify$
BEGIN
  PERFORM 'private.apply_changes(regclass,uuid,jsonb)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.apply_changes(regclass,uuid,jsonb)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.apply_changes(regclass,uuid,jsonb)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.apply_changes(regclass,uuid,jsonb)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.apply_changes(regclass,uuid,jsonb)';
  END IF;
END
$verify$;

ROLLBACK;
