-- Verify tessera:waivers_rules on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

-- Checks of functions that fn_org_joins changed are retired; its verify checks them now.

-- Checks of functions that org_in_keys changed are retired; its verify checks them now.

-- Checks of functions that fn_org_routing changed are retired; its verify checks them now.

-- Checks of functions that plpgsql_check_clean changed are retired; its verify checks them now.

-- Checks of functions that waiver_settings_rules changed are retired; its verify checks them now.

DO $verify$
BEGIN
  PERFORM 'api.booking_waiver_status(uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.booking_waiver_status(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.booking_waiver_status(uuid)';
  END IF;
  PERFORM 'api.check_in(text,text,uuid,uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.check_in(text,text,uuid,uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.check_in(text,text,uuid,uuid)';
  END IF;
  PERFORM 'api.create_waiver_template(uuid,text,text,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.create_waiver_template(uuid,text,text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.create_waiver_template(uuid,text,text,text)';
  END IF;
  PERFORM 'api.create_waiver_version(uuid,text,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.create_waiver_version(uuid,text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.create_waiver_version(uuid,text,text)';
  END IF;
  PERFORM 'api.get_waiver(text,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'api.get_waiver(text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'api.get_waiver(text,text)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.get_waiver(text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.get_waiver(text,text)';
  END IF;
  PERFORM 'api.list_waiver_templates(uuid,boolean)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.list_waiver_templates(uuid,boolean)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.list_waiver_templates(uuid,boolean)';
  END IF;
  PERFORM 'api.sign_waiver(text,text,text,date,text,text,text,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'api.sign_waiver(text,text,text,date,text,text,text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'api.sign_waiver(text,text,text,date,text,text,text,text)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.sign_waiver(text,text,text,date,text,text,text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.sign_waiver(text,text,text,date,text,text,text,text)';
  END IF;
  PERFORM 'api.sign_waiver_at_venue(uuid,text,date,text,text,text,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.sign_waiver_at_venue(uuid,text,date,text,text,text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.sign_waiver_at_venue(uuid,text,date,text,text,text,text)';
  END IF;
  PERFORM 'api.update_waiver_version(uuid,jsonb)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.update_waiver_version(uuid,jsonb)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.update_waiver_version(uuid,jsonb)';
  END IF;
  PERFORM 'private.birth_date_arg(text,date)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'private.birth_date_arg(text,date)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'private.birth_date_arg(text,date)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.birth_date_arg(text,date)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.birth_date_arg(text,date)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.birth_date_arg(text,date)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.birth_date_arg(text,date)';
  END IF;
  PERFORM 'private.lookup_failed(text[])'::pg_catalog.regprocedure;
  PERFORM 'private.lookup_subjects(text,text)'::pg_catalog.regprocedure;
  PERFORM 'private.record_signature(app.bookings,text,date,text,text,text,text,text)'::pg_catalog.regprocedure;
  PERFORM 'private.required_text(text,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.required_text(text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.required_text(text,text)';
  END IF;
  PERFORM 'private.sign_waiver(text,text,text,date,text,text,text,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'private.sign_waiver(text,text,text,date,text,text,text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'private.sign_waiver(text,text,text,date,text,text,text,text)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.sign_waiver(text,text,text,date,text,text,text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.sign_waiver(text,text,text,date,text,text,text,text)';
  END IF;
  PERFORM 'private.sign_waiver_at_venue(uuid,text,date,text,text,text,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.sign_waiver_at_venue(uuid,text,date,text,text,text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.sign_waiver_at_venue(uuid,text,date,text,text,text,text)';
  END IF;
  PERFORM 'private.signature_args(text,date,text,text)'::pg_catalog.regprocedure;
  PERFORM 'private.staff_booking(uuid)'::pg_catalog.regprocedure;
  PERFORM 'private.waiver_manager(uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.waiver_manager(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.waiver_manager(uuid)';
  END IF;
  PERFORM 'private.waiver_signatures_guard()'::pg_catalog.regprocedure;
  PERFORM 'private.waiver_template_answer(uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.waiver_template_answer(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.waiver_template_answer(uuid)';
  END IF;
  PERFORM 'private.waiver_version_answer(app.waiver_versions,uuid[])'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.waiver_version_answer(app.waiver_versions,uuid[])', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.waiver_version_answer(app.waiver_versions,uuid[])';
  END IF;
  PERFORM 'private.waiver_versions_guard()'::pg_catalog.regprocedure;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.waiver_signatures' AND policyname = 'waiver_signatures_select') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'waiver_signatures_select', 'app.waiver_signatures';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.waiver_templates' AND policyname = 'waiver_templates_insert') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'waiver_templates_insert', 'app.waiver_templates';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.waiver_templates' AND policyname = 'waiver_templates_select') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'waiver_templates_select', 'app.waiver_templates';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.waiver_templates' AND policyname = 'waiver_templates_update') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'waiver_templates_update', 'app.waiver_templates';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.waiver_versions' AND policyname = 'waiver_versions_insert') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'waiver_versions_insert', 'app.waiver_versions';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.waiver_versions' AND policyname = 'waiver_versions_select') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'waiver_versions_select', 'app.waiver_versions';
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = 'app.waiver_versions' AND policyname = 'waiver_versions_update') THEN
    RAISE EXCEPTION 'policy % on % is missing', 'waiver_versions_update', 'app.waiver_versions';
  END IF;
END
$verify$;

ROLLBACK;
