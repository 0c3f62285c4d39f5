-- Revert tessera:orders_rules from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

drop trigger if exists "audit_log" on "app"."currencies";

drop trigger if exists "audit_log" on "app"."order_lines";

drop trigger if exists "order_lines_insert_only" on "app"."order_lines";

drop trigger if exists "order_lines_no_truncate" on "app"."order_lines";

drop trigger if exists "audit_log" on "app"."orders";

drop trigger if exists "orders_guard" on "app"."orders";

drop trigger if exists "orders_touch_updated_at" on "app"."orders";

drop trigger if exists "audit_log" on "app"."org_settings";

drop trigger if exists "org_settings_touch_updated_at" on "app"."org_settings";

drop trigger if exists "organizations_settings" on "app"."organizations";

drop policy "currencies_select" on "app"."currencies";

drop policy "order_lines_select" on "app"."order_lines";

drop policy "orders_select" on "app"."orders";

drop policy "org_settings_select" on "app"."org_settings";

drop policy "org_settings_update" on "app"."org_settings";

drop function if exists "private"."insert_only"();

drop function if exists "private"."orders_guard"();

drop function if exists "private"."org_settings_create"();

COMMIT;
