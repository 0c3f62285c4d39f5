-- Verify tessera:availability_definer on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

-- Checks of functions that availability_answers changed are retired; its verify checks them now.

-- Checks of functions that profile_and_window changed are retired; its verify checks them now.

-- Checks of functions that availability_fast changed are retired; its verify checks them now.

DO $verify$
BEGIN
  IF pg_catalog.to_regprocedure('private.availability(uuid,date,date,integer)') IS NOT NULL THEN
    RAISE EXCEPTION '% should be gone', 'private.availability(uuid,date,date,integer)';
  END IF;
END
$verify$;

ROLLBACK;
