-- Revert tessera:waivers_privileges from pg
--
-- Takes back exactly the privileges the deploy gave (the experiences' other column grants stay).

BEGIN;

REVOKE SELECT (org_id, name, active, waiver_template_id, waiver_at_check_in),
       UPDATE (waiver_template_id, waiver_at_check_in) ON app.experiences FROM authenticated;
REVOKE ALL ON app.waiver_versions FROM authenticated;
REVOKE ALL ON app.waiver_templates FROM authenticated;

COMMIT;
