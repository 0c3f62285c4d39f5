-- Verify tessera:service_readiness on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

DO $verify$
BEGIN
  IF NOT pg_catalog.has_schema_privilege('authenticator', 'private', 'USAGE') THEN
    RAISE EXCEPTION 'authenticator cannot use schema private';
  END IF;
  PERFORM 'private.deployed_changes(text,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticator', 'private.deployed_changes(text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticator', 'private.deployed_changes(text,text)';
  END IF;
END
$verify$;

ROLLBACK;
