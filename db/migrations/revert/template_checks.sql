-- Revert tessera:template_checks from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

DROP TABLE app.template_checks;

COMMIT;
