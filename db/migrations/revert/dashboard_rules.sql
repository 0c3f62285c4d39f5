-- Revert tessera:dashboard_rules from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

drop function if exists "api"."get_booking_trends"(org_id uuid, weeks integer, as_of timestamp with time zone);

drop function if exists "api"."get_dashboard_stats"(org_id uuid, days integer, venue_id uuid, as_of timestamp with time zone);

drop function if exists "api"."get_hourly_distribution"(org_id uuid, days integer, as_of timestamp with time zone);

drop function if exists "api"."get_recent_activity"(org_id uuid, page_size integer, before text);

drop function if exists "api"."get_upcoming_bookings"(org_id uuid, page_size integer);

drop function if exists "private"."activity_amount"(p_minor bigint, p_currency text);

drop function if exists "private"."dashboard_activity"(p_org_id uuid, p_page_size integer, p_before_at timestamp with time zone, p_before_id bigint);

drop function if exists "private"."dashboard_figures"(p_org_id uuid, p_venue_id uuid, p_from timestamp with time zone, p_to timestamp with time zone, p_money boolean);

drop function if exists "private"."dashboard_hourly"(p_org_id uuid, p_days integer, p_as_of timestamp with time zone);

drop function if exists "private"."dashboard_money_may"(p_org_id uuid);

drop function if exists "private"."dashboard_stats"(p_org_id uuid, p_days integer, p_venue_id uuid, p_as_of timestamp with time zone);

drop function if exists "private"."dashboard_trends"(p_org_id uuid, p_weeks integer, p_as_of timestamp with time zone);

drop function if exists "private"."dashboard_upcoming"(p_org_id uuid, p_page_size integer);

COMMIT;
