-- Revert tessera:booking_workflows from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

drop function if exists "api"."batch_update_booking_status"(booking_ids uuid[], status app.booking_status);

drop function if exists "api"."get_booking"(booking_id uuid);

drop function if exists "api"."list_bookings"(org_id uuid, from_time timestamp with time zone, to_time timestamp with time zone, statuses app.booking_status[], experience_id uuid, customer_email text, after_starts_at timestamp with time zone, after_id uuid, page_size integer);

drop function if exists "api"."reschedule_booking"(booking_id uuid, starts_at timestamp with time zone);

drop function if exists "private"."reschedule"(p_booking_id uuid, p_starts_at timestamp with time zone);

COMMIT;
