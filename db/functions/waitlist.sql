-- Functions of the `waitlist` area: customers waiting for a sold-out session, and offers of the places that free up.
-- The guarantee is the booking area's: an offer IS a held booking (pending, with its hold), made by an INSERT into
-- app.bookings, so the slot's taken counter and its CHECK (and the rooms' exclusion constraint) refuse an offer that
-- would oversell exactly as they refuse a booking. Freed places are noticed in the transaction that frees them:
-- triggers on app.bookings (a live booking ends, moves away or shrinks) and on app.slots (capacity raised) call
-- private.offer_waitlist, which serves the session's waiting entries in order, first fit: an entry whose party does
-- not fit what is free is passed over for a later, smaller one, and keeps its place in the queue. Holds run out
-- lazily, as everywhere in booking: a run-out hold (an offer's included) is marked expired by the next booking of
-- the session or the next join of its waitlist (both through private.bookable_slot), or by api.expire_holds (the
-- periodic tidy-up, which a deployment runs every minute or so); that status change is what passes its places on.
-- An offer past its expiry cannot be accepted, whether or not it was marked yet. Lock order, everywhere: bookings,
-- then the slot, then entries.

-- A session's places as an offer needs them. -------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.waitlist_places(p_kind app.experience_kind, p_party_size integer)
RETURNS integer
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
SET search_path = ''
AS $$
  -- A private session sells one group a slot; a ticketed event one place a person.
  SELECT CASE WHEN p_kind = 'private_session' THEN 1 ELSE p_party_size END
$$;

COMMENT ON FUNCTION private.waitlist_places(app.experience_kind, integer) IS
'The places of a session an entry of p_party_size needs: 1 group for a private session, one per person for a
ticketed event.';

REVOKE ALL ON FUNCTION private.waitlist_places(app.experience_kind, integer) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.waitlist_token(p_prefix text)
RETURNS text
LANGUAGE sql
VOLATILE
SET search_path = ''
AS $$
  -- 256 random bits, URL-safe; the prefix tells a leaked token for what it is.
  SELECT p_prefix || pg_catalog.translate(pg_catalog.encode(extensions.gen_random_bytes(32), 'base64'), '+/=', '-_')
$$;

COMMENT ON FUNCTION private.waitlist_token(text) IS
'A new waitlist token: p_prefix and 256 random bits, URL-safe. Stored as its SHA-256 only (private.waitlist_hash).';

REVOKE ALL ON FUNCTION private.waitlist_token(text) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.waitlist_hash(p_token text)
RETURNS bytea
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
SET search_path = ''
AS $$
  SELECT pg_catalog.sha256(pg_catalog.convert_to(p_token, 'UTF8'))
$$;

COMMENT ON FUNCTION private.waitlist_hash(text) IS 'The SHA-256 a waitlist token is stored and found by.';

REVOKE ALL ON FUNCTION private.waitlist_hash(text) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.is_waitlist_hold(p_booking_id uuid)
RETURNS boolean
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
  SELECT EXISTS (SELECT FROM app.waitlist_entries w WHERE w.booking_id = p_booking_id AND w.status <> 'booked')
$$;

COMMENT ON FUNCTION private.is_waitlist_hold(uuid) IS
'True when a booking is the hold of a waitlist offer that was not accepted (offered still, or expired, declined,
cancelled with it): its end is the offer''s, announced by the waitlist (waitlist_offer), not a booking of the
customer''s to announce as cancelled or expired. False once accepted: it is the customer''s booking then. For the
messages that announce bookings.';

REVOKE ALL ON FUNCTION private.is_waitlist_hold(uuid) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.waitlist_offer_unwanted(p_message app.notifications_outbox)
RETURNS text
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
  -- Its dedupe key names the entry and the offer number: waitlist_offer:<entry>:<n>.
  SELECT CASE WHEN p_message.kind <> 'waitlist_offer' THEN NULL
              WHEN EXISTS (SELECT FROM app.waitlist_entries w
                            WHERE w.org_id = p_message.org_id
                              AND w.id::text = pg_catalog.split_part(p_message.dedupe_key, ':', 2)
                              AND w.offers::text = pg_catalog.split_part(p_message.dedupe_key, ':', 3)
                              AND w.status = 'offered' AND w.offer_expires_at > pg_catalog.now()) THEN NULL
              ELSE 'offer_ended' END
$$;

COMMENT ON FUNCTION private.waitlist_offer_unwanted(app.notifications_outbox) IS
'For private.message_wanted: ''offer_ended'' when a waitlist_offer message''s offer is no longer open (accepted,
run out, declined, withdrawn) at the moment the worker takes it, else NULL (send it; NULL for other kinds too).';

REVOKE ALL ON FUNCTION private.waitlist_offer_unwanted(app.notifications_outbox) FROM PUBLIC;


-- Making one offer. -----------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.waitlist_hold(p_entry app.waitlist_entries, p_experience app.experiences,
                                                 p_slot app.slots, p_until timestamptz)
RETURNS app.bookings
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  exp      app.experiences := p_experience;
  tickets  jsonb;
  lines    jsonb;
  price    bigint;
  places   integer;
  customer uuid;
  booking  app.bookings;
  constraint_name text;
