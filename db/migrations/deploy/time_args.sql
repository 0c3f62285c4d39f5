-- Deploy tessera:time_args to pg
--
-- Every time argument of every api function is finite and within 2000-01-01 to five years from now (PT400 naming it), checked where the function starts: infinity no longer runs a function until the statement timeout

BEGIN;

SET LOCAL check_function_bodies = off;

CREATE OR REPLACE FUNCTION private.time_arg(p_name text, p_value date)
 RETURNS date
 LANGUAGE plpgsql
 STABLE PARALLEL SAFE
 SET search_path TO ''
AS $function$
BEGIN
  IF p_value < date '2000-01-01' OR p_value > (pg_catalog.now() + interval '5 years')::date
     OR NOT pg_catalog.isfinite(p_value) THEN
    RAISE EXCEPTION '% must be a date from 2000-01-01 to five years from now, not %', p_name, p_value
      USING ERRCODE = 'PT400', DETAIL = 'out_of_range',
            HINT = pg_catalog.format('send %s as YYYY-MM-DD, e.g. %s', p_name, CURRENT_DATE);
  END IF;
  RETURN p_value;
END
$function$
;

CREATE OR REPLACE FUNCTION private.time_arg(p_name text, p_value daterange)
 RETURNS daterange
 LANGUAGE plpgsql
 STABLE PARALLEL SAFE
 SET search_path TO ''
