-- Verify tessera:availability_by_index on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

-- Checks of functions that availability_fast changed are retired; its verify checks them now.

DO $verify$
BEGIN
  -- private.availability(uuid, date, date, integer) was replaced by a five-argument version in
  -- availability_definer, which verifies it.
END
$verify$;

ROLLBACK;
