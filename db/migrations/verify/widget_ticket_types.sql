-- Verify tessera:widget_ticket_types on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

-- Checks of functions that argument_words changed are retired; its verify checks them now.

DO $verify$
BEGIN
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
