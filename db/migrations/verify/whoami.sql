-- Verify tessera:whoami on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

-- Checks of functions that whoami_plpgsql changed are retired; its verify checks them now.

DO $verify$
BEGIN
END
$verify$;

ROLLBACK;
