-- Deploy tessera:org_in_keys to pg
-- requires: message_retention
--
-- Scale-out (docs/scale-out.md): Citus requires the distribution column in every primary key, unique constraint
-- and unique index of a distributed table. Each key of a tenant table that left org_id out now ends with it:
-- a primary key (id) becomes (id, org_id) and a pair key (a, b) becomes (a, b, org_id), org_id last so that a
-- lookup by the leading columns alone (an id, a dedupe key) keeps its index. Each key keeps its name, so
-- ON CONFLICT ON CONSTRAINT and the indexes' names are unchanged. A dedupe key was unique across organizations
-- and is now unique within one: it is made of the row's own uuid, and a message belongs to one organization.
-- The lookup keys stay unique across the platform, as they must where a request names the key and not the
-- organization: the widget's embed key, the invitation and waitlist token hashes, the providers' checkout,
-- payment and refund references. Citus cannot keep those on a distributed table; at the cut-over each moves to
-- a reference table key -> org_id (docs/scale-out.md), the key exceptions the scale-out test names.
-- The functions whose ON CONFLICT names a key's columns name org_id with them (below).
-- The surrogate keys' twins UNIQUE (org_id, id) stay: every composite foreign key references them.
-- lock: ok each key is rebuilt under ACCESS EXCLUSIVE on its table, seconds on the largest (bookings, tickets,
-- the outbox); run it in a quiet hour. An index built CONCURRENTLY cannot be made a primary key inside the one
-- transaction that keeps the ON CONFLICT targets and the keys in step

BEGIN;

SET LOCAL check_function_bodies = off;

ALTER TABLE app.booking_resources DROP CONSTRAINT booking_resources_pkey, ADD CONSTRAINT booking_resources_pkey PRIMARY KEY (booking_id, resource_id, org_id);
ALTER TABLE app.booking_tickets DROP CONSTRAINT booking_tickets_pkey, ADD CONSTRAINT booking_tickets_pkey PRIMARY KEY (booking_id, ticket_type_id, org_id);
ALTER TABLE app.bookings DROP CONSTRAINT bookings_pkey, ADD CONSTRAINT bookings_pkey PRIMARY KEY (id, org_id);
ALTER TABLE app.checkouts DROP CONSTRAINT checkouts_pkey, ADD CONSTRAINT checkouts_pkey PRIMARY KEY (id, org_id);
ALTER TABLE app.customer_notes DROP CONSTRAINT customer_notes_pkey, ADD CONSTRAINT customer_notes_pkey PRIMARY KEY (id, org_id);
ALTER TABLE app.customer_requests DROP CONSTRAINT customer_requests_pkey, ADD CONSTRAINT customer_requests_pkey PRIMARY KEY (id, org_id);
ALTER TABLE app.customer_segments DROP CONSTRAINT customer_segments_pkey, ADD CONSTRAINT customer_segments_pkey PRIMARY KEY (customer_id, org_id);
ALTER TABLE app.customer_tags DROP CONSTRAINT customer_tags_pkey, ADD CONSTRAINT customer_tags_pkey PRIMARY KEY (customer_id, tag, org_id);
ALTER TABLE app.customers DROP CONSTRAINT customers_pkey, ADD CONSTRAINT customers_pkey PRIMARY KEY (id, org_id);
ALTER TABLE app.event_partners DROP CONSTRAINT event_partners_pkey, ADD CONSTRAINT event_partners_pkey PRIMARY KEY (id, org_id);
ALTER TABLE app.experience_resources DROP CONSTRAINT experience_resources_pkey, ADD CONSTRAINT experience_resources_pkey PRIMARY KEY (experience_id, resource_id, org_id);
-- A key rebuilt loses its comment, which is the error its violation reads as (private.constraint_error).
COMMENT ON CONSTRAINT experience_resources_pkey ON app.experience_resources IS 'PT400 invalid: a room is listed twice';
ALTER TABLE app.experiences DROP CONSTRAINT experiences_pkey, ADD CONSTRAINT experiences_pkey PRIMARY KEY (id, org_id);
ALTER TABLE app.invitations DROP CONSTRAINT invitations_pkey, ADD CONSTRAINT invitations_pkey PRIMARY KEY (id, org_id);
ALTER TABLE app.leads DROP CONSTRAINT leads_pkey, ADD CONSTRAINT leads_pkey PRIMARY KEY (id, org_id);
ALTER TABLE app.loyalty_ledger DROP CONSTRAINT loyalty_ledger_pkey, ADD CONSTRAINT loyalty_ledger_pkey PRIMARY KEY (id, org_id);
ALTER TABLE app.message_preferences DROP CONSTRAINT message_preferences_pkey, ADD CONSTRAINT message_preferences_pkey PRIMARY KEY (id, org_id);
ALTER TABLE app.notifications_outbox DROP CONSTRAINT notifications_outbox_pkey, ADD CONSTRAINT notifications_outbox_pkey PRIMARY KEY (id, org_id);
ALTER TABLE app.order_lines DROP CONSTRAINT order_lines_pkey, ADD CONSTRAINT order_lines_pkey PRIMARY KEY (order_id, line_no, org_id);
ALTER TABLE app.orders DROP CONSTRAINT orders_pkey, ADD CONSTRAINT orders_pkey PRIMARY KEY (id, org_id);
ALTER TABLE app.payments DROP CONSTRAINT payments_pkey, ADD CONSTRAINT payments_pkey PRIMARY KEY (id, org_id);
ALTER TABLE app.price_rules DROP CONSTRAINT price_rules_pkey, ADD CONSTRAINT price_rules_pkey PRIMARY KEY (id, org_id);
ALTER TABLE app.price_tiers DROP CONSTRAINT price_tiers_pkey, ADD CONSTRAINT price_tiers_pkey PRIMARY KEY (id, org_id);
ALTER TABLE app.promo_code_experiences DROP CONSTRAINT promo_code_experiences_pkey, ADD CONSTRAINT promo_code_experiences_pkey PRIMARY KEY (promo_code_id, experience_id, org_id);
ALTER TABLE app.promo_codes DROP CONSTRAINT promo_codes_pkey, ADD CONSTRAINT promo_codes_pkey PRIMARY KEY (id, org_id);
ALTER TABLE app.promo_customer_uses DROP CONSTRAINT promo_customer_uses_pkey, ADD CONSTRAINT promo_customer_uses_pkey PRIMARY KEY (promo_code_id, customer_id, org_id);
ALTER TABLE app.promo_redemptions DROP CONSTRAINT promo_redemptions_pkey, ADD CONSTRAINT promo_redemptions_pkey PRIMARY KEY (id, org_id);
ALTER TABLE app.refunds DROP CONSTRAINT refunds_pkey, ADD CONSTRAINT refunds_pkey PRIMARY KEY (id, org_id);
ALTER TABLE app.resources DROP CONSTRAINT resources_pkey, ADD CONSTRAINT resources_pkey PRIMARY KEY (id, org_id);
ALTER TABLE app.schedules DROP CONSTRAINT schedules_pkey, ADD CONSTRAINT schedules_pkey PRIMARY KEY (id, org_id);
ALTER TABLE app.shifts DROP CONSTRAINT shifts_pkey, ADD CONSTRAINT shifts_pkey PRIMARY KEY (id, org_id);
ALTER TABLE app.slot_ticket_counts DROP CONSTRAINT slot_ticket_counts_pkey, ADD CONSTRAINT slot_ticket_counts_pkey PRIMARY KEY (slot_id, ticket_type_id, org_id);
ALTER TABLE app.slots DROP CONSTRAINT slots_pkey, ADD CONSTRAINT slots_pkey PRIMARY KEY (id, org_id);
ALTER TABLE app.ticket_types DROP CONSTRAINT ticket_types_pkey, ADD CONSTRAINT ticket_types_pkey PRIMARY KEY (id, org_id);
ALTER TABLE app.tickets DROP CONSTRAINT tickets_pkey, ADD CONSTRAINT tickets_pkey PRIMARY KEY (id, org_id);
ALTER TABLE app.time_entries DROP CONSTRAINT time_entries_pkey, ADD CONSTRAINT time_entries_pkey PRIMARY KEY (id, org_id);
ALTER TABLE app.time_entry_corrections DROP CONSTRAINT time_entry_corrections_pkey, ADD CONSTRAINT time_entry_corrections_pkey PRIMARY KEY (id, org_id);
ALTER TABLE app.venue_closures DROP CONSTRAINT venue_closures_pkey, ADD CONSTRAINT venue_closures_pkey PRIMARY KEY (id, org_id);
ALTER TABLE app.venue_hours DROP CONSTRAINT venue_hours_pkey, ADD CONSTRAINT venue_hours_pkey PRIMARY KEY (id, org_id);
ALTER TABLE app.venues DROP CONSTRAINT venues_pkey, ADD CONSTRAINT venues_pkey PRIMARY KEY (id, org_id);
ALTER TABLE app.waitlist_entries DROP CONSTRAINT waitlist_entries_pkey, ADD CONSTRAINT waitlist_entries_pkey PRIMARY KEY (id, org_id);
ALTER TABLE app.waiver_signatures DROP CONSTRAINT waiver_signatures_pkey, ADD CONSTRAINT waiver_signatures_pkey PRIMARY KEY (id, org_id);
ALTER TABLE app.waiver_templates DROP CONSTRAINT waiver_templates_pkey, ADD CONSTRAINT waiver_templates_pkey PRIMARY KEY (id, org_id);
ALTER TABLE app.waiver_versions DROP CONSTRAINT waiver_versions_pkey, ADD CONSTRAINT waiver_versions_pkey PRIMARY KEY (id, org_id);
ALTER TABLE app.webhook_deliveries DROP CONSTRAINT webhook_deliveries_pkey, ADD CONSTRAINT webhook_deliveries_pkey PRIMARY KEY (id, org_id);
ALTER TABLE app.webhook_endpoints DROP CONSTRAINT webhook_endpoints_pkey, ADD CONSTRAINT webhook_endpoints_pkey PRIMARY KEY (id, org_id);
ALTER TABLE app.check_ins DROP CONSTRAINT check_ins_ticket_id_key, ADD CONSTRAINT check_ins_ticket_id_key PRIMARY KEY (ticket_id, org_id);

