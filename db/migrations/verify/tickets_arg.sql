-- Verify tessera:tickets_arg on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

DO $verify$
BEGIN
  PERFORM 'api.create_booking(uuid,timestamp with time zone,text,integer,text,text,jsonb,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.create_booking(uuid,timestamp with time zone,text,integer,text,text,jsonb,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.create_booking(uuid,timestamp with time zone,text,integer,text,text,jsonb,text)';
  END IF;
  PERFORM 'api.widget_create_booking(text,uuid,timestamp with time zone,text,integer,text,text,jsonb,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'api.widget_create_booking(text,uuid,timestamp with time zone,text,integer,text,text,jsonb,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'api.widget_create_booking(text,uuid,timestamp with time zone,text,integer,text,text,jsonb,text)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'api.widget_create_booking(text,uuid,timestamp with time zone,text,integer,text,text,jsonb,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'api.widget_create_booking(text,uuid,timestamp with time zone,text,integer,text,text,jsonb,text)';
  END IF;
  PERFORM 'private.tickets_arg(text,jsonb)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'private.tickets_arg(text,jsonb)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'private.tickets_arg(text,jsonb)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.tickets_arg(text,jsonb)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.tickets_arg(text,jsonb)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.tickets_arg(text,jsonb)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.tickets_arg(text,jsonb)';
  END IF;
END
$verify$;

ROLLBACK;
