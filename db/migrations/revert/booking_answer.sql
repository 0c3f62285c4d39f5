-- Revert tessera:booking_answer from pg
--
-- The functions as they were before (their definitions, comments and grants as deployed by the change before).

BEGIN;

CREATE OR REPLACE FUNCTION api.batch_update_booking_status(booking_ids uuid[], status app.booking_status)
 RETURNS SETOF app.bookings
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
DECLARE
  one uuid;
  moved app.bookings;
BEGIN
  FOREACH one IN ARRAY booking_ids LOOP
    BEGIN
      moved := private.move_booking(one, batch_update_booking_status.status, NULL);
    EXCEPTION WHEN SQLSTATE 'PT404' OR SQLSTATE 'PT409' THEN
      -- The first booking that cannot move aborts the whole batch, naming it.
      RAISE EXCEPTION 'booking % cannot move to %: %', one, batch_update_booking_status.status, SQLERRM
        USING ERRCODE = CASE WHEN SQLSTATE = 'PT404' THEN 'PT404' ELSE 'PT409' END,
              DETAIL = one::text;
    END;
    RETURN NEXT moved;
  END LOOP;
END
$function$
;

COMMENT ON FUNCTION api.batch_update_booking_status(uuid[],app.booking_status) IS 'Moves several bookings to one status, all or nothing: the first booking that cannot move (not found, or an
illegal transition, a booking already in that status included) aborts the batch with an error naming it (its id
is the error''s detail) and nothing is written. Returns the moved bookings in the order given. For staff of their organization.';
REVOKE ALL ON FUNCTION api.batch_update_booking_status(uuid[],app.booking_status) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.batch_update_booking_status(uuid[],app.booking_status) TO authenticated;

CREATE OR REPLACE FUNCTION api.complete_booking(booking_id uuid)
 RETURNS app.bookings
 LANGUAGE sql
 SET search_path TO ''
AS $function$ SELECT * FROM private.move_booking(booking_id, 'completed', NULL) $function$
;