ALTER TABLE app.slots DROP CONSTRAINT slots_experience_id_starts_at_key, ADD CONSTRAINT slots_experience_id_starts_at_key UNIQUE (experience_id, starts_at, org_id);
ALTER TABLE app.notifications_outbox DROP CONSTRAINT notifications_outbox_dedupe_key_key, ADD CONSTRAINT notifications_outbox_dedupe_key_key UNIQUE (dedupe_key, org_id);

DROP INDEX app.tickets_one_valid_per_place;
CREATE UNIQUE INDEX tickets_one_valid_per_place ON app.tickets (booking_id, seat_no, org_id) WHERE status = 'valid';
DROP INDEX app.loyalty_ledger_once_per_order;
CREATE UNIQUE INDEX loyalty_ledger_once_per_order ON app.loyalty_ledger (order_id, kind, org_id) WHERE kind IN ('earn', 'redeem', 'release');

-- The functions whose ON CONFLICT names the keys' columns.

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
                    JOIN app.experience_resources er ON er.resource_id = br.resource_id
                   WHERE er.experience_id = p_experience.id
                     AND br.during && pg_catalog.tstzrange(slot.starts_at, slot.ends_at
                                        + pg_catalog.make_interval(mins => p_experience.buffer_minutes)));
  RETURN slot;
END
$function$
;

CREATE OR REPLACE FUNCTION private.booking_tickets_sync()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
BEGIN
  -- Lines are added right after their booking row; count them if that booking is live.
  IF EXISTS (SELECT FROM app.bookings b WHERE b.id = NEW.booking_id AND private.booking_is_live(b.status)) THEN
    INSERT INTO app.slot_ticket_counts (org_id, slot_id, ticket_type_id, quota)
    SELECT NEW.org_id, b.slot_id, tt.id, tt.quota
      FROM app.bookings b, app.ticket_types tt
     WHERE b.id = NEW.booking_id AND tt.id = NEW.ticket_type_id AND tt.quota IS NOT NULL
    ON CONFLICT (slot_id, ticket_type_id, org_id) DO NOTHING;
    UPDATE app.slot_ticket_counts c SET taken = c.taken + NEW.quantity
      FROM app.bookings b
     WHERE b.id = NEW.booking_id AND c.slot_id = b.slot_id AND c.ticket_type_id = NEW.ticket_type_id;
  END IF;
  RETURN NULL;
END
$function$
;

CREATE OR REPLACE FUNCTION private.check_in(p_payload text, p_nonce text, p_venue_id uuid, p_slot_id uuid)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
DECLARE
  presented bytea := private.ticket_payload_decode(p_payload);
  t app.tickets;
  secret bytea;
  done app.check_ins;
  who text;
  tz text;
