-- Revert tessera:waivers_privileges from pg
--
-- Takes back exactly the privileges the deploy gave.

BEGIN;

REVOKE ALL ON app.waiver_versions FROM authenticated;
REVOKE ALL ON app.waiver_templates FROM authenticated;

COMMIT;