BEGIN
  -- A ticketed event's party holds that many of its cheapest ticket type on sale (one without a quota of its own
  -- first, since a quota is a second limit); the customer may buy others once it is theirs.
  IF exp.kind = 'ticketed_event' THEN
    SELECT pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_object('ticket_type_id', tt.id,
                                                                      'quantity', p_entry.party_size))
      INTO tickets
      FROM app.ticket_types tt
     WHERE tt.experience_id = exp.id AND tt.active
       AND (tt.sales_start IS NULL OR tt.sales_start <= pg_catalog.now())
       AND (tt.sales_end IS NULL OR pg_catalog.now() < tt.sales_end)
     ORDER BY tt.quota IS NOT NULL, tt.price_minor, tt.name, tt.id
     LIMIT 1;
    IF tickets IS NULL THEN
      RAISE EXCEPTION 'no tickets on sale' USING ERRCODE = 'PT400';
    END IF;
  END IF;
  -- The one price (price rules included), as place_booking computes it.
  lines := private.price_lines(exp, p_slot.starts_at, p_entry.party_size, tickets, pg_catalog.now());
  SELECT pg_catalog.sum((l ->> 'quantity')::bigint * (l ->> 'unit_price_minor')::bigint),
         CASE WHEN exp.kind = 'private_session' THEN 1 ELSE pg_catalog.sum((l ->> 'quantity')::integer) END
    INTO price, places
    FROM pg_catalog.jsonb_array_elements(lines) l;

  customer := p_entry.customer_id;

  FOR attempt IN 1..5 LOOP
    BEGIN
      -- The hold: a pending booking, which bookings_sync counts against the slot under its capacity CHECK.
      INSERT INTO app.bookings (org_id, experience_id, slot_id, customer_id, status, party_size, places, starts_at,
                                ends_at, price_minor, currency, hold_expires_at, confirmation_code)
      VALUES (exp.org_id, exp.id, p_slot.id, customer, 'pending', p_entry.party_size, places, p_slot.starts_at,
              p_slot.ends_at, price, exp.currency, p_until, private.new_confirmation_code())
      RETURNING * INTO booking;
      IF exp.kind = 'ticketed_event' THEN
        INSERT INTO app.booking_tickets (org_id, booking_id, ticket_type_id, quantity, price_minor)
        SELECT exp.org_id, booking.id, l.ticket_type_id, l.quantity, l.unit_price_minor
          FROM pg_catalog.jsonb_to_recordset(lines) AS l(ticket_type_id uuid, quantity integer,
                                                        unit_price_minor bigint);
      END IF;
      RETURN booking;
    EXCEPTION WHEN unique_violation THEN
      GET STACKED DIAGNOSTICS constraint_name = CONSTRAINT_NAME;
      IF constraint_name <> 'bookings_org_id_confirmation_code_key' THEN
        RAISE;
      END IF;  -- a confirmation code collided: draw another
    END;
  END LOOP;
  RAISE EXCEPTION 'could not draw a free confirmation code' USING ERRCODE = 'PT503';
END
$$;

COMMENT ON FUNCTION private.waitlist_hold(app.waitlist_entries, app.experiences, app.slots, timestamptz) IS
'Holds an entry''s places in its session until p_until: a pending booking for its customer, priced by private.price_lines (a ticketed event''s party as that many of its cheapest ticket type on sale).
The booking area''s counters and constraints refuse it when it does not fit (check_violation, exclusion_violation;
PT400 when the party or tickets cannot be sold). For private.offer_waitlist, with its rights.';

REVOKE ALL ON FUNCTION private.waitlist_hold(app.waitlist_entries, app.experiences, app.slots, timestamptz)
  FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.waitlist_offer_data(p_entry app.waitlist_entries, p_booking app.bookings,
                                                       p_token text)
RETURNS jsonb
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
  -- The message data of the messages area's contract, with the offer; the token at the top level, where the audit
  -- log leaves it out of the outbox row it records.
  SELECT pg_catalog.jsonb_build_object(
           'timezone', v.timezone, 'currency', p_booking.currency::text,
           'booking', pg_catalog.jsonb_build_object('id', p_booking.id, 'code', p_booking.confirmation_code,
                        'starts_at', p_booking.starts_at, 'ends_at', p_booking.ends_at,
                        'party_size', p_booking.party_size, 'status', p_booking.status,
                        'price_minor', p_booking.price_minor),
           'experience', pg_catalog.jsonb_build_object('id', e.id, 'name', e.name),
           'venue', pg_catalog.jsonb_build_object('id', v.id, 'name', v.name, 'timezone', v.timezone),
           'customer', pg_catalog.jsonb_build_object('name', p_entry.name),
           'org', pg_catalog.jsonb_build_object('name', o.name),
           'offer', pg_catalog.jsonb_build_object('expires_at', p_booking.hold_expires_at, 'number', p_entry.offers),
           'token', p_token)
    FROM app.experiences e
    JOIN app.venues v ON v.org_id = e.org_id AND v.id = e.venue_id
    JOIN app.organizations o ON o.id = e.org_id
   WHERE e.org_id = p_booking.org_id AND e.id = p_booking.experience_id
$$;

COMMENT ON FUNCTION private.waitlist_offer_data(app.waitlist_entries, app.bookings, text) IS
'The data of a waitlist_offer message: timezone, currency, booking {id, code, starts_at, ends_at, party_size,
status, price_minor}, experience {id, name}, venue {id, name, timezone}, customer {name}, org {name}, offer
{expires_at, number} and token (the offer''s accept token, for api.accept_waitlist_offer).';

REVOKE ALL ON FUNCTION private.waitlist_offer_data(app.waitlist_entries, app.bookings, text) FROM PUBLIC;


-- Offering freed places. ------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.offer_waitlist(p_org_id uuid, p_slot_id uuid)
RETURNS integer
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  slot    app.slots;
  exp     app.experiences;
  ttl     interval;
  entry   app.waitlist_entries;
  free    integer;
  booking app.bookings;
  token   text;
  made    integer := 0;
