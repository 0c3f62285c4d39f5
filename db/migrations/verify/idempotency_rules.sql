-- Verify tessera:idempotency_rules on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

-- Checks of functions that argument_words changed are retired; its verify checks them now.

-- Checks of functions that booking_answers changed are retired; its verify checks them now.

-- Checks of functions that count_args changed are retired; its verify checks them now.

DO $verify$
BEGIN
  PERFORM 'api.purge_audit_log(timestamp with time zone)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('service_role', 'api.purge_audit_log(timestamp with time zone)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'api.purge_audit_log(timestamp with time zone)';
  END IF;
  PERFORM 'private.same_request(app.bookings,text)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('anon', 'private.same_request(app.bookings,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'anon', 'private.same_request(app.bookings,text)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.same_request(app.bookings,text)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.same_request(app.bookings,text)';
  END IF;
END
$verify$;

ROLLBACK;
