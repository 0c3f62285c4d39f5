-- Verify tessera:bookable_slot on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

-- Checks of functions that idempotency_rules changed are retired; its verify checks them now.

-- Checks of functions that availability_fast changed are retired; its verify checks them now.

DO $verify$
BEGIN
  PERFORM 'private.reschedule(uuid,timestamp with time zone)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.reschedule(uuid,timestamp with time zone)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.reschedule(uuid,timestamp with time zone)';
  END IF;
END
$verify$;

ROLLBACK;