BEGIN
  -- An offer being made frees nothing, but holds made or ended inside this call fire the triggers that call it:
  -- the outer call is already serving the session.
  IF pg_catalog.current_setting('tessera.waitlist_offering', true) = 'on' THEN
    RETURN 0;
  END IF;
  IF NOT EXISTS (SELECT FROM app.waitlist_entries w
                  WHERE w.org_id = p_org_id AND w.slot_id = p_slot_id AND w.status = 'waiting') THEN
    RETURN 0;
  END IF;
  -- One offerer per session at a time: whoever freed the places holds the slot's row already (bookings_sync updated
  -- it); anyone else waits here, then reads what the first committed.
  SELECT s.* INTO slot FROM app.slots s WHERE s.org_id = p_org_id AND s.id = p_slot_id FOR NO KEY UPDATE;
  SELECT e.* INTO exp FROM app.experiences e WHERE e.org_id = p_org_id AND e.id = slot.experience_id;
  -- Only a session that can still be sold: nothing is offered once booking it is too late.
  IF NOT private.is_offered(exp.id) OR slot.starts_at < pg_catalog.now() + exp.min_notice THEN
    RETURN 0;
  END IF;
  ttl := coalesce((SELECT st.waitlist_offer_ttl FROM app.org_settings st WHERE st.org_id = p_org_id),
                  interval '30 minutes');
  PERFORM pg_catalog.set_config('tessera.waitlist_offering', 'on', true);
  -- In order of arrival, first fit: an entry too big for what is free is passed over (it keeps its place) for a
  -- later, smaller one.
  FOR entry IN SELECT w.* FROM app.waitlist_entries w
                WHERE w.org_id = p_org_id AND w.slot_id = p_slot_id AND w.status = 'waiting'
                ORDER BY w.created_at, w.id
                  FOR UPDATE LOOP
    SELECT s.capacity - s.taken INTO free FROM app.slots s WHERE s.id = p_slot_id;
    EXIT WHEN free <= 0;
    CONTINUE WHEN private.waitlist_places(exp.kind, entry.party_size) > free;
    BEGIN
      booking := private.waitlist_hold(entry, exp, slot, pg_catalog.now() + ttl);
      token := private.waitlist_token('wlo_');
      UPDATE app.waitlist_entries w
         SET status = 'offered', booking_id = booking.id, offer_expires_at = booking.hold_expires_at,
             offer_token_hash = private.waitlist_hash(token), offers = w.offers + 1, offered_at = pg_catalog.now()
       WHERE w.id = entry.id
      RETURNING w.* INTO entry;
      PERFORM private.enqueue_notification(p_org_id, 'waitlist_offer', entry.email,
                                           private.waitlist_offer_data(entry, booking, token),
                                           'waitlist_offer:' || entry.id || ':' || entry.offers,
                                           p_customer_id => booking.customer_id);
      made := made + 1;
    EXCEPTION
      WHEN exclusion_violation THEN
        -- The session's room is held by another session: no entry fits.
        EXIT;
      WHEN check_violation OR SQLSTATE 'PT400' THEN
        -- It does not fit after all (a ticket quota, a party the experience no longer takes, no ticket on sale):
        -- nothing of it stays, and the next entry may.
        NULL;
    END;
  END LOOP;
  PERFORM pg_catalog.set_config('tessera.waitlist_offering', '', true);
  RETURN made;
END
$$;

COMMENT ON FUNCTION private.offer_waitlist(uuid, uuid) IS
'Offers a session''s free places to its waiting entries, in order of arrival (created_at, id), first fit: each entry
whose party fits what is free now gets an offer (a held booking until now + org_settings.waitlist_offer_ttl, made
through the booking area''s counters, so it can never oversell) and a waitlist_offer message (dedupe key
waitlist_offer:<entry>:<offer number>); an entry that does not fit is passed over, keeping its place, for a later
smaller one. Nothing is offered for a session no longer sold (inactive, or within its minimum notice). Serialised
per session by the slot''s row. Answers how many offers it made. Called by the triggers that free places, in their
transaction; nobody else may call it.';

REVOKE ALL ON FUNCTION private.offer_waitlist(uuid, uuid) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.bookings_waitlist()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  old_live boolean := private.booking_is_live(OLD.status);
  new_live boolean := private.booking_is_live(NEW.status);
  other    uuid;
BEGIN
  -- An offer's hold that ends unaccepted (run out, cancelled, rejected) ends the offer: the entry has expired. One
  -- that is confirmed (paid before it was accepted) is the customer's booking.
  IF OLD.status = 'pending' AND NEW.status IS DISTINCT FROM OLD.status THEN
    UPDATE app.waitlist_entries w
       SET status = CASE WHEN new_live THEN 'booked' ELSE 'expired' END, offer_token_hash = NULL,
           ended_at = pg_catalog.now()
     WHERE w.org_id = OLD.org_id AND w.booking_id = OLD.id AND w.status = 'offered';
  END IF;
  -- Places freed: the booking ended, moved to another session, or holds fewer places.
  IF old_live AND (NOT new_live OR NEW.slot_id IS DISTINCT FROM OLD.slot_id OR NEW.places < OLD.places) THEN
    PERFORM private.offer_waitlist(OLD.org_id, OLD.slot_id);
    -- A room freed may be what another experience's session (sharing it, at an overlapping time) waits for.
    FOR other IN SELECT DISTINCT w.slot_id
                   FROM app.experience_resources mine
                   JOIN app.experiences me ON me.org_id = mine.org_id AND me.id = mine.experience_id
                   JOIN app.experience_resources er ON er.org_id = mine.org_id AND er.resource_id = mine.resource_id
                                                   AND er.experience_id <> mine.experience_id
                   JOIN app.experiences oe ON oe.org_id = er.org_id AND oe.id = er.experience_id
                   JOIN app.slots s ON s.org_id = er.org_id AND s.experience_id = er.experience_id
                                   AND s.starts_at < OLD.ends_at + pg_catalog.make_interval(mins => me.buffer_minutes)
                                   AND s.ends_at + pg_catalog.make_interval(mins => oe.buffer_minutes) > OLD.starts_at
                   JOIN app.waitlist_entries w ON w.org_id = s.org_id AND w.slot_id = s.id AND w.status = 'waiting'
                  WHERE mine.org_id = OLD.org_id AND mine.experience_id = OLD.experience_id
                  ORDER BY w.slot_id
    LOOP
      PERFORM private.offer_waitlist(OLD.org_id, other);
    END LOOP;
  END IF;
  RETURN NULL;
