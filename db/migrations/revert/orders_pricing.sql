-- Revert tessera:orders_pricing from pg
--
-- Undoes exactly what the deploy script did, leaving the schema as it was before it.

BEGIN;

drop trigger if exists "bookings_order_follow" on "app"."bookings";

drop trigger if exists "experiences_currency" on "app"."experiences";

drop trigger if exists "orders_release" on "app"."orders";

drop trigger if exists "audit_log" on "app"."price_rules";

drop trigger if exists "price_rules_touch_updated_at" on "app"."price_rules";

drop trigger if exists "audit_log" on "app"."promo_code_experiences";

drop trigger if exists "audit_log" on "app"."promo_codes";

drop trigger if exists "promo_codes_touch_updated_at" on "app"."promo_codes";

drop trigger if exists "audit_log" on "app"."promo_customer_uses";

drop trigger if exists "audit_log" on "app"."promo_redemptions";

drop policy "price_rules_select" on "app"."price_rules";

drop policy "promo_code_experiences_select" on "app"."promo_code_experiences";

drop policy "promo_codes_select" on "app"."promo_codes";

drop policy "promo_customer_uses_select" on "app"."promo_customer_uses";

drop policy "promo_redemptions_select" on "app"."promo_redemptions";

drop function if exists "api"."cancel_order"(order_id uuid, embed_key text, customer_email text);

drop function if exists "api"."create_order"(booking_id uuid, promo_code text, redeem_points integer, embed_key text, customer_email text);

drop function if exists "api"."create_promo_code"(org_id uuid, code text, percent_off integer, amount_off_minor bigint, currency text, valid_from timestamp with time zone, valid_until timestamp with time zone, max_uses integer, max_uses_per_customer integer, experience_ids uuid[]);

drop function if exists "api"."deactivate_promo_code"(promo_code_id uuid);

drop function if exists "api"."get_org_settings"(org_id uuid);

drop function if exists "api"."list_currencies"();

drop function if exists "api"."list_promo_codes"(org_id uuid);

drop function if exists "api"."quote"(experience_id uuid, starts_at timestamp with time zone, party_size integer, tickets jsonb, promo_code text, redeem_points integer, embed_key text, customer_email text);

drop function if exists "api"."update_org_settings"(org_id uuid, currency text, vat_rate_bp integer, prices_include_vat boolean, vat_number text, loyalty_points_per_major integer, loyalty_point_value_minor integer, full_refund_before interval, late_refund_percent integer);

drop function if exists "private"."amount_arg"(p_name text, p_value bigint, p_min bigint, p_max bigint);

drop function if exists "private"."bookings_order_follow"();

drop function if exists "private"."cancel_order"(p_order_id uuid, p_embed_key text, p_customer_email text);

drop function if exists "private"."create_order"(p_booking_id uuid, p_promo_code text, p_redeem_points integer, p_embed_key text, p_customer_email text);

drop function if exists "private"."create_promo_code"(p_org_id uuid, p_code text, p_percent_off integer, p_amount_off_minor bigint, p_currency character, p_valid_from timestamp with time zone, p_valid_until timestamp with time zone, p_max_uses integer, p_max_uses_per_customer integer, p_experience_ids uuid[]);

drop function if exists "private"."currency_arg"(p_name text, p_value text);

drop function if exists "private"."deactivate_promo_code"(p_promo_code_id uuid);

drop function if exists "private"."div_round"(p_numerator numeric, p_denominator numeric);

drop function if exists "private"."experiences_currency"();

drop function if exists "private"."get_org_settings"(p_org_id uuid);

drop function if exists "private"."list_promo_codes"(p_org_id uuid);

drop function if exists "private"."may_order"(p_booking app.bookings, p_embed_key text, p_customer_email text);

drop function if exists "private"."order_answer"(p_order_id uuid);

drop function if exists "private"."orders_release"();

drop function if exists "private"."org_settings_answer"(s app.org_settings);

