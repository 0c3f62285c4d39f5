-- Revert tessera:count_args from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

drop function if exists "private"."count_arg"(p_name text, p_value integer, p_min integer, p_max integer);

drop function if exists "private"."interval_arg"(p_name text, p_value interval, p_min interval, p_max interval);

drop function if exists "private"."party_size_arg"(p_value integer);

SET LOCAL check_function_bodies = off;

CREATE OR REPLACE FUNCTION api.check_availability(experience_id uuid, from_date date, to_date date, party_size integer DEFAULT 1)
 RETURNS TABLE(starts_at timestamp with time zone, ends_at timestamp with time zone, local_start timestamp without time zone, remaining integer, price_minor bigint, currency text)
 LANGUAGE sql
 STABLE
 SET search_path TO ''
AS $function$
  SELECT * FROM private.availability(experience_id, private.time_arg('from_date', from_date),
                                     private.time_arg('to_date', to_date), party_size, NULL)
$function$
;

CREATE OR REPLACE FUNCTION api.create_booking(experience_id uuid, starts_at timestamp with time zone, customer_email text, party_size integer DEFAULT NULL::integer, customer_name text DEFAULT NULL::text, customer_phone text DEFAULT NULL::text, tickets jsonb DEFAULT NULL::jsonb, idempotency_key text DEFAULT NULL::text)
 RETURNS app.bookings
 LANGUAGE sql
 SET search_path TO ''
AS $function$
  SELECT * FROM private.place_booking(experience_id, private.time_arg('starts_at', starts_at), party_size,
                                      customer_email, customer_name, customer_phone, tickets, idempotency_key, NULL)
$function$
;

CREATE OR REPLACE FUNCTION api.list_bookings(org_id uuid, from_time timestamp with time zone DEFAULT NULL::timestamp with time zone, to_time timestamp with time zone DEFAULT NULL::timestamp with time zone, statuses app.booking_status[] DEFAULT NULL::app.booking_status[], experience_id uuid DEFAULT NULL::uuid, customer_email text DEFAULT NULL::text, after_starts_at timestamp with time zone DEFAULT NULL::timestamp with time zone, after_id uuid DEFAULT NULL::uuid, page_size integer DEFAULT 50)
 RETURNS SETOF app.bookings
 LANGUAGE sql
 STABLE
 SET search_path TO ''
AS $function$
  SELECT private.time_arg('from_time', from_time), private.time_arg('to_time', to_time),
         private.time_arg('after_starts_at', after_starts_at);
  SELECT b.*
    FROM app.bookings b
   WHERE b.org_id = list_bookings.org_id
     AND (from_time IS NULL OR b.starts_at >= from_time)
     AND (to_time IS NULL OR b.starts_at < to_time)
     AND (statuses IS NULL OR b.status = ANY (statuses))
     AND (list_bookings.experience_id IS NULL OR b.experience_id = list_bookings.experience_id)
     AND (customer_email IS NULL OR b.customer_id IN (
           SELECT c.id FROM app.customers c
            WHERE c.org_id = list_bookings.org_id AND c.email_key = pg_catalog.lower(pg_catalog.btrim(customer_email))))
     AND (after_starts_at IS NULL OR (b.starts_at, b.id) > (after_starts_at, coalesce(after_id, '00000000-0000-0000-0000-000000000000')))
   ORDER BY b.starts_at, b.id
   LIMIT LEAST(GREATEST(coalesce(page_size, 50), 1), 500)
$function$
;

CREATE OR REPLACE FUNCTION api.seal_audit_log(settle interval DEFAULT '00:01:00'::interval)
 RETURNS integer
 LANGUAGE sql
 SET search_path TO ''
AS $function$
  SELECT private.seal_audit_log(settle)
$function$
;

CREATE OR REPLACE FUNCTION api.widget_availability(embed_key text, experience_id uuid, from_date date, to_date date, party_size integer DEFAULT 1)
 RETURNS TABLE(starts_at timestamp with time zone, local_start timestamp without time zone, remaining integer, price_minor bigint, currency text)
 LANGUAGE sql
 STABLE
 SET search_path TO ''
AS $function$
  SELECT * FROM private.widget_availability(embed_key, experience_id, private.time_arg('from_date', from_date),
                                            private.time_arg('to_date', to_date), party_size)
$function$
;

CREATE OR REPLACE FUNCTION api.widget_create_booking(embed_key text, experience_id uuid, starts_at timestamp with time zone, customer_email text, party_size integer DEFAULT NULL::integer, customer_name text DEFAULT NULL::text, customer_phone text DEFAULT NULL::text, tickets jsonb DEFAULT NULL::jsonb, idempotency_key text DEFAULT NULL::text)
 RETURNS TABLE(booking_id uuid, confirmation_code text, status app.booking_status, starts_at timestamp with time zone, ends_at timestamp with time zone, price_minor bigint, currency text, hold_expires_at timestamp with time zone)
 LANGUAGE sql
 SET search_path TO ''
AS $function$
  SELECT b.id, b.confirmation_code, b.status, b.starts_at, b.ends_at, b.price_minor, b.currency::text,
         b.hold_expires_at
    FROM private.place_booking(experience_id, private.time_arg('starts_at', starts_at), party_size, customer_email,
                               customer_name, customer_phone, tickets, idempotency_key, embed_key) b