BEGIN
  IF p_nonce IS NULL OR p_venue_id IS NULL THEN
    RAISE EXCEPTION 'scanner_nonce and venue_id are required' USING ERRCODE = 'PT400', DETAIL = 'required';
  END IF;
  IF presented IS NOT NULL AND pg_catalog.get_byte(presented, 0) = 1 THEN
    SELECT * INTO t FROM app.tickets
     WHERE id = pg_catalog.encode(pg_catalog.substr(presented, 4, 16), 'hex')::uuid
       AND kid = (pg_catalog.get_byte(presented, 1) << 8) | pg_catalog.get_byte(presented, 2);
    SELECT k.secret INTO secret FROM app.ticket_keys k
     WHERE k.org_id = t.org_id AND k.kid = t.kid AND k.retired_at IS NULL;
  END IF;
  -- Another organization's ticket, an unknown or retired key, a bad MAC, garbage: one answer. The MACs are compared
  -- through another HMAC, so the comparison's timing says nothing about the expected bytes.
  IF secret IS NULL OR NOT t.org_id = ANY (private.org_ids('staff'))
     OR extensions.hmac(presented, secret, 'sha256') <> extensions.hmac(private.ticket_bytes(t), secret, 'sha256')
  THEN
    RAISE EXCEPTION 'this is not a valid ticket' USING ERRCODE = 'PT400', DETAIL = 'forged',
      HINT = 'ask for the ticket from the booking confirmation';
  END IF;

  SELECT * INTO done FROM app.check_ins WHERE ticket_id = t.id;
  IF FOUND AND done.scanner_nonce = p_nonce THEN
    RETURN private.check_in_answer(t, done);  -- the scanner's retry
  END IF;
  IF t.status = 'revoked' THEN
    RAISE EXCEPTION 'this ticket was revoked (its booking was cancelled or moved)' USING ERRCODE = 'PT409',
      DETAIL = 'revoked';
  END IF;
  IF t.venue_id <> p_venue_id THEN
    RAISE EXCEPTION 'this ticket is for another venue' USING ERRCODE = 'PT409', DETAIL = 'wrong_venue';
  END IF;
  IF p_slot_id IS NOT NULL AND t.slot_id <> p_slot_id THEN
    RAISE EXCEPTION 'this ticket is for another session' USING ERRCODE = 'PT409', DETAIL = 'wrong_session';
  END IF;
  SELECT v.timezone INTO tz FROM app.venues v WHERE v.id = t.venue_id;
  IF pg_catalog.now() < t.valid_from OR pg_catalog.now() >= t.valid_until THEN
    RAISE EXCEPTION 'this ticket is valid from % to %',
      pg_catalog.to_char(t.valid_from AT TIME ZONE tz, 'YYYY-MM-DD HH24:MI'),
      pg_catalog.to_char(t.valid_until AT TIME ZONE tz, 'YYYY-MM-DD HH24:MI')
      USING ERRCODE = 'PT409', DETAIL = 'outside_window',
            HINT = CASE WHEN pg_catalog.now() < t.valid_from THEN 'too early' ELSE 'too late' END;
  END IF;

  IF done.ticket_id IS NULL THEN
    PERFORM private.check_in_waiver(t);  -- PT409 waiver_missing, when the experience asks for waivers at the door
    -- Concurrent scans meet in the UNIQUE index: one inserts, the others wait for it and insert nothing.
    INSERT INTO app.check_ins (org_id, ticket_id, scanner_nonce, checked_in_by)
    VALUES (t.org_id, t.id, p_nonce, auth.uid())
    ON CONFLICT (ticket_id, org_id) DO NOTHING
    RETURNING * INTO done;
    IF FOUND THEN
      RETURN private.check_in_answer(t, done);
    END IF;
    SELECT * INTO done FROM app.check_ins WHERE ticket_id = t.id;
    IF done.scanner_nonce = p_nonce THEN
      RETURN private.check_in_answer(t, done);
    END IF;
  END IF;
  SELECT coalesce(p.display_name, u.email, 'a staff member') INTO who
    FROM auth.users u LEFT JOIN app.profiles p ON p.user_id = u.id
   WHERE u.id = done.checked_in_by;
  RAISE EXCEPTION 'already checked in at % by %',
    pg_catalog.to_char(done.checked_in_at AT TIME ZONE tz, 'HH24:MI "on" YYYY-MM-DD'), coalesce(who, 'a staff member')
    USING ERRCODE = 'PT409', DETAIL = 'already_checked_in';
END
$function$
;

CREATE OR REPLACE FUNCTION private.count_tickets(p_org_id uuid, p_booking_id uuid, p_slot_id uuid, p_sign integer)
 RETURNS void
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
BEGIN
  -- Counters exist only for ticket types with a quota of their own; create them on first use.
  INSERT INTO app.slot_ticket_counts (org_id, slot_id, ticket_type_id, quota)
  SELECT p_org_id, p_slot_id, tt.id, tt.quota
    FROM app.booking_tickets t JOIN app.ticket_types tt ON tt.id = t.ticket_type_id
   WHERE t.booking_id = p_booking_id AND tt.quota IS NOT NULL
  ON CONFLICT (slot_id, ticket_type_id, org_id) DO NOTHING;
  UPDATE app.slot_ticket_counts c SET taken = c.taken + p_sign * t.quantity
    FROM app.booking_tickets t
   WHERE t.booking_id = p_booking_id AND c.slot_id = p_slot_id AND c.ticket_type_id = t.ticket_type_id;
END
$function$
;

CREATE OR REPLACE FUNCTION private.create_order(p_booking_id uuid, p_promo_code text, p_redeem_points integer, p_embed_key text, p_customer_email text)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
DECLARE
  booking   app.bookings;
  exp       app.experiences;
  settings  app.org_settings;
  live      app.orders;
  checked   record;
  promo     app.promo_codes;
  priced    jsonb;
  tickets   jsonb;
  order_id  uuid;
  points    integer;
  constraint_name text;
