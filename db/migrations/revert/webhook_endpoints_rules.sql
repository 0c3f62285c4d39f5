-- Revert tessera:webhook_endpoints_rules from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

drop trigger if exists "bookings_webhooks" on "app"."bookings";

drop trigger if exists "check_ins_webhooks" on "app"."check_ins";

drop trigger if exists "payments_webhooks" on "app"."payments";

drop trigger if exists "refunds_webhooks" on "app"."refunds";

drop trigger if exists "waitlist_entries_webhooks" on "app"."waitlist_entries";

drop trigger if exists "audit_log" on "app"."webhook_endpoints";

drop trigger if exists "webhook_endpoints_touch_updated_at" on "app"."webhook_endpoints";

drop function if exists "api"."create_webhook_endpoint"(org_id uuid, url text, event_types text[], description text);

drop function if exists "api"."delete_webhook_endpoint"(org_id uuid, endpoint_id uuid);

drop function if exists "api"."list_webhook_deliveries"(org_id uuid, endpoint_id uuid, status text, before text, page_size integer);

drop function if exists "api"."list_webhook_endpoints"(org_id uuid);

drop function if exists "api"."retry_webhook_delivery"(org_id uuid, delivery_id uuid);

drop function if exists "api"."rotate_webhook_secret"(org_id uuid, endpoint_id uuid);

drop function if exists "api"."update_webhook_endpoint"(org_id uuid, endpoint_id uuid, url text, event_types text[], description text, enabled boolean);

drop function if exists "private"."bookings_webhooks"();

drop function if exists "private"."check_ins_webhooks"();

drop function if exists "private"."claim_webhook_deliveries"(p_worker text, p_limit integer, p_lease interval);

drop function if exists "private"."complete_webhook_delivery"(p_delivery_id uuid, p_worker text, p_status_code integer, p_duration_ms integer);

drop function if exists "private"."create_webhook_endpoint"(p_org_id uuid, p_url text, p_event_types text[], p_description text);

drop function if exists "private"."delete_webhook_endpoint"(p_org_id uuid, p_endpoint_id uuid);

drop function if exists "private"."fail_webhook_delivery"(p_delivery_id uuid, p_worker text, p_status_code integer, p_error text, p_duration_ms integer, p_permanent boolean);

drop function if exists "private"."list_webhook_deliveries"(p_org_id uuid, p_endpoint_id uuid, p_status text, p_before_at timestamp with time zone, p_before_id uuid, p_page_size integer);

drop function if exists "private"."list_webhook_endpoints"(p_org_id uuid);

drop function if exists "private"."payments_webhooks"();

drop function if exists "private"."refunds_webhooks"();

drop function if exists "private"."release_webhook_deliveries"(p_delivery_ids uuid[], p_worker text);

drop function if exists "private"."retry_webhook_delivery"(p_org_id uuid, p_delivery_id uuid);

drop function if exists "private"."rotate_webhook_secret"(p_org_id uuid, p_endpoint_id uuid);

drop function if exists "private"."update_webhook_endpoint"(p_org_id uuid, p_endpoint_id uuid, p_url text, p_event_types text[], p_description text, p_enabled boolean);

drop function if exists "private"."waitlist_entries_webhooks"();

drop function if exists "private"."webhook_address_public"(p_address inet);

drop function if exists "private"."webhook_admin"(p_org_id uuid);

drop function if exists "private"."webhook_backoff"(p_attempts integer, p_jitter double precision);

drop function if exists "private"."webhook_booking_data"(p_booking app.bookings);

drop function if exists "private"."webhook_disable_after"();

drop function if exists "private"."webhook_emit"(p_org_id uuid, p_event_type text, p_event_key text, p_data jsonb);

drop function if exists "private"."webhook_endpoint_failed"(p_org_id uuid, p_endpoint_id uuid, p_error text);

drop function if exists "private"."webhook_endpoint_json"(p_endpoint app.webhook_endpoints, p_with_secret boolean);

drop function if exists "private"."webhook_event_types"();

drop function if exists "private"."webhook_event_types_arg"(p_event_types text[]);

drop function if exists "private"."webhook_max_attempts"();

drop function if exists "private"."webhook_secret"();

drop function if exists "private"."webhook_url_arg"(p_url text);

drop function if exists "private"."webhook_url_problem"(p_url text);

COMMIT;
