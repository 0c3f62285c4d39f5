-- Verify tessera:loyalty_redemption on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

-- Checks of functions that org_in_keys changed are retired; its verify checks them now.

-- Checks of functions that fn_org_routing_payments changed are retired; its verify checks them now.

-- Checks of functions that catalogue_manage changed are retired; its verify checks them now.

DO $verify$
BEGIN
  PERFORM 'api.create_order(uuid,text,integer,text,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'api.create_order(uuid,text,integer,text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'api.create_order(uuid,text,integer,text,text)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.create_order(uuid,text,integer,text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.create_order(uuid,text,integer,text,text)';
  END IF;
  PERFORM 'api.quote(uuid,timestamp with time zone,integer,jsonb,text,integer,text,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'api.quote(uuid,timestamp with time zone,integer,jsonb,text,integer,text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'api.quote(uuid,timestamp with time zone,integer,jsonb,text,integer,text,text)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.quote(uuid,timestamp with time zone,integer,jsonb,text,integer,text,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.quote(uuid,timestamp with time zone,integer,jsonb,text,integer,text,text)';
  END IF;
  PERFORM 'private.points_arg(app.org_settings,integer)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'private.points_arg(app.org_settings,integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'private.points_arg(app.org_settings,integer)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.points_arg(app.org_settings,integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.points_arg(app.org_settings,integer)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.points_arg(app.org_settings,integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.points_arg(app.org_settings,integer)';
  END IF;
END
$verify$;

ROLLBACK;