BEGIN
  -- The booking row is the order's lock: two requests for one booking take turns.
  SELECT b.* INTO booking FROM app.bookings b WHERE b.id = p_booking_id FOR UPDATE;
  IF NOT private.may_order(booking, p_embed_key, p_customer_email) THEN
    RAISE EXCEPTION 'booking not found' USING ERRCODE = 'PT404';
  END IF;
  IF coalesce(p_redeem_points, 0) > 0 AND p_embed_key IS NOT NULL THEN
    -- Anyone may book under any e-mail through the widget, so the widget's capability never spends points.
    RAISE EXCEPTION 'sign in to redeem loyalty points' USING ERRCODE = 'PT401', DETAIL = 'sign_in_to_redeem',
      HINT = 'call create_order signed in as the customer, or ask staff';
  END IF;
  SELECT e.* INTO exp FROM app.experiences e WHERE e.id = booking.experience_id;
  IF NOT exp.requires_payment THEN
    RAISE EXCEPTION 'booking % needs no payment', booking.confirmation_code USING ERRCODE = 'PT409',
      DETAIL = 'no_payment_needed';
  END IF;

  SELECT o.* INTO live FROM app.orders o
   WHERE o.booking_id = booking.id AND o.status IN ('pending', 'paid', 'partially_refunded', 'refunded');
  IF FOUND THEN
    -- A retry of the same request gets its order; another request while one is live is a conflict.
    IF pg_catalog.lower(pg_catalog.btrim(p_promo_code)) IS NOT DISTINCT FROM
       (SELECT p.code_key FROM app.promo_redemptions r JOIN app.promo_codes p ON p.id = r.promo_code_id
         WHERE r.order_id = live.id)
       AND private.same_points(live, p_redeem_points) THEN
      RETURN private.order_answer(live.id);
    END IF;
    RAISE EXCEPTION 'booking % already has an order', booking.confirmation_code USING ERRCODE = 'PT409',
      DETAIL = 'order_exists', HINT = 'cancel the pending order first to change its promo code';
  END IF;
  IF booking.status <> 'pending' OR booking.hold_expires_at <= pg_catalog.now() THEN
    RAISE EXCEPTION 'the hold on booking % has ended', booking.confirmation_code USING ERRCODE = 'PT409',
      DETAIL = 'hold_expired', HINT = 'make a new booking';
  END IF;

  SELECT s.* INTO settings FROM app.org_settings s WHERE s.org_id = booking.org_id;
  PERFORM private.points_arg(settings, p_redeem_points);
  IF p_promo_code IS NOT NULL THEN
    SELECT * INTO checked FROM private.promo_check(booking.org_id, p_promo_code, exp.id, booking.currency,
                                                   booking.customer_id, pg_catalog.now());
    IF checked.reason = 'used_up' THEN
      -- Uses held by orders whose hold ran out come back before anyone is told the code is used up.
      UPDATE app.bookings b SET status = 'expired'
       WHERE b.status = 'pending' AND b.hold_expires_at <= pg_catalog.now()
         AND b.id IN (SELECT o.booking_id FROM app.promo_redemptions r JOIN app.orders o ON o.id = r.order_id
                       WHERE r.org_id = booking.org_id AND r.promo_code_id = (checked.promo).id
                         AND r.released_at IS NULL AND o.status = 'pending');
      SELECT * INTO checked FROM private.promo_check(booking.org_id, p_promo_code, exp.id, booking.currency,
                                                     booking.customer_id, pg_catalog.now());
    END IF;
    IF NOT checked.valid THEN
      RAISE EXCEPTION '%', private.promo_message(checked.reason) USING ERRCODE = 'PT409',
        DETAIL = 'promo_' || checked.reason;
    END IF;
    promo := checked.promo;
  END IF;

  -- The same price the booking was made at: the same rules, at the time it was made.
  SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('ticket_type_id', t.ticket_type_id,
                                                            'quantity', t.quantity) ORDER BY t.ticket_type_id)
    INTO tickets FROM app.booking_tickets t WHERE t.booking_id = booking.id;
  priced := private.price_cart(
    private.price_lines(exp, booking.starts_at, booking.party_size, tickets, booking.created_at),
    settings.vat_rate_bp, settings.prices_include_vat,
    promo.percent_off, promo.amount_off_minor, 'Promo code ' || promo.code,
    coalesce(p_redeem_points, 0)::bigint * settings.loyalty_point_value_minor, 'Loyalty points');
  -- Points beyond what is left to pay are not spent: the line's description says how many it took.
  points := (SELECT ((-(l ->> 'amount_minor')::bigint + settings.loyalty_point_value_minor - 1)
                     / settings.loyalty_point_value_minor)::integer
               FROM pg_catalog.jsonb_array_elements(priced -> 'lines') l WHERE l ->> 'kind' = 'loyalty');
  IF points IS NOT NULL THEN
    priced := pg_catalog.jsonb_set(priced, '{lines}', (
      SELECT pg_catalog.jsonb_agg(CASE WHEN l ->> 'kind' = 'loyalty'
                                       THEN l || pg_catalog.jsonb_build_object(
                                                 'description', pg_catalog.format('Loyalty points (%s)', points))
                                       ELSE l END ORDER BY (l ->> 'line_no')::integer)
        FROM pg_catalog.jsonb_array_elements(priced -> 'lines') l));
  END IF;

  INSERT INTO app.orders (org_id, booking_id, customer_id, currency, prices_include_vat, vat_rate_bp,
                          subtotal_minor, discount_minor, vat_minor, total_minor, expires_at, created_by)
  VALUES (booking.org_id, booking.id, booking.customer_id, booking.currency, settings.prices_include_vat,
          settings.vat_rate_bp, (priced ->> 'subtotal_minor')::bigint, (priced ->> 'discount_minor')::bigint,
          (priced ->> 'vat_minor')::bigint, (priced ->> 'total_minor')::bigint, booking.hold_expires_at, auth.uid())
  RETURNING id INTO order_id;
  INSERT INTO app.order_lines (org_id, order_id, line_no, kind, ticket_type_id, description, quantity,
                               unit_price_minor, amount_minor, vat_minor, price_rule_id)
  SELECT booking.org_id, order_id, l.line_no, l.kind, l.ticket_type_id, l.description, l.quantity,
         l.unit_price_minor, l.amount_minor, l.vat_minor, l.price_rule_id
    FROM pg_catalog.jsonb_to_recordset(priced -> 'lines') AS l(line_no smallint, kind text, ticket_type_id uuid,
           description text, quantity integer, unit_price_minor bigint, amount_minor bigint, vat_minor bigint,
           price_rule_id uuid);

  IF promo.id IS NOT NULL THEN
    -- Taking a use is one counter UPDATE under its CHECK: of racers for the last use, one gets it.
    BEGIN
      UPDATE app.promo_codes p SET uses = p.uses + 1 WHERE p.id = promo.id;
      IF promo.max_uses_per_customer IS NOT NULL THEN
        INSERT INTO app.promo_customer_uses AS u (org_id, promo_code_id, customer_id, max_uses, uses)
        VALUES (booking.org_id, promo.id, booking.customer_id, promo.max_uses_per_customer, 1)
        ON CONFLICT (promo_code_id, customer_id, org_id) DO UPDATE SET uses = u.uses + 1;
      END IF;
    EXCEPTION WHEN check_violation THEN
      GET STACKED DIAGNOSTICS constraint_name = CONSTRAINT_NAME;
      IF constraint_name = 'promo_codes_uses_within_max' THEN
        RAISE EXCEPTION '%', private.promo_message('used_up') USING ERRCODE = 'PT409', DETAIL = 'promo_used_up',
          HINT = 'order without the code, or try another';
      ELSIF constraint_name = 'promo_customer_uses_within_max' THEN
        RAISE EXCEPTION '%', private.promo_message('customer_limit_reached') USING ERRCODE = 'PT409',
          DETAIL = 'promo_customer_limit_reached';
      END IF;
      RAISE;
    END;
    INSERT INTO app.promo_redemptions (org_id, promo_code_id, order_id, customer_id, amount_minor)
    VALUES (booking.org_id, promo.id, order_id, booking.customer_id,
            -(SELECT pg_catalog.sum((l ->> 'amount_minor')::bigint)
                FROM pg_catalog.jsonb_array_elements(priced -> 'lines') l WHERE l ->> 'kind' = 'promo'));
  END IF;
  IF points IS NOT NULL THEN
    -- The balance's CHECK decides, in this statement: concurrent orders never spend more than it holds.
    PERFORM private.loyalty_debit(booking.org_id, booking.customer_id, points, order_id);
  END IF;
  IF (priced ->> 'total_minor')::bigint = 0 THEN
    -- Nothing to pay (a code or points cover it all): no provider takes a payment of 0, so it is settled here.
    UPDATE app.orders o SET status = 'paid' WHERE o.id = order_id;
    UPDATE app.bookings b SET status = 'confirmed' WHERE b.id = booking.id;
  END IF;
  RETURN private.order_answer(order_id);
