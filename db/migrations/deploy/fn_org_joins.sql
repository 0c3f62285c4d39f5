-- Deploy tessera:fn_org_joins to pg
--
-- Every join of a tenant table in a function matches org_id (Citus joins colocated tables on their distribution column only; a join on id alone would need repartitioning): JOIN … ON, tables listed together, UPDATE … FROM and DELETE … USING, in booking messages and counters, tickets, waivers, orders, payments, refunds, reports, customers' export and erasure, segments, staff, waitlist, availability and the catalogue's impact

BEGIN;

SET LOCAL check_function_bodies = off;

CREATE OR REPLACE FUNCTION private.availability(p_experience_id uuid, p_from date, p_to date, p_party_size integer, p_embed_key text)
 RETURNS TABLE(starts_at timestamp with time zone, ends_at timestamp with time zone, local_start timestamp without time zone, remaining integer, price_minor bigint, currency text)
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO ''
 SET plan_cache_mode TO 'force_generic_plan'
AS $function$
-- Built for a busy calendar: everything that does not depend on the start (caller, price, closures, opening
-- hours, room claims over the window) is read once, so each start costs a few index probes and range tests.
-- PL/pgSQL keeps the plans between calls, and one generic plan serves every call: the plan does not depend on
-- the arguments, and planning anew would cost more than the rest.
DECLARE
  exp      record;
  amount   bigint;
  reach    tstzrange;
  closed   tstzmultirange;
  open     tsmultirange;
  claimed  tstzmultirange;
  party    integer;
BEGIN
  -- Its own limit, whoever calls: a year and a day's worth of starts at most.
  PERFORM private.availability_window(p_from, p_to, 367);
  -- Its own check, once, instead of row-level security on every table for every start: the caller is staff of
  -- the experience's organization (or service_role), or presents the embed key of its venue. Otherwise: no rows.
  SELECT e.*, v.timezone INTO exp
    FROM app.experiences e JOIN app.venues v ON v.org_id = e.org_id AND v.id = e.venue_id
   WHERE e.id = p_experience_id AND private.is_offered(e.id)
     AND CASE WHEN p_embed_key IS NULL
              THEN e.org_id = ANY (private.org_ids('staff')) OR (SELECT auth.role()) = 'service_role'
              ELSE v.embed_key = p_embed_key END;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  -- No party given: the smallest the experience takes. A private session's limits are told, not hidden.
  party := coalesce(p_party_size, exp.min_party);
  IF exp.kind = 'private_session' AND party NOT BETWEEN exp.min_party AND exp.max_party THEN
    RAISE EXCEPTION 'a party of % cannot book %', party, exp.name USING ERRCODE = 'PT400', DETAIL = 'out_of_range',
      HINT = pg_catalog.format('parties of %s to %s', exp.min_party, exp.max_party);
  END IF;

  amount := CASE WHEN exp.kind = 'ticketed_event'
                 THEN (SELECT pg_catalog.min(tt.price_minor) FROM app.ticket_types tt
                        WHERE tt.experience_id = exp.id AND tt.active
                          AND (tt.sales_start IS NULL OR tt.sales_start <= pg_catalog.now())
                          AND (tt.sales_end IS NULL OR pg_catalog.now() < tt.sales_end)) * party
                 ELSE (SELECT CASE WHEN exp.pricing_mode = 'per_person' THEN t.price_minor * party
                                   ELSE t.price_minor END
                         FROM app.price_tiers t
                        WHERE t.experience_id = exp.id AND party BETWEEN t.min_party AND t.max_party) END;

  -- Every instant a session starting on these local dates can touch, with a day to spare for any offset.
  reach := pg_catalog.tstzrange(((p_from - 1)::timestamp) AT TIME ZONE exp.timezone,
                                ((p_to + 2)::timestamp) AT TIME ZONE exp.timezone
                                  + pg_catalog.make_interval(mins => exp.duration_minutes + exp.buffer_minutes));
  closed := (SELECT pg_catalog.range_agg(c.during) FROM app.venue_closures c
              WHERE c.venue_id = exp.venue_id AND c.during && reach);
  open := private.opening_hours(exp.venue_id, p_from, p_to + 2);
  -- Rooms held by live bookings of any experience. A slot's own booking is among them, which changes nothing:
  -- a private session holds one group, so that slot is already full.
  IF exp.kind = 'private_session' THEN
    claimed := (SELECT pg_catalog.range_agg(br.during)
                  FROM app.experience_resources er
                  JOIN app.booking_resources br ON br.org_id = er.org_id AND br.resource_id = er.resource_id
                                               AND br.during && reach
                 WHERE er.org_id = exp.org_id AND er.experience_id = exp.id
                   AND (br.held_until IS NULL OR br.held_until > pg_catalog.now()));
  END IF;

  RETURN QUERY
  WITH occurrence AS (
    SELECT o.starts_at, o.ends_at, o.local_start FROM private.schedule_occurrences(exp.id, p_from, p_to) o
  ), slot AS (
    -- Slots counted with the places their run-out holds still show as taken.
    SELECT s.id, s.starts_at, s.ends_at, s.capacity, s.taken - coalesce(l.places, 0) AS taken
      FROM app.slots s
      LEFT JOIN (SELECT b.slot_id, pg_catalog.sum(b.places)::integer AS places FROM app.bookings b
                  WHERE b.org_id = exp.org_id AND b.experience_id = exp.id
                    AND b.status = 'pending' AND b.hold_expires_at <= pg_catalog.now()
                  GROUP BY b.slot_id) l ON l.slot_id = s.id
     WHERE s.experience_id = exp.id AND s.starts_at >= pg_catalog.lower(reach) AND s.starts_at < pg_catalog.upper(reach)
  ), start AS MATERIALIZED (
    -- Scheduled starts and sessions that exist (dated sessions of ticketed events), each once, with their
    -- wall-clock times worked out once.
    SELECT j.starts_at, j.ends_at, coalesce(j.local_start, j.starts_at AT TIME ZONE exp.timezone) AS local_start,
           j.ends_at AT TIME ZONE exp.timezone AS local_end, j.capacity, j.taken
      FROM (SELECT coalesce(o.starts_at, s.starts_at) AS starts_at, coalesce(s.ends_at, o.ends_at) AS ends_at,
                   o.local_start, s.capacity, s.taken
              FROM occurrence o FULL JOIN slot s ON s.starts_at = o.starts_at) j
  )
  SELECT st.starts_at, st.ends_at, st.local_start,
         GREATEST(0, coalesce(st.capacity, exp.capacity, 1) - coalesce(st.taken, 0)
                     - CASE WHEN coalesce(claimed && pg_catalog.tstzrange(st.starts_at,
                                    st.ends_at + pg_catalog.make_interval(mins => exp.buffer_minutes)), false)
                            THEN 1 ELSE 0 END)::integer,
         amount,
         exp.currency::text
    FROM start st
   WHERE st.local_start::date BETWEEN p_from AND p_to
     AND st.starts_at >= pg_catalog.now() + exp.min_notice
     AND st.starts_at <= pg_catalog.now() + exp.max_advance
     AND NOT coalesce(closed && pg_catalog.tstzrange(st.starts_at, st.ends_at), false)
     AND coalesce(open @> pg_catalog.tsrange(st.local_start, st.local_end), true)
   ORDER BY st.starts_at;
END
$function$
;

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
                    JOIN app.experience_resources er ON er.org_id = br.org_id AND er.resource_id = br.resource_id
                   WHERE er.org_id = p_experience.org_id AND er.experience_id = p_experience.id
                     AND br.during && pg_catalog.tstzrange(slot.starts_at, slot.ends_at
                                        + pg_catalog.make_interval(mins => p_experience.buffer_minutes)));
  RETURN slot;
END
$function$
;

CREATE OR REPLACE FUNCTION private.booking_by_pair(p_code text, p_email text)
 RETURNS app.bookings
 LANGUAGE sql
 STABLE
 SET search_path TO ''
AS $function$
  SELECT b.* FROM app.bookings b JOIN app.customers c ON c.org_id = b.org_id AND c.id = b.customer_id
   WHERE b.confirmation_code = pg_catalog.upper(pg_catalog.btrim(p_code))
     AND c.email_key = pg_catalog.lower(pg_catalog.btrim(p_email))
   ORDER BY b.starts_at, b.id LIMIT 1
$function$
;

CREATE OR REPLACE FUNCTION private.booking_message(p_booking app.bookings)
 RETURNS jsonb
 LANGUAGE plpgsql
 STABLE
 SET search_path TO ''
AS $function$
-- PL/pgSQL for its plan, kept by the session: a SQL function called by a trigger is planned again in every
-- transaction, which cost a booking's confirmation 0.3 ms, more than the outbox row it fills.
BEGIN
  -- The shape of app.notification_kinds.sample_data for the booking kinds: what every message about a booking
  -- carries, the kinds adding their own object beside it. Dates are shown in the venue's zone.
  RETURN (SELECT pg_catalog.jsonb_build_object(
           'timezone', v.timezone,
           'currency', p_booking.currency::text,
           'booking', pg_catalog.jsonb_build_object(
             'id', p_booking.id, 'code', p_booking.confirmation_code, 'starts_at', p_booking.starts_at,
             'ends_at', p_booking.ends_at, 'party_size', p_booking.party_size, 'status', p_booking.status,
             'price_minor', p_booking.price_minor),
           'experience', pg_catalog.jsonb_build_object('id', e.id, 'name', e.name),
           'venue', pg_catalog.jsonb_build_object(
             'id', v.id, 'name', v.name, 'timezone', v.timezone,
             'address', nullif(pg_catalog.concat_ws(', ', v.address_line,
                                                    nullif(pg_catalog.concat_ws(' ', v.city, v.postal_code), '')),
                               '')),
           'customer', pg_catalog.jsonb_build_object('id', c.id, 'name', c.name, 'email', c.email),
           'org', pg_catalog.jsonb_build_object('id', o.id, 'name', o.name))
    FROM app.experiences e
    JOIN app.venues v ON v.org_id = e.org_id AND v.id = e.venue_id
    JOIN app.organizations o ON o.id = e.org_id
    LEFT JOIN app.customers c ON c.org_id = p_booking.org_id AND c.id = p_booking.customer_id
   WHERE e.org_id = p_booking.org_id AND e.id = p_booking.experience_id);
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
$function$
;

CREATE OR REPLACE FUNCTION private.bookings_sync()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
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
$function$
;

CREATE OR REPLACE FUNCTION private.bookings_waitlist()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
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
$function$
;

