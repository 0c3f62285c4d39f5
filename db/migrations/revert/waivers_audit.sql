-- Revert tessera:waivers_audit from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

drop trigger if exists "audit_log" on "app"."waiver_signatures";

drop trigger if exists "audit_log" on "app"."waiver_templates";

drop trigger if exists "audit_log" on "app"."waiver_versions";

COMMIT;
