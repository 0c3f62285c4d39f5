-- Revert tessera:reports_rules from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

drop function if exists "api"."report_bookings_by_status"(org_id uuid, from_date date, to_date date, venue uuid);

drop function if exists "api"."report_experience_performance"(org_id uuid, from_date date, to_date date, venue uuid);

drop function if exists "api"."report_revenue"(org_id uuid, from_date date, to_date date, venue uuid);

drop function if exists "api"."report_venue_performance"(org_id uuid, from_date date, to_date date, venue uuid);

drop function if exists "private"."report_bookings_by_status"(p_org_id uuid, p_from date, p_to date, p_venue_id uuid);

drop function if exists "private"."report_performance"(p_org_id uuid, p_from date, p_to date, p_venue_id uuid);

drop function if exists "private"."report_revenue"(p_org_id uuid, p_from date, p_to date, p_venue_id uuid);

drop function if exists "private"."report_scope"(p_org_id uuid, p_from date, p_to date, p_venue_id uuid);

COMMIT;
