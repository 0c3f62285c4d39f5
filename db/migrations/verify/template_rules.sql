-- Verify tessera:template_rules on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

-- Checks of functions that template_args changed are retired; its verify checks them now.

DO $verify$
BEGIN
  PERFORM 'private.delete_template(uuid,text,text,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.delete_template(uuid,text,text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.delete_template(uuid,text,text,text)';
  END IF;
  PERFORM 'private.list_templates(uuid,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.list_templates(uuid,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.list_templates(uuid,text)';
  END IF;
  PERFORM 'private.record_template_check(uuid,text,uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.record_template_check(uuid,text,uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.record_template_check(uuid,text,uuid)';
  END IF;
  PERFORM 'private.save_template(uuid,text,text,text,text,text,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.save_template(uuid,text,text,text,text,text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.save_template(uuid,text,text,text,text,text,text)';
  END IF;
  PERFORM 'private.template_fingerprint(text,text,text,text,text)'::pg_catalog.regprocedure;
  PERFORM 'private.template_kind(text)'::pg_catalog.regprocedure;
  PERFORM 'private.template_sample(uuid,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.template_sample(uuid,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.template_sample(uuid,text)';
  END IF;
END
$verify$;

ROLLBACK;
