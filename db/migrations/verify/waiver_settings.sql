-- Verify tessera:waiver_settings on pg
--
-- Raises when something the deploy script made is missing; changes nothing.

BEGIN;

DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_constraint
                  WHERE conrelid = 'app.experiences'::regclass AND conname = 'experiences_waiver_at_check_in_check') THEN
    RAISE EXCEPTION 'app.experiences has no experiences_waiver_at_check_in_check';
  END IF;
  IF pg_catalog.obj_description((SELECT oid FROM pg_catalog.pg_constraint
                                  WHERE conrelid = 'app.experiences'::regclass
                                    AND conname = 'experiences_waiver_template_fkey'), 'pg_constraint') IS NULL
     OR pg_catalog.obj_description((SELECT oid FROM pg_catalog.pg_constraint
                                     WHERE conrelid = 'app.venues'::regclass
                                       AND conname = 'venues_age_of_majority_check'), 'pg_constraint') IS NULL THEN
    RAISE EXCEPTION 'the waiver columns'' constraints do not say what they refuse';
  END IF;
  IF NOT pg_catalog.has_column_privilege('authenticated', 'app.experiences', 'waiver_template_id', 'UPDATE')
     OR NOT pg_catalog.has_column_privilege('authenticated', 'app.experiences', 'waiver_at_check_in', 'UPDATE')
     OR NOT pg_catalog.has_column_privilege('authenticated', 'app.venues', 'age_of_majority', 'UPDATE') THEN
    RAISE EXCEPTION 'managers cannot write the waiver columns through update_experience and update_venue';
  END IF;
END
$$;

ROLLBACK;
