-- Verify tessera:availability_by_index on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

DO $verify$
BEGIN
  -- private.availability(uuid, date, date, integer) was replaced by a five-argument version in
  -- availability_definer, which verifies it.
  PERFORM 'private.bookable_slot(app.experiences,timestamp with time zone)'::pg_catalog.regprocedure;
END
$verify$;

ROLLBACK;
