-- Verify tessera:waiver_settings_rules on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

DO $verify$
BEGIN
  PERFORM 'api.archive_waiver_template(uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.archive_waiver_template(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.archive_waiver_template(uuid)';
  END IF;
  PERFORM 'api.update_experience(uuid,jsonb,boolean)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.update_experience(uuid,jsonb,boolean)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.update_experience(uuid,jsonb,boolean)';
  END IF;
  PERFORM 'api.update_venue(uuid,jsonb,boolean)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.update_venue(uuid,jsonb,boolean)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.update_venue(uuid,jsonb,boolean)';
  END IF;
  PERFORM 'private.experiences_waiver_guard()'::pg_catalog.regprocedure;
  PERFORM 'private.waiver_template_users(uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.waiver_template_users(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.waiver_template_users(uuid)';
  END IF;
END
$verify$;

ROLLBACK;