COMMENT ON FUNCTION api.complete_booking(uuid) IS 'Marks a confirmed booking as completed (the group came). For staff of its organization. Errors: PT404 not found;
PT409 illegal transition, already completed included (detail illegal_transition).';
REVOKE ALL ON FUNCTION api.complete_booking(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.complete_booking(uuid) TO authenticated, service_role;

CREATE OR REPLACE FUNCTION api.confirm_booking(booking_id uuid)
 RETURNS app.bookings
 LANGUAGE sql
 SET search_path TO ''
AS $function$ SELECT * FROM private.move_booking(booking_id, 'confirmed', NULL) $function$
;

COMMENT ON FUNCTION api.confirm_booking(uuid) IS 'Confirms a pending booking (typically once paid). For staff of its organization. Errors: PT404 not found;
PT409 illegal transition, already confirmed included (detail illegal_transition), or hold ran out (detail
hold_expired).';
REVOKE ALL ON FUNCTION api.confirm_booking(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.confirm_booking(uuid) TO authenticated, service_role;

CREATE OR REPLACE FUNCTION api.create_booking(experience_id uuid, starts_at timestamp with time zone, customer_email text, party_size integer DEFAULT NULL::integer, customer_name text DEFAULT NULL::text, customer_phone text DEFAULT NULL::text, tickets jsonb DEFAULT NULL::jsonb, idempotency_key text DEFAULT NULL::text)
 RETURNS app.bookings
 LANGUAGE sql
 SET search_path TO ''
AS $function$
  SELECT * FROM private.place_booking(experience_id, private.time_arg('starts_at', starts_at),
                                      private.party_size_arg(party_size), customer_email, customer_name,
                                      customer_phone, tickets, idempotency_key, NULL)
$function$
;

COMMENT ON FUNCTION api.create_booking(uuid,timestamp with time zone,text,integer,text,text,jsonb,text) IS 'Books a session for a customer (created on the fly, matched by e-mail whatever its case). Private sessions take
party_size; ticketed events take tickets, [{"ticket_type_id": "…", "quantity": 2}]. The booking is pending, holding
its places for the experience''s hold time, or confirmed at once when no payment is required; it carries an
8-character confirmation code. Pass idempotency_key to make retries safe: a key is yours (the signed-in staff
member''s), and the same request with it returns the same booking. For staff of the experience''s organization.
Errors: PT404 experience not found; PT400 invalid party (party_size is 1 to 1000, and within the experience''s
limits), tickets or start (not scheduled, too late, too early, venue closed, or outside 2000-01-01 to five years
from now); PT409 sold out or taken (detail sold_out /
slot_taken); PT422 the key was already used for a different request (detail idempotency_key_reused).';
REVOKE ALL ON FUNCTION api.create_booking(uuid,timestamp with time zone,text,integer,text,text,jsonb,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.create_booking(uuid,timestamp with time zone,text,integer,text,text,jsonb,text) TO authenticated;

CREATE OR REPLACE FUNCTION api.mark_no_show(booking_id uuid)
 RETURNS app.bookings
 LANGUAGE sql
 SET search_path TO ''
AS $function$ SELECT * FROM private.move_booking(booking_id, 'no_show', NULL) $function$
;

COMMENT ON FUNCTION api.mark_no_show(uuid) IS 'Marks a confirmed booking as a no-show. For staff of its organization. Errors: PT404 not found; PT409 illegal
transition, already a no-show included (detail illegal_transition).';
REVOKE ALL ON FUNCTION api.mark_no_show(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.mark_no_show(uuid) TO authenticated, service_role;

CREATE OR REPLACE FUNCTION api.reject_booking(booking_id uuid, reason text DEFAULT NULL::text)
 RETURNS app.bookings
 LANGUAGE sql
 SET search_path TO ''
AS $function$ SELECT * FROM private.move_booking(booking_id, 'rejected', reason) $function$
;

COMMENT ON FUNCTION api.reject_booking(uuid,text) IS 'Rejects a pending booking and frees its places. For staff of its organization. Errors: PT404 not found; PT409
illegal transition, already rejected included (detail illegal_transition; nothing is written).';
REVOKE ALL ON FUNCTION api.reject_booking(uuid,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.reject_booking(uuid,text) TO authenticated, service_role;

CREATE OR REPLACE FUNCTION api.reschedule_booking(booking_id uuid, starts_at timestamp with time zone)
 RETURNS app.bookings
 LANGUAGE sql
 SET search_path TO ''
AS $function$
  SELECT * FROM private.reschedule(booking_id, private.time_arg('starts_at', starts_at))
$function$
;

COMMENT ON FUNCTION api.reschedule_booking(uuid,timestamp with time zone) IS 'Moves a pending or confirmed booking to another scheduled start of the same experience. Atomic: the old places
are freed only if the new ones are taken; on failure nothing changes. For staff of its organization. Errors: PT404
not found; PT400 not a bookable start (or outside 2000-01-01 to five years from now); PT409 sold out or taken, or
the booking is no longer live.';
REVOKE ALL ON FUNCTION api.reschedule_booking(uuid,timestamp with time zone) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.reschedule_booking(uuid,timestamp with time zone) TO authenticated;

CREATE OR REPLACE FUNCTION api.widget_create_booking(embed_key text, experience_id uuid, starts_at timestamp with time zone, customer_email text, party_size integer DEFAULT NULL::integer, customer_name text DEFAULT NULL::text, customer_phone text DEFAULT NULL::text, tickets jsonb DEFAULT NULL::jsonb, idempotency_key text DEFAULT NULL::text)
 RETURNS TABLE(booking_id uuid, confirmation_code text, status app.booking_status, starts_at timestamp with time zone, ends_at timestamp with time zone, price_minor bigint, currency text, hold_expires_at timestamp with time zone)
 LANGUAGE sql
 SET search_path TO ''
AS $function$
  SELECT b.id, b.confirmation_code, b.status, b.starts_at, b.ends_at, b.price_minor, b.currency::text,
         b.hold_expires_at
    FROM private.place_booking(experience_id, private.time_arg('starts_at', starts_at),
                               private.party_size_arg(party_size), customer_email, customer_name, customer_phone,
                               tickets, idempotency_key, embed_key) b
$function$
;

COMMENT ON FUNCTION api.widget_create_booking(text,uuid,timestamp with time zone,text,integer,text,text,jsonb,text) IS 'The public variant of create_booking, for anyone with the venue''s embed key (anon): the same checks and holds,
answering only the booking''s id, code, status, times, price and hold. An idempotency_key belongs to the venue and
the customer''s e-mail: the same request with it returns the same booking; a visitor with another e-mail, or at
another venue, never gets that booking. Errors: PT404 unknown key or experience; PT400 invalid party, tickets or
start (or outside 2000-01-01 to five years from now); PT409 sold out or taken; PT422 the key was already used for
a different request (detail idempotency_key_reused).';
REVOKE ALL ON FUNCTION api.widget_create_booking(text,uuid,timestamp with time zone,text,integer,text,text,jsonb,text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.widget_create_booking(text,uuid,timestamp with time zone,text,integer,text,text,jsonb,text) TO anon, authenticated;

DROP TYPE app.booking_answer;

COMMIT;