END
$function$
;

CREATE OR REPLACE FUNCTION private.enqueue_notification(p_org_id uuid, p_kind text, p_recipient text, p_data jsonb, p_dedupe_key text, p_channel text DEFAULT 'email'::text, p_locale text DEFAULT NULL::text, p_due_at timestamp with time zone DEFAULT NULL::timestamp with time zone, p_user_id uuid DEFAULT NULL::uuid, p_customer_id uuid DEFAULT NULL::uuid)
 RETURNS uuid
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
-- PL/pgSQL, not SQL, for its plan: a SQL function's INSERT is planned again at every call, which was most of what a
-- booking's confirmation paid for its messages.
DECLARE
  made uuid;
BEGIN
  -- The key makes a retried transaction or a repeated event write the message once; the kind (its foreign key
  -- refuses an unknown one) decides whether it is transactional or marketing; the organization's locale is the
  -- default language.
  INSERT INTO app.notifications_outbox (org_id, kind, recipient, channel, template, locale, data, dedupe_key,
                                        category, due_at, next_attempt_at, user_id, customer_id)
  VALUES (p_org_id, p_kind, p_recipient, p_channel, p_kind,
          coalesce(p_locale, (SELECT s.locale FROM app.org_settings s WHERE s.org_id = p_org_id), 'en'),
          coalesce(p_data, '{}'), p_dedupe_key,
          coalesce((SELECT k.category FROM app.notification_kinds k WHERE k.kind = p_kind), 'transactional'),
          coalesce(p_due_at, pg_catalog.now()), coalesce(p_due_at, pg_catalog.now()), p_user_id, p_customer_id)
  ON CONFLICT (dedupe_key, org_id) DO NOTHING
  RETURNING id INTO made;
  RETURN made;
END
$function$
;

CREATE OR REPLACE FUNCTION private.issue_tickets(p_booking app.bookings)
 RETURNS integer
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
DECLARE
  issued integer;
  venue uuid;
  kid smallint := private.ticket_key(p_booking.org_id);
BEGIN
  SELECT e.venue_id INTO venue FROM app.experiences e WHERE e.id = p_booking.experience_id;
  -- Doors open two hours before the start; a ticket lets in until the session ends. Whole minutes, as signed.
  INSERT INTO app.tickets (org_id, booking_id, slot_id, venue_id, seat_no, ticket_type_id, valid_from,
                           valid_until, kid)
  SELECT p_booking.org_id, p_booking.id, p_booking.slot_id, venue, s.seat, t.ticket_type_id,
         pg_catalog.date_trunc('minute', p_booking.starts_at - interval '2 hours'),
         pg_catalog.date_trunc('minute', p_booking.ends_at + interval '59 seconds'), kid
    FROM pg_catalog.generate_series(1, p_booking.party_size) AS s(seat)
    LEFT JOIN (SELECT pg_catalog.row_number() OVER (ORDER BY bt.ticket_type_id, g) AS seat, bt.ticket_type_id
                 FROM app.booking_tickets bt, pg_catalog.generate_series(1, bt.quantity) AS g
                WHERE bt.booking_id = p_booking.id) t ON t.seat = s.seat
  ON CONFLICT (booking_id, seat_no, org_id) WHERE status = 'valid' DO NOTHING;
  GET DIAGNOSTICS issued = ROW_COUNT;
  RETURN issued;
END
$function$
;

CREATE OR REPLACE FUNCTION private.loyalty_earn(p_order app.orders)
 RETURNS integer
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
DECLARE
  per_major integer;
  digits    smallint;
  points    bigint;
  ledger_id uuid;
BEGIN
  SELECT s.loyalty_points_per_major INTO per_major FROM app.org_settings s WHERE s.org_id = p_order.org_id;
  SELECT c.minor_digits INTO digits FROM app.currencies c WHERE c.code = p_order.currency;
  -- Points per whole currency unit, pro rata and rounded down: 25.50 paid at 10 a unit is 255 points.
  points := (p_order.paid_minor * coalesce(per_major, 0)) / (10::bigint ^ coalesce(digits, 2))::bigint;
  IF points <= 0 THEN
    RETURN 0;
  END IF;
  points := least(points, 2147483647);
  INSERT INTO app.loyalty_ledger (org_id, customer_id, order_id, kind, points)
  VALUES (p_order.org_id, p_order.customer_id, p_order.id, 'earn', points::integer)
  ON CONFLICT (order_id, kind, org_id) WHERE kind IN ('earn', 'redeem', 'release') DO NOTHING
  RETURNING id INTO ledger_id;
  IF ledger_id IS NULL THEN
    RETURN 0;  -- earned already
  END IF;
  PERFORM private.loyalty_change(p_order.org_id, p_order.customer_id, points::integer);
  RETURN points::integer;
END
$function$
;

CREATE OR REPLACE FUNCTION private.loyalty_release(p_order_id uuid)
 RETURNS integer
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
DECLARE
  redeemed app.loyalty_ledger;
  ledger_id uuid;
BEGIN
  SELECT l.* INTO redeemed FROM app.loyalty_ledger l WHERE l.order_id = p_order_id AND l.kind = 'redeem';
  IF NOT FOUND THEN
    RETURN 0;
  END IF;
  INSERT INTO app.loyalty_ledger (org_id, customer_id, order_id, kind, points)
  VALUES (redeemed.org_id, redeemed.customer_id, p_order_id, 'release', -redeemed.points)
  ON CONFLICT (order_id, kind, org_id) WHERE kind IN ('earn', 'redeem', 'release') DO NOTHING
  RETURNING id INTO ledger_id;
  IF ledger_id IS NULL THEN
    RETURN 0;  -- given back already
  END IF;
  PERFORM private.loyalty_change(redeemed.org_id, redeemed.customer_id, -redeemed.points);
  RETURN -redeemed.points;
END
$function$
;

CREATE OR REPLACE FUNCTION private.refresh_customer_segments(p_org_id uuid, p_as_of timestamp with time zone)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
DECLARE
  run app.customer_segment_runs;
  n_labelled integer;
  n_scored integer;
  n_changed integer;
  -- The segment of each of the 125 scores, at (r - 1) * 25 + (f - 1) * 5 + m, and the label of each of the 16
  -- label facts (visited, stale, top value, recent) at 1 + their bits, applied once each rather than per customer.
  segments constant text[] := ARRAY(SELECT private.rfm_segment(r::smallint, f::smallint, m::smallint)
                                      FROM pg_catalog.generate_series(1, 5) r, pg_catalog.generate_series(1, 5) f,
                                           pg_catalog.generate_series(1, 5) m ORDER BY r, f, m);
  labels constant text[] := ARRAY(SELECT private.customer_label(v, st, t, rc)
                                    FROM pg_catalog.unnest(ARRAY[false, true]) v,
                                         pg_catalog.unnest(ARRAY[false, true]) st,
                                         pg_catalog.unnest(ARRAY[false, true]) t,
                                         pg_catalog.unnest(ARRAY[false, true]) rc
                                   ORDER BY v, st, t, rc);
