-- Verify tessera:booking_message_planned on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

DO $verify$
BEGIN
  PERFORM 'private.booking_message(app.bookings)'::pg_catalog.regprocedure;
END
$verify$;

ROLLBACK;
