-- Functions of the `booking` area: holding and selling places so that nothing is ever sold twice.
-- The guarantee is in the tables (capacity CHECKs on counters, an exclusion constraint on resource claims); the
-- triggers here keep counters and claims in step with each booking's status, and the functions are workflows
-- on top. A pending booking whose hold has passed counts for nothing: availability ignores it, and every attempt
-- to book the same slot or resources first marks such holds expired, in the same transaction. No job is needed.

-- Live bookings hold places; the others (cancelled, rejected, expired) hold nothing.
CREATE OR REPLACE FUNCTION private.booking_is_live(status app.booking_status)
RETURNS boolean
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
SET search_path = ''
AS $$
  SELECT status IN ('pending', 'confirmed', 'completed', 'no_show')
$$;

COMMENT ON FUNCTION private.booking_is_live(app.booking_status) IS
'True for statuses that hold places: pending, confirmed, completed, no_show.';

REVOKE ALL ON FUNCTION private.booking_is_live(app.booking_status) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.booking_is_live(app.booking_status) TO authenticated, service_role;


CREATE OR REPLACE FUNCTION private.new_confirmation_code()
RETURNS text
LANGUAGE sql
VOLATILE
SET search_path = ''
AS $$
  -- 8 characters from 31 that cannot be confused when read aloud or off a screen (no 0/O, 1/I/L).
  SELECT pg_catalog.string_agg(
           pg_catalog.substr('ABCDEFGHJKMNPQRSTUVWXYZ23456789',
                             (pg_catalog.get_byte(b.bytes, i) % 31) + 1, 1), '' ORDER BY i)
    FROM (SELECT pg_catalog.decode(pg_catalog.replace(gen_random_uuid()::text, '-', ''), 'hex') AS bytes) b,
         pg_catalog.generate_series(0, 7) AS i
$$;

COMMENT ON FUNCTION private.new_confirmation_code() IS
'A human confirmation code: 8 characters of an unambiguous alphabet (about 39 bits).';

REVOKE ALL ON FUNCTION private.new_confirmation_code() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.new_confirmation_code() TO authenticated, service_role;


CREATE OR REPLACE FUNCTION private.booking_answer(b app.bookings)
RETURNS app.booking_answer
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
SET search_path = ''
AS $$
  SELECT b.id, b.confirmation_code, b.status, b.experience_id, b.starts_at, b.ends_at, b.party_size, b.places,
         b.price_minor, b.currency::text, b.hold_expires_at, b.cancel_reason, b.refund_due_minor, b.created_at
$$;

COMMENT ON FUNCTION private.booking_answer(app.bookings) IS
'A booking as every function that makes or moves one answers it (app.booking_answer).';

REVOKE ALL ON FUNCTION private.booking_answer(app.bookings) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.booking_answer(app.bookings) TO anon, authenticated, service_role;