CREATE OR REPLACE FUNCTION private.checkouts_to_expire(p_limit integer)
 RETURNS TABLE(checkout_id uuid, order_id uuid, org_id uuid, provider text, provider_ref text, order_status text, order_expires_at timestamp with time zone)
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
BEGIN
  PERFORM private.require_service_role('expire checkouts');
  RETURN QUERY
  SELECT c.id, c.order_id, c.org_id, c.provider, c.provider_ref, o.status::text, o.expires_at
    FROM app.checkouts c JOIN app.orders o ON o.org_id = c.org_id AND o.id = c.order_id
   WHERE c.status = 'open' AND (o.expires_at <= pg_catalog.now() OR o.status <> 'pending')
   ORDER BY o.expires_at, c.created_at
   LIMIT coalesce(p_limit, 100);
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
    FROM app.booking_tickets t JOIN app.ticket_types tt ON tt.org_id = t.org_id AND tt.id = t.ticket_type_id
   WHERE t.org_id = p_org_id AND t.booking_id = p_booking_id AND tt.quota IS NOT NULL
  ON CONFLICT (slot_id, ticket_type_id, org_id) DO NOTHING;
  UPDATE app.slot_ticket_counts c SET taken = c.taken + p_sign * t.quantity
    FROM app.booking_tickets t
   WHERE t.org_id = p_org_id AND c.org_id = p_org_id
     AND t.booking_id = p_booking_id AND c.slot_id = p_slot_id AND c.ticket_type_id = t.ticket_type_id;
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
       (SELECT p.code_key FROM app.promo_redemptions r
          JOIN app.promo_codes p ON p.org_id = r.org_id AND p.id = r.promo_code_id
         WHERE r.org_id = live.org_id AND r.order_id = live.id)
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
         AND b.id IN (SELECT o.booking_id FROM app.promo_redemptions r
                        JOIN app.orders o ON o.org_id = r.org_id AND o.id = r.order_id
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

CREATE OR REPLACE FUNCTION private.create_refund(p_order_id uuid, p_payment app.payments, p_amount_minor bigint, p_kind text, p_reason text, p_requested_by uuid, p_provider_refund_id text DEFAULT NULL::text)
 RETURNS app.refunds
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
DECLARE
  made app.refunds;
  recipient text;
  customer uuid;
  message jsonb;
BEGIN
  INSERT INTO app.refunds (org_id, order_id, payment_id, amount_minor, currency, reason, kind, provider,
                           provider_refund_id, requested_by)
  VALUES (p_payment.org_id, p_order_id, p_payment.id, p_amount_minor, p_payment.currency, p_reason, p_kind,
          p_payment.provider, p_provider_refund_id, p_requested_by)
  RETURNING * INTO made;
  -- The CHECK on this counter refuses, in this statement, any refund beyond what was paid, whatever runs beside.
  UPDATE app.orders o SET refund_requested_minor = o.refund_requested_minor + p_amount_minor WHERE o.id = p_order_id;
  IF p_kind = 'late_payment' THEN
    SELECT c.email, c.id, private.booking_message(b) INTO recipient, customer, message
      FROM app.orders o
      JOIN app.customers c ON c.org_id = o.org_id AND c.id = o.customer_id
      JOIN app.bookings b ON b.org_id = o.org_id AND b.id = o.booking_id
     WHERE o.org_id = made.org_id AND o.id = p_order_id;
    PERFORM private.enqueue_notification(made.org_id, 'late_payment_refund', recipient,
      coalesce(message, '{}') || pg_catalog.jsonb_build_object(
        'order_id', p_order_id, 'refund_id', made.id, 'amount_minor', made.amount_minor, 'currency', made.currency,
        'reason', made.reason),
      'late_payment_refund:' || made.id, p_customer_id => customer);
  END IF;
  IF made.provider = 'offline' OR p_kind = 'external' THEN
    -- Cash is handed back at the desk and a provider's own refund has happened: both are settled now.
    made := private.apply_refund_settlement(made.id, p_provider_refund_id);
  ELSE
    PERFORM pg_catalog.pg_notify('tessera_refunds', made.id::text);
  END IF;
  RETURN made;
END
$function$
;

CREATE OR REPLACE FUNCTION private.customer_row_ids(p_customer app.customers)
 RETURNS text[]
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
  -- The ids of every row about the person, as the audit log names rows (row_id) and refers to them (customer_id).
  SELECT ARRAY[p_customer.id::text]
         || ARRAY(SELECT b.id::text FROM app.bookings b WHERE b.customer_id = p_customer.id)
         || ARRAY(SELECT o.id::text FROM app.orders o WHERE o.customer_id = p_customer.id)
         || ARRAY(SELECT r.id::text FROM app.refunds r JOIN app.orders o ON o.org_id = r.org_id AND o.id = r.order_id
                   WHERE o.customer_id = p_customer.id)
         || ARRAY(SELECT n.id::text FROM app.customer_notes n WHERE n.customer_id = p_customer.id)
         || ARRAY(SELECT w.id::text FROM app.waiver_signatures w
                    JOIN app.bookings b ON b.org_id = w.org_id AND b.id = w.booking_id
                   WHERE b.org_id = p_customer.org_id AND b.customer_id = p_customer.id)
         || ARRAY(SELECT l.id::text FROM app.leads l
                   WHERE l.org_id = p_customer.org_id
                     AND pg_catalog.lower(pg_catalog.btrim(l.email)) = p_customer.email_key)
         || ARRAY(SELECT p.id::text FROM app.event_partners p
                   WHERE p.org_id = p_customer.org_id
                     AND pg_catalog.lower(pg_catalog.btrim(p.email)) = p_customer.email_key)
         || ARRAY(SELECT x.id::text FROM app.notifications_outbox x
                   WHERE x.org_id = p_customer.org_id
                     AND pg_catalog.lower(pg_catalog.btrim(x.recipient)) = p_customer.email_key)
         || ARRAY(SELECT w.id::text FROM app.waitlist_entries w
                   WHERE w.org_id = p_customer.org_id AND w.customer_id = p_customer.id)
         || ARRAY(SELECT m.id::text FROM app.message_preferences m
                   WHERE m.org_id = p_customer.org_id AND m.customer_id = p_customer.id)
$function$
;

CREATE OR REPLACE FUNCTION private.drop_future_staff_work(p_org_id uuid, p_user_id uuid)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
DECLARE
  assignments integer;
  shifts      integer;
  closed      integer;
  cutoff      timestamptz := pg_catalog.now();
BEGIN
  -- Assignments first: the shifts they lie in may go only once they are gone.
  DELETE FROM app.session_staff ss
   USING app.slots s
   WHERE ss.org_id = p_org_id AND ss.user_id = p_user_id AND s.org_id = ss.org_id AND s.id = ss.slot_id
     AND s.starts_at > cutoff;
  GET DIAGNOSTICS assignments = ROW_COUNT;
  DELETE FROM app.shifts sh WHERE sh.org_id = p_org_id AND sh.user_id = p_user_id AND pg_catalog.lower(sh.during) > cutoff;
  GET DIAGNOSTICS shifts = ROW_COUNT;
  -- Worked time is kept; an entry still open ends now, recorded as a correction.
  WITH ended AS (
    UPDATE app.time_entries t SET clock_out = GREATEST(cutoff, t.clock_in + interval '1 second')
     WHERE t.org_id = p_org_id AND t.user_id = p_user_id AND t.clock_out IS NULL
    RETURNING t.org_id, t.id, t.clock_in, t.clock_out
  )
  INSERT INTO app.time_entry_corrections (org_id, entry_id, before_clock_in, before_clock_out, after_clock_in,
                                          after_clock_out, reason, corrected_by)
  SELECT e.org_id, e.id, e.clock_in, NULL, e.clock_in, e.clock_out, 'left the organization', auth.uid()
    FROM ended e;
  GET DIAGNOSTICS closed = ROW_COUNT;
  RETURN pg_catalog.jsonb_build_object('session_assignments', assignments, 'shifts', shifts,
                                       'time_entries_closed', closed);
END
$function$
;

CREATE OR REPLACE FUNCTION private.due_refunds(p_limit integer)
 RETURNS TABLE(refund_id uuid, order_id uuid, org_id uuid, provider text, payment_ref text, amount_minor bigint, currency text, kind text, reason text, claimed_until timestamp with time zone)
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
BEGIN
  PERFORM private.require_service_role('execute refunds');
  -- Claimed for two minutes: a second executor (the service's task beside a cron reconcile) skips them, and a
  -- claim whose executor died runs out and is taken again.
  RETURN QUERY
  WITH due AS (
    SELECT r.id FROM app.refunds r
     WHERE r.status = 'requested' AND r.provider <> 'offline'
       AND (r.claimed_until IS NULL OR r.claimed_until < pg_catalog.now())
     ORDER BY r.created_at, r.id
     LIMIT coalesce(p_limit, 50)
       FOR UPDATE SKIP LOCKED)
  UPDATE app.refunds r SET claimed_until = pg_catalog.now() + interval '2 minutes'
    FROM due, app.payments p
   WHERE r.id = due.id AND p.org_id = r.org_id AND p.id = r.payment_id
  RETURNING r.id, r.order_id, r.org_id, r.provider, p.provider_ref, r.amount_minor, r.currency::text, r.kind,
            r.reason, r.claimed_until;
END
$function$
;

CREATE OR REPLACE FUNCTION private.erase_customer(p_org_id uuid, p_customer_id uuid)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
DECLARE
  c app.customers := private.privacy_customer(p_org_id, p_customer_id);
  ids text[];
  erased_email text := 'erased-' || p_customer_id || '@erased.invalid';
  email_hash text;
  personal text[];
  request uuid := pg_catalog.gen_random_uuid();
  n integer;
  counts jsonb := '{}'::jsonb;
BEGIN
  -- One erasure of a person at a time: the record locked and read again, so a second call waiting here sees the
  -- first one's work.
  SELECT x.* INTO c FROM app.customers x WHERE x.id = c.id FOR UPDATE;
  IF c.erased_at IS NOT NULL THEN
    -- Idempotent: a second erasure answers what the first one did.
    SELECT q.summary INTO counts FROM app.customer_requests q
     WHERE q.customer_id = c.id AND q.kind = 'erasure' ORDER BY q.at LIMIT 1;
    RETURN counts;
  END IF;
  ids := private.customer_row_ids(c);
  personal := ARRAY[c.name, c.phone];
  email_hash := pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(c.email_key, 'UTF8')), 'hex');
  PERFORM pg_catalog.set_config('tessera.erasure', 'on', true);

  UPDATE app.customers x
     SET email = erased_email, name = NULL, phone = NULL, marketing_consent = false, marketing_consent_at = NULL,
         marketing_consent_source = NULL, erased_at = pg_catalog.now()
   WHERE x.id = c.id;
  counts := counts || pg_catalog.jsonb_build_object('customers', 1);

  DELETE FROM app.customer_tags t WHERE t.customer_id = c.id;
  GET DIAGNOSTICS n = ROW_COUNT;
  counts := counts || pg_catalog.jsonb_build_object('customer_tags', n);
  DELETE FROM app.customer_notes t WHERE t.customer_id = c.id;
  GET DIAGNOSTICS n = ROW_COUNT;
  counts := counts || pg_catalog.jsonb_build_object('customer_notes', n);

  -- Bookings keep their counts and money; a widget key's scope and fingerprint carry the address.
  UPDATE app.bookings b
     SET idempotency_scope = CASE WHEN b.idempotency_scope IS NOT NULL
                                  THEN pg_catalog.replace(b.idempotency_scope, c.email_key, erased_email) END,
         request_fingerprint = NULL
   WHERE b.customer_id = c.id AND (b.idempotency_scope IS NOT NULL OR b.request_fingerprint IS NOT NULL);
  GET DIAGNOSTICS n = ROW_COUNT;
  counts := counts || pg_catalog.jsonb_build_object('bookings', n);

  -- Free text written about the person's bookings and refunds (why it was cancelled or refunded: it may name
  -- them, or their health) is kept only as "[erased]", in the rows and in the booking events sent to webhooks.
  UPDATE app.bookings b SET cancel_reason = '[erased]'
   WHERE b.org_id = c.org_id AND b.customer_id = c.id AND b.cancel_reason <> '[erased]';
  GET DIAGNOSTICS n = ROW_COUNT;
  counts := counts || pg_catalog.jsonb_build_object('booking_reasons', n);
  UPDATE app.refunds r SET reason = '[erased]'
   WHERE r.org_id = c.org_id AND r.reason <> '[erased]'
     AND r.order_id IN (SELECT o.id FROM app.orders o WHERE o.org_id = c.org_id AND o.customer_id = c.id);
  GET DIAGNOSTICS n = ROW_COUNT;
  counts := counts || pg_catalog.jsonb_build_object('refund_reasons', n);
  UPDATE app.webhook_deliveries d
     SET payload = pg_catalog.jsonb_set(d.payload, '{data,booking,cancel_reason}', '"[erased]"')
   WHERE d.org_id = c.org_id AND d.payload #>> '{data,booking,customer_id}' = c.id::text
     AND d.payload #>> '{data,booking,cancel_reason}' <> '[erased]';
  GET DIAGNOSTICS n = ROW_COUNT;
  counts := counts || pg_catalog.jsonb_build_object('webhook_deliveries', n);

  UPDATE app.waiver_signatures w
     SET participant_name = '[erased]', date_of_birth = DATE '1900-01-01', signature = '[erased]',
         guardian_name = CASE WHEN w.guardian_name IS NOT NULL THEN '[erased]' END,
         guardian_signature = CASE WHEN w.guardian_signature IS NOT NULL THEN '[erased]' END,
         client_ip = NULL, user_agent = NULL
    FROM app.bookings b
   WHERE b.org_id = c.org_id AND w.org_id = c.org_id AND b.id = w.booking_id AND b.customer_id = c.id;
  GET DIAGNOSTICS n = ROW_COUNT;
  counts := counts || pg_catalog.jsonb_build_object('waiver_signatures', n);

  UPDATE app.leads l
     SET contact_name = '[erased]', email = erased_email, phone = NULL, notes = NULL
   WHERE l.org_id = c.org_id AND pg_catalog.lower(pg_catalog.btrim(l.email)) = c.email_key;
  GET DIAGNOSTICS n = ROW_COUNT;
  counts := counts || pg_catalog.jsonb_build_object('leads', n);

  UPDATE app.event_partners p
     SET contact_name = NULL, email = erased_email, phone = NULL
   WHERE p.org_id = c.org_id AND pg_catalog.lower(pg_catalog.btrim(p.email)) = c.email_key;
  GET DIAGNOSTICS n = ROW_COUNT;
  counts := counts || pg_catalog.jsonb_build_object('event_partners', n);

  UPDATE app.notifications_outbox x
     SET recipient = erased_email, data = '{"erased": true}'
   WHERE x.org_id = c.org_id AND pg_catalog.lower(pg_catalog.btrim(x.recipient)) = c.email_key;
  GET DIAGNOSTICS n = ROW_COUNT;
  counts := counts || pg_catalog.jsonb_build_object('notifications_outbox', n);

  -- Provider events of the person's orders, and any naming the address (a payload the inbox could not match).
  UPDATE app.provider_events e
     SET payload = private.redact_jsonb(e.payload, c.email_key, erased_email, personal)
   WHERE (e.order_id IN (SELECT o.id FROM app.orders o WHERE o.customer_id = c.id)
          OR pg_catalog.strpos(pg_catalog.lower(e.payload::text), c.email_key) > 0)
     AND e.payload IS DISTINCT FROM private.redact_jsonb(e.payload, c.email_key, erased_email, personal);
  GET DIAGNOSTICS n = ROW_COUNT;
  counts := counts || pg_catalog.jsonb_build_object('provider_events', n);

  -- The lookup rate limit keeps the address only as its SHA-256; counters about it go.
  DELETE FROM app.ticket_lookup_failures f WHERE f.subject = 'email ' || email_hash;
  GET DIAGNOSTICS n = ROW_COUNT;
  counts := counts || pg_catalog.jsonb_build_object('ticket_lookup_failures', n);

  -- The privacy log's row holds the summary and no personal value; then the audit log, rows written by this
  -- erasure included, loses the person's values.
  INSERT INTO app.customer_requests (org_id, id, customer_id, kind, requested_by, summary)
  VALUES (c.org_id, request, c.id, 'erasure', auth.uid(), counts);
  n := private.audit_redact(c.org_id, request, c.email_key, erased_email, personal, ids);
  counts := counts || pg_catalog.jsonb_build_object('audit_log', n);
  -- The full count, for a second call to answer; this last write carries no personal value.
  UPDATE app.customer_requests q SET summary = counts WHERE q.id = request;
  PERFORM pg_catalog.set_config('tessera.erasure', 'off', true);
  RETURN counts;
