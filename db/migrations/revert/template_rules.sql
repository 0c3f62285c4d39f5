-- Revert tessera:template_rules from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

drop trigger if exists "audit_log" on "app"."template_checks";

drop function if exists "api"."delete_template"(org_id uuid, kind text, channel text, locale text);

drop function if exists "api"."list_templates"(org_id uuid, kind text);

drop function if exists "api"."record_template_check"(org_id uuid, fingerprint text, checked_by uuid);

drop function if exists "api"."save_template"(org_id uuid, kind text, channel text, locale text, subject text, html text, body text);

drop function if exists "api"."template_sample"(org_id uuid, kind text);

drop function if exists "private"."delete_template"(p_org_id uuid, p_kind text, p_channel text, p_locale text);

drop function if exists "private"."list_templates"(p_org_id uuid, p_kind text);

drop function if exists "private"."record_template_check"(p_org_id uuid, p_fingerprint text, p_checked_by uuid);

drop function if exists "private"."save_template"(p_org_id uuid, p_kind text, p_channel text, p_locale text, p_subject text, p_html text, p_body text);

drop function if exists "private"."template_fingerprint"(p_kind text, p_channel text, p_subject text, p_html text, p_body text);

drop function if exists "private"."template_kind"(p_kind text);

drop function if exists "private"."template_parts"(p_channel text, p_locale text, p_subject text, p_html text, p_body text);

drop function if exists "private"."template_sample"(p_org_id uuid, p_kind text);

COMMIT;
