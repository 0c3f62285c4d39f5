-- Verify tessera:checkout_lines on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

DO $verify$
BEGIN
  PERFORM 'private.begin_checkout(uuid,text,text,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'private.begin_checkout(uuid,text,text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'private.begin_checkout(uuid,text,text,text)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.begin_checkout(uuid,text,text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.begin_checkout(uuid,text,text,text)';
  END IF;
END
$verify$;

ROLLBACK;