END
$function$
;

CREATE OR REPLACE FUNCTION private.export_customer(p_org_id uuid, p_customer_id uuid)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
DECLARE
  c app.customers := private.privacy_customer(p_org_id, p_customer_id);
  ids text[] := private.customer_row_ids(c);
  doc jsonb;
BEGIN
  SELECT pg_catalog.jsonb_build_object(
    'format', 'tessera.customer_export.v1',
    'exported_at', pg_catalog.now(),
    'org_id', c.org_id,
    'customer', pg_catalog.to_jsonb(c),
    'marketing_consent', pg_catalog.jsonb_build_object('consent', c.marketing_consent, 'at', c.marketing_consent_at,
                                                       'source', c.marketing_consent_source),
    'tags', coalesce((SELECT pg_catalog.jsonb_agg(t.tag ORDER BY t.tag) FROM app.customer_tags t
                       WHERE t.customer_id = c.id), '[]'),
    'notes', coalesce((SELECT pg_catalog.jsonb_agg(pg_catalog.to_jsonb(n) ORDER BY n.created_at, n.id)
                         FROM app.customer_notes n WHERE n.customer_id = c.id), '[]'),
    'bookings', coalesce((
      SELECT pg_catalog.jsonb_agg(pg_catalog.to_jsonb(b) || pg_catalog.jsonb_build_object(
               'ticket_lines', coalesce((SELECT pg_catalog.jsonb_agg(pg_catalog.to_jsonb(bt) ORDER BY bt.ticket_type_id)
                                           FROM app.booking_tickets bt WHERE bt.booking_id = b.id), '[]'),
               'tickets', coalesce((SELECT pg_catalog.jsonb_agg(pg_catalog.to_jsonb(t) || pg_catalog.jsonb_build_object(
                                             'check_in', (SELECT pg_catalog.to_jsonb(ci) FROM app.check_ins ci
                                                           WHERE ci.ticket_id = t.id))
                                           ORDER BY t.seat_no, t.created_at)
                                      FROM app.tickets t WHERE t.booking_id = b.id), '[]'))
             ORDER BY b.starts_at, b.id)
        FROM app.bookings b WHERE b.customer_id = c.id), '[]'),
    'orders', coalesce((
      SELECT pg_catalog.jsonb_agg(pg_catalog.to_jsonb(o) || pg_catalog.jsonb_build_object(
               'lines', coalesce((SELECT pg_catalog.jsonb_agg(pg_catalog.to_jsonb(ol) ORDER BY ol.line_no)
                                    FROM app.order_lines ol WHERE ol.order_id = o.id), '[]'))
             ORDER BY o.created_at, o.id)
        FROM app.orders o WHERE o.customer_id = c.id), '[]'),
    'payments', coalesce((SELECT pg_catalog.jsonb_agg(pg_catalog.to_jsonb(p) ORDER BY p.received_at, p.id)
                            FROM app.payments p JOIN app.orders o ON o.org_id = p.org_id AND o.id = p.order_id
                           WHERE o.org_id = c.org_id AND o.customer_id = c.id), '[]'),
    'refunds', coalesce((SELECT pg_catalog.jsonb_agg(pg_catalog.to_jsonb(r) ORDER BY r.created_at, r.id)
                           FROM app.refunds r JOIN app.orders o ON o.org_id = r.org_id AND o.id = r.order_id
                          WHERE o.org_id = c.org_id AND o.customer_id = c.id), '[]'),
    'loyalty', pg_catalog.jsonb_build_object(
      'balance', coalesce((SELECT a.balance FROM app.loyalty_accounts a WHERE a.customer_id = c.id), 0),
      'ledger', coalesce((SELECT pg_catalog.jsonb_agg(pg_catalog.to_jsonb(l) ORDER BY l.created_at, l.id)
                            FROM app.loyalty_ledger l WHERE l.customer_id = c.id), '[]')),
    'waiver_signatures', coalesce((
      SELECT pg_catalog.jsonb_agg(pg_catalog.to_jsonb(w) ORDER BY w.signed_at, w.id)
        FROM app.waiver_signatures w JOIN app.bookings b ON b.org_id = w.org_id AND b.id = w.booking_id
       WHERE b.org_id = c.org_id AND b.customer_id = c.id), '[]'),
    'leads', coalesce((SELECT pg_catalog.jsonb_agg(pg_catalog.to_jsonb(l) ORDER BY l.created_at, l.id)
                         FROM app.leads l
                        WHERE l.org_id = c.org_id AND pg_catalog.lower(pg_catalog.btrim(l.email)) = c.email_key), '[]'),
    'event_partners', coalesce((SELECT pg_catalog.jsonb_agg(pg_catalog.to_jsonb(p) ORDER BY p.created_at, p.id)
                                  FROM app.event_partners p
                                 WHERE p.org_id = c.org_id
                                   AND pg_catalog.lower(pg_catalog.btrim(p.email)) = c.email_key), '[]'),
    'notifications', coalesce((SELECT pg_catalog.jsonb_agg(pg_catalog.to_jsonb(x) ORDER BY x.created_at, x.id)
                                 FROM app.notifications_outbox x
                                WHERE x.org_id = c.org_id
                                  AND pg_catalog.lower(pg_catalog.btrim(x.recipient)) = c.email_key), '[]'),
    -- The entries' token hashes are capabilities' fingerprints, not data about the person.
    'waitlist_entries', coalesce((SELECT pg_catalog.jsonb_agg(pg_catalog.to_jsonb(w) - 'token_hash'
                                                                - 'offer_token_hash' ORDER BY w.created_at, w.id)
                                    FROM app.waitlist_entries w
                                   WHERE w.org_id = c.org_id AND w.customer_id = c.id), '[]'),
    'message_preferences', coalesce((SELECT pg_catalog.jsonb_agg(pg_catalog.to_jsonb(m) ORDER BY m.changed_at, m.id)
                                       FROM app.message_preferences m
                                      WHERE m.org_id = c.org_id AND m.customer_id = c.id), '[]'),
    'privacy_requests', coalesce((SELECT pg_catalog.jsonb_agg(pg_catalog.to_jsonb(q) ORDER BY q.at, q.id)
                                    FROM app.customer_requests q WHERE q.customer_id = c.id), '[]'),
    'audit', coalesce((SELECT pg_catalog.jsonb_agg(pg_catalog.to_jsonb(l) ORDER BY l.id)
                         FROM audit.log l
                        WHERE l.org_id = c.org_id
                          AND (l.row_id = ANY (ids) OR l.old_values ->> 'customer_id' = c.id::text
                               OR l.new_values ->> 'customer_id' = c.id::text)), '[]'))
    INTO doc;
  INSERT INTO app.customer_requests (org_id, customer_id, kind, requested_by, summary)
  VALUES (c.org_id, c.id, 'export', auth.uid(),
          pg_catalog.jsonb_build_object('bookings', pg_catalog.jsonb_array_length(doc -> 'bookings'),
                                        'orders', pg_catalog.jsonb_array_length(doc -> 'orders'),
                                        'audit_rows', pg_catalog.jsonb_array_length(doc -> 'audit')));
  RETURN doc;
END
$function$
;

CREATE OR REPLACE FUNCTION private.get_customer(p_org_id uuid, p_customer_id uuid)
 RETURNS jsonb
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
DECLARE
  c app.customers;
  currency text;
BEGIN
  PERFORM private.catalogue_may(p_org_id, 'staff', 'customer');
  SELECT x.* INTO c FROM app.customers x WHERE x.id = p_customer_id AND x.org_id = p_org_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'customer not found' USING ERRCODE = 'PT404', DETAIL = 'not_found';
  END IF;
  SELECT s.currency INTO currency FROM app.org_settings s WHERE s.org_id = p_org_id;
  RETURN private.customer_card(c, currency, (SELECT s FROM app.customer_segments s WHERE s.customer_id = c.id))
    || pg_catalog.jsonb_build_object(
      'bookings', (SELECT coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                     'id', b.id, 'confirmation_code', b.confirmation_code, 'status', b.status,
                     'experience_id', b.experience_id, 'experience', e.name, 'starts_at', b.starts_at,
                     'party_size', b.party_size, 'price_minor', b.price_minor, 'currency', b.currency)
                     ORDER BY b.starts_at DESC, b.id), '[]')
                     FROM (SELECT * FROM app.bookings b WHERE b.org_id = p_org_id AND b.customer_id = c.id
                            ORDER BY b.starts_at DESC, b.id LIMIT 50) b
                     JOIN app.experiences e ON e.org_id = b.org_id AND e.id = b.experience_id),
      'payments', (SELECT coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                     'id', p.id, 'order_id', p.order_id, 'booking_id', p.booking_id, 'provider', p.provider,
                     'method', p.method, 'amount_minor', p.amount_minor, 'currency', p.currency,
                     'received_at', p.received_at) ORDER BY p.received_at DESC, p.id), '[]')
                     FROM (SELECT p.*, o.booking_id FROM app.orders o
                            JOIN app.payments p ON p.org_id = o.org_id AND p.order_id = o.id
                            WHERE o.org_id = p_org_id AND o.customer_id = c.id
                            ORDER BY p.received_at DESC, p.id LIMIT 50) p),
      'refunds', (SELECT coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                    'id', r.id, 'order_id', r.order_id, 'kind', r.kind, 'status', r.status,
                    'amount_minor', r.amount_minor, 'currency', r.currency, 'created_at', r.created_at,
                    'settled_at', r.settled_at) ORDER BY r.created_at DESC, r.id), '[]')
                    FROM (SELECT r.* FROM app.orders o
                           JOIN app.refunds r ON r.org_id = o.org_id AND r.order_id = o.id
                           WHERE o.org_id = p_org_id AND o.customer_id = c.id
                           ORDER BY r.created_at DESC, r.id LIMIT 50) r));
