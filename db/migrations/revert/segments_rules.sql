-- Revert tessera:segments_rules from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

drop trigger if exists "bookings_visits_delete" on "app"."bookings";

drop trigger if exists "bookings_visits_insert" on "app"."bookings";

drop trigger if exists "bookings_visits_update" on "app"."bookings";

drop trigger if exists "audit_log" on "app"."customer_segment_runs";

drop trigger if exists "audit_log" on "app"."customer_segments";

drop function if exists "api"."customer_segments_due"(stale interval);

drop function if exists "api"."get_customer"(org_id uuid, customer_id uuid);

drop function if exists "api"."get_customer_segments"(org_id uuid);

drop function if exists "api"."list_customers"(org_id uuid, segment text, query text, after text, page_size integer);

drop function if exists "api"."refresh_all_customer_segments"(as_of timestamp with time zone);

drop function if exists "api"."refresh_customer_segments"(org_id uuid, as_of timestamp with time zone);

drop function if exists "private"."bookings_visits"();

drop function if exists "private"."customer_card"(p_customer app.customers, p_currency text, p_segment app.customer_segments);

drop function if exists "private"."customer_label"(p_visited boolean, p_stale boolean, p_top_value boolean, p_recent boolean);

drop function if exists "private"."customer_visits_recount"(p_org_ids uuid[], p_customer_ids uuid[]);

drop function if exists "private"."get_customer"(p_org_id uuid, p_customer_id uuid);

drop function if exists "private"."get_customer_segments"(p_org_id uuid);

drop function if exists "private"."list_customers"(p_org_id uuid, p_segment text, p_query text, p_after text, p_page_size integer);

drop function if exists "private"."refresh_customer_segments"(p_org_id uuid, p_as_of timestamp with time zone);

drop function if exists "private"."rfm_segment"(p_recency smallint, p_frequency smallint, p_monetary smallint);

drop function if exists "private"."segments_due"(p_stale interval);

COMMIT;
