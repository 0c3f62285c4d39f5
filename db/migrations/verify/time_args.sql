-- Verify tessera:time_args on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

-- Checks of functions that count_args changed are retired; its verify checks them now.

-- Checks of functions that idempotency_rules changed are retired; its verify checks them now.

DO $verify$
BEGIN
  PERFORM 'private.time_arg(text,date)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'private.time_arg(text,date)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'private.time_arg(text,date)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.time_arg(text,date)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.time_arg(text,date)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.time_arg(text,date)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.time_arg(text,date)';
  END IF;
  PERFORM 'private.time_arg(text,daterange)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'private.time_arg(text,daterange)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'private.time_arg(text,daterange)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.time_arg(text,daterange)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.time_arg(text,daterange)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.time_arg(text,daterange)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.time_arg(text,daterange)';
  END IF;
  PERFORM 'private.time_arg(text,timestamp with time zone)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'private.time_arg(text,timestamp with time zone)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'private.time_arg(text,timestamp with time zone)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.time_arg(text,timestamp with time zone)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.time_arg(text,timestamp with time zone)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.time_arg(text,timestamp with time zone)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.time_arg(text,timestamp with time zone)';
  END IF;
  PERFORM 'private.time_arg(text,timestamp without time zone)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'private.time_arg(text,timestamp without time zone)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'private.time_arg(text,timestamp without time zone)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.time_arg(text,timestamp without time zone)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.time_arg(text,timestamp without time zone)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.time_arg(text,timestamp without time zone)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.time_arg(text,timestamp without time zone)';
  END IF;
  PERFORM 'private.time_arg(text,tstzrange)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'private.time_arg(text,tstzrange)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'private.time_arg(text,tstzrange)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.time_arg(text,tstzrange)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.time_arg(text,tstzrange)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.time_arg(text,tstzrange)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.time_arg(text,tstzrange)';
  END IF;
END
$verify$;

ROLLBACK;
