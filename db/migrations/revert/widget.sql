-- Revert tessera:widget from pg
--
-- anon no longer uses schema private.

BEGIN;

REVOKE USAGE ON SCHEMA private FROM anon;

COMMIT;
