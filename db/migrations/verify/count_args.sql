-- Verify tessera:count_args on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

-- Checks of functions that argument_words changed are retired; its verify checks them now.

-- Checks of functions that availability_answers changed are retired; its verify checks them now.

-- Checks of functions that booking_answers changed are retired; its verify checks them now.

DO $verify$
BEGIN
  PERFORM 'api.seal_audit_log(interval)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('service_role', 'api.seal_audit_log(interval)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'api.seal_audit_log(interval)';
  END IF;
  PERFORM 'private.count_arg(text,integer,integer,integer)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'private.count_arg(text,integer,integer,integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'private.count_arg(text,integer,integer,integer)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.count_arg(text,integer,integer,integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.count_arg(text,integer,integer,integer)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.count_arg(text,integer,integer,integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.count_arg(text,integer,integer,integer)';
  END IF;
  PERFORM 'private.interval_arg(text,interval,interval,interval)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'private.interval_arg(text,interval,interval,interval)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'private.interval_arg(text,interval,interval,interval)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.interval_arg(text,interval,interval,interval)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.interval_arg(text,interval,interval,interval)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.interval_arg(text,interval,interval,interval)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.interval_arg(text,interval,interval,interval)';
  END IF;
  PERFORM 'private.party_size_arg(integer)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'private.party_size_arg(integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'private.party_size_arg(integer)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.party_size_arg(integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.party_size_arg(integer)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.party_size_arg(integer)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.party_size_arg(integer)';
  END IF;
END
$verify$;

ROLLBACK;