AS $function$
BEGIN
  IF p_value IS NOT NULL AND NOT pg_catalog.isempty(p_value) THEN
    PERFORM private.time_arg(p_name || '''s start', coalesce(pg_catalog.lower(p_value), '-infinity')),
            private.time_arg(p_name || '''s end', coalesce(pg_catalog.upper(p_value), 'infinity'));
  END IF;
  RETURN p_value;
END
$function$
;

CREATE OR REPLACE FUNCTION private.time_arg(p_name text, p_value timestamp with time zone)
 RETURNS timestamp with time zone
 LANGUAGE plpgsql
 STABLE PARALLEL SAFE
 SET search_path TO ''
AS $function$
BEGIN
  IF p_value < timestamptz '2000-01-01 00:00:00+00' OR p_value > pg_catalog.now() + interval '5 years'
     OR NOT pg_catalog.isfinite(p_value) THEN
    RAISE EXCEPTION '% must be a time from 2000-01-01 to five years from now, not %', p_name, p_value
      USING ERRCODE = 'PT400', DETAIL = 'out_of_range',
            HINT = pg_catalog.format('send %s as an ISO 8601 time, e.g. %s', p_name,
                                     pg_catalog.to_char(pg_catalog.now() AT TIME ZONE 'UTC',
                                                        'YYYY-MM-DD"T"HH24:MI:SS"Z"'));
  END IF;
  RETURN p_value;
END
$function$
;

CREATE OR REPLACE FUNCTION private.time_arg(p_name text, p_value timestamp without time zone)
 RETURNS timestamp without time zone
 LANGUAGE plpgsql
 STABLE PARALLEL SAFE
 SET search_path TO ''
AS $function$
BEGIN
  -- A wall-clock time is compared as if it were UTC: the window is years wide, so a zone's hours do not matter.
  PERFORM private.time_arg(p_name, p_value AT TIME ZONE 'UTC');
  RETURN p_value;
END
$function$
;

CREATE OR REPLACE FUNCTION private.time_arg(p_name text, p_value tstzrange)
 RETURNS tstzrange
 LANGUAGE plpgsql
 STABLE PARALLEL SAFE
 SET search_path TO ''
AS $function$
BEGIN
  -- Both ends within the window: an unbounded end is as endless as infinity.
  IF p_value IS NOT NULL AND NOT pg_catalog.isempty(p_value) THEN
    PERFORM private.time_arg(p_name || '''s start', coalesce(pg_catalog.lower(p_value), '-infinity')),
            private.time_arg(p_name || '''s end', coalesce(pg_catalog.upper(p_value), 'infinity'));
  END IF;
  RETURN p_value;
END
$function$
;

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

CREATE OR REPLACE FUNCTION api.purge_audit_log(before timestamp with time zone)
 RETURNS bigint
 LANGUAGE sql
 SET search_path TO ''
AS $function$
  SELECT private.purge_audit_log(private.time_arg('before', before))
$function$
;

CREATE OR REPLACE FUNCTION api.reschedule_booking(booking_id uuid, starts_at timestamp with time zone)
 RETURNS app.bookings
 LANGUAGE sql
 SET search_path TO ''
AS $function$
  SELECT * FROM private.reschedule(booking_id, private.time_arg('starts_at', starts_at))
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
8-character confirmation code. Pass idempotency_key to make retries safe: the same key returns the same booking.
For staff of the experience''s organization. Errors: PT404 experience not found; PT400 invalid party, tickets or
start (not scheduled, too late, too early, venue closed); PT409 sold out or taken (detail sold_out / slot_taken).';
REVOKE ALL ON FUNCTION api.list_bookings(uuid,timestamp with time zone,timestamp with time zone,app.booking_status[],uuid,text,timestamp with time zone,uuid,integer) FROM PUBLIC, authenticated, service_role;
GRANT EXECUTE ON FUNCTION api.list_bookings(uuid,timestamp with time zone,timestamp with time zone,app.booking_status[],uuid,text,timestamp with time zone,uuid,integer) TO authenticated;
GRANT EXECUTE ON FUNCTION api.list_bookings(uuid,timestamp with time zone,timestamp with time zone,app.booking_status[],uuid,text,timestamp with time zone,uuid,integer) TO service_role;
COMMENT ON FUNCTION api.list_bookings(uuid,timestamp with time zone,timestamp with time zone,app.booking_status[],uuid,text,timestamp with time zone,uuid,integer) IS 'An organization''s bookings by start time, filtered (time range, statuses, experience, customer e-mail) and paged
by keyset: pass the last row''s starts_at and id as after_starts_at and after_id for the next page. page_size 1 to
500 (default 50). For staff of the organization; others see an empty list.';
REVOKE ALL ON FUNCTION api.purge_audit_log(timestamp with time zone) FROM PUBLIC, service_role;
GRANT EXECUTE ON FUNCTION api.purge_audit_log(timestamp with time zone) TO service_role;
COMMENT ON FUNCTION api.purge_audit_log(timestamp with time zone) IS 'Retention for the audit log: removes the rows of every seal made before `before` (whole seals only, so every
removed row is older than that) and returns how many. The seals remain and the purge is recorded, so the chain''s
links stay verifiable. For service_role.';
REVOKE ALL ON FUNCTION api.reschedule_booking(uuid,timestamp with time zone) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION api.reschedule_booking(uuid,timestamp with time zone) TO authenticated;
COMMENT ON FUNCTION api.reschedule_booking(uuid,timestamp with time zone) IS 'Moves a pending or confirmed booking to another scheduled start of the same experience. Atomic: the old places
are freed only if the new ones are taken; on failure nothing changes. For staff of its organization. Errors: PT404
not found; PT400 not a bookable start; PT409 sold out or taken, or the booking is no longer live.';
REVOKE ALL ON FUNCTION api.widget_availability(text,uuid,date,date,integer) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION api.widget_availability(text,uuid,date,date,integer) TO anon;
GRANT EXECUTE ON FUNCTION api.widget_availability(text,uuid,date,date,integer) TO authenticated;
COMMENT ON FUNCTION api.widget_availability(text,uuid,date,date,integer) IS 'The public variant of check_availability: bookable starts of one of the venue''s experiences between two dates of
the venue''s calendar (at most 63 days), with what remains and the price for the party, and nothing else. For
anyone with the venue''s embed key (anon). Errors: PT404 for an unknown or rotated key.';
REVOKE ALL ON FUNCTION api.widget_create_booking(text,uuid,timestamp with time zone,text,integer,text,text,jsonb,text) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION api.widget_create_booking(text,uuid,timestamp with time zone,text,integer,text,text,jsonb,text) TO anon;
GRANT EXECUTE ON FUNCTION api.widget_create_booking(text,uuid,timestamp with time zone,text,integer,text,text,jsonb,text) TO authenticated;
COMMENT ON FUNCTION api.widget_create_booking(text,uuid,timestamp with time zone,text,integer,text,text,jsonb,text) IS 'The public variant of create_booking, for anyone with the venue''s embed key (anon): the same checks, holds and
idempotency, answering only the booking''s id, code, status, times, price and hold. Errors: PT404 unknown key or
experience; PT400 invalid party, tickets or start; PT409 sold out or taken.';
REVOKE ALL ON FUNCTION private.time_arg(text,date) FROM PUBLIC, anon, authenticated, service_role;
GRANT EXECUTE ON FUNCTION private.time_arg(text,date) TO anon;
GRANT EXECUTE ON FUNCTION private.time_arg(text,date) TO authenticated;
GRANT EXECUTE ON FUNCTION private.time_arg(text,date) TO service_role;
COMMENT ON FUNCTION private.time_arg(text,date) IS 'Returns an api function''s date argument p_name unchanged (NULL too), or raises PT400 (detail out_of_range)
naming it when it is infinite or outside 2000-01-01 to five years from now.';
REVOKE ALL ON FUNCTION private.time_arg(text,daterange) FROM PUBLIC, anon, authenticated, service_role;
GRANT EXECUTE ON FUNCTION private.time_arg(text,daterange) TO anon;
GRANT EXECUTE ON FUNCTION private.time_arg(text,daterange) TO authenticated;
GRANT EXECUTE ON FUNCTION private.time_arg(text,daterange) TO service_role;
COMMENT ON FUNCTION private.time_arg(text,daterange) IS 'Returns an api function''s date-range argument p_name unchanged (NULL and empty too), or raises PT400 naming it
when an end is unbounded, infinite or outside 2000-01-01 to five years from now.';
REVOKE ALL ON FUNCTION private.time_arg(text,timestamp with time zone) FROM PUBLIC, anon, authenticated, service_role;
GRANT EXECUTE ON FUNCTION private.time_arg(text,timestamp with time zone) TO anon;
GRANT EXECUTE ON FUNCTION private.time_arg(text,timestamp with time zone) TO authenticated;
GRANT EXECUTE ON FUNCTION private.time_arg(text,timestamp with time zone) TO service_role;
COMMENT ON FUNCTION private.time_arg(text,timestamp with time zone) IS 'Returns an api function''s time argument p_name unchanged (NULL too), or raises PT400 (detail out_of_range)
naming it when it is infinite or outside 2000-01-01 to five years from now.';
REVOKE ALL ON FUNCTION private.time_arg(text,timestamp without time zone) FROM PUBLIC, anon, authenticated, service_role;
GRANT EXECUTE ON FUNCTION private.time_arg(text,timestamp without time zone) TO anon;
GRANT EXECUTE ON FUNCTION private.time_arg(text,timestamp without time zone) TO authenticated;
GRANT EXECUTE ON FUNCTION private.time_arg(text,timestamp without time zone) TO service_role;
COMMENT ON FUNCTION private.time_arg(text,timestamp without time zone) IS 'Returns an api function''s wall-clock time argument p_name unchanged (NULL too), or raises PT400 naming it when
it is infinite or outside 2000-01-01 to five years from now.';
REVOKE ALL ON FUNCTION private.time_arg(text,tstzrange) FROM PUBLIC, anon, authenticated, service_role;
GRANT EXECUTE ON FUNCTION private.time_arg(text,tstzrange) TO anon;
GRANT EXECUTE ON FUNCTION private.time_arg(text,tstzrange) TO authenticated;
GRANT EXECUTE ON FUNCTION private.time_arg(text,tstzrange) TO service_role;
COMMENT ON FUNCTION private.time_arg(text,tstzrange) IS 'Returns an api function''s time-range argument p_name unchanged (NULL and empty too), or raises PT400 naming it
when an end is unbounded, infinite or outside 2000-01-01 to five years from now.';

COMMIT;
