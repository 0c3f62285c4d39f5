-- Verify tessera:notify_events on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

-- Checks of functions that notify_past_sessions changed are retired; its verify checks them now.

DO $verify$
BEGIN
  PERFORM 'private.message_wanted(app.notifications_outbox)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.message_wanted(app.notifications_outbox)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.message_wanted(app.notifications_outbox)';
  END IF;
  PERFORM 'private.queue_session_messages(app.bookings,jsonb)'::pg_catalog.regprocedure;
  PERFORM 'private.reminder_due(timestamp with time zone,text,interval)'::pg_catalog.regprocedure;
END
$verify$;

ROLLBACK;
