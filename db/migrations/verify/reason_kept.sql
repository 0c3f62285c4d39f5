-- Verify tessera:reason_kept on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

DO $verify$
BEGIN
  PERFORM 'private.bookings_guard()'::pg_catalog.regprocedure;
END
$verify$;

ROLLBACK;
