-- Revert tessera:catalogue_manage from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

drop function if exists "api"."add_venue_closure"(venue_id uuid, starts_at timestamp with time zone, ends_at timestamp with time zone, reason text, force boolean);

drop function if exists "api"."archive_experience"(experience_id uuid, force boolean);

drop function if exists "api"."archive_resource"(resource_id uuid, force boolean);

drop function if exists "api"."archive_ticket_type"(ticket_type_id uuid, force boolean);

drop function if exists "api"."archive_venue"(venue_id uuid, force boolean);

drop function if exists "api"."create_experience"(venue_id uuid, kind text, name text, duration_minutes integer, max_party integer, min_party integer, capacity integer, buffer_minutes integer, pricing_mode text, currency text, description text, category text, image_urls text[], min_notice interval, max_advance interval, hold_minutes integer, requires_payment boolean, full_refund_before interval, late_refund_percent integer);

drop function if exists "api"."create_price_tier"(experience_id uuid, min_party integer, max_party integer, price_minor bigint);

drop function if exists "api"."create_resource"(venue_id uuid, name text, kind text);

drop function if exists "api"."create_ticket_type"(experience_id uuid, name text, price_minor bigint, quota integer, sales_start timestamp with time zone, sales_end timestamp with time zone, per_order_max integer);

drop function if exists "api"."create_venue"(org_id uuid, name text, timezone text, address_line text, city text, postal_code text, country_code text);

drop function if exists "api"."delete_price_tier"(price_tier_id uuid);

drop function if exists "api"."get_catalogue"(org_id uuid, include_archived boolean);

drop function if exists "api"."remove_venue_closure"(closure_id uuid);

drop function if exists "api"."restore_experience"(experience_id uuid);

drop function if exists "api"."restore_resource"(resource_id uuid);

drop function if exists "api"."restore_ticket_type"(ticket_type_id uuid);

drop function if exists "api"."restore_venue"(venue_id uuid);

drop function if exists "api"."set_experience_resources"(experience_id uuid, resource_ids uuid[], force boolean);

drop function if exists "api"."set_venue_hours"(venue_id uuid, hours jsonb, force boolean);

drop function if exists "api"."set_weekly_schedule"(experience_id uuid, rules jsonb, force boolean);

drop function if exists "api"."update_experience"(experience_id uuid, changes jsonb, force boolean);

drop function if exists "api"."update_price_tier"(price_tier_id uuid, changes jsonb);

drop function if exists "api"."update_resource"(resource_id uuid, changes jsonb);

drop function if exists "api"."update_ticket_type"(ticket_type_id uuid, changes jsonb, force boolean);

drop function if exists "api"."update_venue"(venue_id uuid, changes jsonb, force boolean);

drop function if exists "private"."booking_problems"(p_experience_ids uuid[]);

drop function if exists "private"."catalogue_may"(p_org_id uuid, p_role app.member_role, p_what text);

drop function if exists "private"."clock_arg"(p_name text, p_line jsonb, p_key text);

drop function if exists "private"."image_urls_arg"(p_name text, p_value text[]);

drop function if exists "private"."impact_scope"(p_experience_ids uuid[]);

drop function if exists "private"."is_offered"(p_experience_id uuid);

drop function if exists "private"."org_currency"(p_org_id uuid);

drop function if exists "private"."rows_arg"(p_name text, p_value jsonb, p_keys text[], p_required text[], p_max integer);

drop function if exists "private"."set_archived"(p_table regclass, p_id uuid, p_archived boolean);

drop function if exists "private"."settle_impact"(p_experience_ids uuid[], p_before jsonb, p_force boolean);

drop function if exists "private"."weekday_arg"(p_name text, p_line jsonb);

drop function if exists "private"."write_row"(p_table regclass, p_row jsonb);

SET LOCAL check_function_bodies = off;

CREATE OR REPLACE FUNCTION api.rotate_embed_key(venue_id uuid)
 RETURNS text
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
DECLARE
  fresh text;
