-- Revert tessera:booking_answers from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

drop function if exists "api"."batch_update_booking_status"(booking_ids uuid[], status app.booking_status);

drop function if exists "api"."complete_booking"(booking_id uuid);

drop function if exists "api"."confirm_booking"(booking_id uuid);

drop function if exists "api"."create_booking"(experience_id uuid, starts_at timestamp with time zone, customer_email text, party_size integer, customer_name text, customer_phone text, tickets jsonb, idempotency_key text);

drop function if exists "api"."mark_no_show"(booking_id uuid);

drop function if exists "api"."reject_booking"(booking_id uuid, reason text);

drop function if exists "api"."reschedule_booking"(booking_id uuid, starts_at timestamp with time zone);

drop function if exists "api"."widget_create_booking"(embed_key text, experience_id uuid, starts_at timestamp with time zone, customer_email text, party_size integer, customer_name text, customer_phone text, tickets jsonb, idempotency_key text);

drop function if exists "private"."booking_answer"(b app.bookings);

COMMIT;
