-- Verify tessera:widget_ticket_types on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

DO $verify$
BEGIN
  PERFORM 'api.widget_experiences(text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'api.widget_experiences(text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'api.widget_experiences(text)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.widget_experiences(text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.widget_experiences(text)';
  END IF;
  PERFORM 'api.widget_ticket_types(text,uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'api.widget_ticket_types(text,uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'api.widget_ticket_types(text,uuid)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.widget_ticket_types(text,uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.widget_ticket_types(text,uuid)';
  END IF;
  PERFORM 'private.widget_ticket_types(text,uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'private.widget_ticket_types(text,uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'private.widget_ticket_types(text,uuid)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.widget_ticket_types(text,uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.widget_ticket_types(text,uuid)';
  END IF;
END
$verify$;

ROLLBACK;
