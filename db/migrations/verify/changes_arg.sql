-- Verify tessera:changes_arg on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

-- Checks of functions that patch_value_types changed are retired; its verify checks them now.

DO $verify$
BEGIN
  PERFORM 'private.changes_arg(text,jsonb,text[])'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'private.changes_arg(text,jsonb,text[])', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'private.changes_arg(text,jsonb,text[])';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.changes_arg(text,jsonb,text[])', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.changes_arg(text,jsonb,text[])';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.changes_arg(text,jsonb,text[])', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.changes_arg(text,jsonb,text[])';
  END IF;
  PERFORM 'private.constraint_error(text,text,text,text,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'private.constraint_error(text,text,text,text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'private.constraint_error(text,text,text,text,text)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.constraint_error(text,text,text,text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.constraint_error(text,text,text,text,text)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.constraint_error(text,text,text,text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.constraint_error(text,text,text,text,text)';
  END IF;
  PERFORM 'private.is_image_url_list(text[])'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.is_image_url_list(text[])', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.is_image_url_list(text[])';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.is_image_url_list(text[])', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.is_image_url_list(text[])';
  END IF;
END
$verify$;

ROLLBACK;