END
$function$
;

CREATE OR REPLACE FUNCTION private.get_customer_segments(p_org_id uuid)
 RETURNS jsonb
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
DECLARE
  run app.customer_segment_runs;
  currency text;
BEGIN
  PERFORM private.catalogue_may(p_org_id, 'staff', 'organization');
  SELECT * INTO run FROM app.customer_segment_runs r WHERE r.org_id = p_org_id;
  SELECT s.currency INTO currency FROM app.org_settings s WHERE s.org_id = p_org_id;
  RETURN pg_catalog.jsonb_build_object(
    'org_id', p_org_id, 'currency', currency, 'as_of', run.as_of, 'computed_at', run.computed_at,
    'segments', (SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                   'segment', n.name, 'customers', coalesce(t.customers, 0), 'revenue_minor', coalesce(t.revenue, 0))
                   ORDER BY n.i)
                   FROM pg_catalog.unnest(ARRAY['champions', 'loyal', 'potential_loyalists', 'new', 'at_risk',
                                                'cant_lose', 'hibernating', 'lost', NULL]) WITH ORDINALITY n(name, i)
                   LEFT JOIN (SELECT s.segment, pg_catalog.count(*) AS customers,
                                     pg_catalog.sum(c.lifetime_value_minor) AS revenue
                                FROM app.customer_segments s
                                JOIN app.customers c ON c.org_id = s.org_id AND c.id = s.customer_id
                               WHERE s.org_id = p_org_id AND c.erased_at IS NULL GROUP BY s.segment) t
                     ON t.segment IS NOT DISTINCT FROM n.name),
    'labels', (SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                 'label', n.name, 'customers', coalesce(t.customers, 0), 'revenue_minor', coalesce(t.revenue, 0))
                 ORDER BY n.i)
                 FROM pg_catalog.unnest(ARRAY['vip', 'regular', 'new', 'inactive']) WITH ORDINALITY n(name, i)
                 LEFT JOIN (SELECT s.label, pg_catalog.count(*) AS customers,
                                   pg_catalog.sum(c.lifetime_value_minor) AS revenue
                              FROM app.customer_segments s
                              JOIN app.customers c ON c.org_id = s.org_id AND c.id = s.customer_id
                             WHERE s.org_id = p_org_id AND c.erased_at IS NULL GROUP BY s.label) t
                   ON t.label = n.name));
END
$function$
;

CREATE OR REPLACE FUNCTION private.get_tickets(p_code text, p_email text)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
DECLARE
  subjects text[] := private.lookup_subjects(p_code, p_email);
  answer jsonb;
BEGIN
  SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
           'booking_id', b.id, 'confirmation_code', b.confirmation_code, 'status', b.status,
           'experience', e.name, 'venue', v.name, 'venue_timezone', v.timezone,
           'starts_at', b.starts_at, 'ends_at', b.ends_at, 'party_size', b.party_size,
           'tickets', coalesce((
             SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                      'id', t.id, 'seat_no', t.seat_no, 'ticket_type', tt.name, 'status', t.status,
                      'valid_from', t.valid_from, 'valid_until', t.valid_until,
                      'payload', CASE WHEN t.status = 'valid' THEN private.ticket_payload(t) END)
                    ORDER BY t.status DESC, t.seat_no, t.created_at)
               FROM app.tickets t LEFT JOIN app.ticket_types tt ON tt.org_id = t.org_id AND tt.id = t.ticket_type_id
              WHERE t.org_id = b.org_id AND t.booking_id = b.id), '[]'::jsonb))
         ORDER BY b.starts_at)
    INTO answer
    FROM app.bookings b
    JOIN app.customers c ON c.org_id = b.org_id AND c.id = b.customer_id
    JOIN app.experiences e ON e.org_id = b.org_id AND e.id = b.experience_id
    JOIN app.venues v ON v.org_id = e.org_id AND v.id = e.venue_id
   WHERE b.confirmation_code = pg_catalog.upper(pg_catalog.btrim(p_code))
     AND c.email_key = pg_catalog.lower(pg_catalog.btrim(p_email));
  IF answer IS NOT NULL THEN
    RETURN answer;
  END IF;
  RETURN private.lookup_failed(subjects);
END
$function$
;

CREATE OR REPLACE FUNCTION private.is_offered(p_experience_id uuid)
 RETURNS boolean
 LANGUAGE sql
 STABLE
 SET search_path TO ''
AS $function$
  -- Active, at an open venue, and every room it needs in use: an archived room cannot host a session.
  SELECT coalesce((SELECT e.active AND v.archived_at IS NULL
                          AND NOT EXISTS (SELECT FROM app.experience_resources er
                                            JOIN app.resources r ON r.org_id = er.org_id AND r.id = er.resource_id
                                           WHERE er.org_id = e.org_id AND er.experience_id = e.id
                                             AND NOT r.active)
                     FROM app.experiences e JOIN app.venues v ON v.org_id = e.org_id AND v.id = e.venue_id
                    WHERE e.id = p_experience_id), false)
$function$
;

CREATE OR REPLACE FUNCTION private.join_waitlist(p_embed_key text, p_experience_id uuid, p_starts_at timestamp with time zone, p_party_size integer, p_name text, p_email text, p_phone text, p_consent boolean)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
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
$function$
;

CREATE OR REPLACE FUNCTION private.list_customers(p_org_id uuid, p_segment text, p_query text, p_after text, p_page_size integer)
 RETURNS jsonb
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
DECLARE
  currency text;
  page jsonb;
  last_key text;
  more boolean;
BEGIN
  PERFORM private.catalogue_may(p_org_id, 'staff', 'organization');
  SELECT s.currency INTO currency FROM app.org_settings s WHERE s.org_id = p_org_id;
  -- Planned for the arguments given (a generic plan would not see which filters are off). Ordered by e-mail,
  -- unique in the organization: the key of the page's last customer is the cursor.
  EXECUTE pg_catalog.format($q$
    SELECT pg_catalog.jsonb_agg(private.customer_card(x.cust, $2, s) ORDER BY x.k) FILTER (WHERE x.i <= $6),
           pg_catalog.max(x.k) FILTER (WHERE x.i <= $6), pg_catalog.count(*) > $6
      FROM (SELECT y.*, pg_catalog.row_number() OVER (ORDER BY y.k) AS i
              FROM (SELECT c AS cust, c.email_key AS k, c.id FROM app.customers c %s
                     WHERE c.org_id = $1 AND c.erased_at IS NULL %s %s %s
                     ORDER BY c.email_key LIMIT $6 + 1) y) x
      LEFT JOIN app.customer_segments s ON s.org_id = $1 AND s.customer_id = x.id$q$,
    CASE WHEN p_segment IS NOT NULL THEN 'JOIN app.customer_segments s ON s.org_id = c.org_id AND s.customer_id = c.id' ELSE '' END,
    CASE WHEN p_segment IS NOT NULL THEN 'AND s.segment = $3' ELSE '' END,
    CASE WHEN p_query IS NOT NULL THEN
      $w$AND pg_catalog.lower(coalesce(c.name, '') || ' ' || c.email_key || ' ' || coalesce(c.phone, '') || ' '
             || pg_catalog.regexp_replace(coalesce(c.phone, ''), '[^0-9]', '', 'g')) LIKE $4$w$
    ELSE '' END,
    CASE WHEN p_after IS NOT NULL THEN 'AND c.email_key > $5' ELSE '' END)
    INTO page, last_key, more
    USING p_org_id, currency, p_segment,
          '%' || pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(p_query, '\', '\\'), '%', '\%'), '_', '\_')
              || '%',
          p_after, p_page_size;
  RETURN pg_catalog.jsonb_build_object(
    'customers', coalesce(page, '[]'),
    'next_cursor', CASE WHEN more THEN pg_catalog.translate(pg_catalog.encode(
                     pg_catalog.convert_to(last_key, 'UTF8'), 'base64'), E'+/=\n', '-_') END);
END
$function$
;

CREATE OR REPLACE FUNCTION private.may_order(p_booking app.bookings, p_embed_key text, p_customer_email text)
 RETURNS boolean
 LANGUAGE plpgsql
 STABLE
 SET search_path TO ''
AS $function$
DECLARE
  email_key text;
BEGIN
  IF p_booking.id IS NULL THEN
    RETURN false;
  END IF;
  SELECT c.email_key INTO email_key FROM app.customers c WHERE c.id = p_booking.customer_id;
  IF p_embed_key IS NOT NULL THEN
    -- The widget: the venue's key and the booking's e-mail together are the capability (the id is random).
    -- Never NULL: a missing e-mail is a refusal, not an unknown.
    RETURN coalesce(p_embed_key = (SELECT v.embed_key FROM app.experiences e
                                      JOIN app.venues v ON v.org_id = e.org_id AND v.id = e.venue_id
                                    WHERE e.org_id = p_booking.org_id AND e.id = p_booking.experience_id)
                    AND pg_catalog.lower(pg_catalog.btrim(p_customer_email)) = email_key, false);
  END IF;
  RETURN coalesce(p_booking.org_id = ANY (private.org_ids('staff'))
                  OR (auth.uid() IS NOT NULL AND pg_catalog.lower(pg_catalog.btrim(auth.email())) = email_key),
                  false);
END
$function$
;

CREATE OR REPLACE FUNCTION private.order_answer(p_order_id uuid)
 RETURNS jsonb
 LANGUAGE sql
 STABLE
 SET search_path TO ''
AS $function$
  SELECT pg_catalog.jsonb_build_object(
    'id', o.id, 'org_id', o.org_id, 'booking_id', o.booking_id, 'customer_id', o.customer_id,
    'status', o.status::text, 'currency', o.currency::text, 'prices_include_vat', o.prices_include_vat,
    'vat_rate_bp', o.vat_rate_bp, 'subtotal_minor', o.subtotal_minor, 'discount_minor', o.discount_minor,
    'vat_minor', o.vat_minor, 'total_minor', o.total_minor, 'paid_minor', o.paid_minor,
    'refunded_minor', o.refunded_minor, 'expires_at', o.expires_at, 'refund_required', o.refund_required,
    'created_at', o.created_at, 'paid_at', o.paid_at,
    'promo_code', (SELECT p.code FROM app.promo_redemptions r
                     JOIN app.promo_codes p ON p.org_id = r.org_id AND p.id = r.promo_code_id
                    WHERE r.org_id = o.org_id AND r.order_id = o.id),
    'lines', (SELECT coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
                'line_no', l.line_no, 'kind', l.kind, 'description', l.description,
                'ticket_type_id', l.ticket_type_id, 'quantity', l.quantity, 'unit_price_minor', l.unit_price_minor,
                'amount_minor', l.amount_minor, 'vat_minor', l.vat_minor, 'price_rule_id', l.price_rule_id)
                ORDER BY l.line_no), '[]')
                FROM app.order_lines l WHERE l.order_id = o.id))
    FROM app.orders o WHERE o.id = p_order_id
$function$
;

