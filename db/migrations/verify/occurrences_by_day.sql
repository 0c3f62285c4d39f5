-- Verify tessera:occurrences_by_day on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

DO $verify$
BEGIN
  PERFORM 'private.local_to_instant(timestamp without time zone,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.local_to_instant(timestamp without time zone,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.local_to_instant(timestamp without time zone,text)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.local_to_instant(timestamp without time zone,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.local_to_instant(timestamp without time zone,text)';
  END IF;
  PERFORM 'private.schedule_occurrences(uuid,date,date)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.schedule_occurrences(uuid,date,date)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.schedule_occurrences(uuid,date,date)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.schedule_occurrences(uuid,date,date)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.schedule_occurrences(uuid,date,date)';
  END IF;
  IF pg_catalog.to_regprocedure('private.local_to_instants(text,timestamp without time zone[])') IS NOT NULL THEN
    RAISE EXCEPTION '% should be gone', 'private.local_to_instants(text,timestamp without time zone[])';
  END IF;
END
$verify$;

ROLLBACK;
