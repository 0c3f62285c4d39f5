-- Verify tessera:offered_sessions on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

DO $verify$
BEGIN
  PERFORM 'private.dashboard_activity(uuid,integer,timestamp with time zone,bigint)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.dashboard_activity(uuid,integer,timestamp with time zone,bigint)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.dashboard_activity(uuid,integer,timestamp with time zone,bigint)';
  END IF;
  PERFORM 'private.dashboard_figures(uuid,uuid,timestamp with time zone,timestamp with time zone,boolean)'::pg_catalog.regprocedure;
  PERFORM 'private.offered_sessions(uuid,uuid,timestamp with time zone,timestamp with time zone)'::pg_catalog.regprocedure;
  PERFORM 'private.report_performance(uuid,date,date,uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.report_performance(uuid,date,date,uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.report_performance(uuid,date,date,uuid)';
  END IF;
END
$verify$;

ROLLBACK;
