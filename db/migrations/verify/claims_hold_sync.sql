-- Verify tessera:claims_hold_sync on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

-- Checks of functions that fn_org_joins changed are retired; its verify checks them now.

-- Checks of functions that caller_once changed are retired; its verify checks them now.

DO $verify$
BEGIN
END
$verify$;

ROLLBACK;