END
$$;

COMMENT ON FUNCTION private.bookings_waitlist() IS
'Trigger on app.bookings (after its status, session or places change): an offer''s hold that ends unaccepted
expires its entry (one confirmed makes it booked); a live booking that ends, moves or shrinks offers the places it
freed to its session''s waitlist (private.offer_waitlist), in the same transaction.';

REVOKE ALL ON FUNCTION private.bookings_waitlist() FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.slots_waitlist()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  PERFORM private.offer_waitlist(NEW.org_id, NEW.id);
  RETURN NULL;
END
$$;

COMMENT ON FUNCTION private.slots_waitlist() IS
'Trigger on app.slots (after its capacity grows): offers the new places to the session''s waitlist
(private.offer_waitlist), in the same transaction.';

REVOKE ALL ON FUNCTION private.slots_waitlist() FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.customers_waitlist_erase()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  -- The person's entries stop waiting (an offer is withdrawn, its places passed on: bookings_waitlist) and keep
  -- their counts but nothing of the person, in the erasure's transaction, before it redacts the audit log.
  UPDATE app.waitlist_entries w
     SET status = CASE WHEN w.status IN ('waiting', 'offered') THEN 'cancelled' ELSE w.status END,
         ended_at = coalesce(w.ended_at, pg_catalog.now()), offer_token_hash = NULL,
         name = '[erased]', email = pg_catalog.lower(NEW.email), phone = NULL
   WHERE w.org_id = NEW.org_id AND w.customer_id = NEW.id;
  UPDATE app.bookings b SET status = 'cancelled', cancel_reason = 'waitlist entry erased'
   WHERE b.org_id = NEW.org_id AND b.customer_id = NEW.id AND b.status = 'pending'
     AND b.id IN (SELECT w.booking_id FROM app.waitlist_entries w
                   WHERE w.org_id = NEW.org_id AND w.customer_id = NEW.id AND w.status = 'cancelled'
                     AND w.booking_id IS NOT NULL);
  RETURN NULL;
END
$$;

COMMENT ON FUNCTION private.customers_waitlist_erase() IS
'Trigger on app.customers (after an erasure marks a customer erased): the person''s waitlist entries are cancelled
(an offer withdrawn, its hold cancelled and its places offered on) and keep no name, e-mail (the erased address)
or phone, in the erasure''s transaction.';

REVOKE ALL ON FUNCTION private.customers_waitlist_erase() FROM PUBLIC;


-- After bookings_sync (triggers fire in name order), so the counters already say what was freed.
CREATE OR REPLACE TRIGGER bookings_waitlist
  AFTER UPDATE OF status, slot_id, places ON app.bookings
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.slot_id IS DISTINCT FROM NEW.slot_id
                     OR OLD.places IS DISTINCT FROM NEW.places)
  EXECUTE FUNCTION private.bookings_waitlist();
CREATE OR REPLACE TRIGGER slots_waitlist
  AFTER UPDATE OF capacity ON app.slots
  FOR EACH ROW WHEN (NEW.capacity > OLD.capacity)
  EXECUTE FUNCTION private.slots_waitlist();
CREATE OR REPLACE TRIGGER customers_waitlist_erase
  AFTER UPDATE OF erased_at ON app.customers
  FOR EACH ROW WHEN (OLD.erased_at IS NULL AND NEW.erased_at IS NOT NULL)
  EXECUTE FUNCTION private.customers_waitlist_erase();
CREATE OR REPLACE TRIGGER waitlist_entries_touch_updated_at
  BEFORE UPDATE ON app.waitlist_entries FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();


-- The public side: joining, leaving, accepting. --------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.waitlist_answer(p_entry app.waitlist_entries)
RETURNS jsonb
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
  SELECT pg_catalog.jsonb_build_object('status', p_entry.status, 'experience_id', s.experience_id,
                                       'starts_at', s.starts_at, 'party_size', p_entry.party_size,
                                       'offer_expires_at', p_entry.offer_expires_at, 'created_at', p_entry.created_at)
    FROM app.slots s WHERE s.org_id = p_entry.org_id AND s.id = p_entry.slot_id
$$;

COMMENT ON FUNCTION private.waitlist_answer(app.waitlist_entries) IS
'An entry as its customer sees it: {status, experience_id, starts_at, party_size, offer_expires_at, created_at};
never a token, an id or anyone else''s data.';

REVOKE ALL ON FUNCTION private.waitlist_answer(app.waitlist_entries) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.join_waitlist(p_embed_key text, p_experience_id uuid, p_starts_at timestamptz,
                                                 p_party_size integer, p_name text, p_email text, p_phone text,
                                                 p_consent boolean)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  exp     app.experiences;
  slot     app.slots;
  free     integer;
  token    text;
  customer uuid;
  entry    app.waitlist_entries;
