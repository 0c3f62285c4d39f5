-- Revert tessera:reminder_lead from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

ALTER TABLE app.org_settings DROP COLUMN reminder_lead;

COMMIT;
