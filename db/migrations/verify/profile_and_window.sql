-- Verify tessera:profile_and_window on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

-- Checks of functions that argument_words changed are retired; its verify checks them now.

-- Checks of functions that time_args changed are retired; its verify checks them now.

-- Checks of functions that claims_hold_sync changed are retired; its verify checks them now.

DO $verify$
BEGIN
END
$verify$;

ROLLBACK;
