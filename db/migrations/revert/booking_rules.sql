-- Revert tessera:booking_rules from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

drop trigger if exists "booking_tickets_sync" on "app"."booking_tickets";

drop trigger if exists "bookings_guard" on "app"."bookings";

drop trigger if exists "bookings_sync" on "app"."bookings";

drop trigger if exists "bookings_touch_updated_at" on "app"."bookings";

drop trigger if exists "customers_touch_updated_at" on "app"."customers";

drop policy "booking_resources_select" on "app"."booking_resources";

drop policy "booking_tickets_select" on "app"."booking_tickets";

drop policy "bookings_select" on "app"."bookings";

drop policy "bookings_update" on "app"."bookings";

drop policy "customers_delete" on "app"."customers";

drop policy "customers_insert" on "app"."customers";

drop policy "customers_select" on "app"."customers";

drop policy "customers_update" on "app"."customers";

drop policy "slot_ticket_counts_select" on "app"."slot_ticket_counts";

drop policy "slots_select" on "app"."slots";

drop function if exists "api"."batch_update_booking_status"(booking_ids uuid[], status app.booking_status);

drop function if exists "api"."cancel_booking"(booking_id uuid, reason text);

drop function if exists "api"."check_availability"(experience_id uuid, from_date date, to_date date, party_size integer);

drop function if exists "api"."complete_booking"(booking_id uuid);

drop function if exists "api"."confirm_booking"(booking_id uuid);

drop function if exists "api"."create_booking"(experience_id uuid, starts_at timestamp with time zone, customer_email text, party_size integer, customer_name text, customer_phone text, tickets jsonb, idempotency_key text);

drop function if exists "api"."expire_holds"();

drop function if exists "api"."get_booking"(booking_id uuid);

drop function if exists "api"."list_bookings"(org_id uuid, from_time timestamp with time zone, to_time timestamp with time zone, statuses app.booking_status[], experience_id uuid, customer_email text, after_starts_at timestamp with time zone, after_id uuid, page_size integer);

drop function if exists "api"."mark_no_show"(booking_id uuid);

drop function if exists "api"."reject_booking"(booking_id uuid, reason text);

drop function if exists "api"."reschedule_booking"(booking_id uuid, starts_at timestamp with time zone);

drop function if exists "private"."availability"(p_experience_id uuid, p_from date, p_to date, p_party_size integer);

drop function if exists "private"."booking_is_live"(status app.booking_status);

drop function if exists "private"."booking_tickets_sync"();

drop function if exists "private"."bookings_guard"();

drop function if exists "private"."bookings_sync"();

drop function if exists "private"."count_tickets"(p_org_id uuid, p_booking_id uuid, p_slot_id uuid, p_sign integer);

drop function if exists "private"."move_booking"(p_booking_id uuid, p_status app.booking_status, p_reason text);

drop function if exists "private"."new_confirmation_code"();

drop function if exists "private"."place_booking"(p_experience_id uuid, p_starts_at timestamp with time zone, p_party_size integer, p_email text, p_name text, p_phone text, p_tickets jsonb, p_idempotency_key text, p_embed_key text);

drop function if exists "private"."refund_due"(b app.bookings, at timestamp with time zone);

drop function if exists "private"."reschedule"(p_booking_id uuid, p_starts_at timestamp with time zone);

drop function if exists "private"."within_opening_hours"(p_venue_id uuid, p_local_start timestamp without time zone, p_local_end timestamp without time zone);

COMMIT;
