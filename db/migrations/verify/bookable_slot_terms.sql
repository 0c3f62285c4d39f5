-- Verify tessera:bookable_slot_terms on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

DO $verify$
BEGIN
  PERFORM 'private.bookable_slot(app.experiences,timestamp with time zone)'::pg_catalog.regprocedure;
END
$verify$;

ROLLBACK;