BEGIN
  -- The callers checked each argument's shape; what must be there is checked first.
  IF p_embed_key IS NULL THEN
    RAISE EXCEPTION 'embed_key is required' USING ERRCODE = 'PT400', DETAIL = 'required';
  ELSIF p_experience_id IS NULL THEN
    RAISE EXCEPTION 'experience_id is required' USING ERRCODE = 'PT400', DETAIL = 'required';
  ELSIF p_starts_at IS NULL THEN
    RAISE EXCEPTION 'starts_at is required' USING ERRCODE = 'PT400', DETAIL = 'required';
  ELSIF p_party_size IS NULL THEN
    RAISE EXCEPTION 'party_size is required' USING ERRCODE = 'PT400', DETAIL = 'required';
  ELSIF p_name IS NULL OR pg_catalog.btrim(p_name) = '' THEN
    RAISE EXCEPTION 'customer_name is required' USING ERRCODE = 'PT400', DETAIL = 'required';
  ELSIF p_email IS NULL THEN
    RAISE EXCEPTION 'customer_email is required' USING ERRCODE = 'PT400', DETAIL = 'required';
  ELSIF p_consent IS NOT TRUE THEN
    RAISE EXCEPTION 'consent is required: we may only contact you about a place if you agree' USING ERRCODE = 'PT400',
      DETAIL = 'required', HINT = 'send consent: true';
  END IF;
  -- Its own check: an experience on offer at the venue the key opens; anything else does not exist.
  SELECT e.* INTO exp FROM app.experiences e
   WHERE e.id = p_experience_id AND e.venue_id = private.widget_venue(p_embed_key) AND private.is_offered(e.id);
  IF NOT FOUND THEN
    RAISE EXCEPTION 'experience not found' USING ERRCODE = 'PT404';
  END IF;
  IF p_party_size NOT BETWEEN exp.min_party AND exp.max_party THEN
    RAISE EXCEPTION 'a party of % cannot book %', p_party_size, exp.name USING ERRCODE = 'PT400',
      DETAIL = 'out_of_range', HINT = pg_catalog.format('parties of %s to %s', exp.min_party, exp.max_party);
  END IF;
  -- A bookable session (PT400 says why not), with its run-out holds given back: they may be free places already.
  slot := private.bookable_slot(exp, p_starts_at);
  -- Serialised with whatever frees places in the session (they update this row), so a place freed meanwhile is
  -- either seen here (not sold out) or offered to this entry once it is committed.
  SELECT s.* INTO slot FROM app.slots s WHERE s.id = slot.id FOR NO KEY UPDATE;
  free := slot.capacity - slot.taken;
  IF exp.kind = 'private_session' AND free > 0 AND EXISTS (
       SELECT FROM app.experience_resources er
         JOIN app.booking_resources br ON br.org_id = er.org_id AND br.resource_id = er.resource_id
        WHERE er.org_id = exp.org_id AND er.experience_id = exp.id
          AND br.during && pg_catalog.tstzrange(slot.starts_at,
                                                slot.ends_at + pg_catalog.make_interval(mins => exp.buffer_minutes))
          AND (br.held_until IS NULL OR br.held_until > pg_catalog.now())) THEN
    free := 0;  -- its room is taken by another session
  END IF;
  IF free >= private.waitlist_places(exp.kind, p_party_size) THEN
    RAISE EXCEPTION 'this session is not sold out: book it instead' USING ERRCODE = 'PT409',
      DETAIL = 'not_sold_out', HINT = 'book it with widget_create_booking';
  END IF;
  token := private.waitlist_token('wl_');
  -- The person is the organization's customer from now on, as a booking would make them (matched by e-mail): their
  -- data is found and erased with the record.
  INSERT INTO app.customers (org_id, email, name, phone)
  VALUES (exp.org_id, pg_catalog.btrim(p_email), pg_catalog.btrim(p_name), nullif(pg_catalog.btrim(p_phone), ''))
  ON CONFLICT (org_id, email_key) DO UPDATE
    SET name = coalesce(EXCLUDED.name, app.customers.name), phone = coalesce(EXCLUDED.phone, app.customers.phone)
  RETURNING id INTO customer;
  BEGIN
    INSERT INTO app.waitlist_entries (org_id, slot_id, customer_id, party_size, name, email, phone, consent,
                                      consented_at, token_hash)
    VALUES (exp.org_id, slot.id, customer, p_party_size, pg_catalog.btrim(p_name),
            pg_catalog.lower(pg_catalog.btrim(p_email)), nullif(pg_catalog.btrim(p_phone), ''), true,
            pg_catalog.now(), private.waitlist_hash(token))
    RETURNING * INTO entry;
  EXCEPTION WHEN unique_violation THEN
    RAISE EXCEPTION 'this e-mail address is already on the waitlist of this session' USING ERRCODE = 'PT409',
      DETAIL = 'already_waiting', HINT = 'use the token you were given, or leave the waitlist first';
  END;
  RETURN private.waitlist_answer(entry) || pg_catalog.jsonb_build_object('token', token);
END
$$;

COMMENT ON FUNCTION private.join_waitlist(text, uuid, timestamptz, integer, text, text, text, boolean) IS
'Puts a customer on the waitlist of a session sold out for their party, for api.join_waitlist (which checked each
argument''s shape). Its own check: the experience is on offer at the venue of the embed key. Answers the entry with
its token, made here and stored as its SHA-256 only.';

