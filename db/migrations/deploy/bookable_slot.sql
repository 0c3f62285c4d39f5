-- Deploy tessera:bookable_slot to pg
-- requires: booking_rules
--
-- One bookable-slot check for booking and rescheduling (schedule, windows, closures, hours, run-out holds released); rescheduling a run-out hold is refused.

BEGIN;

SET LOCAL check_function_bodies = off;

CREATE OR REPLACE FUNCTION private.bookable_slot(p_experience app.experiences, p_starts_at timestamp with time zone)
 RETURNS app.slots
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
DECLARE
  tz       text;
  ends     timestamptz;
  local_ts timestamp;
  slot     app.slots;
BEGIN
  SELECT v.timezone INTO tz FROM app.venues v WHERE v.id = p_experience.venue_id;
  ends := p_starts_at + pg_catalog.make_interval(mins => p_experience.duration_minutes);
  local_ts := p_starts_at AT TIME ZONE tz;
  -- A scheduled start, or a session that already exists (dated sessions of ticketed events).
  SELECT s.* INTO slot FROM app.slots s WHERE s.experience_id = p_experience.id AND s.starts_at = p_starts_at;
  IF slot.id IS NULL AND NOT EXISTS (
       SELECT FROM private.schedule_occurrences(p_experience.id, local_ts::date, local_ts::date) o
        WHERE o.starts_at = p_starts_at) THEN
    RAISE EXCEPTION 'no session of % starts at %', p_experience.name, p_starts_at USING ERRCODE = 'PT400',
      HINT = 'pick a start from check_availability';
  END IF;
  IF p_starts_at < pg_catalog.now() + p_experience.min_notice THEN
    RAISE EXCEPTION 'too late to book this session' USING ERRCODE = 'PT400';
  END IF;
  IF p_starts_at > pg_catalog.now() + p_experience.max_advance THEN
    RAISE EXCEPTION 'this session is not open for booking yet' USING ERRCODE = 'PT400';
  END IF;
  IF EXISTS (SELECT FROM app.venue_closures c
              WHERE c.venue_id = p_experience.venue_id AND c.during && pg_catalog.tstzrange(p_starts_at, ends)) THEN
    RAISE EXCEPTION 'the venue is closed then' USING ERRCODE = 'PT400';
  END IF;
  IF NOT private.within_opening_hours(p_experience.venue_id, local_ts, ends AT TIME ZONE tz) THEN
    RAISE EXCEPTION 'the venue is not open for the whole session' USING ERRCODE = 'PT400';
  END IF;
  IF slot.id IS NULL THEN
    INSERT INTO app.slots (org_id, experience_id, starts_at, ends_at, capacity)
    VALUES (p_experience.org_id, p_experience.id, p_starts_at, ends, coalesce(p_experience.capacity, 1))
    ON CONFLICT (experience_id, starts_at) DO NOTHING;
    SELECT s.* INTO slot FROM app.slots s WHERE s.experience_id = p_experience.id AND s.starts_at = p_starts_at;
  END IF;
  -- Holds that have run out give their places (and rooms) back before anyone asks for them.
  UPDATE app.bookings b SET status = 'expired'
   WHERE b.org_id = p_experience.org_id AND b.status = 'pending' AND b.hold_expires_at <= pg_catalog.now()
     AND (b.slot_id = slot.id
          OR b.id IN (SELECT br.booking_id FROM app.booking_resources br
                        JOIN app.experience_resources er ON er.resource_id = br.resource_id
                       WHERE er.experience_id = p_experience.id
                         AND br.during && pg_catalog.tstzrange(slot.starts_at, slot.ends_at
                                            + pg_catalog.make_interval(mins => p_experience.buffer_minutes))));
  RETURN slot;
END
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

CREATE OR REPLACE FUNCTION private.reschedule(p_booking_id uuid, p_starts_at timestamp with time zone)
 RETURNS app.bookings
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
DECLARE
  current app.bookings;
  exp     app.experiences;
  slot    app.slots;
  ends    timestamptz;
  moved   app.bookings;
  constraint_name text;
