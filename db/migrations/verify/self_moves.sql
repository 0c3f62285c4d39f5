-- Verify tessera:self_moves on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

-- Checks of functions that fn_org_routing changed are retired; its verify checks them now.

-- Checks of functions that argument_words changed are retired; its verify checks them now.

-- Checks of functions that booking_answers changed are retired; its verify checks them now.

DO $verify$
BEGIN
END
$verify$;

ROLLBACK;
