-- Verify tessera:segments_rules on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

-- Checks of functions that fn_org_joins changed are retired; its verify checks them now.

-- Checks of functions that segments_one_pass changed are retired; its verify checks them now.

DO $verify$
BEGIN
  PERFORM 'api.customer_segments_due(interval)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('service_role', 'api.customer_segments_due(interval)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'api.customer_segments_due(interval)';
  END IF;
  PERFORM 'api.get_customer(uuid,uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.get_customer(uuid,uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.get_customer(uuid,uuid)';
  END IF;
  PERFORM 'api.get_customer_segments(uuid)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.get_customer_segments(uuid)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.get_customer_segments(uuid)';
  END IF;
  PERFORM 'api.list_customers(uuid,text,text,text,integer)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.list_customers(uuid,text,text,text,integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.list_customers(uuid,text,text,text,integer)';
  END IF;
  PERFORM 'api.refresh_all_customer_segments(timestamp with time zone)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('service_role', 'api.refresh_all_customer_segments(timestamp with time zone)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'api.refresh_all_customer_segments(timestamp with time zone)';
  END IF;
  PERFORM 'api.refresh_customer_segments(uuid,timestamp with time zone)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.refresh_customer_segments(uuid,timestamp with time zone)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.refresh_customer_segments(uuid,timestamp with time zone)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'api.refresh_customer_segments(uuid,timestamp with time zone)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'api.refresh_customer_segments(uuid,timestamp with time zone)';
  END IF;
  PERFORM 'private.bookings_visits()'::pg_catalog.regprocedure;
  PERFORM 'private.customer_card(app.customers,text,app.customer_segments)'::pg_catalog.regprocedure;
  PERFORM 'private.customer_label(boolean,boolean,boolean,boolean)'::pg_catalog.regprocedure;
  PERFORM 'private.customer_visits_recount(uuid[],uuid[])'::pg_catalog.regprocedure;
  PERFORM 'private.rfm_segment(smallint,smallint,smallint)'::pg_catalog.regprocedure;
  PERFORM 'private.segments_due(interval)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.segments_due(interval)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.segments_due(interval)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.segments_due(interval)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.segments_due(interval)';
  END IF;
END
$verify$;

ROLLBACK;