BEGIN
  SELECT b.* INTO current FROM app.bookings b WHERE b.id = p_booking_id FOR UPDATE;
  -- Its own check: staff of the booking's organization; others are told it does not exist.
  IF NOT FOUND OR NOT current.org_id = ANY (private.org_ids('staff')) THEN
    RAISE EXCEPTION 'booking % not found', p_booking_id USING ERRCODE = 'PT404';
  END IF;
  IF current.status NOT IN ('pending', 'confirmed') THEN
    RAISE EXCEPTION 'booking % is % and cannot be rescheduled', current.confirmation_code, current.status
      USING ERRCODE = 'PT409', DETAIL = 'illegal_transition';
  END IF;
  IF current.status = 'pending' AND current.hold_expires_at <= pg_catalog.now() THEN
    RAISE EXCEPTION 'the hold on booking % ran out at %', current.confirmation_code, current.hold_expires_at
      USING ERRCODE = 'PT409', DETAIL = 'hold_expired', HINT = 'make a new booking';
  END IF;
  SELECT e.* INTO exp FROM app.experiences e WHERE e.id = current.experience_id;
  slot := private.bookable_slot(exp, p_starts_at);
  ends := slot.ends_at;
  BEGIN
    -- One statement moves the booking: the trigger frees the old places and takes the new ones, or fails whole.
    UPDATE app.bookings b SET slot_id = slot.id, starts_at = p_starts_at, ends_at = ends
     WHERE b.id = current.id
    RETURNING b.* INTO moved;
  EXCEPTION
    WHEN check_violation THEN
      GET STACKED DIAGNOSTICS constraint_name = CONSTRAINT_NAME;
      IF constraint_name IN ('slots_taken_within_capacity', 'slot_ticket_counts_taken_within_quota') THEN
        RAISE EXCEPTION 'sold out: the new session has no room for this booking' USING ERRCODE = 'PT409',
          DETAIL = 'sold_out';
      END IF;
      RAISE;
    WHEN exclusion_violation THEN
      RAISE EXCEPTION 'the new time is not available' USING ERRCODE = 'PT409', DETAIL = 'slot_taken';
  END;
  RETURN moved;
END
$function$
;
REVOKE ALL ON FUNCTION private.bookable_slot(app.experiences,timestamp with time zone) FROM PUBLIC;
COMMENT ON FUNCTION private.bookable_slot(app.experiences,timestamp with time zone) IS 'The slot a booking may take at a start: a scheduled (or existing) session, within the notice and advance windows,
outside closures, inside opening hours; created on first use, with run-out holds on it and its rooms marked
expired. PT400 says which rule refuses. Used by place_booking and reschedule, which run it with their rights.';
REVOKE ALL ON FUNCTION private.place_booking(uuid,timestamp with time zone,integer,text,text,text,jsonb,text,text) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION private.place_booking(uuid,timestamp with time zone,integer,text,text,text,jsonb,text,text) TO anon;
GRANT EXECUTE ON FUNCTION private.place_booking(uuid,timestamp with time zone,integer,text,text,text,jsonb,text,text) TO authenticated;
COMMENT ON FUNCTION private.place_booking(uuid,timestamp with time zone,integer,text,text,text,jsonb,text,text) IS 'The one way a booking is made. Its own checks: the caller is staff of the experience''s organization, or
presents the embed key of its venue. Holds places (pending until the hold ends) or confirms at once when no
payment is needed; idempotent on (organization, idempotency key).';
REVOKE ALL ON FUNCTION private.reschedule(uuid,timestamp with time zone) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION private.reschedule(uuid,timestamp with time zone) TO authenticated;
COMMENT ON FUNCTION private.reschedule(uuid,timestamp with time zone) IS 'Moves a pending or confirmed booking to another start of its experience, atomically. Its own check: the caller is
staff of the booking''s organization.';

COMMIT;