BEGIN
  -- Its own check: managers and up of the organization, or the service (the nightly job).
  IF coalesce(auth.role(), CASE WHEN session_user::text = current_user::text THEN 'service_role' END)
     = 'service_role' THEN
    IF NOT EXISTS (SELECT FROM app.organizations o WHERE o.id = p_org_id) THEN
      RAISE EXCEPTION 'organization not found' USING ERRCODE = 'PT404', DETAIL = 'not_found';
    END IF;
  ELSE
    PERFORM private.catalogue_may(p_org_id, 'manager', 'organization');
  END IF;

  -- The organization's run row, written first: a second refresh of it waits here until this one commits, then
  -- computes again from what is committed by then (the same answer when nothing changed between).
  INSERT INTO app.customer_segment_runs AS r (org_id, as_of, computed_at)
  VALUES (p_org_id, p_as_of, pg_catalog.now())
  ON CONFLICT (org_id) DO UPDATE SET as_of = excluded.as_of, computed_at = excluded.computed_at;

  -- One pass over the organization's customers, no join: the three ranks are windows over the customers with
  -- visits (the partition), and the segment and label are read from the 125-score and 16-fact tables computed
  -- once above, by position.
  WITH pop AS (
    SELECT c.id, c.last_visit_at, c.first_visit_at, c.created_at, v.visited,
           pg_catalog.count(*) OVER (PARTITION BY v.visited) AS n,
           pg_catalog.rank() OVER (PARTITION BY v.visited ORDER BY LEAST(c.last_visit_at, p_as_of) DESC) AS r_rank,
           pg_catalog.rank() OVER (PARTITION BY v.visited ORDER BY c.booking_count) AS f_rank,
           pg_catalog.rank() OVER (PARTITION BY v.visited ORDER BY c.lifetime_value_minor) AS m_rank
      FROM app.customers c, LATERAL (SELECT c.booking_count > 0 AS visited) v
     WHERE c.org_id = p_org_id AND c.erased_at IS NULL
  ), scores AS (
    -- Quintiles by rank among the n customers with visits, equal values scoring equally: frequency and monetary
    -- 1 + 5 * (customers with strictly less) / n, recency 5 - 5 * (customers with a strictly later last visit) / n
    -- (an upcoming visit counting as at as_of). Ties share the score their block's end takes where ties are
    -- common: the lowest for few visits and little money, the best for the latest visits.
    SELECT p.id, p.visited,
           CASE WHEN p.visited THEN (5 - 5 * (p.r_rank - 1) / p.n)::smallint END AS r,
           CASE WHEN p.visited THEN (1 + 5 * (p.f_rank - 1) / p.n)::smallint END AS f,
           CASE WHEN p.visited THEN (1 + 5 * (p.m_rank - 1) / p.n)::smallint END AS m,
           p.last_visit_at IS NOT NULL AS seen,
           coalesce(p.last_visit_at < p_as_of - interval '365 days', false) AS stale,
           coalesce(p.first_visit_at, p.created_at) >= p_as_of - interval '90 days' AS recent
      FROM pop p
  ), result AS (
    SELECT x.id, x.r, x.f, x.m, x.visited,
           segments[(x.r - 1) * 25 + (x.f - 1) * 5 + x.m] AS segment,
           labels[1 + x.seen::int * 8 + x.stale::int * 4 + coalesce(x.m = 5, false)::int * 2 + x.recent::int]
             AS label
      FROM scores x
  ), written AS (
    -- Customers new since the last refresh are inserted, and only rows whose figures moved are rewritten: one
    -- upsert, whose conflict test is a probe of the primary key whatever the statistics say (an anti-join planned
    -- on a never-analysed, empty table scanned the rows it was inserting once per customer).
    INSERT INTO app.customer_segments AS cs (org_id, customer_id, recency_score, frequency_score, monetary_score,
                                             segment, label)
    SELECT p_org_id, x.id, x.r, x.f, x.m, x.segment, x.label FROM result x
    ON CONFLICT (customer_id, org_id) DO UPDATE
       SET recency_score = excluded.recency_score, frequency_score = excluded.frequency_score,
           monetary_score = excluded.monetary_score, segment = excluded.segment, label = excluded.label
     WHERE (cs.recency_score, cs.frequency_score, cs.monetary_score, cs.segment, cs.label)
           IS DISTINCT FROM (excluded.recency_score, excluded.frequency_score, excluded.monetary_score,
                             excluded.segment, excluded.label)
    RETURNING 1
  ), removed AS (
    -- Erased customers leave the segments (their figures stay on the record, for the books), and so do deleted
    -- ones (no foreign key: see the segments migration).
    DELETE FROM app.customer_segments cs
     WHERE cs.org_id = p_org_id
       AND NOT EXISTS (SELECT FROM app.customers c
                        WHERE c.org_id = p_org_id AND c.id = cs.customer_id AND c.erased_at IS NULL)
    RETURNING 1
  )
  SELECT (SELECT pg_catalog.count(*) FROM result), (SELECT pg_catalog.count(*) FROM result WHERE visited),
         (SELECT pg_catalog.count(*) FROM written) + (SELECT pg_catalog.count(*) FROM removed)
    INTO n_labelled, n_scored, n_changed;

  UPDATE app.customer_segment_runs r SET customers = n_labelled, scored = n_scored
   WHERE r.org_id = p_org_id RETURNING * INTO run;
  RETURN pg_catalog.jsonb_build_object('org_id', run.org_id, 'as_of', run.as_of, 'computed_at', run.computed_at,
                                       'customers', run.customers, 'scored', run.scored,
                                       'changed', n_changed);
END
$function$
;

CREATE OR REPLACE FUNCTION private.settle_impact(p_experience_ids uuid[], p_before jsonb, p_force boolean)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
DECLARE
  exp      app.experiences;
  b        app.bookings;
  new_ends timestamptz;
  after    jsonb;
  affected jsonb;
  n        integer;
  listed   text;