$function$
;
REVOKE ALL ON FUNCTION api.check_availability(uuid,date,date,integer) FROM PUBLIC, authenticated, service_role;
GRANT EXECUTE ON FUNCTION api.check_availability(uuid,date,date,integer) TO authenticated;
GRANT EXECUTE ON FUNCTION api.check_availability(uuid,date,date,integer) TO service_role;
COMMENT ON FUNCTION api.check_availability(uuid,date,date,integer) IS 'Every start of an experience between two dates of the venue''s calendar (inclusive) that can still be booked now
(within the notice and advance windows, while the venue is open, outside closures), with UTC start and end, the
venue-local start, what remains (groups for a private session: 1 or 0; places for a ticketed event), and the price
for the party in minor units. Existing bookings and unexpired holds count; run-out holds do not. A party outside a
private session''s size limits gets no rows. At most 367 days per request (PT400 beyond). For staff of the
experience''s organization.';
REVOKE ALL ON FUNCTION api.create_booking(uuid,timestamp with time zone,text,integer,text,text,jsonb,text) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION api.create_booking(uuid,timestamp with time zone,text,integer,text,text,jsonb,text) TO authenticated;
COMMENT ON FUNCTION api.create_booking(uuid,timestamp with time zone,text,integer,text,text,jsonb,text) IS 'Books a session for a customer (created on the fly, matched by e-mail whatever its case). Private sessions take
party_size; ticketed events take tickets, [{"ticket_type_id": "…", "quantity": 2}]. The booking is pending, holding
its places for the experience''s hold time, or confirmed at once when no payment is required; it carries an
8-character confirmation code. Pass idempotency_key to make retries safe: a key is yours (the signed-in staff
member''s), and the same request with it returns the same booking. For staff of the experience''s organization.
Errors: PT404 experience not found; PT400 invalid party, tickets or start (not scheduled, too late, too early,
venue closed, or outside 2000-01-01 to five years from now); PT409 sold out or taken (detail sold_out /
slot_taken); PT422 the key was already used for a different request (detail idempotency_key_reused).';
REVOKE ALL ON FUNCTION api.list_bookings(uuid,timestamp with time zone,timestamp with time zone,app.booking_status[],uuid,text,timestamp with time zone,uuid,integer) FROM PUBLIC, authenticated, service_role;
GRANT EXECUTE ON FUNCTION api.list_bookings(uuid,timestamp with time zone,timestamp with time zone,app.booking_status[],uuid,text,timestamp with time zone,uuid,integer) TO authenticated;
GRANT EXECUTE ON FUNCTION api.list_bookings(uuid,timestamp with time zone,timestamp with time zone,app.booking_status[],uuid,text,timestamp with time zone,uuid,integer) TO service_role;
COMMENT ON FUNCTION api.list_bookings(uuid,timestamp with time zone,timestamp with time zone,app.booking_status[],uuid,text,timestamp with time zone,uuid,integer) IS 'An organization''s bookings by start time, filtered (time range, statuses, experience, customer e-mail) and paged
by keyset: pass the last row''s starts_at and id as after_starts_at and after_id for the next page. page_size 1 to
500 (default 50). For staff of the organization; others see an empty list. Errors: PT400 a time outside
2000-01-01 to five years from now.';
REVOKE ALL ON FUNCTION api.seal_audit_log(interval) FROM PUBLIC, service_role;
GRANT EXECUTE ON FUNCTION api.seal_audit_log(interval) TO service_role;
COMMENT ON FUNCTION api.seal_audit_log(interval) IS 'Seals the audit log: for each organization, the rows written since its last seal (and older than settle,
default a minute, so that no running transaction can still slot a row in before them) are hashed, chained to the
previous seal. Run it on a schedule or after writes; nothing waits for it. For service_role. Returns the number of
seals made.';
REVOKE ALL ON FUNCTION api.widget_availability(text,uuid,date,date,integer) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION api.widget_availability(text,uuid,date,date,integer) TO anon;
GRANT EXECUTE ON FUNCTION api.widget_availability(text,uuid,date,date,integer) TO authenticated;
COMMENT ON FUNCTION api.widget_availability(text,uuid,date,date,integer) IS 'The public variant of check_availability: bookable starts of one of the venue''s experiences between two dates of
the venue''s calendar (at most 63 days), with what remains and the price for the party, and nothing else. For
anyone with the venue''s embed key (anon). Errors: PT404 for an unknown or rotated key.';
REVOKE ALL ON FUNCTION api.widget_create_booking(text,uuid,timestamp with time zone,text,integer,text,text,jsonb,text) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION api.widget_create_booking(text,uuid,timestamp with time zone,text,integer,text,text,jsonb,text) TO anon;
GRANT EXECUTE ON FUNCTION api.widget_create_booking(text,uuid,timestamp with time zone,text,integer,text,text,jsonb,text) TO authenticated;
COMMENT ON FUNCTION api.widget_create_booking(text,uuid,timestamp with time zone,text,integer,text,text,jsonb,text) IS 'The public variant of create_booking, for anyone with the venue''s embed key (anon): the same checks and holds,
answering only the booking''s id, code, status, times, price and hold. An idempotency_key belongs to the venue and
the customer''s e-mail: the same request with it returns the same booking; a visitor with another e-mail, or at
another venue, never gets that booking. Errors: PT404 unknown key or experience; PT400 invalid party, tickets or
start (or outside 2000-01-01 to five years from now); PT409 sold out or taken; PT422 the key was already used for
a different request (detail idempotency_key_reused).';

COMMIT;
