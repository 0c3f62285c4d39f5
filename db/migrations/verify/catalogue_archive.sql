-- Verify tessera:catalogue_archive on pg
--
-- Raises unless the catalogue can be archived, experiences have a category and images, and managers may write
-- the catalogue as themselves.

BEGIN;

SELECT v.archived_at FROM app.venues v WHERE false;
SELECT r.archived_at FROM app.resources r WHERE false;
SELECT e.archived_at, e.category, e.image_urls FROM app.experiences e WHERE false;
SELECT t.archived_at FROM app.ticket_types t WHERE false;

DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_constraint
                  WHERE conrelid = 'app.experiences'::regclass AND conname = 'experiences_archived_inactive') THEN
    RAISE EXCEPTION 'an archived experience may still be active';
  END IF;
  IF pg_catalog.obj_description((SELECT oid FROM pg_catalog.pg_constraint
                                  WHERE conrelid = 'app.price_tiers'::regclass
                                    AND conname = 'price_tiers_experience_id_int4range_excl'), 'pg_constraint')
     !~ '^PT409 ' THEN
    RAISE EXCEPTION 'catalogue constraints do not say what they refuse';
  END IF;
  IF NOT pg_catalog.has_table_privilege('authenticated', 'app.experiences', 'INSERT') THEN
    RAISE EXCEPTION 'managers cannot add experiences as themselves';
  END IF;
END
$$;

ROLLBACK;