BEGIN
  PERFORM private.impact_scope(p_experience_ids);
  -- Holds that ran out give back what they held first: they are nobody's to keep.
  UPDATE app.bookings x SET status = 'expired'
   WHERE x.experience_id = ANY (p_experience_ids) AND x.status = 'pending' AND x.hold_expires_at <= pg_catalog.now();

  FOR exp IN SELECT e.* FROM app.experiences e WHERE e.id = ANY (p_experience_ids) ORDER BY e.id LOOP
    -- Quotas: a session keeps room for the tickets it sold (quota = greatest(new, taken)).
    DELETE FROM app.slot_ticket_counts c
     USING app.ticket_types tt, app.slots s
     WHERE tt.id = c.ticket_type_id AND tt.experience_id = exp.id AND tt.quota IS NULL
       AND s.id = c.slot_id AND s.starts_at > pg_catalog.now();
    UPDATE app.slot_ticket_counts c SET quota = GREATEST(tt.quota, c.taken)
      FROM app.ticket_types tt, app.slots s
     WHERE tt.id = c.ticket_type_id AND tt.experience_id = exp.id AND tt.quota IS NOT NULL
       AND s.id = c.slot_id AND s.starts_at > pg_catalog.now();
    -- A type that had no quota of its own had no counter: count what its live bookings hold.
    INSERT INTO app.slot_ticket_counts (org_id, slot_id, ticket_type_id, quota, taken)
    SELECT exp.org_id, s.id, tt.id, GREATEST(tt.quota, sold.n), sold.n
      FROM app.ticket_types tt
      JOIN app.slots s ON s.experience_id = exp.id AND s.starts_at > pg_catalog.now()
      CROSS JOIN LATERAL (SELECT coalesce(pg_catalog.sum(bt.quantity), 0)::integer AS n
                            FROM app.booking_tickets bt JOIN app.bookings x ON x.id = bt.booking_id
                           WHERE x.slot_id = s.id AND bt.ticket_type_id = tt.id
                             AND private.booking_is_live(x.status)) sold
     WHERE tt.experience_id = exp.id AND tt.quota IS NOT NULL AND sold.n > 0
    ON CONFLICT (slot_id, ticket_type_id, org_id) DO NOTHING;
    -- Capacity: a session keeps room for what it sold (capacity = greatest(new, taken)): sold out, nobody moved.
    UPDATE app.slots s
       SET capacity = GREATEST(coalesce(exp.capacity, 1), s.taken),
           ends_at = CASE WHEN s.taken = 0 OR exp.kind = 'ticketed_event'
                          THEN s.starts_at + pg_catalog.make_interval(mins => exp.duration_minutes)
                          ELSE s.ends_at END
     WHERE s.experience_id = exp.id AND s.starts_at > pg_catalog.now();
    -- Bookings keep the times they were sold with (and so their tickets); a private session's slot end and room
    -- claims follow the experience unless that collides with another booking's claim: then it keeps its old end
    -- and claim (reported room_conflict).
    IF exp.kind = 'private_session' THEN
      FOR b IN SELECT x.* FROM app.bookings x
                WHERE x.experience_id = exp.id AND x.starts_at > pg_catalog.now()
                  AND x.status IN ('pending', 'confirmed')
                ORDER BY x.starts_at, x.id LOOP
        new_ends := b.starts_at + pg_catalog.make_interval(mins => exp.duration_minutes);
        BEGIN
          UPDATE app.slots s SET ends_at = new_ends WHERE s.id = b.slot_id AND s.ends_at <> new_ends;
          DELETE FROM app.booking_resources br WHERE br.booking_id = b.id;
          INSERT INTO app.booking_resources (org_id, booking_id, resource_id, during, held_until)
          SELECT b.org_id, b.id, er.resource_id,
                 pg_catalog.tstzrange(b.starts_at, new_ends + pg_catalog.make_interval(mins => exp.buffer_minutes)),
                 CASE WHEN b.status = 'pending' THEN b.hold_expires_at END
            FROM app.experience_resources er WHERE er.experience_id = exp.id;
        EXCEPTION WHEN exclusion_violation THEN
          NULL;  -- keeps its old end and claims, as the block rolled back
        END;
      END LOOP;
    END IF;
  END LOOP;

  after := private.booking_problems(p_experience_ids);
  SELECT coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
           'booking_id', x.id, 'confirmation_code', x.confirmation_code, 'starts_at', x.starts_at,
           'status', x.status, 'party_size', x.party_size, 'customer_name', c.name, 'customer_email', c.email,
           'problem', p.problem) ORDER BY x.starts_at, x.confirmation_code, p.problem), '[]')
    INTO affected
    FROM pg_catalog.jsonb_to_recordset(after) AS p(booking_id uuid, problem text)
    JOIN app.bookings x ON x.id = p.booking_id
    JOIN app.customers c ON c.id = x.customer_id
   WHERE NOT coalesce(p_before, '[]') @> pg_catalog.jsonb_build_array(
           pg_catalog.jsonb_build_object('booking_id', p.booking_id, 'problem', p.problem));

  n := pg_catalog.jsonb_array_length(affected);
  IF n > 0 AND NOT coalesce(p_force, false) THEN
    SELECT pg_catalog.string_agg(a ->> 'confirmation_code' || ' (' || pg_catalog.replace(a ->> 'problem', '_', ' ')
                                 || ')', ', ' ORDER BY o)
      INTO listed FROM pg_catalog.jsonb_array_elements(affected) WITH ORDINALITY AS t(a, o) WHERE o <= 10;
    RAISE EXCEPTION 'the change would affect % booking%: %', n, CASE WHEN n = 1 THEN '' ELSE 's' END,
      listed || CASE WHEN n > 10 THEN pg_catalog.format(' and %s more', n - 10) ELSE '' END
      USING ERRCODE = 'PT409', DETAIL = 'bookings_affected', HINT = affected::text;
  END IF;
  RETURN affected;
END
$function$
;

CREATE OR REPLACE FUNCTION private.staffed_session(p_experience_id uuid, p_starts_at timestamp with time zone)
 RETURNS app.slots
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
DECLARE
  exp      app.experiences;
  tz       text;
  local_ts timestamp;
  slot     app.slots;
BEGIN
  SELECT e.* INTO exp FROM app.experiences e
   WHERE e.id = p_experience_id AND e.org_id = ANY (private.org_ids('staff'));
  IF exp.id IS NULL THEN
    RAISE EXCEPTION 'experience not found' USING ERRCODE = 'PT404';
  END IF;
  PERFORM private.manager_of(exp.org_id, 'assign staff to sessions');
  SELECT s.* INTO slot FROM app.slots s WHERE s.experience_id = exp.id AND s.starts_at = p_starts_at;
  IF slot.id IS NOT NULL THEN
    RETURN slot;
  END IF;
  -- As place_booking does: a session exists once someone needs it, at a start the schedule offers.
  SELECT v.timezone INTO tz FROM app.venues v WHERE v.id = exp.venue_id;
  local_ts := p_starts_at AT TIME ZONE tz;
  IF NOT EXISTS (SELECT FROM private.schedule_occurrences(exp.id, local_ts::date, local_ts::date) o
                  WHERE o.starts_at = p_starts_at) THEN
    RAISE EXCEPTION 'no session of % starts at %', exp.name, p_starts_at USING ERRCODE = 'PT400',
      HINT = 'pick a start from check_availability';
  END IF;
  INSERT INTO app.slots (org_id, experience_id, starts_at, ends_at, capacity)
  VALUES (exp.org_id, exp.id, p_starts_at, p_starts_at + pg_catalog.make_interval(mins => exp.duration_minutes),
          coalesce(exp.capacity, 1))
  ON CONFLICT (experience_id, starts_at, org_id) DO NOTHING;
  SELECT s.* INTO slot FROM app.slots s WHERE s.experience_id = exp.id AND s.starts_at = p_starts_at;
  RETURN slot;
