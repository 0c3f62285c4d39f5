-- Revert tessera:argument_words from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

drop function if exists "api"."batch_update_booking_status"(booking_ids uuid[], status text);

drop function if exists "api"."list_bookings"(org_id uuid, from_time timestamp with time zone, to_time timestamp with time zone, statuses text[], experience_id uuid, customer_email text, after_starts_at timestamp with time zone, after_id uuid, page_size integer);

drop function if exists "private"."email_arg"(p_name text, p_value text);

drop function if exists "private"."enum_arg"(p_name text, p_values text[], p_type regtype);

drop function if exists "private"."text_arg"(p_name text, p_value text, p_min_length integer, p_max_length integer);

SET LOCAL check_function_bodies = off;

CREATE OR REPLACE FUNCTION api.batch_update_booking_status(booking_ids uuid[], status app.booking_status)
 RETURNS SETOF app.booking_answer
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
    RETURN NEXT private.booking_answer(moved);
  END LOOP;
END
$function$
;

CREATE OR REPLACE FUNCTION api.list_bookings(org_id uuid, from_time timestamp with time zone DEFAULT NULL::timestamp with time zone, to_time timestamp with time zone DEFAULT NULL::timestamp with time zone, statuses app.booking_status[] DEFAULT NULL::app.booking_status[], experience_id uuid DEFAULT NULL::uuid, customer_email text DEFAULT NULL::text, after_starts_at timestamp with time zone DEFAULT NULL::timestamp with time zone, after_id uuid DEFAULT NULL::uuid, page_size integer DEFAULT 50)
 RETURNS SETOF app.bookings
 LANGUAGE sql
 STABLE
 SET search_path TO ''
AS $function$
  SELECT private.time_arg('from_time', from_time), private.time_arg('to_time', to_time),
         private.time_arg('after_starts_at', after_starts_at), private.count_arg('page_size', page_size, 1, 500);
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
   LIMIT coalesce(page_size, 50)
$function$
;

CREATE OR REPLACE FUNCTION api.cancel_booking(booking_id uuid, reason text DEFAULT NULL::text)
 RETURNS bigint
 LANGUAGE sql
 SET search_path TO ''
AS $function$ SELECT refund_due_minor FROM private.move_booking(booking_id, 'cancelled', reason) $function$
;

CREATE OR REPLACE FUNCTION api.create_booking(experience_id uuid, starts_at timestamp with time zone, customer_email text, party_size integer DEFAULT NULL::integer, customer_name text DEFAULT NULL::text, customer_phone text DEFAULT NULL::text, tickets jsonb DEFAULT NULL::jsonb, idempotency_key text DEFAULT NULL::text)
 RETURNS app.booking_answer
 LANGUAGE sql
 SET search_path TO ''
AS $function$
  SELECT a.*
    FROM private.place_booking(experience_id, private.time_arg('starts_at', starts_at),
                               private.party_size_arg(party_size), customer_email, customer_name, customer_phone,
                               tickets, idempotency_key, NULL) b,
         private.booking_answer(b) a
$function$
;

CREATE OR REPLACE FUNCTION api.create_organization(name text, slug text)
 RETURNS app.organizations
 LANGUAGE sql
 SET search_path TO ''
AS $function$
  SELECT * FROM private.create_organization(name, slug)
$function$
;

CREATE OR REPLACE FUNCTION api.reject_booking(booking_id uuid, reason text DEFAULT NULL::text)
 RETURNS app.booking_answer
 LANGUAGE sql
 SET search_path TO ''
AS $function$ SELECT a.* FROM private.move_booking(booking_id, 'rejected', reason) b, private.booking_answer(b) a $function$
;

CREATE OR REPLACE FUNCTION api.set_display_name(display_name text)
 RETURNS void
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
DECLARE
  caller uuid := auth.uid();
BEGIN
  IF caller IS NULL THEN
    RAISE EXCEPTION 'sign in to set your name' USING ERRCODE = 'PT401';
  END IF;
  INSERT INTO app.profiles AS p (user_id, display_name) VALUES (caller, set_display_name.display_name)
  ON CONFLICT (user_id) DO UPDATE SET display_name = EXCLUDED.display_name;
EXCEPTION
  WHEN check_violation THEN
    RAISE EXCEPTION 'a display name has 1 to 200 characters' USING ERRCODE = 'PT400';
  WHEN foreign_key_violation THEN
    RAISE EXCEPTION 'the signed-in user has no account record' USING ERRCODE = 'PT401';
