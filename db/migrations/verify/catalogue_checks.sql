-- Verify tessera:catalogue_checks on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

DO $verify$
BEGIN
  PERFORM 'private.is_iana_timezone(text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.is_iana_timezone(text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.is_iana_timezone(text)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.is_iana_timezone(text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.is_iana_timezone(text)';
  END IF;
  PERFORM 'private.new_embed_key()'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.new_embed_key()', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.new_embed_key()';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.new_embed_key()', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.new_embed_key()';
  END IF;
END
$verify$;

ROLLBACK;