END
$function$
;
REVOKE ALL ON FUNCTION private.bookable_slot(app.experiences,timestamp with time zone) FROM PUBLIC;
COMMENT ON FUNCTION private.bookable_slot(app.experiences,timestamp with time zone) IS 'The slot a booking may take at a start: a scheduled (or existing) session, within the notice and advance windows,
outside closures, inside opening hours; created on first use, with run-out holds on it and its rooms marked
expired. PT400 says which rule refuses. Used by place_booking and reschedule, which run it with their rights.';
REVOKE ALL ON FUNCTION private.booking_tickets_sync() FROM PUBLIC;
COMMENT ON FUNCTION private.booking_tickets_sync() IS 'Trigger: counts a new ticket line of a live booking against its ticket type''s quota in the slot.';
REVOKE ALL ON FUNCTION private.check_in(text,text,uuid,uuid) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION private.check_in(text,text,uuid,uuid) TO authenticated;
COMMENT ON FUNCTION private.check_in(text,text,uuid,uuid) IS 'Verifies a presented payload and lets its ticket in once (its own check: the caller is staff of the ticket''s
organization; for anyone else the ticket looks forged).';
REVOKE ALL ON FUNCTION private.count_tickets(uuid,uuid,uuid,integer) FROM PUBLIC;
COMMENT ON FUNCTION private.count_tickets(uuid,uuid,uuid,integer) IS 'Adds (p_sign = 1) or removes (-1) a booking''s ticket lines to the per-slot ticket-type counters.';
REVOKE ALL ON FUNCTION private.create_order(uuid,text,integer,text,text) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION private.create_order(uuid,text,integer,text,text) TO anon;
GRANT EXECUTE ON FUNCTION private.create_order(uuid,text,integer,text,text) TO authenticated;
COMMENT ON FUNCTION private.create_order(uuid,text,integer,text,text) IS 'The work of api.create_order, which checked the arguments; its own check is private.may_order (else PT404). Prices
the booking with private.price_lines at the time it was booked and private.price_cart, takes the promo code''s use
under its counters'' CHECKs, and writes the order and its lines.';
REVOKE ALL ON FUNCTION private.enqueue_notification(uuid,text,text,jsonb,text,text,text,timestamp with time zone,uuid,uuid) FROM PUBLIC;
COMMENT ON FUNCTION private.enqueue_notification(uuid,text,text,jsonb,text,text,text,timestamp with time zone,uuid,uuid) IS 'Queues one message of kind p_kind (one of app.notification_kinds: booking_confirmed, payment_received, invitation,
…) on p_channel (email, sms, in_app; in_app needs p_user_id) to p_recipient with its data, in p_locale (default: the
organization''s), due at p_due_at (default now), once per p_dedupe_key: a second call with the key writes nothing and
answers NULL, the first answers the message''s id. For definer functions and triggers of the areas that announce
things, in their transaction; nobody else may call it.';
REVOKE ALL ON FUNCTION private.issue_tickets(app.bookings) FROM PUBLIC;
COMMENT ON FUNCTION private.issue_tickets(app.bookings) IS 'Issues the missing valid tickets of a confirmed booking: one per attendee place (party_size; a ticketed booking''s
seats take its ticket types in order), valid from two hours before the start until the end, signed with the
organization''s current key. Returns how many it issued; issuing again issues none.';
REVOKE ALL ON FUNCTION private.loyalty_earn(app.orders) FROM PUBLIC;
COMMENT ON FUNCTION private.loyalty_earn(app.orders) IS 'Credits the points a paid order earns: its paid_minor times the organization''s loyalty_points_per_major, divided
by the currency''s minor units (app.currencies.minor_digits), rounded down; once per order. Returns the points
credited (0 when none or already). Internal: called by private.apply_payment.';
REVOKE ALL ON FUNCTION private.loyalty_release(uuid) FROM PUBLIC;
COMMENT ON FUNCTION private.loyalty_release(uuid) IS 'Gives back the points an order redeemed (its order expired, failed or was cancelled) and returns how many; once:
0 when it redeemed none or they were given back already. For the orders area''s definer functions and triggers;
nobody else may call it.';
REVOKE ALL ON FUNCTION private.refresh_customer_segments(uuid,timestamp with time zone) FROM PUBLIC, authenticated, service_role;
GRANT EXECUTE ON FUNCTION private.refresh_customer_segments(uuid,timestamp with time zone) TO authenticated;
GRANT EXECUTE ON FUNCTION private.refresh_customer_segments(uuid,timestamp with time zone) TO service_role;
COMMENT ON FUNCTION private.refresh_customer_segments(uuid,timestamp with time zone) IS 'Computes every customer''s RFM scores, segment and label of p_org_id as of p_as_of for
api.refresh_customer_segments and api.refresh_all_customer_segments (which checked the arguments): managers and up
of the organization, or service_role. Refreshes of one organization run one after the other (its
app.customer_segment_runs row); bookings never wait on a refresh (it reads customers and writes only the segment
tables).';
REVOKE ALL ON FUNCTION private.settle_impact(uuid[],jsonb,boolean) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION private.settle_impact(uuid[],jsonb,boolean) TO authenticated;
COMMENT ON FUNCTION private.settle_impact(uuid[],jsonb,boolean) IS 'After a catalogue change to the experiences listed: brings their future sessions in line (ends, capacities and
quotas, never below what is sold; room claims, keeping an old one where the new one would collide; the bookings
themselves keep the times they were sold with, and their tickets), then lists
the bookings private.booking_problems finds now and did not find in p_before. Without p_force and with any such
booking: PT409 bookings_affected, MESSAGE naming up to 10 codes, HINT the list as JSON (the caller''s statement
rolls back: nothing written). Answers the list, each {booking_id, confirmation_code, starts_at, status,
party_size, customer_name, customer_email, problem}, by start. Its own check: the caller manages them all.';
REVOKE ALL ON FUNCTION private.staffed_session(uuid,timestamp with time zone) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION private.staffed_session(uuid,timestamp with time zone) TO authenticated;
COMMENT ON FUNCTION private.staffed_session(uuid,timestamp with time zone) IS 'The session (slot) of an experience at a start, for a manager (or more) of its organization to staff: the
existing one, or one made at a start the schedule offers, as place_booking makes it. PT404 experience not found
(also another organization''s), PT403 staff, PT400 no session starts then.';

COMMIT;