drop function if exists "private"."price_cart"(p_items jsonb, p_vat_rate_bp integer, p_prices_include_vat boolean, p_promo_percent integer, p_promo_amount_minor bigint, p_promo_description text, p_loyalty_minor bigint, p_loyalty_description text);

drop function if exists "private"."price_lines"(p_experience app.experiences, p_starts_at timestamp with time zone, p_party_size integer, p_tickets jsonb, p_booked_at timestamp with time zone);

drop function if exists "private"."promo_check"(p_org_id uuid, p_code text, p_experience_id uuid, p_currency character, p_customer_id uuid, p_at timestamp with time zone);

drop function if exists "private"."promo_code_answer"(p app.promo_codes);

drop function if exists "private"."promo_message"(p_reason text);

drop function if exists "private"."quote"(p_experience_id uuid, p_starts_at timestamp with time zone, p_party_size integer, p_tickets jsonb, p_promo_code text, p_redeem_points integer, p_embed_key text, p_customer_email text);

drop function if exists "private"."update_org_settings"(p_org_id uuid, p_currency character, p_vat_rate_bp integer, p_prices_include_vat boolean, p_vat_number text, p_loyalty_points_per_major integer, p_loyalty_point_value_minor integer, p_full_refund_before interval, p_late_refund_percent integer);

drop function if exists "private"."vat_of"(p_amount_minor bigint, p_vat_rate_bp integer, p_prices_include_vat boolean);

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

CREATE OR REPLACE FUNCTION private.refund_due(b app.bookings, at timestamp with time zone)
 RETURNS bigint
 LANGUAGE sql
 STABLE
 SET search_path TO ''
AS $function$
  -- Only a confirmed (paid) booking is refunded: in full before the cutoff, a percentage until the start, then
  -- nothing. A pending booking was never paid.
  SELECT CASE
           WHEN b.status <> 'confirmed' THEN 0
           WHEN at < b.starts_at - e.full_refund_before THEN b.price_minor
           WHEN at < b.starts_at THEN (b.price_minor * e.late_refund_percent) / 100
           ELSE 0
         END
    FROM app.experiences e WHERE e.id = b.experience_id
$function$
;
REVOKE ALL ON FUNCTION private.place_booking(uuid,timestamp with time zone,integer,text,text,text,jsonb,text,text) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION private.place_booking(uuid,timestamp with time zone,integer,text,text,text,jsonb,text,text) TO anon;
GRANT EXECUTE ON FUNCTION private.place_booking(uuid,timestamp with time zone,integer,text,text,text,jsonb,text,text) TO authenticated;
COMMENT ON FUNCTION private.place_booking(uuid,timestamp with time zone,integer,text,text,text,jsonb,text,text) IS 'The one way a booking is made. Its callers (create_booking, widget_create_booking) have checked each argument''s
shape; it refuses a missing e-mail (PT400) before anything else. Its own checks: the caller is staff of the
experience''s organization, or presents the embed key of its venue. Holds places (pending until the hold ends) or confirms at once when no
payment is needed. Idempotent per (organization, scope, key), the scope being the staff member or the widget''s
venue and e-mail: the same request returns its booking, another request with the key is refused (PT422).';
REVOKE ALL ON FUNCTION private.refund_due(app.bookings,timestamp with time zone) FROM PUBLIC, authenticated, service_role;
GRANT EXECUTE ON FUNCTION private.refund_due(app.bookings,timestamp with time zone) TO authenticated;
GRANT EXECUTE ON FUNCTION private.refund_due(app.bookings,timestamp with time zone) TO service_role;
COMMENT ON FUNCTION private.refund_due(app.bookings,timestamp with time zone) IS 'What a cancellation at a given time refunds under the experience''s policy: full before the cutoff, the late
percentage (rounded down) until the start, nothing after; nothing for an unpaid (pending) booking.';

COMMIT;