CREATE OR REPLACE FUNCTION private.orders_to_reconcile(p_limit integer)
 RETURNS TABLE(order_id uuid, org_id uuid, order_status text, expires_at timestamp with time zone, provider text, provider_ref text, checkout_status text)
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
BEGIN
  PERFORM private.require_service_role('reconcile orders');
  RETURN QUERY
  SELECT o.id, o.org_id, o.status::text, o.expires_at, c.provider, c.provider_ref, c.status
    FROM app.orders o JOIN app.checkouts c ON c.org_id = o.org_id AND c.order_id = o.id
   WHERE o.status = 'pending' OR (c.status = 'open' AND o.expires_at <= pg_catalog.now())
   ORDER BY o.expires_at, o.id, c.created_at
   LIMIT coalesce(p_limit, 100);
END
$function$
;

CREATE OR REPLACE FUNCTION private.price_lines(p_experience app.experiences, p_starts_at timestamp with time zone, p_party_size integer, p_tickets jsonb, p_booked_at timestamp with time zone)
 RETURNS jsonb
 LANGUAGE plpgsql
 STABLE
 SET search_path TO ''
AS $function$
DECLARE
  exp     app.experiences := p_experience;
  tz      text;
  local_ts timestamp;
  base    bigint;
  places  integer;
  items   jsonb := '[]'::jsonb;
BEGIN
  SELECT v.timezone INTO tz FROM app.venues v WHERE v.id = exp.venue_id;
  local_ts := p_starts_at AT TIME ZONE tz;
  IF exp.kind = 'private_session' THEN
    IF p_party_size IS NULL OR p_party_size NOT BETWEEN exp.min_party AND exp.max_party THEN
      RAISE EXCEPTION 'a party of % cannot book %', p_party_size, exp.name USING ERRCODE = 'PT400',
        HINT = format('parties of %s to %s', exp.min_party, exp.max_party);
    END IF;
    SELECT t.price_minor INTO base FROM app.price_tiers t
     WHERE t.experience_id = exp.id AND p_party_size BETWEEN t.min_party AND t.max_party;
    IF base IS NULL THEN
      RAISE EXCEPTION 'no price is set for a party of %', p_party_size USING ERRCODE = 'PT400';
    END IF;
    -- Per person: the party's size at the person price; per group: one group at the group price.
    items := pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_object(
      'ticket_type_id', NULL, 'base', base,
      'quantity', CASE exp.pricing_mode WHEN 'per_person' THEN p_party_size ELSE 1 END,
      'description', CASE exp.pricing_mode WHEN 'per_person' THEN exp.name
                          ELSE pg_catalog.format('%s, party of %s', exp.name, p_party_size) END));
  ELSE
    IF p_tickets IS NULL OR pg_catalog.jsonb_typeof(p_tickets) <> 'array' OR pg_catalog.jsonb_array_length(p_tickets) = 0
    THEN
      RAISE EXCEPTION 'say which tickets: [{"ticket_type_id": …, "quantity": …}]' USING ERRCODE = 'PT400';
    END IF;
    SELECT pg_catalog.sum(l.quantity),
           pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
             'ticket_type_id', tt.id, 'base', tt.price_minor, 'quantity', l.quantity,
             'description', pg_catalog.format('%s: %s', exp.name, tt.name)) ORDER BY tt.price_minor, tt.name, tt.id)
      INTO places, items
      FROM pg_catalog.jsonb_to_recordset(p_tickets) AS l(ticket_type_id uuid, quantity integer)
      JOIN app.ticket_types tt ON tt.org_id = exp.org_id AND tt.id = l.ticket_type_id AND tt.experience_id = exp.id
                              AND tt.active
     WHERE l.quantity >= 1 AND l.quantity <= tt.per_order_max
       AND (tt.sales_start IS NULL OR tt.sales_start <= p_booked_at)
       AND (tt.sales_end IS NULL OR p_booked_at < tt.sales_end);
    IF places IS NULL OR places <> (SELECT pg_catalog.sum((l ->> 'quantity')::integer)
                                      FROM pg_catalog.jsonb_array_elements(p_tickets) l) THEN
      RAISE EXCEPTION 'some tickets cannot be sold: unknown ticket type, quantity outside 1 to its per-order '
                      'maximum, or outside its sales window' USING ERRCODE = 'PT400';
    END IF;
    IF p_party_size IS NOT NULL AND p_party_size <> places THEN
      RAISE EXCEPTION 'party size % does not match % tickets', p_party_size, places USING ERRCODE = 'PT400';
    END IF;
  END IF;

  -- Each line at the lowest unit price among the rules that apply to it; at its base price when none does.
  SELECT pg_catalog.jsonb_agg(CASE WHEN r.id IS NULL
           THEN pg_catalog.jsonb_build_object('ticket_type_id', i ->> 'ticket_type_id', 'quantity', i -> 'quantity',
                  'unit_price_minor', i -> 'base', 'price_rule_id', NULL, 'description', i ->> 'description')
           ELSE pg_catalog.jsonb_build_object('ticket_type_id', i ->> 'ticket_type_id', 'quantity', i -> 'quantity',
                  'unit_price_minor', r.unit, 'price_rule_id', r.id,
                  'description', pg_catalog.format('%s (%s)', i ->> 'description', r.name)) END ORDER BY i.n)
    INTO items
    FROM pg_catalog.jsonb_array_elements(items) WITH ORDINALITY AS i(i, n)
    LEFT JOIN LATERAL (
      SELECT pr.id, pr.name, u.unit
        FROM app.price_rules pr
       CROSS JOIN LATERAL (SELECT CASE
                 WHEN pr.percent_off IS NOT NULL
                   THEN (i ->> 'base')::bigint - private.div_round((i ->> 'base')::numeric * pr.percent_off, 100)
                 WHEN pr.amount_off_minor IS NOT NULL
                   THEN GREATEST((i ->> 'base')::bigint - pr.amount_off_minor, 0)
                 ELSE pr.replacement_price_minor END AS unit) u
       WHERE pr.org_id = exp.org_id AND pr.experience_id = exp.id AND pr.active
         AND (pr.ticket_type_id IS NULL OR pr.ticket_type_id = (i ->> 'ticket_type_id')::uuid)
         AND CASE pr.kind
               WHEN 'early_bird' THEN (pr.min_lead IS NULL OR p_starts_at - p_booked_at >= pr.min_lead)
                                      AND (pr.booked_before IS NULL OR p_booked_at < pr.booked_before)
               ELSE (pr.weekdays IS NULL OR EXTRACT(isodow FROM local_ts)::smallint = ANY (pr.weekdays))
                    AND (pr.starts_from IS NULL OR local_ts::time >= pr.starts_from)
                    AND (pr.starts_until IS NULL OR local_ts::time < pr.starts_until) END
       ORDER BY u.unit, pr.created_at, pr.id
       LIMIT 1) r ON true;
  RETURN items;
END
$function$
;

CREATE OR REPLACE FUNCTION private.queue_session_messages(p_booking app.bookings, p_due timestamp with time zone)
 RETURNS integer
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
DECLARE
  message jsonb := private.booking_message(p_booking);
  start   text := (EXTRACT(epoch FROM p_booking.starts_at))::bigint::text;
  waiver  text;
BEGIN
  IF message -> 'customer' ->> 'email' IS NULL THEN
    RETURN 0;  -- nobody to write to
  END IF;
  PERFORM private.enqueue_notification(p_booking.org_id, 'session_reminder', message -> 'customer' ->> 'email',
                                       message, 'session_reminder:' || p_booking.id || ':' || start,
                                       p_due_at => p_due, p_customer_id => p_booking.customer_id);
  SELECT t.name INTO waiver
    FROM app.experiences e JOIN app.waiver_templates t ON t.org_id = e.org_id AND t.id = e.waiver_template_id
   WHERE e.org_id = p_booking.org_id AND e.id = p_booking.experience_id;
  IF waiver IS NOT NULL THEN
    PERFORM private.enqueue_notification(p_booking.org_id, 'waiver_missing', message -> 'customer' ->> 'email',
                                         message || pg_catalog.jsonb_build_object(
                                           'waiver', pg_catalog.jsonb_build_object('name', waiver)),
                                         'waiver_missing:' || p_booking.id || ':' || start,
                                         p_due_at => p_due, p_customer_id => p_booking.customer_id);
  END IF;
  RETURN 1;
END
$function$
;

CREATE OR REPLACE FUNCTION private.report_performance(p_org_id uuid, p_from date, p_to date, p_venue_id uuid)
 RETURNS TABLE(venue_id uuid, venue_name text, experience_id uuid, experience_name text, sessions integer, sessions_sold integer, places_offered integer, places_sold integer, occupancy numeric, revenue_minor bigint, revenue_per_session_minor bigint, currency text)
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
BEGIN
  PERFORM private.report_scope(p_org_id, p_from, p_to, p_venue_id);
  RETURN QUERY
  WITH exp AS (
    SELECT e.id, e.name, e.currency, v.id AS venue_id, v.name AS venue_name,
           (p_from::timestamp AT TIME ZONE v.timezone) AS starts, ((p_to + 1)::timestamp AT TIME ZONE v.timezone) AS ends
      FROM app.experiences e JOIN app.venues v ON v.org_id = e.org_id AND v.id = e.venue_id
     WHERE e.org_id = p_org_id AND (p_venue_id IS NULL OR v.id = p_venue_id)
  ),
  offered AS (
    -- Each venue's sessions of its own local days (private.offered_sessions: the one rule of "offered").
    SELECT o.experience_id, o.starts_at, o.capacity, o.taken
      FROM app.venues v
     CROSS JOIN LATERAL private.offered_sessions(p_org_id, v.id, p_from::timestamp AT TIME ZONE v.timezone,
                                                 (p_to + 1)::timestamp AT TIME ZONE v.timezone) o
     WHERE v.org_id = p_org_id AND (p_venue_id IS NULL OR v.id = p_venue_id)
  ),
  money AS (
    -- What the sessions' bookings brought in, net of refunds, whenever it was paid.
    SELECT b.experience_id, pg_catalog.sum(o.paid_minor - o.refunded_minor)::bigint AS revenue
      FROM exp x
      JOIN app.bookings b ON b.experience_id = x.id AND b.org_id = p_org_id
      JOIN app.orders o ON o.booking_id = b.id AND o.org_id = p_org_id
     WHERE b.starts_at >= x.starts AND b.starts_at < x.ends
     GROUP BY b.experience_id
  )
  SELECT x.venue_id, x.venue_name, x.id, x.name, pg_catalog.count(f.starts_at)::integer,
         (pg_catalog.count(f.starts_at) FILTER (WHERE f.taken > 0))::integer,
         coalesce(pg_catalog.sum(f.capacity), 0)::integer, coalesce(pg_catalog.sum(f.taken), 0)::integer,
         CASE WHEN coalesce(pg_catalog.sum(f.capacity), 0) = 0 THEN NULL
              ELSE pg_catalog.round(pg_catalog.sum(f.taken)::numeric / pg_catalog.sum(f.capacity), 4) END,
         coalesce(m.revenue, 0),
         CASE WHEN pg_catalog.count(f.starts_at) = 0 THEN NULL
              ELSE pg_catalog.round(coalesce(m.revenue, 0)::numeric / pg_catalog.count(f.starts_at))::bigint END,
         x.currency::text
    FROM exp x
    LEFT JOIN offered f ON f.experience_id = x.id
    LEFT JOIN money m ON m.experience_id = x.id
   GROUP BY x.venue_id, x.venue_name, x.id, x.name, x.currency, m.revenue
  HAVING pg_catalog.count(f.starts_at) > 0 OR coalesce(m.revenue, 0) <> 0
   ORDER BY x.venue_name, x.venue_id, x.name, x.id;
END
$function$
;

CREATE OR REPLACE FUNCTION private.schedule_occurrences(p_experience_id uuid, p_from date, p_to date)
 RETURNS TABLE(starts_at timestamp with time zone, ends_at timestamp with time zone, local_start timestamp without time zone)
 LANGUAGE plpgsql
 STABLE
 SET search_path TO ''
 SET plan_cache_mode TO 'force_generic_plan'
