-- Revert tessera:tickets_arg from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

drop function if exists "private"."tickets_arg"(p_name text, p_value jsonb);

SET LOCAL check_function_bodies = off;

CREATE OR REPLACE FUNCTION api.create_booking(experience_id uuid, starts_at timestamp with time zone, customer_email text, party_size integer DEFAULT NULL::integer, customer_name text DEFAULT NULL::text, customer_phone text DEFAULT NULL::text, tickets jsonb DEFAULT NULL::jsonb, idempotency_key text DEFAULT NULL::text)
 RETURNS app.booking_answer
 LANGUAGE sql
 SET search_path TO ''
AS $function$
  SELECT a.*
    FROM private.place_booking(experience_id, private.time_arg('starts_at', starts_at),
                               private.party_size_arg(party_size),
                               private.email_arg('customer_email', customer_email),
                               private.text_arg('customer_name', customer_name, 0, 200),
                               private.text_arg('customer_phone', customer_phone, 0, 50), tickets,
                               private.text_arg('idempotency_key', idempotency_key, 1, 200), NULL) b,
         private.booking_answer(b) a
$function$
;

CREATE OR REPLACE FUNCTION api.widget_create_booking(embed_key text, experience_id uuid, starts_at timestamp with time zone, customer_email text, party_size integer DEFAULT NULL::integer, customer_name text DEFAULT NULL::text, customer_phone text DEFAULT NULL::text, tickets jsonb DEFAULT NULL::jsonb, idempotency_key text DEFAULT NULL::text)
 RETURNS app.booking_answer
 LANGUAGE sql
 SET search_path TO ''
AS $function$
  SELECT a.*
    FROM private.place_booking(experience_id, private.time_arg('starts_at', starts_at),
                               private.party_size_arg(party_size),
                               private.email_arg('customer_email', customer_email),
                               private.text_arg('customer_name', customer_name, 0, 200),
                               private.text_arg('customer_phone', customer_phone, 0, 50), tickets,
                               private.text_arg('idempotency_key', idempotency_key, 1, 200),
                               private.text_arg('embed_key', embed_key, 1, 100)) b,
         private.booking_answer(b) a
$function$
;
REVOKE ALL ON FUNCTION api.create_booking(uuid,timestamp with time zone,text,integer,text,text,jsonb,text) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION api.create_booking(uuid,timestamp with time zone,text,integer,text,text,jsonb,text) TO authenticated;
COMMENT ON FUNCTION api.create_booking(uuid,timestamp with time zone,text,integer,text,text,jsonb,text) IS 'Books a session for a customer (created on the fly, matched by e-mail whatever its case). Private sessions take
party_size; ticketed events take tickets, [{"ticket_type_id": "…", "quantity": 2}]. The booking is pending, holding
its places for the experience''s hold time, or confirmed at once when no payment is required; it carries an
8-character confirmation code. Answers the booking as an object (app.booking_answer: id, confirmation_code, status,
experience_id, starts_at, ends_at, party_size, places, price_minor, currency, hold_expires_at, cancel_reason,
refund_due_minor, created_at), the same fields as widget_create_booking. Pass idempotency_key (1 to 200 characters)
to make retries safe: a key is yours (the signed-in staff member''s), and the same request with it returns the same
booking. For staff of the experience''s organization. Errors: PT404 experience not found; PT400 naming the argument
for a missing or malformed customer_email, a customer_name over 200 or customer_phone over 50 characters, a
party_size outside 1 to 1000 or the experience''s limits, invalid tickets, or a start that is not bookable (not
scheduled, too late, too early, venue closed, outside 2000-01-01 to five years from now); PT409 sold out or taken
(detail sold_out / slot_taken); PT422 the key was already used for a different request (detail
idempotency_key_reused).';
REVOKE ALL ON FUNCTION api.widget_create_booking(text,uuid,timestamp with time zone,text,integer,text,text,jsonb,text) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION api.widget_create_booking(text,uuid,timestamp with time zone,text,integer,text,text,jsonb,text) TO anon;
GRANT EXECUTE ON FUNCTION api.widget_create_booking(text,uuid,timestamp with time zone,text,integer,text,text,jsonb,text) TO authenticated;
COMMENT ON FUNCTION api.widget_create_booking(text,uuid,timestamp with time zone,text,integer,text,text,jsonb,text) IS 'The public variant of create_booking, for anyone with the venue''s embed key (anon): the same checks and holds, and
the same answer, an object (app.booking_answer: id, confirmation_code, status, experience_id, starts_at, ends_at,
party_size, places, price_minor, currency, hold_expires_at, cancel_reason, refund_due_minor, created_at). An
idempotency_key belongs to the venue and the customer''s e-mail: the same request with it returns the same booking; a
visitor with another e-mail, or at another venue, never gets that booking. Errors: PT404 unknown key or experience;
PT400 naming the argument, as for create_booking (e-mail, name, phone, key, party, tickets, start); PT409 sold out
or taken; PT422 the key was already used for a different request (detail idempotency_key_reused).';

COMMIT;
