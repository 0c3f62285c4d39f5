-- Revert tessera:waivers from pg
--
-- Drops the waiver tables and columns (dependents first) and restores the lookup failures' comment.

BEGIN;

COMMENT ON TABLE app.ticket_lookup_failures IS
  'Failed api.get_tickets lookups per hour, per subject: ''code <confirmation code>'' or ''email <sha-256 hex of '
  'the lower-cased address>''.';

ALTER TABLE app.venues DROP COLUMN age_of_majority;
DROP INDEX app.experiences_waiver_template;
ALTER TABLE app.experiences
  DROP CONSTRAINT experiences_waiver_template_fkey,
  DROP COLUMN waiver_at_check_in,
  DROP COLUMN waiver_template_id;
DROP TABLE app.waiver_signatures;
DROP TABLE app.waiver_versions;
DROP TABLE app.waiver_templates;

COMMIT;
