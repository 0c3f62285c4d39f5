-- Revert tessera:audit from pg
--
-- Drops the audit log and its seals (their guard triggers go with them) and the schema usage granted here.

BEGIN;

REVOKE USAGE ON SCHEMA audit FROM authenticated, service_role;
DROP TABLE audit.purges;
DROP TABLE audit.seals;
DROP TABLE audit.log;

COMMIT;
