-- Deploy tessera:loyalty_redemption to pg
--
-- Loyalty points pay for orders: create_order spends them as a loyalty line (signed-in customers and staff; the balance's CHECK decides), expiry gives them back, quote prices them; an order left with nothing to pay is paid at once

BEGIN;

SET LOCAL check_function_bodies = off;

CREATE OR REPLACE FUNCTION private.points_arg(p_settings app.org_settings, p_points integer)
 RETURNS void
 LANGUAGE plpgsql
 STABLE
 SET search_path TO ''
AS $function$
BEGIN
  IF coalesce(p_points, 0) > 0 AND coalesce(p_settings.loyalty_point_value_minor, 0) = 0 THEN
    RAISE EXCEPTION 'this organization does not take loyalty points as payment' USING ERRCODE = 'PT400',
      DETAIL = 'loyalty_unavailable', HINT = 'send redeem_points 0';
  END IF;
END
$function$
;

CREATE OR REPLACE FUNCTION private.same_points(p_order app.orders, p_points integer)
 RETURNS boolean
 LANGUAGE sql
 STABLE
 SET search_path TO ''
AS $function$
  -- The points an order spent are its ledger's redemption: fewer than asked only when they paid for it all.
  SELECT coalesce(l.points, 0) = coalesce(p_points, 0) OR (l.points < p_points AND p_order.total_minor = 0)
    FROM (SELECT -pg_catalog.sum(x.points) AS points FROM app.loyalty_ledger x
           WHERE x.order_id = p_order.id AND x.kind = 'redeem') l
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
        ON CONFLICT (promo_code_id, customer_id) DO UPDATE SET uses = u.uses + 1;
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

CREATE OR REPLACE FUNCTION private.orders_release()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
DECLARE
  released app.promo_redemptions;
BEGIN
  -- Once: the redemption row is marked released in the statement that finds it unreleased.
  UPDATE app.promo_redemptions r SET released_at = pg_catalog.now()
   WHERE r.order_id = NEW.id AND r.released_at IS NULL
  RETURNING r.* INTO released;
  IF FOUND THEN
    UPDATE app.promo_codes p SET uses = p.uses - 1 WHERE p.id = released.promo_code_id;
    UPDATE app.promo_customer_uses u SET uses = u.uses - 1
     WHERE u.promo_code_id = released.promo_code_id AND u.customer_id = released.customer_id;
  END IF;
  PERFORM private.loyalty_release(NEW.id);
  RETURN NULL;
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
COMMENT ON FUNCTION api.create_order(uuid,text,integer,text,text) IS 'Turns a pending booking with a live hold into a pending order to pay, priced as api.quote prices it (the same
lines, VAT rounded per line half away from zero, the lines summing to the totals), with an optional promo code.
Answers the order: {id, org_id, booking_id, customer_id, status, currency, prices_include_vat, vat_rate_bp,
subtotal_minor, discount_minor, vat_minor, total_minor, paid_minor, refunded_minor, expires_at (the payment
deadline: the booking''s hold), refund_required, created_at, paid_at, promo_code, lines: [{line_no, kind,
description, ticket_type_id, quantity, unit_price_minor, amount_minor, vat_minor, price_rule_id}]}, amounts in minor
units. Idempotent: while the booking has a live order, the same request (same promo code, whatever its case)
answers it again. The code''s use is taken now and given back if the order expires, is cancelled or fails. Callers:
staff of the booking''s organization; the signed-in user whose e-mail is the booking''s customer''s; or anyone with
the venue''s embed key AND the booking''s customer_email. redeem_points (0 to 1000000) spends the customer''s loyalty
points as a ''loyalty'' line worth loyalty_point_value_minor each, never more than is left to pay (its description
says how many points it spent); only signed-in customers and staff redeem, since the widget can book under anyone''s
e-mail. The points are debited now and given back with the promo use. An order with nothing left to pay is paid at
once and its booking confirmed. Errors: PT404 booking not found (or the caller may not order it); PT400 naming the
argument, loyalty_unavailable (the organization gives points no value); PT401 sign_in_to_redeem (points asked
through the widget); PT409 hold_expired (not pending, or its hold ended), no_payment_needed (the experience takes
no payment), order_exists (a live order with another promo code or other points), insufficient_points,
promo_used_up, promo_customer_limit_reached, promo_unknown, promo_not_started, promo_expired,
promo_not_for_this_experience, promo_wrong_currency (the detail; the message is the customer''s sentence).';
COMMENT ON FUNCTION api.quote(uuid,timestamp with time zone,integer,jsonb,text,integer,text,text) IS 'Prices a prospective booking without writing anything: what create_booking and then create_order would charge.
Private sessions take party_size, ticketed events tickets ([{"ticket_type_id": "…", "quantity": 2}]). Answers
{currency, lines: [{line_no, kind (''item'', ''promo'', ''loyalty''), description, ticket_type_id, price_rule_id, quantity,
unit_price_minor, amount_minor, vat_minor}], subtotal_minor, discount_minor, vat_minor, total_minor,
prices_include_vat, vat_rate_bp, promo: {code, valid, reason, message} or null}, every amount an integer in minor
units of currency. Item lines carry the lowest price any applicable price rule gives (early-bird, time-based in the
venue''s local time; the description names the rule). A promo code that does not apply is no error: promo.valid is
false and reason says why (unknown, not_started, expired, not_for_this_experience, wrong_currency, used_up, and
customer_limit_reached only when customer_email is given). VAT is computed per line and rounded half away from zero
to the minor unit: with prices_include_vat it is amount x rate / (10000 + rate) of each item line (contained in the
price), otherwise amount x rate / 10000 (added); a discount line takes off the VAT of what it discounts (the VAT of
what remains to pay after it, less the VAT before it, never below 0 in all). The lines always sum to the totals:
subtotal_minor = the items,
discount_minor = minus the promo and loyalty lines, vat_minor = all lines'' VAT, total_minor = subtotal_minor -
discount_minor (+ vat_minor when prices exclude VAT). redeem_points prices a loyalty line of that many points at
loyalty_point_value_minor each (never more than is left to pay), without looking at anyone''s balance. For staff of
the experience''s
organization, or anyone with its venue''s embed key (anon). Errors: PT404 experience not found (or not the key''s
venue); PT400 naming the argument (starts_at outside 2000-01-01 to five years from now, party_size outside 1 to 1000
or the experience''s limits, tickets malformed, unknown or not on sale, promo_code over 40 characters,
customer_email malformed, redeem_points outside 0 to 1000000; loyalty_unavailable when the organization gives
points no value).';
REVOKE ALL ON FUNCTION private.create_order(uuid,text,integer,text,text) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION private.create_order(uuid,text,integer,text,text) TO anon;
GRANT EXECUTE ON FUNCTION private.create_order(uuid,text,integer,text,text) TO authenticated;
COMMENT ON FUNCTION private.create_order(uuid,text,integer,text,text) IS 'The work of api.create_order, which checked the arguments; its own check is private.may_order (else PT404). Prices
the booking with private.price_lines at the time it was booked and private.price_cart, takes the promo code''s use
under its counters'' CHECKs, and writes the order and its lines.';
REVOKE ALL ON FUNCTION private.orders_release() FROM PUBLIC;
COMMENT ON FUNCTION private.orders_release() IS 'Trigger on app.orders: when a pending order fails, expires or is cancelled, the promo code use it took is given
back, once (its redemption''s released_at), to the code''s counter and the customer''s, and the loyalty points it
spent come back to the customer''s balance, once (private.loyalty_release).';
REVOKE ALL ON FUNCTION private.points_arg(app.org_settings,integer) FROM PUBLIC, anon, authenticated, service_role;
GRANT EXECUTE ON FUNCTION private.points_arg(app.org_settings,integer) TO anon;
GRANT EXECUTE ON FUNCTION private.points_arg(app.org_settings,integer) TO authenticated;
GRANT EXECUTE ON FUNCTION private.points_arg(app.org_settings,integer) TO service_role;
COMMENT ON FUNCTION private.points_arg(app.org_settings,integer) IS 'Refuses points to redeem (PT400 loyalty_unavailable) where the organization gives its points no value.';
REVOKE ALL ON FUNCTION private.quote(uuid,timestamp with time zone,integer,jsonb,text,integer,text,text) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION private.quote(uuid,timestamp with time zone,integer,jsonb,text,integer,text,text) TO anon;
GRANT EXECUTE ON FUNCTION private.quote(uuid,timestamp with time zone,integer,jsonb,text,integer,text,text) TO authenticated;
COMMENT ON FUNCTION private.quote(uuid,timestamp with time zone,integer,jsonb,text,integer,text,text) IS 'The work of api.quote, which checked the arguments. Its own check: staff of the experience''s organization, or the
embed key of its venue; anything else is PT404 experience not found. Writes nothing.';
REVOKE ALL ON FUNCTION private.same_points(app.orders,integer) FROM PUBLIC;
COMMENT ON FUNCTION private.same_points(app.orders,integer) IS 'Whether create_order asking for p_points is the request that made the order, as far as points go. Definers only.';

COMMIT;
