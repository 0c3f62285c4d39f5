-- Verify tessera:notify_past_sessions on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

-- Checks of functions that waitlist_messages changed are retired; its verify checks them now.

DO $verify$
BEGIN
END
$verify$;

ROLLBACK;