AS $function$
-- PL/pgSQL with one generic plan, so that its queries are planned once per session, not on every call:
-- availability runs this for every request. Unordered: callers sort what they keep.
DECLARE
  tz       text;
  duration interval;
  org      uuid;
BEGIN
  SELECT v.timezone, pg_catalog.make_interval(mins => e.duration_minutes), e.org_id INTO tz, duration, org
    FROM app.experiences e JOIN app.venues v ON v.org_id = e.org_id AND v.id = e.venue_id
   WHERE e.id = p_experience_id;
  RETURN QUERY
  WITH local AS (
    -- The window's days once, each matched with the rules of its weekday.
    SELECT DISTINCT d.day, d.day + s.start_time AS local_start
      FROM (SELECT g::date AS day, pg_catalog.date_part('isodow', g)::integer AS weekday
              FROM pg_catalog.generate_series(p_from::timestamp, p_to::timestamp, interval '1 day') AS g) d
      JOIN app.schedules s ON s.org_id = org AND s.experience_id = p_experience_id AND s.weekday = d.weekday
                          AND d.day >= s.valid_from AND (s.valid_until IS NULL OR d.day <= s.valid_until)
  ), days AS MATERIALIZED (
    -- Zone lookups are what costs, so they are made per day, not per start: on a day of exactly 24 hours whose
    -- midnights both exist, no offset changes, and a start is that midnight plus its time of day. Any other day
    -- (a clock change) takes local_to_instant's careful reading, start by start.
    SELECT m.day, m.midnight,
           (m.midnight AT TIME ZONE tz) = m.day AND (m.next_midnight AT TIME ZONE tz) = m.day + 1
             AND m.next_midnight - m.midnight = interval '24 hours' AS steady
      FROM (SELECT l.day, l.day::timestamp AT TIME ZONE tz AS midnight,
                   (l.day + 1)::timestamp AT TIME ZONE tz AS next_midnight
              FROM (SELECT DISTINCT local.day FROM local) l) m
  )
  SELECT i.instant, i.instant + duration, l.local_start
    FROM local l
    JOIN days d ON d.day = l.day
   CROSS JOIN LATERAL (SELECT CASE WHEN d.steady THEN d.midnight + (l.local_start - l.day)
                                   ELSE private.local_to_instant(l.local_start, tz) END AS instant) i
   WHERE i.instant IS NOT NULL;
END
$function$
;

CREATE OR REPLACE FUNCTION private.search_experiences(p_org_id uuid, p_embed_key text, p_query text, p_venue_id uuid, p_category text, p_on_date date, p_min_price_minor integer, p_max_price_minor integer, p_include_archived boolean, p_page_size integer, p_page_offset integer)
 RETURNS SETOF app.experience_hit
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO ''
 SET "pg_trgm.word_similarity_threshold" TO '0.4'
 SET plan_cache_mode TO 'force_custom_plan'
