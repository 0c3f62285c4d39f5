-- Revert tessera:webhook_endpoints from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

DROP TABLE app.webhook_attempts;
DROP TABLE app.webhook_deliveries;
DROP TABLE app.webhook_endpoints;

COMMIT;