END
$function$
;

CREATE OR REPLACE FUNCTION api.widget_availability(embed_key text, experience_id uuid, from_date date, to_date date, party_size integer DEFAULT NULL::integer)
 RETURNS TABLE(starts_at timestamp with time zone, local_start timestamp without time zone, remaining integer, price_minor bigint, currency text)
 LANGUAGE sql
 STABLE
 SET search_path TO ''
AS $function$
  SELECT private.time_arg('from_date', from_date), private.time_arg('to_date', to_date),
         private.party_size_arg(party_size);
  SELECT * FROM private.widget_availability(embed_key, experience_id, from_date, to_date, party_size)
$function$
;

CREATE OR REPLACE FUNCTION api.widget_create_booking(embed_key text, experience_id uuid, starts_at timestamp with time zone, customer_email text, party_size integer DEFAULT NULL::integer, customer_name text DEFAULT NULL::text, customer_phone text DEFAULT NULL::text, tickets jsonb DEFAULT NULL::jsonb, idempotency_key text DEFAULT NULL::text)
 RETURNS app.booking_answer
 LANGUAGE sql
 SET search_path TO ''
AS $function$
  SELECT a.*
    FROM private.place_booking(experience_id, private.time_arg('starts_at', starts_at),
                               private.party_size_arg(party_size), customer_email, customer_name, customer_phone,
                               tickets, idempotency_key, embed_key) b,
         private.booking_answer(b) a
$function$
;

CREATE OR REPLACE FUNCTION api.widget_experiences(embed_key text)
 RETURNS TABLE(experience_id uuid, kind app.experience_kind, name text, description text, duration_minutes integer, min_party integer, max_party integer, currency text, venue_name text, venue_timezone text)
 LANGUAGE sql
 STABLE
 SET search_path TO ''
AS $function$
  SELECT * FROM private.widget_experiences(embed_key)
$function$
;

CREATE OR REPLACE FUNCTION api.widget_ticket_types(embed_key text, experience_id uuid DEFAULT NULL::uuid)
 RETURNS TABLE(experience_id uuid, ticket_type_id uuid, name text, price_minor bigint, currency text, per_order_max integer, sales_end timestamp with time zone)
 LANGUAGE sql
 STABLE
 SET search_path TO ''
AS $function$
  SELECT * FROM private.widget_ticket_types(embed_key, experience_id)
$function$
;

CREATE OR REPLACE FUNCTION private.place_booking(p_experience_id uuid, p_starts_at timestamp with time zone, p_party_size integer, p_email text, p_name text, p_phone text, p_tickets jsonb, p_idempotency_key text, p_embed_key text)
 RETURNS app.bookings
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
DECLARE
  exp        app.experiences;
  venue_key  text;
  slot       app.slots;
  booking    app.bookings;
  ends       timestamptz;
  customer   uuid;
  places     integer;
  price      bigint;
  scope      text;
  fingerprint text;
  constraint_name text;
