-- Verify tessera:template_args on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

DO $verify$
BEGIN
  PERFORM 'api.delete_template(uuid,text,text,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.delete_template(uuid,text,text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.delete_template(uuid,text,text,text)';
  END IF;
  PERFORM 'api.list_templates(uuid,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.list_templates(uuid,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.list_templates(uuid,text)';
  END IF;
  PERFORM 'api.record_template_check(uuid,text,uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('service_role', 'api.record_template_check(uuid,text,uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'api.record_template_check(uuid,text,uuid)';
  END IF;
  PERFORM 'api.save_template(uuid,text,text,text,text,text,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.save_template(uuid,text,text,text,text,text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.save_template(uuid,text,text,text,text,text,text)';
  END IF;
  PERFORM 'api.template_sample(uuid,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.template_sample(uuid,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.template_sample(uuid,text)';
  END IF;
  PERFORM 'private.template_parts(text,text,text,text,text)'::pg_catalog.regprocedure;
END
$verify$;

ROLLBACK;