BEGIN
  UPDATE app.venues v SET embed_key = private.new_embed_key()
   WHERE v.id = rotate_embed_key.venue_id
  RETURNING v.embed_key INTO fresh;
  IF fresh IS NULL THEN
    RAISE EXCEPTION 'venue not found' USING ERRCODE = 'PT404',
      HINT = 'the venue does not exist, or you are not a manager of its organization';
  END IF;
  RETURN fresh;
END
$function$
;

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
   WHERE e.id = p_experience_id AND e.active
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
                  JOIN app.booking_resources br ON br.resource_id = er.resource_id AND br.during && reach
                 WHERE er.experience_id = exp.id
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
  lines      jsonb;
  scope      text;
  fingerprint text;
  constraint_name text;
BEGIN
  -- The callers checked each argument's shape; what must be there is checked first.
  IF p_email IS NULL THEN
    RAISE EXCEPTION 'customer_email is required' USING ERRCODE = 'PT400', DETAIL = 'required';
  END IF;
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
$function$
;

CREATE OR REPLACE FUNCTION private.quote(p_experience_id uuid, p_starts_at timestamp with time zone, p_party_size integer, p_tickets jsonb, p_promo_code text, p_redeem_points integer, p_embed_key text, p_customer_email text)
 RETURNS jsonb
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
DECLARE
  exp       app.experiences;
  settings  app.org_settings;
  customer  uuid;
  checked   record;
  promo     app.promo_codes;
  valid     boolean;
  reason    text;
  priced    jsonb;
BEGIN
  SELECT e.* INTO exp FROM app.experiences e WHERE e.id = p_experience_id AND e.active;
  IF exp.id IS NULL
     OR (p_embed_key IS NULL AND NOT exp.org_id = ANY (private.org_ids('staff')))
     OR (p_embed_key IS NOT NULL AND p_embed_key IS DISTINCT FROM
           (SELECT v.embed_key FROM app.venues v WHERE v.id = exp.venue_id)) THEN
    RAISE EXCEPTION 'experience not found' USING ERRCODE = 'PT404';
  END IF;
  IF p_starts_at IS NULL THEN
    RAISE EXCEPTION 'starts_at is required' USING ERRCODE = 'PT400', DETAIL = 'required';
  END IF;
  SELECT s.* INTO settings FROM app.org_settings s WHERE s.org_id = exp.org_id;
  PERFORM private.points_arg(settings, p_redeem_points);
  IF p_promo_code IS NOT NULL THEN
    SELECT c.id INTO customer FROM app.customers c
     WHERE c.org_id = exp.org_id AND c.email_key = pg_catalog.lower(pg_catalog.btrim(p_customer_email));
    SELECT * INTO checked
      FROM private.promo_check(exp.org_id, p_promo_code, exp.id, exp.currency, customer, pg_catalog.now());
    valid := checked.valid;
    reason := checked.reason;
    IF valid THEN
      promo := checked.promo;
    END IF;
  END IF;
  -- The points are priced, not checked against anyone's balance: a quote tells nobody what a customer holds.
  priced := private.price_cart(
    private.price_lines(exp, p_starts_at, p_party_size, p_tickets, pg_catalog.now()),
    settings.vat_rate_bp, settings.prices_include_vat,
    promo.percent_off, promo.amount_off_minor, 'Promo code ' || promo.code,
    coalesce(p_redeem_points, 0)::bigint * settings.loyalty_point_value_minor, 'Loyalty points');
  RETURN priced || pg_catalog.jsonb_build_object(
    'currency', exp.currency::text,
    'promo', CASE WHEN p_promo_code IS NOT NULL THEN pg_catalog.jsonb_build_object(
               'code', p_promo_code, 'valid', valid, 'reason', reason,
               'message', private.promo_message(reason)) END);
END
$function$
;

CREATE OR REPLACE FUNCTION private.widget_experiences(p_embed_key text)
 RETURNS TABLE(experience_id uuid, kind app.experience_kind, name text, description text, duration_minutes integer, min_party integer, max_party integer, currency text, venue_name text, venue_timezone text)
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
  SELECT e.id, e.kind, e.name, e.description, e.duration_minutes, e.min_party, e.max_party, e.currency::text,
         v.name, v.timezone
    FROM app.venues v JOIN app.experiences e ON e.org_id = v.org_id AND e.venue_id = v.id
   WHERE v.id = private.widget_venue(p_embed_key) AND e.active
   ORDER BY e.name, e.id
