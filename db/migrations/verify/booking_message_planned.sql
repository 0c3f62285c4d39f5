-- Verify tessera:booking_message_planned on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

-- Checks of functions that fn_org_joins changed are retired; its verify checks them now.

DO $verify$
BEGIN
END
$verify$;

ROLLBACK;
