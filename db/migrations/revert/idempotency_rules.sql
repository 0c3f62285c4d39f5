-- Revert tessera:idempotency_rules from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

drop function if exists "private"."same_request"(p_booking app.bookings, p_fingerprint text);

SET LOCAL check_function_bodies = off;

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
    SELECT b.* INTO booking FROM app.bookings b
     WHERE b.org_id = exp.org_id AND b.idempotency_key = p_idempotency_key;
    IF FOUND THEN
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
                                idempotency_key)
      VALUES (exp.org_id, exp.id, slot.id, customer,
              CASE WHEN exp.requires_payment THEN 'pending' ELSE 'confirmed' END::app.booking_status,
              coalesce(p_party_size, places), places, p_starts_at, ends, price, exp.currency,
              CASE WHEN exp.requires_payment
                   THEN pg_catalog.now() + pg_catalog.make_interval(mins => exp.hold_minutes) END,
              private.new_confirmation_code(), p_idempotency_key)
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
        IF constraint_name = 'bookings_org_id_idempotency_key_key' THEN
          -- The same request raced us and won: answer with its booking.
          SELECT b.* INTO booking FROM app.bookings b
           WHERE b.org_id = exp.org_id AND b.idempotency_key = p_idempotency_key;
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
COMMENT ON FUNCTION api.create_booking(uuid,timestamp with time zone,text,integer,text,text,jsonb,text) IS 'Books a session for a customer (created on the fly, matched by e-mail whatever its case). Private sessions take
party_size; ticketed events take tickets, [{"ticket_type_id": "…", "quantity": 2}]. The booking is pending, holding
its places for the experience''s hold time, or confirmed at once when no payment is required; it carries an
8-character confirmation code. Pass idempotency_key to make retries safe: the same key returns the same booking.
For staff of the experience''s organization. Errors: PT404 experience not found; PT400 invalid party, tickets or
start (not scheduled, too late, too early, venue closed); PT409 sold out or taken (detail sold_out / slot_taken).';
COMMENT ON FUNCTION api.list_bookings(uuid,timestamp with time zone,timestamp with time zone,app.booking_status[],uuid,text,timestamp with time zone,uuid,integer) IS 'An organization''s bookings by start time, filtered (time range, statuses, experience, customer e-mail) and paged
by keyset: pass the last row''s starts_at and id as after_starts_at and after_id for the next page. page_size 1 to
500 (default 50). For staff of the organization; others see an empty list.';
COMMENT ON FUNCTION api.purge_audit_log(timestamp with time zone) IS 'Retention for the audit log: removes the rows of every seal made before `before` (whole seals only, so every
removed row is older than that) and returns how many. The seals remain and the purge is recorded, so the chain''s
links stay verifiable. For service_role.';
COMMENT ON FUNCTION api.reschedule_booking(uuid,timestamp with time zone) IS 'Moves a pending or confirmed booking to another scheduled start of the same experience. Atomic: the old places
are freed only if the new ones are taken; on failure nothing changes. For staff of its organization. Errors: PT404
not found; PT400 not a bookable start; PT409 sold out or taken, or the booking is no longer live.';
COMMENT ON FUNCTION api.widget_create_booking(text,uuid,timestamp with time zone,text,integer,text,text,jsonb,text) IS 'The public variant of create_booking, for anyone with the venue''s embed key (anon): the same checks, holds and
idempotency, answering only the booking''s id, code, status, times, price and hold. Errors: PT404 unknown key or
experience; PT400 invalid party, tickets or start; PT409 sold out or taken.';
REVOKE ALL ON FUNCTION private.place_booking(uuid,timestamp with time zone,integer,text,text,text,jsonb,text,text) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION private.place_booking(uuid,timestamp with time zone,integer,text,text,text,jsonb,text,text) TO anon;
GRANT EXECUTE ON FUNCTION private.place_booking(uuid,timestamp with time zone,integer,text,text,text,jsonb,text,text) TO authenticated;
COMMENT ON FUNCTION private.place_booking(uuid,timestamp with time zone,integer,text,text,text,jsonb,text,text) IS 'The one way a booking is made. Its own checks: the caller is staff of the experience''s organization, or
presents the embed key of its venue. Holds places (pending until the hold ends) or confirms at once when no
payment is needed; idempotent on (organization, idempotency key).';

COMMIT;
