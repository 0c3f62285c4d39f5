-- Deploy tessera:waiver_settings to pg
-- requires: waivers
-- requires: catalogue_archive
--
-- An experience's waiver and a venue's age of majority are set through update_experience and update_venue like every other field: managers may write the three columns, waiver_at_check_in needs a waiver by CHECK, and each constraint says in words what it refuses

BEGIN;

-- update_experience and update_venue write as the caller under the catalogue policies (managers and up), so the
-- three columns the waivers area added become PATCH keys with a column privilege each, and the rule that
-- private.set_experience_waiver checked in code (no check-in refusal without a waiver) becomes the table's.
ALTER TABLE app.experiences
  ADD CONSTRAINT experiences_waiver_at_check_in_check CHECK (NOT waiver_at_check_in OR waiver_template_id IS NOT NULL);

COMMENT ON CONSTRAINT experiences_waiver_at_check_in_check ON app.experiences IS
  'PT400 invalid: waiver_at_check_in needs a waiver_template_id (the waiver participants sign)';
COMMENT ON CONSTRAINT experiences_waiver_template_fkey ON app.experiences IS
  'PT404 not_found: waiver template not found';
COMMENT ON CONSTRAINT venues_age_of_majority_check ON app.venues IS
  'PT400 invalid: age_of_majority is 1 to 30 years';

-- One way to change an experience: the definer that set these columns is retired.
DROP FUNCTION api.set_experience_waiver(uuid, uuid, boolean);
DROP FUNCTION private.set_experience_waiver(uuid, uuid, boolean);

GRANT UPDATE (waiver_template_id, waiver_at_check_in) ON app.experiences TO authenticated;
GRANT UPDATE (age_of_majority) ON app.venues TO authenticated;

COMMIT;
