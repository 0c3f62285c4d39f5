-- Verify tessera:reminder_sweep on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

-- Checks of functions that fn_org_joins changed are retired; its verify checks them now.

-- Checks of functions that reminder_bounds changed are retired; its verify checks them now.

DO $verify$
BEGIN
  PERFORM 'private.bookings_notify()'::pg_catalog.regprocedure;
  PERFORM 'private.message_wanted(app.notifications_outbox)'::pg_catalog.regprocedure;
  IF NOT pg_catalog.has_function_privilege('service_role', 'private.message_wanted(app.notifications_outbox)', 'EXECUTE') THEN
    RAISE EXCEPTION '% cannot execute %', 'service_role', 'private.message_wanted(app.notifications_outbox)';
  END IF;
  IF pg_catalog.to_regprocedure('private.queue_session_messages(app.bookings,jsonb)') IS NOT NULL THEN
    RAISE EXCEPTION '% should be gone', 'private.queue_session_messages(app.bookings,jsonb)';
  END IF;
END
$verify$;

ROLLBACK;