REVOKE ALL ON FUNCTION private.join_waitlist(text, uuid, timestamptz, integer, text, text, text, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.join_waitlist(text, uuid, timestamptz, integer, text, text, text, boolean)
  TO anon, authenticated;


CREATE OR REPLACE FUNCTION api.join_waitlist(
  embed_key      text,
  experience_id  uuid,
  starts_at      timestamptz,
  party_size     integer,
  customer_name  text,
  customer_email text,
  customer_phone text DEFAULT NULL,
  consent        boolean DEFAULT false
)
RETURNS jsonb
LANGUAGE sql
VOLATILE
SET search_path = ''
AS $$
  SELECT private.join_waitlist(private.text_arg('embed_key', embed_key, 1, 100), experience_id,
                               private.time_arg('starts_at', starts_at), private.party_size_arg(party_size),
                               private.text_arg('customer_name', customer_name, 0, 200),
                               private.email_arg('customer_email', customer_email),
                               private.text_arg('customer_phone', customer_phone, 0, 50), consent)
$$;

COMMENT ON FUNCTION api.join_waitlist(text, uuid, timestamptz, integer, text, text, text, boolean) IS
$$Joins the waitlist of a session (experience_id and starts_at, as widget_availability lists them) that has no room
for the party, for anyone with the venue's embed key (anon). customer_name and customer_email are required, a phone
optional, and consent must be true (the customer agrees to be contacted about a place; its time is kept). When
places free up (a cancellation, a hold that ran out, more capacity, an offer not taken) they are offered to the
waiting entries in order of arrival, first fit: an entry too big for what is free is passed over, keeping its
place, for a later smaller one. An offer holds the places as a pending booking for the organization's
waitlist_offer_ttl (default 30 minutes) and sends a waitlist_offer message with its own token. Answers {token,
status: waiting, experience_id, starts_at, party_size, offer_expires_at, created_at}: the token (wl_…) is shown only
here; with the key it leaves the waitlist (leave_waitlist) or accepts an offer (accept_waitlist_offer). Errors:
PT404 unknown key or experience; PT400 naming the argument (missing or over-long key, name over 200 or phone over 50
characters, malformed e-mail, party_size outside 1 to 1000 or the experience's limits, a start outside 2000-01-01 to
five years from now or not bookable, consent not true; detail required / out_of_range / invalid); PT409 detail
not_sold_out when the session has room for the party (book it with widget_create_booking), already_waiting when the
e-mail waits for this session already.$$;

REVOKE ALL ON FUNCTION api.join_waitlist(text, uuid, timestamptz, integer, text, text, text, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.join_waitlist(text, uuid, timestamptz, integer, text, text, text, boolean)
  TO anon, authenticated;


CREATE OR REPLACE FUNCTION private.waitlist_entry(p_embed_key text, p_token text)
RETURNS app.waitlist_entries
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  found_entry app.waitlist_entries;
  hash        bytea := private.waitlist_hash(p_token);
BEGIN
  IF p_embed_key IS NULL THEN
    RAISE EXCEPTION 'embed_key is required' USING ERRCODE = 'PT400', DETAIL = 'required';
  ELSIF p_token IS NULL THEN
    RAISE EXCEPTION 'token is required' USING ERRCODE = 'PT400', DETAIL = 'required';
  END IF;
  -- The entry's token or its current offer's, of an entry at the key's venue; anything else does not exist.
  SELECT w.* INTO found_entry
    FROM app.waitlist_entries w
    JOIN app.slots s ON s.org_id = w.org_id AND s.id = w.slot_id
    JOIN app.experiences e ON e.org_id = s.org_id AND e.id = s.experience_id
   WHERE (w.token_hash = hash OR w.offer_token_hash = hash) AND e.venue_id = private.widget_venue(p_embed_key);
  IF NOT FOUND THEN
    RAISE EXCEPTION 'waitlist entry not found' USING ERRCODE = 'PT404';
  END IF;
  -- Lock order, as everywhere: the hold, then the session, then the entry (read again: it may have moved on).
  PERFORM FROM app.bookings b WHERE b.id = found_entry.booking_id FOR UPDATE;
  PERFORM FROM app.slots s WHERE s.id = found_entry.slot_id FOR NO KEY UPDATE;
  SELECT w.* INTO found_entry FROM app.waitlist_entries w WHERE w.id = found_entry.id FOR UPDATE;
  RETURN found_entry;
END
$$;

COMMENT ON FUNCTION private.waitlist_entry(text, text) IS
'The entry a token (the entry''s, or its current offer''s) names at the venue of the embed key, locked with its hold
and session; PT404 for any other token or key, PT400 when either is missing. For the waitlist definers.';

REVOKE ALL ON FUNCTION private.waitlist_entry(text, text) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.leave_waitlist(p_embed_key text, p_token text)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  entry app.waitlist_entries;
  held  uuid;
BEGIN
  entry := private.waitlist_entry(p_embed_key, p_token);
  IF entry.status NOT IN ('waiting', 'offered') THEN
    RAISE EXCEPTION 'this waitlist entry is % already', entry.status USING ERRCODE = 'PT409',
      DETAIL = 'illegal_transition',
      HINT = CASE WHEN entry.status = 'booked' THEN 'it is a booking now: cancel the booking instead'
                  ELSE 'join the waitlist again to wait' END;
  END IF;
  held := CASE WHEN entry.status = 'offered' THEN entry.booking_id END;
  UPDATE app.waitlist_entries w SET status = 'left', offer_token_hash = NULL, ended_at = pg_catalog.now()
   WHERE w.org_id = entry.org_id AND w.id = entry.id
  RETURNING w.* INTO entry;
  -- An offer declined gives its places back, to the next entry (bookings_waitlist).
  IF held IS NOT NULL THEN
    UPDATE app.bookings b SET status = 'cancelled', cancel_reason = 'waitlist offer declined'
     WHERE b.org_id = entry.org_id AND b.id = held;
  END IF;
  RETURN private.waitlist_answer(entry);
END
$$;

COMMENT ON FUNCTION private.leave_waitlist(text, text) IS
'Takes an entry off the waitlist for api.leave_waitlist; an offer it held is declined and its places offered on.
Its own check: the token names an entry at the venue of the embed key (private.waitlist_entry).';

REVOKE ALL ON FUNCTION private.leave_waitlist(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.leave_waitlist(text, text) TO anon, authenticated;


CREATE OR REPLACE FUNCTION api.leave_waitlist(embed_key text, token text)
RETURNS jsonb
LANGUAGE sql
VOLATILE
SET search_path = ''
AS $$
  SELECT private.leave_waitlist(private.text_arg('embed_key', embed_key, 1, 100),
                                private.text_arg('token', token, 1, 100))
$$;

COMMENT ON FUNCTION api.leave_waitlist(text, text) IS
$$Leaves the waitlist: the entry (named by its token, or its current offer's token) stops waiting, and an offer it
held is declined, its places offered to the next entry. Answers the entry {status: left, experience_id, starts_at,
party_size, offer_expires_at, created_at}. For anyone with the venue's embed key and the token (anon). Errors: PT400
a missing or over-long key or token; PT404 an unknown token, or one of another venue; PT409 (detail
illegal_transition) an entry that no longer waits (left, expired, cancelled, or booked: cancel the booking
instead).$$;

REVOKE ALL ON FUNCTION api.leave_waitlist(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.leave_waitlist(text, text) TO anon, authenticated;


CREATE OR REPLACE FUNCTION private.accept_waitlist_offer(p_embed_key text, p_token text)
RETURNS app.bookings
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  entry   app.waitlist_entries;
  booking app.bookings;
  exp     app.experiences;
BEGIN
  entry := private.waitlist_entry(p_embed_key, p_token);
  SELECT b.* INTO booking FROM app.bookings b WHERE b.id = entry.booking_id;
  -- An offer whose hold ran out is over, whether or not anything marked it expired yet.
  IF entry.status = 'expired' OR (entry.status = 'offered' AND booking.hold_expires_at <= pg_catalog.now()) THEN
    RAISE EXCEPTION 'this offer ran out' USING ERRCODE = 'PT409', DETAIL = 'offer_expired',
      HINT = 'book another session';
  ELSIF entry.status <> 'offered' THEN
    RAISE EXCEPTION 'there is no offer to accept: this waitlist entry is %', entry.status USING ERRCODE = 'PT409',
      DETAIL = 'illegal_transition';
  END IF;
  SELECT e.* INTO exp FROM app.experiences e
    JOIN app.bookings b ON b.org_id = e.org_id AND b.experience_id = e.id
   WHERE b.id = entry.booking_id;
  UPDATE app.waitlist_entries w
     SET status = 'booked', offer_token_hash = NULL, ended_at = pg_catalog.now()
   WHERE w.id = entry.id;
  -- The offer becomes the customer's booking the way a widget booking goes on: to pay, it is a held booking with the
  -- widget's own hold (never shorter than the offer's), which create_order turns into an order; with nothing to pay,
  -- it is confirmed now.
  IF exp.requires_payment THEN
    UPDATE app.bookings b
       SET hold_expires_at = GREATEST(b.hold_expires_at,
                                      pg_catalog.now() + pg_catalog.make_interval(mins => exp.hold_minutes))
     WHERE b.id = entry.booking_id
    RETURNING b.* INTO booking;
  ELSE
    UPDATE app.bookings b SET status = 'confirmed' WHERE b.id = entry.booking_id RETURNING b.* INTO booking;
  END IF;
  RETURN booking;
END
$$;

COMMENT ON FUNCTION private.accept_waitlist_offer(text, text) IS
'Turns an entry''s live offer into the customer''s booking for api.accept_waitlist_offer. Its own check: the token
names an entry at the venue of the embed key (private.waitlist_entry).';

REVOKE ALL ON FUNCTION private.accept_waitlist_offer(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.accept_waitlist_offer(text, text) TO anon, authenticated;


CREATE OR REPLACE FUNCTION api.accept_waitlist_offer(embed_key text, token text)
RETURNS app.booking_answer
LANGUAGE sql
VOLATILE
SET search_path = ''
AS $$
  SELECT a.*
    FROM private.accept_waitlist_offer(private.text_arg('embed_key', embed_key, 1, 100),
                                       private.text_arg('token', token, 1, 100)) b,
         private.booking_answer(b) a
$$;

COMMENT ON FUNCTION api.accept_waitlist_offer(text, text) IS
$$Accepts a waitlist offer (named by the offer's token from the waitlist_offer message, or the entry's own token)
before it runs out: the held places become the customer's booking, answered as widget_create_booking answers
(app.booking_answer). When the experience is paid for, the booking stays pending, its hold now the widget's own
(never shorter than the offer's): pay it as any widget booking, with create_order (the booking's id, the embed key
and the customer's e-mail). Otherwise it is confirmed at once. For anyone with the venue's embed key and the token
(anon). Errors: PT400 a missing or over-long key or token; PT404 an unknown token, or one of another venue; PT409
detail offer_expired when the offer ran out (its places went to the next entry), illegal_transition when there is
no offer to accept (waiting, accepted already, left).$$;

REVOKE ALL ON FUNCTION api.accept_waitlist_offer(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.accept_waitlist_offer(text, text) TO anon, authenticated;


-- Staff: who waits, and taking an entry off. ------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.list_waitlist(p_experience_id uuid, p_starts_at timestamptz)
RETURNS TABLE (entry_id uuid, queue_position integer, status text, party_size integer, customer_name text,
               customer_email text, customer_phone text, consented_at timestamptz, created_at timestamptz,
               offers integer, booking_id uuid, offer_expires_at timestamptz, ended_at timestamptz)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
  -- Its own check: staff of the session's organization; anyone else sees no rows.
  SELECT w.id, (CASE WHEN w.status = 'waiting'
                     THEN pg_catalog.row_number() OVER (PARTITION BY w.status = 'waiting'
                                                        ORDER BY w.created_at, w.id) END)::integer,
         w.status, w.party_size, w.name, w.email, w.phone, w.consented_at, w.created_at, w.offers, w.booking_id,
         w.offer_expires_at, w.ended_at
    FROM app.slots s
    JOIN app.waitlist_entries w ON w.org_id = s.org_id AND w.slot_id = s.id
   WHERE s.experience_id = p_experience_id AND s.starts_at = p_starts_at
     AND s.org_id = ANY (private.org_ids('staff'))
   ORDER BY w.created_at, w.id
$$;

COMMENT ON FUNCTION private.list_waitlist(uuid, timestamptz) IS
'The waitlist of one session for api.list_waitlist. Its own check: the caller is staff of the session''s
organization (else no rows).';

REVOKE ALL ON FUNCTION private.list_waitlist(uuid, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.list_waitlist(uuid, timestamptz) TO authenticated;


CREATE OR REPLACE FUNCTION api.list_waitlist(experience_id uuid, starts_at timestamptz)
RETURNS TABLE (entry_id uuid, queue_position integer, status text, party_size integer, customer_name text,
               customer_email text, customer_phone text, consented_at timestamptz, created_at timestamptz,
               offers integer, booking_id uuid, offer_expires_at timestamptz, ended_at timestamptz)
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
  SELECT * FROM private.list_waitlist(experience_id, private.time_arg('starts_at', starts_at))
$$;

COMMENT ON FUNCTION api.list_waitlist(uuid, timestamptz) IS
$$The waitlist of one session (experience_id and starts_at), in order of arrival: each entry's id, its place in the
queue while it waits (queue_position, 1 first), status (waiting, offered, booked, expired, cancelled, left), party,
contact (name, e-mail, phone), when it consented and joined, how many offers it had, the booking its offer holds
(or became, or last was) and until when, and when it ended. For staff of the organization; others see no rows.
Errors: PT400 (detail out_of_range) a start outside 2000-01-01 to five years from now.$$;

REVOKE ALL ON FUNCTION api.list_waitlist(uuid, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.list_waitlist(uuid, timestamptz) TO authenticated;


CREATE OR REPLACE FUNCTION private.cancel_waitlist_entry(p_entry_id uuid)
RETURNS text
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  entry app.waitlist_entries;
BEGIN
  SELECT w.* INTO entry FROM app.waitlist_entries w WHERE w.id = p_entry_id;
  -- Its own check: staff of the entry's organization; others are told it does not exist.
  IF NOT FOUND OR NOT entry.org_id = ANY (private.org_ids('staff')) THEN
    RAISE EXCEPTION 'waitlist entry not found' USING ERRCODE = 'PT404';
  END IF;
  -- Lock order: the hold, the session, the entry.
  PERFORM FROM app.bookings b WHERE b.id = entry.booking_id FOR UPDATE;
  PERFORM FROM app.slots s WHERE s.id = entry.slot_id FOR NO KEY UPDATE;
  SELECT w.* INTO entry FROM app.waitlist_entries w WHERE w.id = p_entry_id FOR UPDATE;
  IF entry.status NOT IN ('waiting', 'offered') THEN
    RAISE EXCEPTION 'this waitlist entry is % already', entry.status USING ERRCODE = 'PT409',
      DETAIL = 'illegal_transition';
  END IF;
  UPDATE app.waitlist_entries w SET status = 'cancelled', offer_token_hash = NULL, ended_at = pg_catalog.now()
   WHERE w.id = entry.id;
  IF entry.status = 'offered' THEN
    -- Its offer is withdrawn: the places go to the next entry (bookings_waitlist).
    UPDATE app.bookings b SET status = 'cancelled', cancel_reason = 'waitlist entry cancelled'
     WHERE b.id = entry.booking_id;
  END IF;
  RETURN 'cancelled';
END
$$;

COMMENT ON FUNCTION private.cancel_waitlist_entry(uuid) IS
'Takes an entry off the waitlist for api.cancel_waitlist_entry, withdrawing its offer. Its own check: the caller is
staff of the entry''s organization (else PT404).';

REVOKE ALL ON FUNCTION private.cancel_waitlist_entry(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.cancel_waitlist_entry(uuid) TO authenticated;


CREATE OR REPLACE FUNCTION api.cancel_waitlist_entry(entry_id uuid)
RETURNS text
LANGUAGE sql
VOLATILE
SET search_path = ''
AS $$
  SELECT private.cancel_waitlist_entry(entry_id)
$$;

COMMENT ON FUNCTION api.cancel_waitlist_entry(uuid) IS
$$Takes a waiting or offered entry off its session's waitlist (status cancelled) and answers 'cancelled'; an offer
it held is withdrawn, its hold cancelled and its places offered to the next entries that fit. For staff of the
entry's organization. Errors: PT404 not found (or another organization's); PT409 (detail illegal_transition) an
entry that no longer waits.$$;

REVOKE ALL ON FUNCTION api.cancel_waitlist_entry(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.cancel_waitlist_entry(uuid) TO authenticated;


-- The organization's offer time. ------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.set_waitlist_offer_ttl(p_org_id uuid, p_offer_ttl interval)
RETURNS interval
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  ttl interval;
BEGIN
  IF p_org_id IS NULL OR NOT p_org_id = ANY (private.org_ids('admin')) THEN
    RAISE EXCEPTION 'organization not found' USING ERRCODE = 'PT404';
  ELSIF p_offer_ttl IS NULL THEN
    RAISE EXCEPTION 'offer_ttl is required' USING ERRCODE = 'PT400', DETAIL = 'required';
  END IF;
  UPDATE app.org_settings s SET waitlist_offer_ttl = p_offer_ttl, updated_at = pg_catalog.now()
   WHERE s.org_id = p_org_id
  RETURNING s.waitlist_offer_ttl INTO ttl;
  RETURN ttl;
END
$$;

COMMENT ON FUNCTION private.set_waitlist_offer_ttl(uuid, interval) IS
'Sets how long an organization''s waitlist offers hold their places, for api.set_waitlist_offer_ttl. Its own check:
the caller is an admin of the organization (else PT404).';

REVOKE ALL ON FUNCTION private.set_waitlist_offer_ttl(uuid, interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.set_waitlist_offer_ttl(uuid, interval) TO authenticated;


CREATE OR REPLACE FUNCTION api.set_waitlist_offer_ttl(org_id uuid, offer_ttl interval)
RETURNS interval
LANGUAGE sql
VOLATILE
SET search_path = ''
AS $$
  SELECT private.set_waitlist_offer_ttl(org_id, private.interval_arg('offer_ttl', offer_ttl, interval '5 minutes',
                                                                     interval '7 days'))
$$;

COMMENT ON FUNCTION api.set_waitlist_offer_ttl(uuid, interval) IS
$$Sets how long a waitlist offer of the organization holds its places before passing them on (5 minutes to 7 days;
default 30 minutes), for offers made from now on, and answers it. For admins of the organization (audited with
org_settings). Errors: PT404 not an admin of it; PT400 (detail out_of_range or required) a duration outside 5
minutes to 7 days, or none.$$;

REVOKE ALL ON FUNCTION api.set_waitlist_offer_ttl(uuid, interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.set_waitlist_offer_ttl(uuid, interval) TO authenticated;