-- Status machine and immutable columns. ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.bookings_guard()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.status NOT IN ('pending', 'confirmed') THEN
      RAISE EXCEPTION 'a new booking is pending or confirmed, not %', NEW.status USING ERRCODE = 'PT400';
    END IF;
    RETURN NEW;
  END IF;
  IF (NEW.id, NEW.org_id, NEW.experience_id, NEW.customer_id, NEW.confirmation_code, NEW.created_at)
     IS DISTINCT FROM (OLD.id, OLD.org_id, OLD.experience_id, OLD.customer_id, OLD.confirmation_code, OLD.created_at)
  THEN
    RAISE EXCEPTION 'booking % keeps its organization, experience, customer and code', OLD.confirmation_code
      USING ERRCODE = 'PT400';
  END IF;
  -- A reason is given with the move it explains, so no later write (whichever path) replaces or erases it; only
  -- the person's erasure (private.erase_customer, which raises its flag) blanks it.
  IF NEW.cancel_reason IS DISTINCT FROM OLD.cancel_reason AND NEW.status IS NOT DISTINCT FROM OLD.status
     AND NOT (NEW.cancel_reason IS NOT DISTINCT FROM '[erased]'
              AND pg_catalog.current_setting('tessera.erasure', true) IS NOT DISTINCT FROM 'on') THEN
    RAISE EXCEPTION 'booking % keeps the reason it was given when it became %', OLD.confirmation_code, OLD.status
      USING ERRCODE = 'PT409', DETAIL = 'illegal_transition';
  END IF;
  IF NEW.status IS DISTINCT FROM OLD.status AND NOT (
       (OLD.status = 'pending' AND NEW.status IN ('confirmed', 'cancelled', 'rejected', 'expired'))
    OR (OLD.status = 'confirmed' AND NEW.status IN ('completed', 'cancelled', 'no_show'))
    -- A payment that landed after the hold ran out re-takes the places (bookings_sync, under the counters' CHECKs).
    OR (OLD.status = 'expired' AND NEW.status = 'confirmed' AND private.booking_paid(NEW.id))) THEN
    RAISE EXCEPTION 'booking % cannot go from % to %', OLD.confirmation_code, OLD.status, NEW.status
      USING ERRCODE = 'PT409', DETAIL = 'illegal_transition',
            HINT = 'pending -> confirmed | cancelled | rejected | expired; '
                   'confirmed -> completed | cancelled | no_show; expired -> confirmed once its order is paid';
  END IF;
  IF NEW.status <> 'pending' THEN
    NEW.hold_expires_at := NULL;
  END IF;
  IF NEW.status = 'cancelled' AND OLD.status <> 'cancelled' THEN
    NEW.refund_due_minor := private.refund_due(OLD, pg_catalog.now());
  END IF;
  RETURN NEW;
END
$$;

COMMENT ON FUNCTION private.bookings_guard() IS
'Trigger: new bookings start pending or confirmed; status moves only along the allowed transitions (else PT409),
expired -> confirmed only once its order is paid (a late payment re-taking its places);
organization, experience, customer and code never change; a reason changes only with the status it explains
(else PT409); a cancellation records the refund due.';

REVOKE ALL ON FUNCTION private.bookings_guard() FROM PUBLIC;


-- Counters and claims follow live bookings. ------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.bookings_sync()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  old_live boolean := TG_OP <> 'INSERT' AND private.booking_is_live(OLD.status);
  new_live boolean := TG_OP <> 'DELETE' AND private.booking_is_live(NEW.status);
BEGIN
  -- Nothing that holds places changed: leave counters and claims alone, but for when a hold runs out.
  IF TG_OP = 'UPDATE' AND old_live = new_live
     AND (OLD.slot_id, OLD.places, OLD.starts_at, OLD.ends_at) = (NEW.slot_id, NEW.places, NEW.starts_at, NEW.ends_at)
  THEN
    IF new_live AND (OLD.status, OLD.hold_expires_at) IS DISTINCT FROM (NEW.status, NEW.hold_expires_at) THEN
      UPDATE app.booking_resources
         SET held_until = CASE WHEN NEW.status = 'pending' THEN NEW.hold_expires_at END
       WHERE booking_id = NEW.id;
    END IF;
    RETURN NULL;
  END IF;
  IF old_live THEN
    UPDATE app.slots SET taken = taken - OLD.places WHERE id = OLD.slot_id;
    UPDATE app.slot_ticket_counts c SET taken = c.taken - t.quantity
      FROM app.booking_tickets t
     WHERE t.org_id = OLD.org_id AND c.org_id = OLD.org_id
       AND t.booking_id = OLD.id AND c.slot_id = OLD.slot_id AND c.ticket_type_id = t.ticket_type_id;
    DELETE FROM app.booking_resources WHERE booking_id = OLD.id;
  END IF;
  IF new_live THEN
    -- The CHECK on taken turns a full slot into an error here, in the statement that takes the place.
    UPDATE app.slots SET taken = taken + NEW.places WHERE id = NEW.slot_id;
    PERFORM private.count_tickets(NEW.org_id, NEW.id, NEW.slot_id, 1);
    -- The exclusion constraint turns a clash on any resource into an error here.
    INSERT INTO app.booking_resources (org_id, booking_id, resource_id, during, held_until)
    SELECT NEW.org_id, NEW.id, er.resource_id,
           pg_catalog.tstzrange(NEW.starts_at, NEW.ends_at + pg_catalog.make_interval(mins => e.buffer_minutes)),
           CASE WHEN NEW.status = 'pending' THEN NEW.hold_expires_at END
      FROM app.experience_resources er
      JOIN app.experiences e ON e.org_id = er.org_id AND e.id = er.experience_id
     WHERE er.org_id = NEW.org_id AND er.experience_id = NEW.experience_id AND e.kind = 'private_session';
  END IF;
  RETURN NULL;
END
$$;

COMMENT ON FUNCTION private.bookings_sync() IS
'Trigger: keeps slot counters, ticket-type counters and resource claims equal to what live bookings hold. Its own
check is the tables'' constraints; it is a definer so that nobody else needs write access to counters.';

REVOKE ALL ON FUNCTION private.bookings_sync() FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.count_tickets(p_org_id uuid, p_booking_id uuid, p_slot_id uuid, p_sign integer)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  -- Counters exist only for ticket types with a quota of their own; create them on first use.
  INSERT INTO app.slot_ticket_counts (org_id, slot_id, ticket_type_id, quota)
  SELECT p_org_id, p_slot_id, tt.id, tt.quota
    FROM app.booking_tickets t JOIN app.ticket_types tt ON tt.org_id = t.org_id AND tt.id = t.ticket_type_id
   WHERE t.org_id = p_org_id AND t.booking_id = p_booking_id AND tt.quota IS NOT NULL
  ON CONFLICT (slot_id, ticket_type_id, org_id) DO NOTHING;
  UPDATE app.slot_ticket_counts c SET taken = c.taken + p_sign * t.quantity
    FROM app.booking_tickets t
   WHERE t.org_id = p_org_id AND c.org_id = p_org_id
     AND t.booking_id = p_booking_id AND c.slot_id = p_slot_id AND c.ticket_type_id = t.ticket_type_id;
END
$$;

COMMENT ON FUNCTION private.count_tickets(uuid, uuid, uuid, integer) IS
'Adds (p_sign = 1) or removes (-1) a booking''s ticket lines to the per-slot ticket-type counters.';

REVOKE ALL ON FUNCTION private.count_tickets(uuid, uuid, uuid, integer) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.booking_tickets_sync()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  -- Lines are added right after their booking row; count them if that booking is live.
  IF EXISTS (SELECT FROM app.bookings b WHERE b.id = NEW.booking_id AND private.booking_is_live(b.status)) THEN
    INSERT INTO app.slot_ticket_counts (org_id, slot_id, ticket_type_id, quota)
    SELECT NEW.org_id, b.slot_id, tt.id, tt.quota
      FROM app.bookings b, app.ticket_types tt
     WHERE b.org_id = NEW.org_id AND tt.org_id = NEW.org_id
       AND b.id = NEW.booking_id AND tt.id = NEW.ticket_type_id AND tt.quota IS NOT NULL
    ON CONFLICT (slot_id, ticket_type_id, org_id) DO NOTHING;
    UPDATE app.slot_ticket_counts c SET taken = c.taken + NEW.quantity
      FROM app.bookings b
     WHERE b.org_id = NEW.org_id AND c.org_id = NEW.org_id
       AND b.id = NEW.booking_id AND c.slot_id = b.slot_id AND c.ticket_type_id = NEW.ticket_type_id;
  END IF;
  RETURN NULL;
END
$$;

COMMENT ON FUNCTION private.booking_tickets_sync() IS
'Trigger: counts a new ticket line of a live booking against its ticket type''s quota in the slot.';

REVOKE ALL ON FUNCTION private.booking_tickets_sync() FROM PUBLIC;


CREATE OR REPLACE TRIGGER bookings_guard
  BEFORE INSERT OR UPDATE ON app.bookings FOR EACH ROW EXECUTE FUNCTION private.bookings_guard();
CREATE OR REPLACE TRIGGER bookings_sync
  AFTER INSERT OR UPDATE OR DELETE ON app.bookings FOR EACH ROW EXECUTE FUNCTION private.bookings_sync();
CREATE OR REPLACE TRIGGER booking_tickets_sync
  AFTER INSERT ON app.booking_tickets FOR EACH ROW EXECUTE FUNCTION private.booking_tickets_sync();
CREATE OR REPLACE TRIGGER bookings_touch_updated_at
  BEFORE UPDATE ON app.bookings FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();
CREATE OR REPLACE TRIGGER customers_touch_updated_at
  BEFORE UPDATE ON app.customers FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();


-- Where a booking may start. ---------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.bookable_slot(p_experience app.experiences, p_starts_at timestamptz)
RETURNS app.slots
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  tz       text;
  ends     timestamptz;
  local_ts timestamp;
  slot     app.slots;
  fresh    app.experiences;
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
  IF NOT coalesce(private.opening_hours(p_experience.venue_id, local_ts::date, (ends AT TIME ZONE tz)::date)
                  @> pg_catalog.tsrange(local_ts, ends AT TIME ZONE tz), true) THEN
    RAISE EXCEPTION 'the venue is not open for the whole session' USING ERRCODE = 'PT400';
  END IF;
  IF slot.id IS NULL THEN
    -- A new session takes the experience's terms as they are now, not as this transaction first read them: a
    -- change of capacity or duration committing meanwhile sets them on the sessions that exist, so one that is
    -- being created waits for it (FOR SHARE) and then reads what it set. Its callers are definers, which may.
    SELECT e.* INTO fresh FROM app.experiences e WHERE e.id = p_experience.id FOR SHARE;
    INSERT INTO app.slots (org_id, experience_id, starts_at, ends_at, capacity)
    VALUES (fresh.org_id, fresh.id, p_starts_at, p_starts_at + pg_catalog.make_interval(mins => fresh.duration_minutes),
            coalesce(fresh.capacity, 1))
    ON CONFLICT (experience_id, starts_at, org_id) DO NOTHING;
    SELECT s.* INTO slot FROM app.slots s WHERE s.experience_id = p_experience.id AND s.starts_at = p_starts_at;
  END IF;
  -- Holds that have run out give their places (and rooms) back before anyone asks for them.
  UPDATE app.bookings b SET status = 'expired'
   WHERE b.org_id = p_experience.org_id AND b.slot_id = slot.id
     AND b.status = 'pending' AND b.hold_expires_at <= pg_catalog.now();
  UPDATE app.bookings b SET status = 'expired'
   WHERE b.status = 'pending' AND b.hold_expires_at <= pg_catalog.now()
     AND b.id IN (SELECT br.booking_id FROM app.booking_resources br
                    JOIN app.experience_resources er ON er.org_id = br.org_id AND er.resource_id = br.resource_id
                   WHERE er.org_id = p_experience.org_id AND er.experience_id = p_experience.id
                     AND br.during && pg_catalog.tstzrange(slot.starts_at, slot.ends_at
                                        + pg_catalog.make_interval(mins => p_experience.buffer_minutes)));
  RETURN slot;
END
$$;

COMMENT ON FUNCTION private.bookable_slot(app.experiences, timestamptz) IS
'The slot a booking may take at a start: a scheduled (or existing) session, within the notice and advance windows,
outside closures, inside opening hours; created on first use, with run-out holds on it and its rooms marked
expired. PT400 says which rule refuses. Used by place_booking and reschedule, which run it with their rights.';

REVOKE ALL ON FUNCTION private.bookable_slot(app.experiences, timestamptz) FROM PUBLIC;


-- Placing a booking. ------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.same_request(p_booking app.bookings, p_fingerprint text)
RETURNS void
LANGUAGE plpgsql
STABLE
SET search_path = ''
AS $$
BEGIN
  -- As the IETF's Idempotency-Key draft says: a key reused with another request is the client's mistake, 422.
  IF p_booking.request_fingerprint IS DISTINCT FROM p_fingerprint THEN
    RAISE EXCEPTION 'this idempotency key was already used for a different request' USING ERRCODE = 'PT422',
      DETAIL = 'idempotency_key_reused', HINT = 'send a new idempotency key with each new request';
  END IF;
END
$$;

COMMENT ON FUNCTION private.same_request(app.bookings, text) IS
'Raises PT422 (detail idempotency_key_reused) unless a booking found by its idempotency key was made by the request
with this fingerprint. Reveals nothing of the booking.';

REVOKE ALL ON FUNCTION private.same_request(app.bookings, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.same_request(app.bookings, text) TO anon, authenticated;


CREATE OR REPLACE FUNCTION private.place_booking(
  p_experience_id   uuid,
  p_starts_at       timestamptz,
  p_party_size      integer,
  p_email           text,
  p_name            text,
  p_phone           text,
  p_tickets         jsonb,
  p_idempotency_key text,
  p_embed_key       text
)
RETURNS app.bookings
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  exp        app.experiences;
  venue_key  text;
  slot       app.slots;
  booking    app.bookings;
  ends       timestamptz;
  customer   uuid;
  places     integer;
  price      bigint;
  lines      jsonb;
  scope      text;
  fingerprint text;
  constraint_name text;
BEGIN
  -- The callers checked each argument's shape; what must be there is checked first.
  IF p_email IS NULL THEN
    RAISE EXCEPTION 'customer_email is required' USING ERRCODE = 'PT400', DETAIL = 'required';
  END IF;
  -- Only what is offered: active, at a venue not archived, with its rooms in use.
  SELECT e.* INTO exp FROM app.experiences e WHERE e.id = p_experience_id AND private.is_offered(e.id);
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

  -- What is being bought, and for how much: the one price of the orders area (price rules included), which quote
  -- and create_order compute the same way.
  lines := private.price_lines(exp, p_starts_at, p_party_size, p_tickets, pg_catalog.now());
  SELECT pg_catalog.sum((l ->> 'quantity')::bigint * (l ->> 'unit_price_minor')::bigint),
         CASE WHEN exp.kind = 'private_session' THEN 1 ELSE pg_catalog.sum((l ->> 'quantity')::integer) END
    INTO price, places
    FROM pg_catalog.jsonb_array_elements(lines) l;

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
        SELECT exp.org_id, booking.id, l.ticket_type_id, l.quantity, l.unit_price_minor
          FROM pg_catalog.jsonb_to_recordset(lines) AS l(ticket_type_id uuid, quantity integer,
                                                        unit_price_minor bigint);
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
$$;

COMMENT ON FUNCTION private.place_booking(uuid, timestamptz, integer, text, text, text, jsonb, text, text) IS
'The one way a booking is made. Its callers (create_booking, widget_create_booking) have checked each argument''s
shape; it refuses a missing e-mail (PT400) before anything else. Its own checks: the caller is staff of the
experience''s organization, or presents the embed key of its venue. Holds places (pending until the hold ends) or confirms at once when no
payment is needed. Idempotent per (organization, scope, key), the scope being the staff member or the widget''s
venue and e-mail: the same request returns its booking, another request with the key is refused (PT422).';

REVOKE ALL ON FUNCTION private.place_booking(uuid, timestamptz, integer, text, text, text, jsonb, text, text)
  FROM PUBLIC;
-- anon too: the public widget books through this one path, with the venue's embed key (checked above).
GRANT EXECUTE ON FUNCTION private.place_booking(uuid, timestamptz, integer, text, text, text, jsonb, text, text)
  TO anon, authenticated;


CREATE OR REPLACE FUNCTION api.create_booking(
  experience_id   uuid,
  starts_at       timestamptz,
  customer_email  text,
  party_size      integer DEFAULT NULL,
  customer_name   text DEFAULT NULL,
  customer_phone  text DEFAULT NULL,
  tickets         jsonb DEFAULT NULL,
  idempotency_key text DEFAULT NULL
)
RETURNS app.booking_answer
LANGUAGE sql
VOLATILE
SET search_path = ''
AS $$
  SELECT a.*
    FROM private.place_booking(experience_id, private.time_arg('starts_at', starts_at),
                               private.party_size_arg(party_size),
                               private.email_arg('customer_email', customer_email),
                               private.text_arg('customer_name', customer_name, 0, 200),
                               private.text_arg('customer_phone', customer_phone, 0, 50),
                               private.tickets_arg('tickets', tickets),
                               private.text_arg('idempotency_key', idempotency_key, 1, 200), NULL) b,
         private.booking_answer(b) a
$$;

COMMENT ON FUNCTION api.create_booking(uuid, timestamptz, text, integer, text, text, jsonb, text) IS
$$Books a session for a customer (created on the fly, matched by e-mail whatever its case). Private sessions take
party_size; ticketed events take tickets, [{"ticket_type_id": "…", "quantity": 2}]. The booking is pending, holding
its places for the experience's hold time, or confirmed at once when no payment is required; it carries an
8-character confirmation code. Answers the booking as an object (app.booking_answer: id, confirmation_code, status,
experience_id, starts_at, ends_at, party_size, places, price_minor, currency, hold_expires_at, cancel_reason,
refund_due_minor, created_at), the same fields as widget_create_booking. Pass idempotency_key (1 to 200 characters)
to make retries safe: a key is yours (the signed-in staff member's), and the same request with it returns the same
booking. For staff of the experience's organization. Errors: PT404 experience not found; PT400 naming the argument
for a missing or malformed customer_email, a customer_name over 200 or customer_phone over 50 characters, a
party_size outside 1 to 1000 or the experience's limits, invalid tickets, or a start that is not bookable (not
scheduled, too late, too early, venue closed, outside 2000-01-01 to five years from now); PT409 sold out or taken
(detail sold_out / slot_taken); PT422 the key was already used for a different request (detail
idempotency_key_reused).$$;

REVOKE ALL ON FUNCTION api.create_booking(uuid, timestamptz, text, integer, text, text, jsonb, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.create_booking(uuid, timestamptz, text, integer, text, text, jsonb, text)
  TO authenticated;


-- Moving a booking along its status machine. ------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.refund_due(b app.bookings, at timestamptz)
RETURNS bigint
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
  -- Only a confirmed (paid) booking is refunded: in full before the cutoff, a percentage until the start, then
  -- nothing. A pending booking was never paid.
  -- An experience without a policy of its own follows its organization's (app.org_settings).
  SELECT CASE
           WHEN b.status <> 'confirmed' THEN 0
           WHEN at < b.starts_at - coalesce(e.full_refund_before, s.full_refund_before, interval '48 hours')
             THEN b.price_minor
           WHEN at < b.starts_at THEN (b.price_minor * coalesce(e.late_refund_percent, s.late_refund_percent, 0)) / 100
           ELSE 0
         END
    FROM app.experiences e LEFT JOIN app.org_settings s ON s.org_id = b.org_id
   WHERE e.id = b.experience_id
$$;

COMMENT ON FUNCTION private.refund_due(app.bookings, timestamptz) IS
'What a cancellation at a given time refunds under the experience''s policy, or where the experience sets none its
organization''s default (app.org_settings): full before the cutoff, the late percentage (rounded down) until the
start, nothing after; nothing for an unpaid (pending) booking.';

REVOKE ALL ON FUNCTION private.refund_due(app.bookings, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.refund_due(app.bookings, timestamptz) TO authenticated, service_role;


CREATE OR REPLACE FUNCTION private.move_booking(p_booking_id uuid, p_status app.booking_status, p_reason text)
RETURNS app.bookings
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  current app.bookings;
  moved   app.bookings;
BEGIN
  -- Runs as the caller: row-level security decides which bookings exist for them.
  SELECT b.* INTO current FROM app.bookings b WHERE b.id = p_booking_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'booking % not found', p_booking_id USING ERRCODE = 'PT404';
  END IF;
  -- A move to the status it has is no move: refused, so that a second cancellation cannot erase the first
  -- one's reason, and a client learns its retry was not needed.
  IF current.status = p_status THEN
    RAISE EXCEPTION 'booking % is already %', current.confirmation_code, current.status
      USING ERRCODE = 'PT409', DETAIL = 'illegal_transition';
  END IF;
  IF p_status = 'confirmed' AND current.status = 'pending' AND current.hold_expires_at <= pg_catalog.now() THEN
    RAISE EXCEPTION 'the hold on booking % ran out at %', current.confirmation_code, current.hold_expires_at
      USING ERRCODE = 'PT409', DETAIL = 'hold_expired', HINT = 'make a new booking';
  END IF;
  UPDATE app.bookings b
     SET status = p_status,
         cancel_reason = CASE WHEN p_status IN ('cancelled', 'rejected') THEN p_reason ELSE b.cancel_reason END
   WHERE b.org_id = current.org_id AND b.id = p_booking_id
  RETURNING b.* INTO moved;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'booking % not found', p_booking_id USING ERRCODE = 'PT404';
  END IF;
  RETURN moved;
END
$$;

COMMENT ON FUNCTION private.move_booking(uuid, app.booking_status, text) IS
'Moves one booking to a status, as the caller (RLS applies). PT404 when the caller cannot see it, PT409 for an
illegal transition (a move to the status it already has included) or a confirmation after the hold ran out; a
refused move writes nothing.';

REVOKE ALL ON FUNCTION private.move_booking(uuid, app.booking_status, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.move_booking(uuid, app.booking_status, text) TO authenticated, service_role;


CREATE OR REPLACE FUNCTION api.confirm_booking(booking_id uuid)
RETURNS app.booking_answer LANGUAGE sql VOLATILE SET search_path = ''
AS $$ SELECT a.* FROM private.move_booking(booking_id, 'confirmed', NULL) b, private.booking_answer(b) a $$;
COMMENT ON FUNCTION api.confirm_booking(uuid) IS
$$Confirms a pending booking (typically once paid) and answers it (app.booking_answer). For staff of its organization.
Errors: PT404 not found; PT409 illegal transition, already confirmed included (detail illegal_transition), or hold
ran out (detail hold_expired).$$;
REVOKE ALL ON FUNCTION api.confirm_booking(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.confirm_booking(uuid) TO authenticated, service_role;

CREATE OR REPLACE FUNCTION api.cancel_booking(booking_id uuid, reason text DEFAULT NULL)
RETURNS bigint LANGUAGE sql VOLATILE SET search_path = ''
AS $$
  SELECT refund_due_minor
    FROM private.move_booking(booking_id, 'cancelled', private.text_arg('reason', reason, 0, 1000))
$$;
COMMENT ON FUNCTION api.cancel_booking(uuid, text) IS
$$Cancels a pending or confirmed booking, frees its places, records the reason (at most 1000 characters) and returns
the refund due in minor units under the experience's policy (full before its cutoff, its late percentage until the
start, nothing after; nothing when unpaid). For staff of its organization. Errors: PT404 not found; PT400 a reason
over 1000 characters; PT409 illegal transition, already cancelled included (detail illegal_transition): a second
cancellation changes nothing, its reason is not written.$$;
REVOKE ALL ON FUNCTION api.cancel_booking(uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.cancel_booking(uuid, text) TO authenticated, service_role;

CREATE OR REPLACE FUNCTION api.reject_booking(booking_id uuid, reason text DEFAULT NULL)
RETURNS app.booking_answer LANGUAGE sql VOLATILE SET search_path = ''
AS $$
  SELECT a.*
    FROM private.move_booking(booking_id, 'rejected', private.text_arg('reason', reason, 0, 1000)) b,
         private.booking_answer(b) a
$$;
COMMENT ON FUNCTION api.reject_booking(uuid, text) IS
$$Rejects a pending booking, frees its places, records the reason (at most 1000 characters) and answers it
(app.booking_answer). For staff of its organization. Errors: PT404 not found; PT400 a reason over 1000 characters;
PT409 illegal transition, already rejected included (detail illegal_transition; nothing is written).$$;
REVOKE ALL ON FUNCTION api.reject_booking(uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.reject_booking(uuid, text) TO authenticated, service_role;

CREATE OR REPLACE FUNCTION api.complete_booking(booking_id uuid)
RETURNS app.booking_answer LANGUAGE sql VOLATILE SET search_path = ''
AS $$ SELECT a.* FROM private.move_booking(booking_id, 'completed', NULL) b, private.booking_answer(b) a $$;
COMMENT ON FUNCTION api.complete_booking(uuid) IS
$$Marks a confirmed booking as completed (the group came) and answers it (app.booking_answer). For staff of its
organization. Errors: PT404 not found; PT409 illegal transition, already completed included (detail
illegal_transition).$$;
REVOKE ALL ON FUNCTION api.complete_booking(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.complete_booking(uuid) TO authenticated, service_role;

CREATE OR REPLACE FUNCTION api.mark_no_show(booking_id uuid)
RETURNS app.booking_answer LANGUAGE sql VOLATILE SET search_path = ''
AS $$ SELECT a.* FROM private.move_booking(booking_id, 'no_show', NULL) b, private.booking_answer(b) a $$;
COMMENT ON FUNCTION api.mark_no_show(uuid) IS
$$Marks a confirmed booking as a no-show and answers it (app.booking_answer). For staff of its organization.
Errors: PT404 not found; PT409 illegal transition, already a no-show included (detail illegal_transition).$$;
REVOKE ALL ON FUNCTION api.mark_no_show(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.mark_no_show(uuid) TO authenticated, service_role;


CREATE OR REPLACE FUNCTION api.expire_holds()
RETURNS integer
LANGUAGE sql
VOLATILE
SET search_path = ''
AS $$
  -- A hold someone else has locked is theirs to settle (a payment landing, a booking of its session expiring it, a
  -- second sweep): skipped, never waited on, so sweeps and bookings cannot deadlock on each other.
  WITH due AS (
    SELECT b.id FROM app.bookings b
     WHERE b.status = 'pending' AND b.hold_expires_at <= pg_catalog.now()
       FOR UPDATE SKIP LOCKED
  ), expired AS (
    UPDATE app.bookings b SET status = 'expired' FROM due WHERE b.id = due.id AND b.status = 'pending'
    RETURNING 1)
  SELECT pg_catalog.count(*)::integer FROM expired
$$;

COMMENT ON FUNCTION api.expire_holds() IS
$$Marks every pending booking whose hold has run out as expired (skipping any another transaction holds) and returns
how many. Run-out holds already count for nothing, but their expiry is news: the customer's booking_expired message,
and the places passed to the session's waitlist. `tessera worker` runs it on every pass. Staff affect their
organizations' bookings; service_role all.$$;

REVOKE ALL ON FUNCTION api.expire_holds() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.expire_holds() TO authenticated, service_role;


-- Rescheduling, batches and reading. ----------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.reschedule(p_booking_id uuid, p_starts_at timestamptz)
RETURNS app.bookings
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
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
$$;

COMMENT ON FUNCTION private.reschedule(uuid, timestamptz) IS
'Moves a pending or confirmed booking to another start of its experience, atomically. Its own check: the caller is
staff of the booking''s organization.';

REVOKE ALL ON FUNCTION private.reschedule(uuid, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.reschedule(uuid, timestamptz) TO authenticated;


CREATE OR REPLACE FUNCTION api.reschedule_booking(booking_id uuid, starts_at timestamptz)
RETURNS app.booking_answer
LANGUAGE sql
VOLATILE
SET search_path = ''
AS $$
  SELECT a.*
    FROM private.reschedule(booking_id, private.time_arg('starts_at', starts_at)) b, private.booking_answer(b) a
$$;

COMMENT ON FUNCTION api.reschedule_booking(uuid, timestamptz) IS
$$Moves a pending or confirmed booking to another scheduled start of the same experience and answers it
(app.booking_answer). Atomic: the old places are freed only if the new ones are taken; on failure nothing changes.
For staff of its organization. Errors: PT404 not found; PT400 not a bookable start (or outside 2000-01-01 to five
years from now); PT409 sold out or taken, or the booking is no longer live.$$;

REVOKE ALL ON FUNCTION api.reschedule_booking(uuid, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.reschedule_booking(uuid, timestamptz) TO authenticated;


-- The status is text since its values are checked in words (private.enum_arg): the enum-typed one goes.
DROP FUNCTION IF EXISTS api.batch_update_booking_status(uuid[], app.booking_status);

CREATE OR REPLACE FUNCTION api.batch_update_booking_status(booking_ids uuid[], status text)
RETURNS SETOF app.booking_answer
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  one uuid;
  moved app.bookings;
BEGIN
  PERFORM private.enum_arg('status', ARRAY[status], 'app.booking_status');
  IF coalesce(pg_catalog.cardinality(booking_ids), 0) NOT BETWEEN 1 AND 500 THEN
    RAISE EXCEPTION 'booking_ids is a list of 1 to 500 bookings' USING ERRCODE = 'PT400', DETAIL = 'out_of_range';
  END IF;
  FOREACH one IN ARRAY booking_ids LOOP
    BEGIN
      moved := private.move_booking(one, batch_update_booking_status.status::app.booking_status, NULL);
    EXCEPTION WHEN SQLSTATE 'PT404' OR SQLSTATE 'PT409' THEN
      -- The first booking that cannot move aborts the whole batch, naming it.
      RAISE EXCEPTION 'booking % cannot move to %: %', one, batch_update_booking_status.status, SQLERRM
        USING ERRCODE = CASE WHEN SQLSTATE = 'PT404' THEN 'PT404' ELSE 'PT409' END,
              DETAIL = one::text;
    END;
    RETURN NEXT private.booking_answer(moved);
  END LOOP;
END
$$;

COMMENT ON FUNCTION api.batch_update_booking_status(uuid[], text) IS
$$Moves 1 to 500 bookings to one status (pending, confirmed, cancelled, rejected, expired, completed or no_show;
any other value is PT400 listing them), all or nothing: the first booking that cannot move (not found, or an
illegal transition, a booking already in that status included) aborts the batch with an error naming it (its id
is the error's detail) and nothing is written. Answers the moved bookings (app.booking_answer) in the order given.
For staff of their organization.$$;

REVOKE ALL ON FUNCTION api.batch_update_booking_status(uuid[], text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.batch_update_booking_status(uuid[], text) TO authenticated;


CREATE OR REPLACE FUNCTION api.get_booking(booking_id uuid)
RETURNS app.bookings
LANGUAGE plpgsql
STABLE
SET search_path = ''
AS $$
DECLARE
  hit app.bookings;
BEGIN
  SELECT b.* INTO hit FROM app.bookings b WHERE b.id = get_booking.booking_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'booking % not found', booking_id USING ERRCODE = 'PT404';
  END IF;
  RETURN hit;
END
$$;

COMMENT ON FUNCTION api.get_booking(uuid) IS
$$One booking. For staff of its organization. Errors: PT404 when it does not exist or belongs to another
organization.$$;

REVOKE ALL ON FUNCTION api.get_booking(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.get_booking(uuid) TO authenticated, service_role;


-- The statuses are text since their values are checked in words (private.enum_arg): the enum-typed one goes.
DROP FUNCTION IF EXISTS api.list_bookings(uuid, timestamptz, timestamptz, app.booking_status[], uuid, text,
                                          timestamptz, uuid, integer);

CREATE OR REPLACE FUNCTION api.list_bookings(
  org_id          uuid,
  from_time       timestamptz DEFAULT NULL,
  to_time         timestamptz DEFAULT NULL,
  statuses        text[] DEFAULT NULL,
  experience_id   uuid DEFAULT NULL,
  customer_email  text DEFAULT NULL,
  after_starts_at timestamptz DEFAULT NULL,
  after_id        uuid DEFAULT NULL,
  page_size       integer DEFAULT 50
)
RETURNS SETOF app.bookings
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
  SELECT private.time_arg('from_time', from_time), private.time_arg('to_time', to_time),
         private.time_arg('after_starts_at', after_starts_at), private.count_arg('page_size', page_size, 1, 500),
         private.enum_arg('statuses', statuses, 'app.booking_status'),
         private.email_arg('customer_email', customer_email);
  SELECT b.*
    FROM app.bookings b
   WHERE b.org_id = list_bookings.org_id
     AND (from_time IS NULL OR b.starts_at >= from_time)
     AND (to_time IS NULL OR b.starts_at < to_time)
     AND (statuses IS NULL OR b.status = ANY (statuses::app.booking_status[]))
     AND (list_bookings.experience_id IS NULL OR b.experience_id = list_bookings.experience_id)
     AND (customer_email IS NULL OR b.customer_id IN (
           SELECT c.id FROM app.customers c
            WHERE c.org_id = list_bookings.org_id AND c.email_key = pg_catalog.lower(pg_catalog.btrim(customer_email))))
     AND (after_starts_at IS NULL OR (b.starts_at, b.id) > (after_starts_at, coalesce(after_id, '00000000-0000-0000-0000-000000000000')))
   ORDER BY b.starts_at, b.id
   LIMIT coalesce(page_size, 50)
$$;

COMMENT ON FUNCTION api.list_bookings(uuid, timestamptz, timestamptz, text[], uuid, text, timestamptz, uuid,
                                      integer) IS
$$An organization's bookings by start time, filtered (time range, statuses, experience, customer e-mail) and paged
by keyset: pass the last row's starts_at and id as after_starts_at and after_id for the next page. page_size 1 to
500 (default 50). statuses are of pending, confirmed, cancelled, rejected, expired, completed, no_show. For staff
of the organization; others see an empty list. Errors: PT400 naming the argument for a time outside 2000-01-01 to
five years from now, a page_size outside 1 to 500, an unknown status, or a customer_email that is no e-mail
address.$$;

REVOKE ALL ON FUNCTION api.list_bookings(uuid, timestamptz, timestamptz, text[], uuid, text, timestamptz, uuid,
                                         integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.list_bookings(uuid, timestamptz, timestamptz, text[], uuid, text, timestamptz, uuid,
                                            integer) TO authenticated, service_role;