BEGIN
  SELECT e.* INTO exp FROM app.experiences e WHERE e.id = p_experience_id AND e.active;
  SELECT v.embed_key INTO venue_key FROM app.venues v WHERE v.id = exp.venue_id;
  -- Its own check: staff of the organization, or the public widget of the experience's venue. Anything else
  -- is told the experience does not exist, so ids of other organizations reveal nothing.
  IF exp.id IS NULL
     OR (p_embed_key IS NULL AND NOT exp.org_id = ANY (private.org_ids('staff')))
     OR (p_embed_key IS NOT NULL AND p_embed_key IS DISTINCT FROM venue_key) THEN
    RAISE EXCEPTION 'experience not found' USING ERRCODE = 'PT404';
  END IF;

  IF p_idempotency_key IS NOT NULL THEN
    -- A key belongs to who used it: the signed-in staff member, or for the widget the venue and the visitor's
    -- e-mail (all a visitor has). It answers only the request it was first used for, compared by fingerprint.
    scope := CASE WHEN p_embed_key IS NULL THEN 'user ' || coalesce((SELECT auth.uid())::text, 'unknown')
                  ELSE 'venue ' || exp.venue_id || ' ' || pg_catalog.lower(pg_catalog.btrim(p_email)) END;
    fingerprint := pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(pg_catalog.jsonb_build_array(
                     exp.id, EXTRACT(epoch FROM p_starts_at), p_party_size, pg_catalog.lower(pg_catalog.btrim(p_email)),
                     p_name, p_phone, p_tickets)::text, 'UTF8')), 'hex');
    SELECT b.* INTO booking FROM app.bookings b
     WHERE b.org_id = exp.org_id AND b.idempotency_scope = scope AND b.idempotency_key = p_idempotency_key;
    IF FOUND THEN
      PERFORM private.same_request(booking, fingerprint);
      RETURN booking;  -- a retry: the same booking, never a second one
    END IF;
  END IF;

  -- What is being bought, and for how much.
  IF exp.kind = 'private_session' THEN
    IF p_party_size IS NULL OR p_party_size NOT BETWEEN exp.min_party AND exp.max_party THEN
      RAISE EXCEPTION 'a party of % cannot book %', p_party_size, exp.name USING ERRCODE = 'PT400',
        HINT = format('parties of %s to %s', exp.min_party, exp.max_party);
    END IF;
    places := 1;
    SELECT CASE exp.pricing_mode WHEN 'per_person' THEN t.price_minor * p_party_size ELSE t.price_minor END
      INTO price FROM app.price_tiers t
     WHERE t.experience_id = exp.id AND p_party_size BETWEEN t.min_party AND t.max_party;
    IF price IS NULL THEN
      RAISE EXCEPTION 'no price is set for a party of %', p_party_size USING ERRCODE = 'PT400';
    END IF;
  ELSE
    IF p_tickets IS NULL OR pg_catalog.jsonb_typeof(p_tickets) <> 'array' OR pg_catalog.jsonb_array_length(p_tickets) = 0
    THEN
      RAISE EXCEPTION 'say which tickets: [{"ticket_type_id": …, "quantity": …}]' USING ERRCODE = 'PT400';
    END IF;
    SELECT pg_catalog.sum(l.quantity), pg_catalog.sum(l.quantity * tt.price_minor)
      INTO places, price
      FROM pg_catalog.jsonb_to_recordset(p_tickets) AS l(ticket_type_id uuid, quantity integer)
      JOIN app.ticket_types tt ON tt.id = l.ticket_type_id AND tt.experience_id = exp.id AND tt.active
     WHERE l.quantity >= 1 AND l.quantity <= tt.per_order_max
       AND (tt.sales_start IS NULL OR tt.sales_start <= pg_catalog.now())
       AND (tt.sales_end IS NULL OR pg_catalog.now() < tt.sales_end);
    IF places IS NULL OR places <> (SELECT pg_catalog.sum((l ->> 'quantity')::integer)
                                      FROM pg_catalog.jsonb_array_elements(p_tickets) l) THEN
      RAISE EXCEPTION 'some tickets cannot be sold: unknown ticket type, quantity outside 1 to its per-order '
                      'maximum, or outside its sales window' USING ERRCODE = 'PT400';
    END IF;
    IF p_party_size IS NOT NULL AND p_party_size <> places THEN
      RAISE EXCEPTION 'party size % does not match % tickets', p_party_size, places USING ERRCODE = 'PT400';
    END IF;
  END IF;

  -- When: a bookable start; its slot (created on first use, run-out holds on it released).
  slot := private.bookable_slot(exp, p_starts_at);
  ends := slot.ends_at;

  INSERT INTO app.customers (org_id, email, name, phone)
  VALUES (exp.org_id, pg_catalog.btrim(p_email), p_name, p_phone)
  ON CONFLICT (org_id, email_key) DO UPDATE
    SET name = coalesce(EXCLUDED.name, app.customers.name), phone = coalesce(EXCLUDED.phone, app.customers.phone)
  RETURNING id INTO customer;

  FOR attempt IN 1..5 LOOP
    BEGIN
      INSERT INTO app.bookings (org_id, experience_id, slot_id, customer_id, status, party_size, places, starts_at,
                                ends_at, price_minor, currency, hold_expires_at, confirmation_code,
                                idempotency_key, idempotency_scope, request_fingerprint)
      VALUES (exp.org_id, exp.id, slot.id, customer,
              CASE WHEN exp.requires_payment THEN 'pending' ELSE 'confirmed' END::app.booking_status,
              coalesce(p_party_size, places), places, p_starts_at, ends, price, exp.currency,
              CASE WHEN exp.requires_payment
                   THEN pg_catalog.now() + pg_catalog.make_interval(mins => exp.hold_minutes) END,
              private.new_confirmation_code(), p_idempotency_key, scope, fingerprint)
      RETURNING * INTO booking;
      IF exp.kind = 'ticketed_event' THEN
        INSERT INTO app.booking_tickets (org_id, booking_id, ticket_type_id, quantity, price_minor)
        SELECT exp.org_id, booking.id, tt.id, l.quantity, tt.price_minor
          FROM pg_catalog.jsonb_to_recordset(p_tickets) AS l(ticket_type_id uuid, quantity integer)
          JOIN app.ticket_types tt ON tt.id = l.ticket_type_id;
      END IF;
      RETURN booking;
    EXCEPTION
      WHEN unique_violation THEN
        GET STACKED DIAGNOSTICS constraint_name = CONSTRAINT_NAME;
        IF constraint_name = 'bookings_idempotency_key_per_scope' THEN
          -- A request with the same key raced us and won: its booking, if it was the same request.
          SELECT b.* INTO booking FROM app.bookings b
           WHERE b.org_id = exp.org_id AND b.idempotency_scope = scope AND b.idempotency_key = p_idempotency_key;
          PERFORM private.same_request(booking, fingerprint);
          RETURN booking;
        ELSIF constraint_name <> 'bookings_org_id_confirmation_code_key' THEN
          RAISE;
        END IF;  -- a confirmation code collided: draw another
      WHEN check_violation THEN
        GET STACKED DIAGNOSTICS constraint_name = CONSTRAINT_NAME;
        IF constraint_name = 'slots_taken_within_capacity' THEN
          RAISE EXCEPTION 'sold out: not enough places left in this session' USING ERRCODE = 'PT409',
            DETAIL = 'sold_out', HINT = 'pick another session from check_availability';
        ELSIF constraint_name = 'slot_ticket_counts_taken_within_quota' THEN
          RAISE EXCEPTION 'sold out: not enough tickets of that type left' USING ERRCODE = 'PT409',
            DETAIL = 'sold_out';
        END IF;
        RAISE;
      WHEN exclusion_violation THEN
        RAISE EXCEPTION 'this time is no longer available' USING ERRCODE = 'PT409', DETAIL = 'slot_taken',
          HINT = 'pick another session from check_availability';
    END;
  END LOOP;
  RAISE EXCEPTION 'could not draw a free confirmation code' USING ERRCODE = 'PT503';
