-- Verify tessera:dashboard_rules on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

-- Checks of functions that offered_sessions changed are retired; its verify checks them now.

DO $verify$
BEGIN
  PERFORM 'api.get_booking_trends(uuid,integer,timestamp with time zone)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.get_booking_trends(uuid,integer,timestamp with time zone)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.get_booking_trends(uuid,integer,timestamp with time zone)';
  END IF;
  PERFORM 'api.get_dashboard_stats(uuid,integer,uuid,timestamp with time zone)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.get_dashboard_stats(uuid,integer,uuid,timestamp with time zone)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.get_dashboard_stats(uuid,integer,uuid,timestamp with time zone)';
  END IF;
  PERFORM 'api.get_hourly_distribution(uuid,integer,timestamp with time zone)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.get_hourly_distribution(uuid,integer,timestamp with time zone)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.get_hourly_distribution(uuid,integer,timestamp with time zone)';
  END IF;
  PERFORM 'api.get_recent_activity(uuid,integer,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.get_recent_activity(uuid,integer,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.get_recent_activity(uuid,integer,text)';
  END IF;
  PERFORM 'api.get_upcoming_bookings(uuid,integer)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.get_upcoming_bookings(uuid,integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.get_upcoming_bookings(uuid,integer)';
  END IF;
  PERFORM 'private.activity_amount(bigint,text)'::pg_catalog.regprocedure;
  PERFORM 'private.dashboard_hourly(uuid,integer,timestamp with time zone)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.dashboard_hourly(uuid,integer,timestamp with time zone)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.dashboard_hourly(uuid,integer,timestamp with time zone)';
  END IF;
  PERFORM 'private.dashboard_money_may(uuid)'::pg_catalog.regprocedure;
  PERFORM 'private.dashboard_stats(uuid,integer,uuid,timestamp with time zone)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.dashboard_stats(uuid,integer,uuid,timestamp with time zone)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.dashboard_stats(uuid,integer,uuid,timestamp with time zone)';
  END IF;
  PERFORM 'private.dashboard_trends(uuid,integer,timestamp with time zone)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.dashboard_trends(uuid,integer,timestamp with time zone)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.dashboard_trends(uuid,integer,timestamp with time zone)';
  END IF;
  PERFORM 'private.dashboard_upcoming(uuid,integer)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.dashboard_upcoming(uuid,integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.dashboard_upcoming(uuid,integer)';
  END IF;
END
$verify$;

ROLLBACK;
