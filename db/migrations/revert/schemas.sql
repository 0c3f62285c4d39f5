-- Revert tessera:schemas from pg
--
-- Drops the four schemas (RESTRICT: later changes must have been reverted first) and gives the deploying role back
-- PostgreSQL's default of EXECUTE for PUBLIC on new functions.

BEGIN;

ALTER DEFAULT PRIVILEGES GRANT EXECUTE ON FUNCTIONS TO PUBLIC;

DROP SCHEMA audit;
DROP SCHEMA private;
DROP SCHEMA api;
DROP SCHEMA app;

COMMIT;
