-- Verify tessera:availability_fast on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

-- Checks of functions that bookable_slot_terms changed are retired; its verify checks them now.

-- Checks of functions that occurrences_by_day changed are retired; its verify checks them now.

-- Checks of functions that profile_and_window changed are retired; its verify checks them now.

DO $verify$
BEGIN
  IF pg_catalog.to_regclass('app.bookings_pending_idx') IS NULL THEN
    RAISE EXCEPTION 'index app.bookings_pending_idx is missing';
  END IF;
  PERFORM 'private.opening_hours(uuid,date,date)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('authenticated', 'private.opening_hours(uuid,date,date)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'authenticated', 'private.opening_hours(uuid,date,date)';
  END IF;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.opening_hours(uuid,date,date)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.opening_hours(uuid,date,date)';
  END IF;
  IF pg_catalog.to_regprocedure('private.within_opening_hours(uuid,timestamp without time zone,timestamp without time zone)') IS NOT NULL THEN
    RAISE EXCEPTION '% should be gone', 'private.within_opening_hours(uuid,timestamp without time zone,timestamp without time zone)';
  END IF;
END
$verify$;

ROLLBACK;
