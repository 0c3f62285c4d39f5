-- Verify tessera:widget_rules on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

-- Checks of functions that catalogue_manage changed are retired; its verify checks them now.

-- Checks of functions that availability_answers changed are retired; its verify checks them now.

-- Checks of functions that widget_ticket_types changed are retired; its verify checks them now.

-- Checks of functions that idempotency_rules changed are retired; its verify checks them now.

-- Checks of functions that time_args changed are retired; its verify checks them now.

DO $verify$
BEGIN
END
$verify$;

ROLLBACK;
