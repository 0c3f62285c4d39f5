-- Verify tessera:waitlist_messages on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

DO $verify$
BEGIN
  PERFORM 'private.bookings_notify()'::pg_catalog.regprocedure;
  PERFORM 'private.message_wanted(app.notifications_outbox)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.message_wanted(app.notifications_outbox)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.message_wanted(app.notifications_outbox)';
  END IF;
END
$verify$;

ROLLBACK;
