-- Verify tessera:offered_sessions on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

-- Checks of functions that fn_org_joins changed are retired; its verify checks them now.

DO $verify$
BEGIN
  PERFORM 'private.dashboard_activity(uuid,integer,timestamp with time zone,bigint)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.dashboard_activity(uuid,integer,timestamp with time zone,bigint)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.dashboard_activity(uuid,integer,timestamp with time zone,bigint)';
  END IF;
  PERFORM 'private.dashboard_figures(uuid,uuid,timestamp with time zone,timestamp with time zone,boolean)'::pg_catalog.regprocedure;
  PERFORM 'private.offered_sessions(uuid,uuid,timestamp with time zone,timestamp with time zone)'::pg_catalog.regprocedure;
END
$verify$;

ROLLBACK;
