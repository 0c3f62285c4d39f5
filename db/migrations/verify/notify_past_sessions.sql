-- Verify tessera:notify_past_sessions on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

DO $verify$
BEGIN
  PERFORM 'private.bookings_notify()'::pg_catalog.regprocedure;
END
$verify$;

ROLLBACK;
