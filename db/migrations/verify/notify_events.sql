-- Verify tessera:notify_events on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

-- Checks of functions that reminder_sweep changed are retired; its verify checks them now.

-- Checks of functions that waitlist_messages changed are retired; its verify checks them now.

-- Checks of functions that notify_past_sessions changed are retired; its verify checks them now.

DO $verify$
BEGIN
  PERFORM 'private.reminder_due(timestamp with time zone,text,interval)'::pg_catalog.regprocedure;
END
$verify$;

ROLLBACK;