END
$function$
;
REVOKE ALL ON FUNCTION api.batch_update_booking_status(uuid[],app.booking_status) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION api.batch_update_booking_status(uuid[],app.booking_status) TO authenticated;
COMMENT ON FUNCTION api.batch_update_booking_status(uuid[],app.booking_status) IS 'Moves several bookings to one status, all or nothing: the first booking that cannot move (not found, or an
illegal transition, a booking already in that status included) aborts the batch with an error naming it (its id
is the error''s detail) and nothing is written. Answers the moved bookings (app.booking_answer) in the order given.
For staff of their organization.';
REVOKE ALL ON FUNCTION api.cancel_booking(uuid,text) FROM PUBLIC, authenticated, service_role;
GRANT EXECUTE ON FUNCTION api.cancel_booking(uuid,text) TO authenticated;
GRANT EXECUTE ON FUNCTION api.cancel_booking(uuid,text) TO service_role;
COMMENT ON FUNCTION api.cancel_booking(uuid,text) IS 'Cancels a pending or confirmed booking, frees its places, and returns the refund due in minor units under the
experience''s policy (full before its cutoff, its late percentage until the start, nothing after; nothing when
unpaid). For staff of its organization. Errors: PT404 not found; PT409 illegal transition, already cancelled
included (detail illegal_transition): a second cancellation changes nothing, its reason is not written.';
COMMENT ON FUNCTION api.complete_booking(uuid) IS 'Marks a confirmed booking as completed (the group came) and answers it (app.booking_answer). For staff of its organization. Errors: PT404 not found;
PT409 illegal transition, already completed included (detail illegal_transition).';
COMMENT ON FUNCTION api.confirm_booking(uuid) IS 'Confirms a pending booking (typically once paid) and answers it (app.booking_answer). For staff of its organization. Errors: PT404 not found;
PT409 illegal transition, already confirmed included (detail illegal_transition), or hold ran out (detail
hold_expired).';
REVOKE ALL ON FUNCTION api.create_booking(uuid,timestamp with time zone,text,integer,text,text,jsonb,text) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION api.create_booking(uuid,timestamp with time zone,text,integer,text,text,jsonb,text) TO authenticated;
COMMENT ON FUNCTION api.create_booking(uuid,timestamp with time zone,text,integer,text,text,jsonb,text) IS 'Books a session for a customer (created on the fly, matched by e-mail whatever its case). Private sessions take
party_size; ticketed events take tickets, [{"ticket_type_id": "…", "quantity": 2}]. The booking is pending, holding
its places for the experience''s hold time, or confirmed at once when no payment is required; it carries an
8-character confirmation code. Answers the booking as an object (app.booking_answer: id, confirmation_code, status,
experience_id, starts_at, ends_at, party_size, places, price_minor, currency, hold_expires_at, cancel_reason,
refund_due_minor, created_at), the same fields as widget_create_booking. Pass idempotency_key to make retries safe: a key is yours (the signed-in staff
member''s), and the same request with it returns the same booking. For staff of the experience''s organization.
Errors: PT404 experience not found; PT400 invalid party (party_size is 1 to 1000, and within the experience''s
limits), tickets or start (not scheduled, too late, too early, venue closed, or outside 2000-01-01 to five years
from now); PT409 sold out or taken (detail sold_out /
slot_taken); PT422 the key was already used for a different request (detail idempotency_key_reused).';
REVOKE ALL ON FUNCTION api.create_organization(text,text) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION api.create_organization(text,text) TO authenticated;
COMMENT ON FUNCTION api.create_organization(text,text) IS 'Creates an organization and makes the caller its owner. For signed-in users (authenticated).
Errors: PT401 when not signed in; PT409 when the slug is taken; PT400 for an invalid name or slug
(slug: lower-case letters, digits and inner hyphens, at most 63 characters).';
REVOKE ALL ON FUNCTION api.list_bookings(uuid,timestamp with time zone,timestamp with time zone,app.booking_status[],uuid,text,timestamp with time zone,uuid,integer) FROM PUBLIC, authenticated, service_role;
GRANT EXECUTE ON FUNCTION api.list_bookings(uuid,timestamp with time zone,timestamp with time zone,app.booking_status[],uuid,text,timestamp with time zone,uuid,integer) TO authenticated;
GRANT EXECUTE ON FUNCTION api.list_bookings(uuid,timestamp with time zone,timestamp with time zone,app.booking_status[],uuid,text,timestamp with time zone,uuid,integer) TO service_role;
COMMENT ON FUNCTION api.list_bookings(uuid,timestamp with time zone,timestamp with time zone,app.booking_status[],uuid,text,timestamp with time zone,uuid,integer) IS 'An organization''s bookings by start time, filtered (time range, statuses, experience, customer e-mail) and paged
by keyset: pass the last row''s starts_at and id as after_starts_at and after_id for the next page. page_size 1 to
500 (default 50). For staff of the organization; others see an empty list. Errors: PT400 a time outside
2000-01-01 to five years from now, or a page_size outside 1 to 500.';
REVOKE ALL ON FUNCTION api.reject_booking(uuid,text) FROM PUBLIC, authenticated, service_role;
GRANT EXECUTE ON FUNCTION api.reject_booking(uuid,text) TO authenticated;
GRANT EXECUTE ON FUNCTION api.reject_booking(uuid,text) TO service_role;
COMMENT ON FUNCTION api.reject_booking(uuid,text) IS 'Rejects a pending booking, frees its places and answers it (app.booking_answer). For staff of its organization.
Errors: PT404 not found; PT409 illegal transition, already rejected included (detail illegal_transition; nothing
is written).';
COMMENT ON FUNCTION api.reschedule_booking(uuid,timestamp with time zone) IS 'Moves a pending or confirmed booking to another scheduled start of the same experience and answers it
(app.booking_answer). Atomic: the old places are freed only if the new ones are taken; on failure nothing changes. For staff of its organization. Errors: PT404
not found; PT400 not a bookable start (or outside 2000-01-01 to five years from now); PT409 sold out or taken, or
the booking is no longer live.';
REVOKE ALL ON FUNCTION api.set_display_name(text) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION api.set_display_name(text) TO authenticated;
COMMENT ON FUNCTION api.set_display_name(text) IS 'Sets the name the caller''s colleagues see (their profile), creating the profile on first use. Returns nothing.
For signed-in users (authenticated). Errors: PT401 when not signed in, PT400 for an empty or over-long name.';
REVOKE ALL ON FUNCTION api.widget_availability(text,uuid,date,date,integer) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION api.widget_availability(text,uuid,date,date,integer) TO anon;
GRANT EXECUTE ON FUNCTION api.widget_availability(text,uuid,date,date,integer) TO authenticated;
COMMENT ON FUNCTION api.widget_availability(text,uuid,date,date,integer) IS 'The public variant of check_availability: bookable starts of one of the venue''s experiences between two dates of
the venue''s calendar (both included, at most 63 days), with what remains and the price for the party (without
party_size: the experience''s smallest party), and nothing else. For anyone with the venue''s embed key (anon); an
experience of another venue shows no rows. Errors: PT404 for an unknown or rotated key; PT400 (detail
out_of_range) a window over 63 days or reversed, a date outside 2000-01-01 to five years from now, a party_size
outside 1 to 1000 or outside a private session''s limits (the hint says them).';
REVOKE ALL ON FUNCTION api.widget_create_booking(text,uuid,timestamp with time zone,text,integer,text,text,jsonb,text) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION api.widget_create_booking(text,uuid,timestamp with time zone,text,integer,text,text,jsonb,text) TO anon;
GRANT EXECUTE ON FUNCTION api.widget_create_booking(text,uuid,timestamp with time zone,text,integer,text,text,jsonb,text) TO authenticated;
COMMENT ON FUNCTION api.widget_create_booking(text,uuid,timestamp with time zone,text,integer,text,text,jsonb,text) IS 'The public variant of create_booking, for anyone with the venue''s embed key (anon): the same checks and holds,
and the same answer, an object (app.booking_answer: id, confirmation_code, status, experience_id, starts_at,
ends_at, party_size, places, price_minor, currency, hold_expires_at, cancel_reason, refund_due_minor,
created_at). An idempotency_key belongs to the venue and
the customer''s e-mail: the same request with it returns the same booking; a visitor with another e-mail, or at
another venue, never gets that booking. Errors: PT404 unknown key or experience; PT400 invalid party, tickets or
start (or outside 2000-01-01 to five years from now); PT409 sold out or taken; PT422 the key was already used for
a different request (detail idempotency_key_reused).';
REVOKE ALL ON FUNCTION api.widget_experiences(text) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION api.widget_experiences(text) TO anon;
GRANT EXECUTE ON FUNCTION api.widget_experiences(text) TO authenticated;
COMMENT ON FUNCTION api.widget_experiences(text) IS 'What the public booking widget of a venue offers: its active experiences (id, kind, name, description,
duration, party limits, currency) and the venue''s name and time zone; a ticketed event''s tickets and prices are
in widget_ticket_types. For anyone with the venue''s embed key (anon). Errors: PT404 for an unknown or rotated
key.';
REVOKE ALL ON FUNCTION api.widget_ticket_types(text,uuid) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION api.widget_ticket_types(text,uuid) TO anon;
GRANT EXECUTE ON FUNCTION api.widget_ticket_types(text,uuid) TO authenticated;
COMMENT ON FUNCTION api.widget_ticket_types(text,uuid) IS 'The tickets the public booking widget of a venue sells now: for each ticketed event of the venue (or the one
given), each ticket type on sale (id, name, price in minor units, currency, most per order, end of sales, if
any), cheapest first. Book them with widget_create_booking''s tickets, [{"ticket_type_id": "…", "quantity": 2}].
For anyone with the venue''s embed key (anon). Errors: PT404 for an unknown or rotated key.';
REVOKE ALL ON FUNCTION private.place_booking(uuid,timestamp with time zone,integer,text,text,text,jsonb,text,text) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION private.place_booking(uuid,timestamp with time zone,integer,text,text,text,jsonb,text,text) TO anon;
GRANT EXECUTE ON FUNCTION private.place_booking(uuid,timestamp with time zone,integer,text,text,text,jsonb,text,text) TO authenticated;
COMMENT ON FUNCTION private.place_booking(uuid,timestamp with time zone,integer,text,text,text,jsonb,text,text) IS 'The one way a booking is made. Its own checks: the caller is staff of the experience''s organization, or
presents the embed key of its venue. Holds places (pending until the hold ends) or confirms at once when no
payment is needed. Idempotent per (organization, scope, key), the scope being the staff member or the widget''s
venue and e-mail: the same request returns its booking, another request with the key is refused (PT422).';

COMMIT;