AS $function$
-- Matching first, through the indexes (the vector's GIN, the name's trigram GIN), ranked and sorted; the filters
-- that cost a query each (offered, price, a day's availability) are read above the sort, so they run only until the
-- page is full. Planned for each call's values (a generic plan cannot tell an empty query from a word).
DECLARE
  org      uuid;
  venue    uuid;
  language regconfig;
  words    text := nullif(pg_catalog.btrim(p_query), '');
  matching tsquery;
  matched  uuid[];
BEGIN
  -- Its own check: the venue of a widget key (PT404 for any other), or staff of the organization.
  IF p_embed_key IS NOT NULL THEN
    venue := private.widget_venue(p_embed_key);
    SELECT v.org_id INTO org FROM app.venues v WHERE v.id = venue;
  ELSE
    PERFORM private.catalogue_may(p_org_id, 'staff', 'organization');
    org := p_org_id;
    venue := p_venue_id;
  END IF;
  SELECT s.search_language::regconfig INTO language FROM app.org_settings s WHERE s.org_id = org;
  language := coalesce(language, 'pg_catalog.simple'::regconfig);
  -- No words, no query (an empty one only earns a notice).
  matching := CASE WHEN words IS NOT NULL THEN pg_catalog.websearch_to_tsquery(language, words) END;

  -- Each way of matching on its own, so that each is an index scan of its GIN index: in one condition the
  -- planner costs a trigram test as cheap as an equality, and tests every experience of a big tenant in turn.
  IF words IS NOT NULL THEN
    matched := ARRAY(SELECT e.id FROM app.experiences e WHERE e.search_vector @@ matching
                     UNION
                     SELECT e.id FROM app.experiences e WHERE e.name OPERATOR(extensions.%>) words);
  END IF;

  RETURN QUERY
  WITH hit AS (
    -- Narrow rows: what ranks and filters them; the rest is read for the page's rows only.
    SELECT e.id, e.name, e.kind, CASE WHEN words IS NULL THEN 0::real
                                      ELSE pg_catalog.ts_rank(e.search_vector, matching)
                                           + extensions.word_similarity(words, e.name) END AS score
      FROM app.experiences e
     WHERE e.org_id = org
       AND (words IS NULL OR e.id = ANY (matched))
       AND (venue IS NULL OR e.venue_id = venue)
       AND (p_category IS NULL OR pg_catalog.lower(e.category) = pg_catalog.lower(pg_catalog.btrim(p_category)))
       AND (e.archived_at IS NULL OR (p_include_archived AND p_embed_key IS NULL))
  ), page AS (
    SELECT r.id, r.name, r.score, p.price
      -- OFFSET 0 keeps the filters below out of the sorted list: pushed into it, they would run on every hit.
      FROM (SELECT h.* FROM hit h ORDER BY h.score DESC, h.name, h.id OFFSET 0) r
      CROSS JOIN LATERAL (SELECT private.experience_from_price(org, r.id, r.kind) AS price) p
     WHERE (p_embed_key IS NULL OR private.is_offered(r.id))
       AND (p_min_price_minor IS NULL OR p.price >= p_min_price_minor)
       AND (p_max_price_minor IS NULL OR p.price <= p_max_price_minor)
       -- A session that day comes from a weekly rule of its weekday or is a dated one (starting within two days
       -- of it in UTC, wider than any zone's offset): two index probes rule out the experiences that have
       -- neither before availability reads the day (a CASE, so that the order is kept).
       AND (p_on_date IS NULL OR CASE WHEN
             (EXISTS (SELECT FROM app.schedules s
                       WHERE s.org_id = org AND s.experience_id = r.id
                         AND s.weekday = pg_catalog.date_part('isodow', p_on_date) AND s.valid_from <= p_on_date
                         AND (s.valid_until IS NULL OR p_on_date <= s.valid_until))
              OR EXISTS (SELECT FROM app.slots sl
                          WHERE sl.org_id = org AND sl.experience_id = r.id
                            AND sl.starts_at >= (p_on_date - 2)::timestamp AT TIME ZONE 'UTC'
                            AND sl.starts_at < (p_on_date + 2)::timestamp AT TIME ZONE 'UTC'))
             THEN EXISTS (SELECT FROM private.availability(r.id, p_on_date, p_on_date, NULL, p_embed_key) a
                           WHERE a.remaining > 0)
             ELSE false END)
     LIMIT p_page_size OFFSET p_page_offset
  )
  SELECT e.id, e.venue_id, e.kind, e.name, e.category, e.description, e.duration_minutes, e.min_party, e.max_party,
         e.currency::text, g.price, private.is_offered(e.id), e.archived_at, g.score
    FROM page g JOIN app.experiences e ON e.org_id = org AND e.id = g.id
   ORDER BY g.score DESC, g.name, g.id;
END
$function$
;

CREATE OR REPLACE FUNCTION private.session_id(p_experience_id uuid, p_starts_at timestamp with time zone)
 RETURNS uuid
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
BEGIN
  RETURN (SELECT s.id FROM app.slots s
            JOIN app.experiences e ON e.org_id = s.org_id AND e.id = s.experience_id
           WHERE s.experience_id = p_experience_id AND s.starts_at = p_starts_at
             AND e.org_id = ANY (private.org_ids('staff')));
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
  orgs     uuid[];
BEGIN
  PERFORM private.impact_scope(p_experience_ids);
  orgs := ARRAY(SELECT DISTINCT e.org_id FROM app.experiences e WHERE e.id = ANY (p_experience_ids));
  -- Holds that ran out give back what they held first: they are nobody's to keep.
  UPDATE app.bookings x SET status = 'expired'
   WHERE x.experience_id = ANY (p_experience_ids) AND x.status = 'pending' AND x.hold_expires_at <= pg_catalog.now();

  FOR exp IN SELECT e.* FROM app.experiences e WHERE e.id = ANY (p_experience_ids) ORDER BY e.id LOOP
    -- Quotas: a session keeps room for the tickets it sold (quota = greatest(new, taken)).
    DELETE FROM app.slot_ticket_counts c
     USING app.ticket_types tt, app.slots s
     WHERE c.org_id = exp.org_id AND tt.org_id = exp.org_id AND s.org_id = exp.org_id
       AND tt.id = c.ticket_type_id AND tt.experience_id = exp.id AND tt.quota IS NULL
       AND s.id = c.slot_id AND s.starts_at > pg_catalog.now();
    UPDATE app.slot_ticket_counts c SET quota = GREATEST(tt.quota, c.taken)
      FROM app.ticket_types tt, app.slots s
     WHERE c.org_id = exp.org_id AND tt.org_id = exp.org_id AND s.org_id = exp.org_id
       AND tt.id = c.ticket_type_id AND tt.experience_id = exp.id AND tt.quota IS NOT NULL
       AND s.id = c.slot_id AND s.starts_at > pg_catalog.now();
    -- A type that had no quota of its own had no counter: count what its live bookings hold.
    INSERT INTO app.slot_ticket_counts (org_id, slot_id, ticket_type_id, quota, taken)
    SELECT exp.org_id, s.id, tt.id, GREATEST(tt.quota, sold.n), sold.n
      FROM app.ticket_types tt
      JOIN app.slots s ON s.org_id = tt.org_id AND s.experience_id = exp.id AND s.starts_at > pg_catalog.now()
      CROSS JOIN LATERAL (SELECT coalesce(pg_catalog.sum(bt.quantity), 0)::integer AS n
                            FROM app.booking_tickets bt
                            JOIN app.bookings x ON x.org_id = bt.org_id AND x.id = bt.booking_id
                           WHERE x.org_id = s.org_id AND x.slot_id = s.id AND bt.ticket_type_id = tt.id
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
    JOIN app.bookings x ON x.org_id = ANY (orgs) AND x.id = p.booking_id
    JOIN app.customers c ON c.org_id = x.org_id AND c.id = x.customer_id
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

CREATE OR REPLACE FUNCTION private.shifts_keep_sessions()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
DECLARE
  session text;
BEGIN
  -- A shift deleted by a cascade (its venue, organization or account deleted) takes the assignments with it: the
  -- same cascade deletes their sessions or their person.
  IF TG_OP = 'DELETE' AND pg_catalog.pg_trigger_depth() > 1 THEN
    RETURN NULL;
  END IF;
  SELECT u.session INTO session
    FROM (SELECT private.uncovered_session(ss.slot_id, ss.user_id) AS session, s.starts_at
            FROM app.session_staff ss
            JOIN app.slots s ON s.org_id = ss.org_id AND s.id = ss.slot_id
           WHERE ss.org_id = OLD.org_id AND ss.user_id = OLD.user_id
             AND OLD.during @> pg_catalog.tstzrange(s.starts_at, s.ends_at)) u
   WHERE u.session IS NOT NULL
   ORDER BY u.starts_at
   LIMIT 1;
  IF session IS NOT NULL THEN
    RAISE EXCEPTION 'this shift cannot change: that person runs % in it', session
      USING ERRCODE = 'PT409', DETAIL = 'not_on_shift',
            HINT = 'unassign them from the session first (api.unassign_session_staff)';
  END IF;
  RETURN NULL;
END
$function$
;

CREATE OR REPLACE FUNCTION private.uncovered_session(p_slot_id uuid, p_user_id uuid)
 RETURNS text
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
DECLARE
  session record;
BEGIN
  SELECT s.org_id, s.starts_at, s.ends_at, e.venue_id, e.name, v.timezone INTO session
    FROM app.slots s
    JOIN app.experiences e ON e.org_id = s.org_id AND e.id = s.experience_id
    JOIN app.venues v ON v.org_id = e.org_id AND v.id = e.venue_id
   WHERE s.id = p_slot_id;
  -- FOR SHARE: a concurrent edit of the covering shift waits for this transaction and then sees its assignment,
  -- and this check, waiting for that edit, reads the shift as it was left.
  PERFORM FROM app.shifts sh
    WHERE sh.org_id = session.org_id AND sh.user_id = p_user_id AND sh.venue_id = session.venue_id
      AND sh.during @> pg_catalog.tstzrange(session.starts_at, session.ends_at)
    FOR SHARE;
  IF FOUND THEN
    RETURN NULL;
  END IF;
  RETURN pg_catalog.format('%s at %s on %s', session.name,
                           pg_catalog.to_char(session.starts_at AT TIME ZONE session.timezone, 'HH24:MI'),
                           pg_catalog.to_char(session.starts_at AT TIME ZONE session.timezone, 'YYYY-MM-DD'));
END
$function$
;

CREATE OR REPLACE FUNCTION private.waitlist_offer_data(p_entry app.waitlist_entries, p_booking app.bookings, p_token text)
 RETURNS jsonb
 LANGUAGE sql
 STABLE
 SET search_path TO ''
AS $function$
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
$function$
;

CREATE OR REPLACE FUNCTION private.waiver_signatures_fill()
 RETURNS trigger
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
DECLARE
  b app.bookings;
  e app.experiences;
  v app.venues;
  now_version app.waiver_versions;
  session_date date;
  adult_if_born_by date;
  taken integer;
  headers jsonb := nullif(pg_catalog.current_setting('request.headers', true), '')::jsonb;
  forwarded text := pg_catalog.split_part(headers ->> 'x-forwarded-for', ',', 1);
BEGIN
  -- One signer at a time per booking (and against check-ins, which take the same lock), so that the count of
  -- places below cannot be raced past. A place is a participant: one of party_size, one ticket each (a private
  -- session's booking takes one place of its slot, bookings.places, for a whole party).
  SELECT * INTO b FROM app.bookings WHERE id = NEW.booking_id AND org_id = NEW.org_id FOR NO KEY UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'booking not found' USING ERRCODE = 'PT404';
  END IF;
  IF NOT (b.status = 'confirmed' OR (b.status = 'pending' AND b.hold_expires_at > pg_catalog.now()))
     OR b.ends_at <= pg_catalog.now() THEN
    RAISE EXCEPTION 'this booking can no longer be signed for (it is %, or its session is over)', b.status
      USING ERRCODE = 'PT409', DETAIL = 'booking_closed';
  END IF;
  SELECT * INTO e FROM app.experiences WHERE id = b.experience_id;
  SELECT * INTO v FROM app.venues WHERE id = e.venue_id;
  IF e.waiver_template_id IS NULL THEN
    RAISE EXCEPTION 'this booking''s experience asks for no waiver' USING ERRCODE = 'PT409', DETAIL = 'no_waiver';
  END IF;

  -- The signer signs the current wording, and says which by its hash: anything else was not what they read.
  SELECT * INTO now_version FROM app.waiver_versions
   WHERE template_id = e.waiver_template_id ORDER BY version DESC LIMIT 1;
  IF NEW.version_id IS DISTINCT FROM now_version.id OR NEW.text_sha256 IS DISTINCT FROM now_version.body_sha256 THEN
    RAISE EXCEPTION 'the waiver''s text has changed since it was shown: read it again and sign the current version'
      USING ERRCODE = 'PT409', DETAIL = 'waiver_changed',
            HINT = pg_catalog.format('the current version is %s, with SHA-256 %s', now_version.version,
                                     now_version.body_sha256);
  END IF;

  SELECT pg_catalog.count(*) INTO taken
    FROM app.waiver_signatures s JOIN app.waiver_versions wv ON wv.org_id = s.org_id AND wv.id = s.version_id
   WHERE s.org_id = b.org_id AND s.booking_id = b.id AND wv.template_id = e.waiver_template_id;
  IF taken >= b.party_size THEN
    RAISE EXCEPTION 'every place of this booking has signed the waiver (% of %)', taken, b.party_size
      USING ERRCODE = 'PT409', DETAIL = 'all_signed';
  END IF;

  -- A minor: under the venue's age of majority on the session's date where the venue is. Subtracting years from
  -- that date puts a 29 February birthday on 1 March in other years.
  session_date := (b.starts_at AT TIME ZONE v.timezone)::date;
  adult_if_born_by := (session_date - pg_catalog.make_interval(years => v.age_of_majority))::date;
  IF NEW.date_of_birth > session_date THEN
    RAISE EXCEPTION 'date_of_birth % is after the session''s date, %', NEW.date_of_birth, session_date
      USING ERRCODE = 'PT400', DETAIL = 'invalid';
  END IF;
  NEW.minor := NEW.date_of_birth > adult_if_born_by;
  IF NEW.minor AND (NEW.guardian_name IS NULL OR NEW.guardian_signature IS NULL) THEN
    RAISE EXCEPTION 'a participant under % on the session''s date signs with a parent or guardian',
      v.age_of_majority USING ERRCODE = 'PT400', DETAIL = 'guardian_required',
      HINT = 'send guardian_name and guardian_signature';
  ELSIF NOT NEW.minor THEN
    NEW.guardian_name := NULL;  -- an adult signs alone
    NEW.guardian_signature := NULL;
  END IF;

  -- Where it was signed from, read from the request as the audit trigger reads it.
  NEW.client_ip := private.parse_inet(coalesce(nullif(pg_catalog.btrim(forwarded), ''), headers ->> 'x-real-ip'));
  NEW.user_agent := pg_catalog.left(headers ->> 'user-agent', 1000);
  NEW.signed_at := pg_catalog.now();
  RETURN NEW;
END
$function$
;
REVOKE ALL ON FUNCTION private.availability(uuid,date,date,integer,text) FROM PUBLIC, authenticated, service_role;
GRANT EXECUTE ON FUNCTION private.availability(uuid,date,date,integer,text) TO authenticated;
GRANT EXECUTE ON FUNCTION private.availability(uuid,date,date,integer,text) TO service_role;
COMMENT ON FUNCTION private.availability(uuid,date,date,integer,text) IS 'Bookable starts of an experience between two venue-local dates for a party (NULL: its smallest): remaining
capacity (groups for a private session, places for a ticketed event) and the price for that party. Its own check:
staff of the experience''s organization (or service_role) without a key, or the venue''s embed key; anyone else
gets no rows. PT400 for a window over 367 days or reversed, and for a party outside a private session''s limits.';
REVOKE ALL ON FUNCTION private.bookable_slot(app.experiences,timestamp with time zone) FROM PUBLIC;
COMMENT ON FUNCTION private.bookable_slot(app.experiences,timestamp with time zone) IS 'The slot a booking may take at a start: a scheduled (or existing) session, within the notice and advance windows,
outside closures, inside opening hours; created on first use, with run-out holds on it and its rooms marked
expired. PT400 says which rule refuses. Used by place_booking and reschedule, which run it with their rights.';
REVOKE ALL ON FUNCTION private.booking_by_pair(text,text) FROM PUBLIC;
COMMENT ON FUNCTION private.booking_by_pair(text,text) IS 'The booking with this confirmation code (any case) booked with this e-mail (any case), or NULL. For the definers
that take the pair as their caller''s capability, after private.lookup_subjects.';
REVOKE ALL ON FUNCTION private.booking_message(app.bookings) FROM PUBLIC;
COMMENT ON FUNCTION private.booking_message(app.bookings) IS 'The data every message about booking p_booking carries: {timezone (the venue''s), currency, booking {id, code,
starts_at, ends_at, party_size, status, price_minor}, experience {id, name}, venue {id, name, timezone, address},
customer {id, name, email}, org {id, name}}, as the booking kinds'' sample data shows it. For the definers and
triggers that queue such messages.';
REVOKE ALL ON FUNCTION private.booking_tickets_sync() FROM PUBLIC;
COMMENT ON FUNCTION private.booking_tickets_sync() IS 'Trigger: counts a new ticket line of a live booking against its ticket type''s quota in the slot.';
REVOKE ALL ON FUNCTION private.bookings_sync() FROM PUBLIC;
COMMENT ON FUNCTION private.bookings_sync() IS 'Trigger: keeps slot counters, ticket-type counters and resource claims equal to what live bookings hold. Its own
check is the tables'' constraints; it is a definer so that nobody else needs write access to counters.';
REVOKE ALL ON FUNCTION private.bookings_waitlist() FROM PUBLIC;
COMMENT ON FUNCTION private.bookings_waitlist() IS 'Trigger on app.bookings (after its status, session or places change): an offer''s hold that ends unaccepted
expires its entry (one confirmed makes it booked); a live booking that ends, moves or shrinks offers the places it
freed to its session''s waitlist (private.offer_waitlist), in the same transaction.';
REVOKE ALL ON FUNCTION private.checkouts_to_expire(integer) FROM PUBLIC, service_role;
GRANT EXECUTE ON FUNCTION private.checkouts_to_expire(integer) TO service_role;
COMMENT ON FUNCTION private.checkouts_to_expire(integer) IS 'Open checkouts to expire at their providers (api.checkouts_to_expire). Its own check: service_role.';
REVOKE ALL ON FUNCTION private.count_tickets(uuid,uuid,uuid,integer) FROM PUBLIC;
COMMENT ON FUNCTION private.count_tickets(uuid,uuid,uuid,integer) IS 'Adds (p_sign = 1) or removes (-1) a booking''s ticket lines to the per-slot ticket-type counters.';
REVOKE ALL ON FUNCTION private.create_order(uuid,text,integer,text,text) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION private.create_order(uuid,text,integer,text,text) TO anon;
GRANT EXECUTE ON FUNCTION private.create_order(uuid,text,integer,text,text) TO authenticated;
COMMENT ON FUNCTION private.create_order(uuid,text,integer,text,text) IS 'The work of api.create_order, which checked the arguments; its own check is private.may_order (else PT404). Prices
the booking with private.price_lines at the time it was booked and private.price_cart, takes the promo code''s use
under its counters'' CHECKs, and writes the order and its lines.';
REVOKE ALL ON FUNCTION private.create_refund(uuid,app.payments,bigint,text,text,uuid,text) FROM PUBLIC;
COMMENT ON FUNCTION private.create_refund(uuid,app.payments,bigint,text,text,uuid,text) IS 'Records a refund of p_amount_minor from one payment and counts it against the order (PT409-free: the caller checked
the amount; the CHECK orders_refunds_within_paid is the last word). A provider refund waits as requested for the
service (NOTIFY tessera_refunds, payload the refund id); an offline refund and an external one are settled at once.
A late-payment refund queues its late_payment_refund e-mail. Internal.';
REVOKE ALL ON FUNCTION private.customer_row_ids(app.customers) FROM PUBLIC;
COMMENT ON FUNCTION private.customer_row_ids(app.customers) IS 'The ids (as text) of the customer''s row and of every row about them: bookings, orders, notes, waiver
signatures, waitlist entries, message preferences, and leads, partners and outbox rows under their address.';
REVOKE ALL ON FUNCTION private.drop_future_staff_work(uuid,uuid) FROM PUBLIC;
COMMENT ON FUNCTION private.drop_future_staff_work(uuid,uuid) IS 'What a person leaving an organization leaves behind: deletes their assignments to sessions that have not started
and their shifts that have not started, and ends an open time entry now (recorded as a correction, reason "left
the organization"); worked time, past shifts and the shift they are on stay. Answers the counts:
{session_assignments, shifts, time_entries_closed}. Runs by itself when a membership is deleted (trigger
memberships_staff_work), whichever path deletes it; a definer may call it first for the counts (the trigger then
finds nothing). Granted to no API role.';
REVOKE ALL ON FUNCTION private.due_refunds(integer) FROM PUBLIC, service_role;
GRANT EXECUTE ON FUNCTION private.due_refunds(integer) TO service_role;
COMMENT ON FUNCTION private.due_refunds(integer) IS 'Claims refunds to execute (api.due_refunds). Its own check: service_role.';
REVOKE ALL ON FUNCTION private.erase_customer(uuid,uuid) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION private.erase_customer(uuid,uuid) TO authenticated;
COMMENT ON FUNCTION private.erase_customer(uuid,uuid) IS 'The body of api.erase_customer: checks the caller (private.privacy_customer) and anonymises the person
everywhere in one transaction, redacting the audit log last (private.audit_redact).';
REVOKE ALL ON FUNCTION private.export_customer(uuid,uuid) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION private.export_customer(uuid,uuid) TO authenticated;
COMMENT ON FUNCTION private.export_customer(uuid,uuid) IS 'The body of api.export_customer: checks the caller (private.privacy_customer), builds the document, records the
export in the privacy log.';
REVOKE ALL ON FUNCTION private.get_customer(uuid,uuid) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION private.get_customer(uuid,uuid) TO authenticated;
COMMENT ON FUNCTION private.get_customer(uuid,uuid) IS 'The customer page of api.get_customer, for staff of the organization: PT404 for anyone else and for a customer the
organization does not have.';
REVOKE ALL ON FUNCTION private.get_customer_segments(uuid) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION private.get_customer_segments(uuid) TO authenticated;
COMMENT ON FUNCTION private.get_customer_segments(uuid) IS 'The segment summary of api.get_customer_segments, for staff of the organization; PT404 for anyone else.';
REVOKE ALL ON FUNCTION private.get_tickets(text,text) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION private.get_tickets(text,text) TO anon;
GRANT EXECUTE ON FUNCTION private.get_tickets(text,text) TO authenticated;
COMMENT ON FUNCTION private.get_tickets(text,text) IS 'The bookings (in practice one) with this confirmation code whose customer has this e-mail, with their tickets; or
the not-found answer, counted for the rate limit. Its own check: the pair itself.';
REVOKE ALL ON FUNCTION private.is_offered(uuid) FROM PUBLIC, anon, authenticated, service_role;
GRANT EXECUTE ON FUNCTION private.is_offered(uuid) TO anon;
GRANT EXECUTE ON FUNCTION private.is_offered(uuid) TO authenticated;
GRANT EXECUTE ON FUNCTION private.is_offered(uuid) TO service_role;
COMMENT ON FUNCTION private.is_offered(uuid) IS 'True when an experience may be sold: active (so not archived), its venue not archived, and none of its rooms
inactive or archived. Read by availability, the widget, quotes and place_booking (definers, as their owner).';
REVOKE ALL ON FUNCTION private.join_waitlist(text,uuid,timestamp with time zone,integer,text,text,text,boolean) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION private.join_waitlist(text,uuid,timestamp with time zone,integer,text,text,text,boolean) TO anon;
GRANT EXECUTE ON FUNCTION private.join_waitlist(text,uuid,timestamp with time zone,integer,text,text,text,boolean) TO authenticated;
COMMENT ON FUNCTION private.join_waitlist(text,uuid,timestamp with time zone,integer,text,text,text,boolean) IS 'Puts a customer on the waitlist of a session sold out for their party, for api.join_waitlist (which checked each
argument''s shape). Its own check: the experience is on offer at the venue of the embed key. Answers the entry with
its token, made here and stored as its SHA-256 only.';
REVOKE ALL ON FUNCTION private.list_customers(uuid,text,text,text,integer) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION private.list_customers(uuid,text,text,text,integer) TO authenticated;
COMMENT ON FUNCTION private.list_customers(uuid,text,text,text,integer) IS 'One page of api.list_customers (which checked the arguments and decoded its cursor into p_after, an e-mail key),
for staff of the organization; PT404 for anyone else.';
REVOKE ALL ON FUNCTION private.may_order(app.bookings,text,text) FROM PUBLIC;
COMMENT ON FUNCTION private.may_order(app.bookings,text,text) IS 'Whether the caller may make or cancel the order of a booking: staff of its organization; the signed-in user whose
e-mail is the booking customer''s; or, with the embed key of the booking''s venue, whoever also gives the
customer''s e-mail. Definers only.';
REVOKE ALL ON FUNCTION private.order_answer(uuid) FROM PUBLIC;
COMMENT ON FUNCTION private.order_answer(uuid) IS 'An order as create_order and cancel_order answer it: its fields, the promo code it used (or null) and its lines,
amounts as integers in minor units. Definers only.';
REVOKE ALL ON FUNCTION private.orders_to_reconcile(integer) FROM PUBLIC, service_role;
GRANT EXECUTE ON FUNCTION private.orders_to_reconcile(integer) TO service_role;
COMMENT ON FUNCTION private.orders_to_reconcile(integer) IS 'Checkouts to poll at their providers (api.orders_to_reconcile). Its own check: service_role.';
REVOKE ALL ON FUNCTION private.price_lines(app.experiences,timestamp with time zone,integer,jsonb,timestamp with time zone) FROM PUBLIC;
COMMENT ON FUNCTION private.price_lines(app.experiences,timestamp with time zone,integer,jsonb,timestamp with time zone) IS 'The one price of a booking, before promo codes, points and VAT, as item lines [{description, ticket_type_id,
quantity, unit_price_minor, price_rule_id}] for private.price_cart: a private session is one line (the party at the
person price of its tier, or one group at the group price), a ticketed event one line per ticket type asked for,
cheapest first (then by name), so a booking''s order lists them as its quote did whatever order they were asked in. A
line''s unit price is its base price, or when price rules of the experience apply (early-bird: booked p_booked_at at
least min_lead before the start and/or before booked_before; time-based: the start''s venue-local ISO weekday and
time of day), the lowest unit price any of them gives (ties: the older rule), whose name the line''s description then
carries. The sum of the amounts is the booking''s price_minor. PT400 as place_booking says: a party outside the
experience''s limits, no price for the party, tickets unknown, outside their per-order maximum or sales window at
p_booked_at, or a party size that does not match them. Runs with its caller''s rights (definers only).';
REVOKE ALL ON FUNCTION private.queue_session_messages(app.bookings,timestamp with time zone) FROM PUBLIC;
COMMENT ON FUNCTION private.queue_session_messages(app.bookings,timestamp with time zone) IS 'Queues what booking p_booking''s coming session needs when its reminder time p_due has come, for its start as it
is now: the session_reminder e-mail, and waiver_missing when the experience asks for a waiver, both due at p_due;
once per booking and start (dedupe keys). Answers 1, or 0 when the customer has no e-mail address. For
private.queue_due_reminders.';
REVOKE ALL ON FUNCTION private.report_performance(uuid,date,date,uuid) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION private.report_performance(uuid,date,date,uuid) TO authenticated;
COMMENT ON FUNCTION private.report_performance(uuid,date,date,uuid) IS 'Per-experience performance for api.report_experience_performance and api.report_venue_performance, after
private.report_scope.';
REVOKE ALL ON FUNCTION private.schedule_occurrences(uuid,date,date) FROM PUBLIC, authenticated, service_role;
GRANT EXECUTE ON FUNCTION private.schedule_occurrences(uuid,date,date) TO authenticated;
GRANT EXECUTE ON FUNCTION private.schedule_occurrences(uuid,date,date) TO service_role;
COMMENT ON FUNCTION private.schedule_occurrences(uuid,date,date) IS 'Every scheduled start of an experience between two venue-local dates (inclusive), in no particular order: UTC
start and end, and the venue-local start. Reads through the caller''s row-level security.';
REVOKE ALL ON FUNCTION private.search_experiences(uuid,text,text,uuid,text,date,integer,integer,boolean,integer,integer) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION private.search_experiences(uuid,text,text,uuid,text,date,integer,integer,boolean,integer,integer) TO anon;
GRANT EXECUTE ON FUNCTION private.search_experiences(uuid,text,text,uuid,text,date,integer,integer,boolean,integer,integer) TO authenticated;
COMMENT ON FUNCTION private.search_experiences(uuid,text,text,uuid,text,date,integer,integer,boolean,integer,integer) IS 'Search of one organization''s experiences for api.search_experiences (staff: p_org_id) and
api.widget_search_experiences (the public: p_embed_key, its venue''s offered experiences only), which checked the
arguments. Its own check: the widget key''s venue (PT404 otherwise), or staff of p_org_id (PT404/PT403 as
private.catalogue_may).';
REVOKE ALL ON FUNCTION private.session_id(uuid,timestamp with time zone) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION private.session_id(uuid,timestamp with time zone) TO authenticated;
COMMENT ON FUNCTION private.session_id(uuid,timestamp with time zone) IS 'The id of the session (slot) of an experience at a start, when it exists and the caller is staff of its
organization; NULL otherwise.';
REVOKE ALL ON FUNCTION private.settle_impact(uuid[],jsonb,boolean) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION private.settle_impact(uuid[],jsonb,boolean) TO authenticated;
COMMENT ON FUNCTION private.settle_impact(uuid[],jsonb,boolean) IS 'After a catalogue change to the experiences listed: brings their future sessions in line (ends, capacities and
quotas, never below what is sold; room claims, keeping an old one where the new one would collide; the bookings
themselves keep the times they were sold with, and their tickets), then lists
the bookings private.booking_problems finds now and did not find in p_before. Without p_force and with any such
booking: PT409 bookings_affected, MESSAGE naming up to 10 codes, HINT the list as JSON (the caller''s statement
rolls back: nothing written). Answers the list, each {booking_id, confirmation_code, starts_at, status,
party_size, customer_name, customer_email, problem}, by start. Its own check: the caller manages them all.';
REVOKE ALL ON FUNCTION private.shifts_keep_sessions() FROM PUBLIC;
COMMENT ON FUNCTION private.shifts_keep_sessions() IS 'Trigger on app.shifts (after update or delete): every session the shift covered and its person runs is still
covered by a shift of theirs at its venue, or PT409 not_on_shift naming the session.';
REVOKE ALL ON FUNCTION private.uncovered_session(uuid,uuid) FROM PUBLIC;
COMMENT ON FUNCTION private.uncovered_session(uuid,uuid) IS 'NULL when one shift of p_user_id at the venue of session (slot) p_slot_id covers it from start to end (the shift
is locked FOR SHARE until the transaction ends); otherwise the session in words ("The Vault at 19:00 on
2026-12-12", venue-local), for the refusal. For the staff triggers.';
REVOKE ALL ON FUNCTION private.waitlist_offer_data(app.waitlist_entries,app.bookings,text) FROM PUBLIC;
COMMENT ON FUNCTION private.waitlist_offer_data(app.waitlist_entries,app.bookings,text) IS 'The data of a waitlist_offer message: timezone, currency, booking {id, code, starts_at, ends_at, party_size,
status, price_minor}, experience {id, name}, venue {id, name, timezone}, customer {name}, org {name}, offer
{expires_at, number} and token (the offer''s accept token, for api.accept_waitlist_offer).';
REVOKE ALL ON FUNCTION private.waiver_signatures_fill() FROM PUBLIC;
COMMENT ON FUNCTION private.waiver_signatures_fill() IS 'Trigger: a signature is of a live booking (pending with its hold, or confirmed; session not over: else PT409
booking_closed) whose experience asks for a waiver (PT409 no_waiver), of its template''s current version with that
version''s hash (PT409 waiver_changed), one per participant (party_size; PT409 all_signed, serialized by a lock on
the booking). Sets minor (under the venue''s age_of_majority on the session''s venue-local date), requires a guardian
for a minor (PT400 guardian_required) and drops one for an adult, and sets signed_at, client_ip and user_agent
from the request headers.';

COMMIT;
