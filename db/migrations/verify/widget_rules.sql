-- Verify tessera:widget_rules on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

-- Checks of functions that availability_answers changed are retired; its verify checks them now.

-- Checks of functions that widget_ticket_types changed are retired; its verify checks them now.

-- Checks of functions that idempotency_rules changed are retired; its verify checks them now.

-- Checks of functions that time_args changed are retired; its verify checks them now.

DO $verify$
BEGIN
  PERFORM 'private.widget_experiences(text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'private.widget_experiences(text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'private.widget_experiences(text)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.widget_experiences(text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.widget_experiences(text)';
  END IF;
  PERFORM 'private.widget_venue(text)'::pg_catalog.regprocedure;
END
$verify$;

ROLLBACK;
