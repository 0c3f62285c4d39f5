-- Verify tessera:occurrences_by_day on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

-- Checks of functions that fn_org_joins changed are retired; its verify checks them now.

DO $verify$
BEGIN
  PERFORM 'private.local_to_instant(timestamp without time zone,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.local_to_instant(timestamp without time zone,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.local_to_instant(timestamp without time zone,text)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.local_to_instant(timestamp without time zone,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.local_to_instant(timestamp without time zone,text)';
  END IF;
  IF pg_catalog.to_regprocedure('private.local_to_instants(text,timestamp without time zone[])') IS NOT NULL THEN
    RAISE EXCEPTION '% should be gone', 'private.local_to_instants(text,timestamp without time zone[])';
  END IF;
END
$verify$;

ROLLBACK;