$function$
;

CREATE OR REPLACE FUNCTION private.widget_venue(p_embed_key text)
 RETURNS uuid
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
DECLARE
  found_id uuid;
BEGIN
  SELECT v.id INTO found_id FROM app.venues v WHERE v.embed_key = p_embed_key;
  IF found_id IS NULL THEN
    RAISE EXCEPTION 'unknown widget key' USING ERRCODE = 'PT404', HINT = 'the key may have been rotated';
  END IF;
  RETURN found_id;
END
$function$
;
REVOKE ALL ON FUNCTION api.rotate_embed_key(uuid) FROM PUBLIC, authenticated;
GRANT EXECUTE ON FUNCTION api.rotate_embed_key(uuid) TO authenticated;
COMMENT ON FUNCTION api.rotate_embed_key(uuid) IS 'Replaces a venue''s public widget key with a new random one and returns it; pages using the old key stop working
at once. For managers and up of the venue''s organization. Errors: PT404 when the venue does not exist or the
caller may not manage it.';
REVOKE ALL ON FUNCTION private.availability(uuid,date,date,integer,text) FROM PUBLIC, authenticated, service_role;
GRANT EXECUTE ON FUNCTION private.availability(uuid,date,date,integer,text) TO authenticated;
GRANT EXECUTE ON FUNCTION private.availability(uuid,date,date,integer,text) TO service_role;
COMMENT ON FUNCTION private.availability(uuid,date,date,integer,text) IS 'Bookable starts of an experience between two venue-local dates for a party (NULL: its smallest): remaining
capacity (groups for a private session, places for a ticketed event) and the price for that party. Its own check:
staff of the experience''s organization (or service_role) without a key, or the venue''s embed key; anyone else
gets no rows. PT400 for a window over 367 days or reversed, and for a party outside a private session''s limits.';
REVOKE ALL ON FUNCTION private.place_booking(uuid,timestamp with time zone,integer,text,text,text,jsonb,text,text) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION private.place_booking(uuid,timestamp with time zone,integer,text,text,text,jsonb,text,text) TO anon;
GRANT EXECUTE ON FUNCTION private.place_booking(uuid,timestamp with time zone,integer,text,text,text,jsonb,text,text) TO authenticated;
COMMENT ON FUNCTION private.place_booking(uuid,timestamp with time zone,integer,text,text,text,jsonb,text,text) IS 'The one way a booking is made. Its callers (create_booking, widget_create_booking) have checked each argument''s
shape; it refuses a missing e-mail (PT400) before anything else. Its own checks: the caller is staff of the
experience''s organization, or presents the embed key of its venue. Holds places (pending until the hold ends) or confirms at once when no
payment is needed. Idempotent per (organization, scope, key), the scope being the staff member or the widget''s
venue and e-mail: the same request returns its booking, another request with the key is refused (PT422).';
REVOKE ALL ON FUNCTION private.quote(uuid,timestamp with time zone,integer,jsonb,text,integer,text,text) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION private.quote(uuid,timestamp with time zone,integer,jsonb,text,integer,text,text) TO anon;
GRANT EXECUTE ON FUNCTION private.quote(uuid,timestamp with time zone,integer,jsonb,text,integer,text,text) TO authenticated;
COMMENT ON FUNCTION private.quote(uuid,timestamp with time zone,integer,jsonb,text,integer,text,text) IS 'The work of api.quote, which checked the arguments. Its own check: staff of the experience''s organization, or the
embed key of its venue; anything else is PT404 experience not found. Writes nothing.';
REVOKE ALL ON FUNCTION private.widget_experiences(text) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION private.widget_experiences(text) TO anon;
GRANT EXECUTE ON FUNCTION private.widget_experiences(text) TO authenticated;
COMMENT ON FUNCTION private.widget_experiences(text) IS 'The active experiences of the venue a widget key opens, with public fields only.';
REVOKE ALL ON FUNCTION private.widget_venue(text) FROM PUBLIC;
COMMENT ON FUNCTION private.widget_venue(text) IS 'The venue a widget key opens; PT404 for any other key. Used by the widget functions.';

COMMIT;
