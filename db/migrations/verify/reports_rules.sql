-- Verify tessera:reports_rules on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

-- Checks of functions that offered_sessions changed are retired; its verify checks them now.

DO $verify$
BEGIN
  PERFORM 'api.report_bookings_by_status(uuid,date,date,uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.report_bookings_by_status(uuid,date,date,uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.report_bookings_by_status(uuid,date,date,uuid)';
  END IF;
  PERFORM 'api.report_experience_performance(uuid,date,date,uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.report_experience_performance(uuid,date,date,uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.report_experience_performance(uuid,date,date,uuid)';
  END IF;
  PERFORM 'api.report_revenue(uuid,date,date,uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.report_revenue(uuid,date,date,uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.report_revenue(uuid,date,date,uuid)';
  END IF;
  PERFORM 'api.report_venue_performance(uuid,date,date,uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.report_venue_performance(uuid,date,date,uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.report_venue_performance(uuid,date,date,uuid)';
  END IF;
  PERFORM 'private.report_bookings_by_status(uuid,date,date,uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.report_bookings_by_status(uuid,date,date,uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.report_bookings_by_status(uuid,date,date,uuid)';
  END IF;
  PERFORM 'private.report_revenue(uuid,date,date,uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.report_revenue(uuid,date,date,uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.report_revenue(uuid,date,date,uuid)';
  END IF;
  PERFORM 'private.report_scope(uuid,date,date,uuid)'::pg_catalog.regprocedure;
END
$verify$;

ROLLBACK;
