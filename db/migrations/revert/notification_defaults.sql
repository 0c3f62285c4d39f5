-- Revert tessera:notification_defaults from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it: no default templates, every
-- kind's sample data empty.

BEGIN;

DELETE FROM app.default_templates;
UPDATE app.notification_kinds SET sample_data = '{}';

COMMIT;
