-- Revert tessera:webhook_secret_overlap from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

ALTER TABLE app.webhook_endpoints
  DROP CONSTRAINT webhook_endpoints_overlap_check,
  DROP COLUMN previous_secret_until,
  DROP COLUMN previous_secret;

COMMIT;
