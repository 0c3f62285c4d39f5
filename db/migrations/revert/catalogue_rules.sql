-- Revert tessera:catalogue_rules from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

drop trigger if exists "experiences_touch_updated_at" on "app"."experiences";

drop trigger if exists "resources_touch_updated_at" on "app"."resources";

drop trigger if exists "ticket_types_touch_updated_at" on "app"."ticket_types";

drop trigger if exists "venues_touch_updated_at" on "app"."venues";

drop policy "experience_resources_delete" on "app"."experience_resources";

drop policy "experience_resources_insert" on "app"."experience_resources";

drop policy "experience_resources_select" on "app"."experience_resources";

drop policy "experience_resources_update" on "app"."experience_resources";

drop policy "experiences_delete" on "app"."experiences";

drop policy "experiences_insert" on "app"."experiences";

drop policy "experiences_select" on "app"."experiences";

drop policy "experiences_update" on "app"."experiences";

drop policy "price_tiers_delete" on "app"."price_tiers";

drop policy "price_tiers_insert" on "app"."price_tiers";

drop policy "price_tiers_select" on "app"."price_tiers";

drop policy "price_tiers_update" on "app"."price_tiers";

drop policy "resources_delete" on "app"."resources";

drop policy "resources_insert" on "app"."resources";

drop policy "resources_select" on "app"."resources";

drop policy "resources_update" on "app"."resources";

drop policy "schedules_delete" on "app"."schedules";

drop policy "schedules_insert" on "app"."schedules";

drop policy "schedules_select" on "app"."schedules";

drop policy "schedules_update" on "app"."schedules";

drop policy "ticket_types_delete" on "app"."ticket_types";

drop policy "ticket_types_insert" on "app"."ticket_types";

drop policy "ticket_types_select" on "app"."ticket_types";

drop policy "ticket_types_update" on "app"."ticket_types";

drop policy "venue_closures_delete" on "app"."venue_closures";

drop policy "venue_closures_insert" on "app"."venue_closures";

drop policy "venue_closures_select" on "app"."venue_closures";

drop policy "venue_closures_update" on "app"."venue_closures";

drop policy "venue_hours_delete" on "app"."venue_hours";

drop policy "venue_hours_insert" on "app"."venue_hours";

drop policy "venue_hours_select" on "app"."venue_hours";

drop policy "venue_hours_update" on "app"."venue_hours";

drop policy "venues_delete" on "app"."venues";

drop policy "venues_insert" on "app"."venues";

drop policy "venues_select" on "app"."venues";

drop policy "venues_update" on "app"."venues";

drop function if exists "api"."rotate_embed_key"(venue_id uuid);

COMMIT;
