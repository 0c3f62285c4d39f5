-- Revert tessera:tenancy_rules from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

drop trigger if exists "memberships_touch_updated_at" on "app"."memberships";

drop trigger if exists "organizations_touch_updated_at" on "app"."organizations";

drop trigger if exists "profiles_touch_updated_at" on "app"."profiles";

drop policy "memberships_delete" on "app"."memberships";

drop policy "memberships_insert" on "app"."memberships";

drop policy "memberships_select" on "app"."memberships";

drop policy "memberships_update" on "app"."memberships";

drop policy "organizations_delete" on "app"."organizations";

drop policy "organizations_select" on "app"."organizations";

drop policy "organizations_update" on "app"."organizations";

drop policy "profiles_insert" on "app"."profiles";

drop policy "profiles_select" on "app"."profiles";

drop policy "profiles_update" on "app"."profiles";

drop function if exists "api"."create_organization"(name text, slug text);

drop function if exists "api"."my_organizations"();

drop function if exists "app"."touch_updated_at"();

drop function if exists "private"."co_member_ids"();

drop function if exists "private"."create_organization"(p_name text, p_slug text);

drop function if exists "private"."is_super_admin"();

drop function if exists "private"."org_ids"(min_role app.member_role);

COMMIT;
