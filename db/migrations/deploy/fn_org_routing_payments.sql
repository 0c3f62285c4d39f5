-- Deploy tessera:fn_org_routing_payments to pg
-- requires: reminder_bounds
--
-- Payments, refunds and orders functions reach tenant rows through org_id: after the entry lookup every statement filters by the organization found (Citus routes them to one shard)

BEGIN;

SET LOCAL check_function_bodies = off;

CREATE OR REPLACE FUNCTION private.apply_moyasar_event(p_event jsonb)
 RETURNS jsonb
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
DECLARE
  data     jsonb := p_event -> 'data';
  status   text := p_event -> 'data' ->> 'status';
  order_id uuid;
  o        app.orders;
  pay      app.payments;
  answer   jsonb;
  method   text;
BEGIN
  IF pg_catalog.jsonb_typeof(data) IS DISTINCT FROM 'object' THEN
    RETURN NULL;
  END IF;
  -- An invoice the service expired or cancelled at Moyasar (Moyasar sends no webhook for it): its checkout ends.
  IF p_event ->> 'type' IN ('invoice_expired', 'invoice_canceled') THEN
    order_id := private.event_order(NULL, 'moyasar', data ->> 'id');
    IF order_id IS NULL THEN
      RETURN private.payment_answer(o, 'ignored: the invoice is no checkout of ours', '[]');
    END IF;
    o := private.expire_checkout('moyasar', data ->> 'id', order_id);
    RETURN private.payment_answer(o, 'checkout expired', '[]');
  END IF;
  IF NOT (p_event ->> 'type' LIKE 'payment\_%' OR p_event ->> 'id' LIKE 'reconcile:%') THEN
    RETURN NULL;  -- not about a payment (balance and payout events)
  END IF;
  order_id := private.event_order(data -> 'metadata' ->> 'order_id', 'moyasar', data ->> 'invoice_id');
  SELECT p.* INTO pay FROM app.payments p WHERE p.provider = 'moyasar' AND p.provider_ref = data ->> 'id';
  IF order_id IS NULL AND pay.id IS NOT NULL THEN
    order_id := pay.order_id;
  END IF;
  IF order_id IS NULL THEN
    RETURN private.payment_answer(o, 'ignored: the payment names no order of ours', '[]');
  END IF;
  o := private.lock_order(order_id);
  method := coalesce(pg_catalog.lower(nullif(data -> 'source' ->> 'type', '')), 'card');
  method := CASE WHEN method ~ '^[a-z][a-z0-9_]{0,49}$' THEN method ELSE 'card' END;
  -- The payment object was re-fetched from Moyasar: its status is the current one, whatever the event said.
  IF status IN ('paid', 'captured', 'refunded') AND pay.id IS NULL THEN
    IF (data ->> 'amount') !~ '^[0-9]{1,15}$' OR coalesce(data ->> 'id', '') = '' THEN
      RETURN private.payment_answer(o, 'ignored: the payment carries no id or amount', '[]');
    END IF;
    UPDATE app.checkouts c SET status = 'complete'
     WHERE c.org_id = o.org_id AND c.provider = 'moyasar' AND c.provider_ref = data ->> 'invoice_id'
       AND c.status = 'open';
    answer := private.apply_payment(order_id, 'moyasar', data ->> 'id', method, (data ->> 'amount')::bigint,
                                    data ->> 'currency', NULL);
    SELECT p.* INTO pay FROM app.payments p
     WHERE p.org_id = o.org_id AND p.provider = 'moyasar' AND p.provider_ref = data ->> 'id';
    IF status <> 'refunded' OR pay.id IS NULL THEN
      RETURN answer;
    END IF;
  END IF;
  IF status = 'refunded' OR (status = 'voided' AND pay.id IS NOT NULL) THEN
    -- refunded: data.refunded is cumulative; voided after payment: all of it came back.
    RETURN private.payment_answer(o, private.apply_refund_facts(pay,
             CASE WHEN status = 'voided' THEN pay.amount_minor
                  WHEN (data ->> 'refunded') ~ '^[0-9]{1,15}$' THEN (data ->> 'refunded')::bigint END, NULL),
             coalesce(answer -> 'actions', '[]'));
  ELSIF status IN ('failed', 'voided') THEN
    o := private.fail_order(order_id, coalesce(data -> 'source' ->> 'message', 'the payment ' || status));
    RETURN private.payment_answer(o, 'payment ' || status, '[]');
  ELSIF status = 'authorized' THEN
    RETURN private.payment_answer(o, 'authorized: waiting for the capture', '[]');
  ELSIF status IN ('paid', 'captured') THEN
    RETURN private.payment_answer(o, 'payment already recorded', '[]');
  END IF;
  RETURN private.payment_answer(o, 'nothing to do for a payment ' || coalesce(status, 'without status'), '[]');
END
$function$
;

CREATE OR REPLACE FUNCTION private.apply_refund_facts(p_payment app.payments, p_refunded_total bigint, p_listed jsonb)
 RETURNS text
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
DECLARE
  item     jsonb;
  ours     uuid;
  r        app.refunds;
  settled  bigint;
  amount   bigint;
  room     bigint;
  settled_n integer := 0;
  external_n integer := 0;
  uuid_re  constant text := '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
BEGIN
  -- 1. Refunds the provider lists by id (Stripe): ours are matched by the refund id we sent as metadata or by the
  -- provider's id; any other that succeeded was made at the provider (dashboard, dispute) and is recorded external.
  FOR item IN SELECT x FROM pg_catalog.jsonb_array_elements(coalesce(p_listed, '[]')) x
               WHERE pg_catalog.jsonb_typeof(x) = 'object' LOOP
    ours := CASE WHEN item -> 'metadata' ->> 'refund_id' ~* uuid_re THEN (item -> 'metadata' ->> 'refund_id')::uuid END;
    SELECT x.* INTO r FROM app.refunds x
     WHERE x.org_id = p_payment.org_id AND x.payment_id = p_payment.id
       AND (x.id = ours OR (x.provider = p_payment.provider AND x.provider_refund_id = item ->> 'id'))
     ORDER BY x.id = ours DESC LIMIT 1;
    IF FOUND THEN
      IF item ->> 'status' = 'succeeded' THEN
        IF r.status <> 'succeeded' THEN
          settled_n := settled_n + 1;
        END IF;
        PERFORM private.apply_refund_settlement(r.id, item ->> 'id');
      ELSIF item ->> 'status' IN ('failed', 'canceled') THEN
        PERFORM private.fail_refund(r.id, 'the provider reports this refund ' || (item ->> 'status'));
      END IF;
    ELSIF item ->> 'status' = 'succeeded' AND (item ->> 'amount') ~ '^[0-9]{1,15}$' AND (item ->> 'amount')::bigint > 0
    THEN
      r := private.external_refund(p_payment, (item ->> 'amount')::bigint, item ->> 'id');
      external_n := external_n + CASE WHEN r.id IS NULL THEN 0 ELSE 1 END;
    END IF;
  END LOOP;

  -- 2. A cumulative refunded amount (Moyasar; Stripe when the list is absent or cut short): what it exceeds of the
  -- refunds already settled settles ours still outstanding, oldest first, those that fit; what is left over was
  -- refunded at the provider. An older, smaller amount arriving after a newer one exceeds nothing and does nothing.
  IF p_refunded_total IS NOT NULL THEN
    SELECT coalesce(pg_catalog.sum(x.amount_minor), 0) INTO settled FROM app.refunds x
     WHERE x.org_id = p_payment.org_id AND x.payment_id = p_payment.id AND x.status = 'succeeded';
    FOR r IN SELECT x.* FROM app.refunds x
              WHERE x.org_id = p_payment.org_id AND x.payment_id = p_payment.id
                AND x.status IN ('requested', 'submitted')
              ORDER BY x.created_at, x.id LOOP
      CONTINUE WHEN settled + r.amount_minor > p_refunded_total;
      PERFORM private.apply_refund_settlement(r.id, NULL);
      settled := settled + r.amount_minor;
      settled_n := settled_n + 1;
    END LOOP;
    amount := least(p_refunded_total, p_payment.amount_minor) - settled;
    IF amount > 0 THEN
      r := private.external_refund(p_payment, amount, NULL);
      external_n := external_n + CASE WHEN r.id IS NULL THEN 0 ELSE 1 END;
    END IF;
  END IF;
  SELECT p_payment.amount_minor - coalesce(pg_catalog.sum(x.amount_minor), 0) INTO room FROM app.refunds x
   WHERE x.org_id = p_payment.org_id AND x.payment_id = p_payment.id AND x.status = 'succeeded';
  RETURN pg_catalog.format('refunds: %s settled, %s external, %s of %s left on the payment', settled_n, external_n,
                           room, p_payment.amount_minor);
END
$function$
;

CREATE OR REPLACE FUNCTION private.apply_stripe_event(p_event jsonb)
 RETURNS jsonb
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
DECLARE
  kind     text := p_event ->> 'type';
  obj      jsonb := p_event -> 'data' -> 'object';
  order_id uuid;
  o        app.orders;
  pay      app.payments;
  outcome  text;
  answer   jsonb;
BEGIN
  IF pg_catalog.jsonb_typeof(obj) IS DISTINCT FROM 'object' THEN
    RETURN private.payment_answer(o, 'ignored: the event carries no object', '[]');
  END IF;
  -- Events of one payment intent apply one at a time, before any row lock (so always in the same order): a refund
  -- that finds no payment and waits, and the payment recorded beside it, cannot miss each other.
  IF coalesce(obj ->> 'payment_intent', '') <> '' THEN
    PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('tessera.stripe.payment_intent'),
                                             pg_catalog.hashtext(obj ->> 'payment_intent'));
  END IF;
  IF kind IN ('checkout.session.completed', 'checkout.session.async_payment_succeeded',
              'checkout.session.async_payment_failed', 'checkout.session.expired') THEN
    order_id := private.event_order(obj -> 'metadata' ->> 'order_id', 'stripe', obj ->> 'id');
    IF order_id IS NULL THEN
      RETURN private.payment_answer(o, 'ignored: the session names no order of ours', '[]');
    END IF;
    o := private.lock_order(order_id);
    IF kind = 'checkout.session.expired' THEN
      o := private.expire_checkout('stripe', obj ->> 'id', order_id);
      RETURN private.payment_answer(o, 'checkout expired', '[]');
    END IF;
    UPDATE app.checkouts c SET status = 'complete'
     WHERE c.org_id = o.org_id AND c.provider = 'stripe' AND c.provider_ref = obj ->> 'id' AND c.status = 'open';
    IF kind = 'checkout.session.async_payment_failed' THEN
      o := private.fail_order(order_id, 'the delayed payment failed');
      RETURN private.payment_answer(o, 'payment failed', '[]');
    END IF;
    -- completed: fulfil only when paid ('unpaid': a delayed method; async_payment_succeeded follows).
    IF kind = 'checkout.session.completed' AND obj ->> 'payment_status' NOT IN ('paid', 'no_payment_required') THEN
      RETURN private.payment_answer(o, 'checkout completed, payment not yet received', '[]');
    END IF;
    IF coalesce(obj ->> 'payment_intent', '') = '' OR (obj ->> 'amount_total') !~ '^[0-9]{1,15}$' THEN
      RETURN private.payment_answer(o, 'ignored: the session carries no payment intent or amount', '[]');
    END IF;
    RETURN private.apply_payment(order_id, 'stripe', obj ->> 'payment_intent', 'card',
                                 (obj ->> 'amount_total')::bigint, obj ->> 'currency', NULL);
  ELSIF kind = 'payment_intent.payment_failed' THEN
    -- Recorded only: Checkout lets the customer try another card, so the order stays pending until the session
    -- completes or expires.
    order_id := private.event_order(obj -> 'metadata' ->> 'order_id', 'stripe', NULL);
    IF order_id IS NULL THEN
      RETURN private.payment_answer(o, 'ignored: the payment names no order of ours', '[]');
    END IF;
    o := private.lock_order(order_id);
    UPDATE app.orders x SET last_payment_failure = pg_catalog.left(coalesce(obj -> 'last_payment_error' ->> 'message',
                                                                            'the payment failed'), 1000)
     WHERE x.org_id = o.org_id AND x.id = order_id RETURNING * INTO o;
    RETURN private.payment_answer(o, 'payment attempt failed; the order stays pending for another attempt', '[]');
  ELSIF kind = 'charge.refunded' THEN
    SELECT p.* INTO pay FROM app.payments p WHERE p.provider = 'stripe' AND p.provider_ref = obj ->> 'payment_intent';
    IF NOT FOUND THEN
      order_id := private.event_order(obj -> 'metadata' ->> 'order_id', 'stripe', NULL);
      IF order_id IS NULL OR (obj ->> 'amount') !~ '^[0-9]{1,15}$' THEN
        -- The refund came before its payment's event and cannot name the order: it waits in the inbox and is
        -- applied the moment the payment is recorded (private.apply_payment), so the outcome is the same.
        IF coalesce(obj ->> 'payment_intent', '') = '' THEN
          RETURN private.payment_answer(o, 'ignored: the charge names no payment intent', '[]');
        END IF;
        RETURN private.payment_answer(o, 'waiting for its payment', '[]')
               || pg_catalog.jsonb_build_object('waiting_for', pg_catalog.left(obj ->> 'payment_intent', 255));
      END IF;
      -- It names its order: the payment is recorded from the charge (the session's event then finds it recorded).
      answer := private.apply_payment(order_id, 'stripe', obj ->> 'payment_intent', 'card',
                                      (obj ->> 'amount')::bigint, obj ->> 'currency', NULL);
      -- By the provider's reference again, as the lookup above: no order is locked on this path, so no
      -- organization is known yet.
      SELECT p.* INTO pay FROM app.payments p WHERE p.provider = 'stripe' AND p.provider_ref = obj ->> 'payment_intent';
      IF NOT FOUND THEN
        RETURN answer;
      END IF;
    END IF;
    o := private.lock_order(pay.order_id);
    outcome := private.stripe_charge_refunds(pay, obj);
    RETURN private.payment_answer(o, outcome, coalesce(answer -> 'actions', '[]'));
  END IF;
  RETURN NULL;  -- not a type we handle
END
$function$
;

CREATE OR REPLACE FUNCTION private.bookings_order_follow()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
BEGIN
  UPDATE app.orders o
     SET status = CASE WHEN NEW.status = 'expired' THEN 'expired' ELSE 'cancelled' END::app.order_status
   WHERE o.org_id = NEW.org_id AND o.booking_id = NEW.id AND o.status = 'pending';
  RETURN NULL;
END
$function$
;

CREATE OR REPLACE FUNCTION private.bookings_refund_on_cancel()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
DECLARE
  o        app.orders;
  paid_net bigint;
  amount   bigint;
BEGIN
  IF coalesce(NEW.refund_due_minor, 0) <= 0 THEN
    RETURN NULL;
  END IF;
  SELECT x.* INTO o FROM app.orders x
   WHERE x.org_id = NEW.org_id AND x.booking_id = NEW.id AND x.status IN ('paid', 'partially_refunded') FOR UPDATE;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  -- The policy's share of the booking's price, applied to what was paid for it (discounts included), within what
  -- is still refundable.
  paid_net := o.paid_minor - private.late_minor(o.id, false);
  amount := CASE WHEN NEW.price_minor <= 0 OR NEW.refund_due_minor >= NEW.price_minor THEN paid_net
                 ELSE (paid_net * NEW.refund_due_minor) / NEW.price_minor END;
  amount := least(amount, o.paid_minor - o.refund_requested_minor);
  IF amount > 0 THEN
    PERFORM private.refund_order(o.id, amount, 'cancellation', NEW.cancel_reason, auth.uid());
  END IF;
  RETURN NULL;
END
$function$
;

CREATE OR REPLACE FUNCTION private.cancel_order(p_order_id uuid, p_embed_key text, p_customer_email text)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
DECLARE
  hit   app.orders;
  booking app.bookings;
BEGIN
  SELECT o.* INTO hit FROM app.orders o WHERE o.id = p_order_id;
  SELECT b.* INTO booking FROM app.bookings b WHERE b.org_id = hit.org_id AND b.id = hit.booking_id FOR UPDATE;
  IF NOT private.may_order(booking, p_embed_key, p_customer_email) THEN
    RAISE EXCEPTION 'order not found' USING ERRCODE = 'PT404';
  END IF;
  SELECT o.* INTO hit FROM app.orders o WHERE o.org_id = hit.org_id AND o.id = p_order_id FOR UPDATE;
  IF hit.status <> 'pending' THEN
    RAISE EXCEPTION 'only a pending order can be cancelled; this one is %', hit.status USING ERRCODE = 'PT409',
      DETAIL = 'illegal_transition';
  END IF;
  UPDATE app.orders o SET status = 'cancelled' WHERE o.org_id = hit.org_id AND o.id = p_order_id;
  RETURN private.order_answer(p_order_id);
END
$function$
;

CREATE OR REPLACE FUNCTION private.expire_checkout(p_provider text, p_provider_ref text, p_order_id uuid)
 RETURNS app.orders
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
DECLARE
  o app.orders := private.lock_order(p_order_id);
BEGIN
  UPDATE app.checkouts c SET status = 'expired'
   WHERE c.org_id = o.org_id AND c.provider = p_provider AND c.provider_ref = p_provider_ref AND c.status = 'open';
  IF o.status = 'pending' AND o.expires_at <= pg_catalog.now() THEN
    -- The hold has ended too: the booking lets its places go, and its order expires with it.
    UPDATE app.bookings b SET status = 'expired'
     WHERE b.org_id = o.org_id AND b.id = o.booking_id AND b.status = 'pending'
       AND b.hold_expires_at <= pg_catalog.now();
    UPDATE app.orders x SET status = 'expired' WHERE x.org_id = o.org_id AND x.id = o.id AND x.status = 'pending';
  END IF;
  SELECT x.* INTO o FROM app.orders x WHERE x.org_id = o.org_id AND x.id = p_order_id;
  RETURN o;
END
$function$
;

CREATE OR REPLACE FUNCTION private.external_refund(p_payment app.payments, p_amount_minor bigint, p_provider_refund_id text)
 RETURNS app.refunds
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
DECLARE
  o     app.orders;
  r     app.refunds;
  made  app.refunds;
BEGIN
  SELECT x.* INTO o FROM app.orders x WHERE x.org_id = p_payment.org_id AND x.id = p_payment.order_id FOR UPDATE;
  -- Money refunded at the provider is a fact: make room for it by failing our own refunds of the same payment
  -- that were not submitted yet (the provider would refuse them now anyway), newest first.
  FOR r IN SELECT x.* FROM app.refunds x
            WHERE x.org_id = p_payment.org_id AND x.payment_id = p_payment.id AND x.status = 'requested'
            ORDER BY x.created_at DESC, x.id DESC LOOP
    EXIT WHEN o.refund_requested_minor + p_amount_minor <= o.paid_minor;
    PERFORM private.fail_refund(r.id, 'superseded by a refund made at the provider');
    SELECT x.* INTO o FROM app.orders x WHERE x.org_id = p_payment.org_id AND x.id = o.id;
  END LOOP;
  IF o.refund_requested_minor + p_amount_minor > o.paid_minor THEN
    RETURN made;  -- cannot be: more refunded than paid; left for a person (the event's outcome says so)
  END IF;
  RETURN private.create_refund(o.id, p_payment, p_amount_minor, 'external', 'refunded at the provider', NULL,
                               p_provider_refund_id);
END
$function$
;

CREATE OR REPLACE FUNCTION private.fail_order(p_order_id uuid, p_message text)
 RETURNS app.orders
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
DECLARE
  o app.orders := private.lock_order(p_order_id);
BEGIN
  UPDATE app.orders x SET status = CASE WHEN x.status = 'pending' THEN 'failed' ELSE x.status END,
                          last_payment_failure = coalesce(pg_catalog.left(p_message, 1000), x.last_payment_failure)
   WHERE x.org_id = o.org_id AND x.id = o.id RETURNING * INTO o;
  RETURN o;
END
$function$
;

CREATE OR REPLACE FUNCTION private.fail_refund(p_refund_id uuid, p_message text)
 RETURNS app.refunds
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
DECLARE
  r app.refunds;
BEGIN
  SELECT x.* INTO r FROM app.refunds x WHERE x.id = p_refund_id FOR UPDATE;
  IF r.status IN ('succeeded', 'failed') THEN
    RETURN r;
  END IF;
  UPDATE app.refunds x SET status = 'failed', settled_at = pg_catalog.now(), claimed_until = NULL,
                           failure = pg_catalog.left(p_message, 1000)
   WHERE x.org_id = r.org_id AND x.id = r.id RETURNING * INTO r;
  UPDATE app.orders o SET refund_requested_minor = o.refund_requested_minor - r.amount_minor
   WHERE o.org_id = r.org_id AND o.id = r.order_id;
  RETURN r;
END
$function$
;

CREATE OR REPLACE FUNCTION private.lock_order(p_order_id uuid)
 RETURNS app.orders
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
DECLARE
  locked  app.orders;
  org     uuid;
  booking uuid;
BEGIN
  -- Found by id alone, unlocked (neither column ever changes): the two locks below then reach one organization.
  SELECT o.org_id, o.booking_id INTO org, booking FROM app.orders o WHERE o.id = p_order_id;
  -- The booking first, then the order: the order every path takes (a booking's status trigger moves its order),
  -- so two transactions never wait for each other in a circle.
  PERFORM FROM app.bookings b WHERE b.org_id = org AND b.id = booking FOR UPDATE;
  SELECT o.* INTO locked FROM app.orders o WHERE o.org_id = org AND o.id = p_order_id FOR UPDATE;
  RETURN locked;
END
$function$
;

CREATE OR REPLACE FUNCTION private.orders_refund_on_end()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
BEGIN
  UPDATE app.orders o SET refund_required = true WHERE o.org_id = NEW.org_id AND o.id = NEW.id;
  PERFORM private.refund_order(NEW.id, NEW.paid_minor - NEW.refund_requested_minor, 'late_payment',
                               pg_catalog.format('the order was %s with %s paid', NEW.status, NEW.paid_minor),
                               auth.uid());
  RETURN NULL;
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
   WHERE r.org_id = NEW.org_id AND r.order_id = NEW.id AND r.released_at IS NULL
  RETURNING r.* INTO released;
  IF FOUND THEN
    UPDATE app.promo_codes p SET uses = p.uses - 1 WHERE p.org_id = NEW.org_id AND p.id = released.promo_code_id;
    UPDATE app.promo_customer_uses u SET uses = u.uses - 1
     WHERE u.org_id = NEW.org_id AND u.promo_code_id = released.promo_code_id
       AND u.customer_id = released.customer_id;
  END IF;
  PERFORM private.loyalty_release(NEW.id);
  RETURN NULL;
END
$function$
;

CREATE OR REPLACE FUNCTION private.payment_answer(p_order app.orders, p_outcome text, p_actions jsonb)
 RETURNS jsonb
 LANGUAGE sql
 SET search_path TO ''
AS $function$
  SELECT pg_catalog.jsonb_build_object(
    'duplicate', false, 'ignored', p_order.id IS NULL, 'order_id', p_order.id,
    'order_status', (SELECT o.status FROM app.orders o WHERE o.org_id = p_order.org_id AND o.id = p_order.id),
    'outcome', p_outcome, 'actions', coalesce(p_actions, '[]'))
$function$
;

CREATE OR REPLACE FUNCTION private.record_refund_outcome(p_refund_id uuid, p_provider_refund_id text, p_failure text)
 RETURNS jsonb
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
DECLARE
  r app.refunds;
BEGIN
  PERFORM private.require_service_role('record refunds');
  SELECT x.* INTO r FROM app.refunds x WHERE x.id = p_refund_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'refund not found' USING ERRCODE = 'PT404';
  END IF;
  PERFORM private.lock_order(r.order_id);
  SELECT x.* INTO r FROM app.refunds x WHERE x.org_id = r.org_id AND x.id = p_refund_id FOR UPDATE;
  IF p_failure IS NOT NULL THEN
    IF r.status = 'succeeded' THEN
      RAISE EXCEPTION 'this refund has succeeded already' USING ERRCODE = 'PT409', DETAIL = 'refund_settled';
    END IF;
    r := private.fail_refund(r.id, p_failure);
  ELSE
    IF r.status = 'failed' THEN
      RAISE EXCEPTION 'this refund was recorded failed' USING ERRCODE = 'PT409', DETAIL = 'refund_settled';
    END IF;
    IF p_provider_refund_id IS NOT NULL AND r.provider_refund_id IS NOT NULL
       AND r.provider_refund_id <> p_provider_refund_id THEN
      RAISE EXCEPTION 'this refund has another provider refund id' USING ERRCODE = 'PT409',
        DETAIL = 'illegal_transition';
    END IF;
    UPDATE app.refunds x
       SET status = CASE WHEN x.status = 'requested' THEN 'submitted' ELSE x.status END,
           submitted_at = coalesce(x.submitted_at, pg_catalog.now()), claimed_until = NULL,
           provider_refund_id = coalesce(x.provider_refund_id, p_provider_refund_id)
     WHERE x.org_id = r.org_id AND x.id = r.id RETURNING * INTO r;
  END IF;
  RETURN private.refund_answer(r);
END
$function$
;

CREATE OR REPLACE FUNCTION private.refund_answer(r app.refunds)
 RETURNS jsonb
 LANGUAGE sql
 STABLE
 SET search_path TO ''
AS $function$
  SELECT pg_catalog.jsonb_build_object('refund_id', r.id, 'order_id', r.order_id, 'status', r.status,
           'provider', r.provider, 'provider_refund_id', r.provider_refund_id, 'amount_minor', r.amount_minor,
           'currency', r.currency,
           'order_status', (SELECT o.status FROM app.orders o WHERE o.org_id = r.org_id AND o.id = r.order_id))
$function$
;

CREATE OR REPLACE FUNCTION private.refund_order(p_order_id uuid, p_amount_minor bigint, p_kind text, p_reason text, p_requested_by uuid)
 RETURNS SETOF app.refunds
 LANGUAGE plpgsql
 SET search_path TO ''
AS $function$
DECLARE
  remaining bigint := p_amount_minor;
  source    record;
  pay       app.payments;
  take      bigint;
BEGIN
  -- From the latest payment back: each refund returns money through the payment it came by.
  FOR source IN
    SELECT p.org_id, p.id,
           p.amount_minor - coalesce((SELECT pg_catalog.sum(r.amount_minor) FROM app.refunds r
                                       WHERE r.org_id = p.org_id AND r.payment_id = p.id AND r.status <> 'failed'),
                                     0) AS refundable
      FROM app.payments p WHERE p.order_id = p_order_id ORDER BY p.received_at DESC, p.id DESC
  LOOP
    EXIT WHEN remaining <= 0;
    CONTINUE WHEN source.refundable <= 0;
    take := least(remaining, source.refundable);
    SELECT p.* INTO pay FROM app.payments p WHERE p.org_id = source.org_id AND p.id = source.id;
    RETURN NEXT private.create_refund(p_order_id, pay, take, p_kind, p_reason, p_requested_by);
    remaining := remaining - take;
  END LOOP;
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
           WHERE x.org_id = p_order.org_id AND x.order_id = p_order.id AND x.kind = 'redeem') l
$function$
;
REVOKE ALL ON FUNCTION private.apply_moyasar_event(jsonb) FROM PUBLIC;
COMMENT ON FUNCTION private.apply_moyasar_event(jsonb) IS 'Applies one Moyasar event {id, type, data: the payment as re-fetched from Moyasar}, by the payment''s current
status: paid / captured (a payment; amount and currency checked against the order), failed (order failed),
authorized (recorded, nothing else: the capture comes later), refunded (data.refunded, cumulative, settles our
refunds and records the rest external), voided (refunded in full when it had been paid, else order failed). The
order is data.metadata.order_id, else the checkout of data.invoice_id. The service''s own invoice_expired /
invoice_canceled events ({"id": "reconcile:<invoice id>:expired", "type": "invoice_expired", "data": {"id": <invoice
id>}}) end that checkout as Stripe''s checkout.session.expired does. NULL for events about neither. Internal:
api.apply_payment_event.';
REVOKE ALL ON FUNCTION private.apply_refund_facts(app.payments,bigint,jsonb) FROM PUBLIC;
COMMENT ON FUNCTION private.apply_refund_facts(app.payments,bigint,jsonb) IS 'Brings a payment''s refunds up to what the provider reports: p_listed (Stripe refund objects: id, amount, status,
metadata.refund_id) are matched to ours by refund id or provider refund id and settled or failed, unmatched
succeeded ones recorded as external refunds; p_refunded_total (a cumulative amount, Moyasar''s refunded) settles our
outstanding refunds that fit, oldest first, and records the rest as external. Idempotent and order-independent:
applying an older snapshot after a newer one changes nothing. Returns a one-line outcome. Internal.';
REVOKE ALL ON FUNCTION private.apply_stripe_event(jsonb) FROM PUBLIC;
COMMENT ON FUNCTION private.apply_stripe_event(jsonb) IS 'Applies one verified Stripe event (id, type, data.object): checkout.session.completed (a payment when payment_status
is paid), checkout.session.async_payment_succeeded (a payment), checkout.session.async_payment_failed (order
failed), checkout.session.expired (checkout expired; the order too once its hold ended), payment_intent.payment_failed
(kept as the order''s last failure; the order stays pending), charge.refunded (refunds matched by metadata.refund_id
or refund id, others external; the cumulative amount_refunded when the list is absent or cut short). NULL for other
types. Internal: api.apply_payment_event.';
REVOKE ALL ON FUNCTION private.bookings_order_follow() FROM PUBLIC;
COMMENT ON FUNCTION private.bookings_order_follow() IS 'Trigger on app.bookings: when a booking becomes expired, cancelled or rejected, its pending order becomes expired
(the booking expired) or cancelled (otherwise) in the same transaction. A definer: whoever moves a booking need not
write orders.';
REVOKE ALL ON FUNCTION private.bookings_refund_on_cancel() FROM PUBLIC;
COMMENT ON FUNCTION private.bookings_refund_on_cancel() IS 'Trigger: a paid booking cancelled (any path: api.cancel_booking, a batch) gets a cancellation refund in the same
transaction: its refund_due_minor (the experience''s policy) as a share of the price, applied to what was paid for
the order (rounded down), within what is still refundable. A definer: the staff member cancelling needs no access to
money tables.';
REVOKE ALL ON FUNCTION private.cancel_order(uuid,text,text) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION private.cancel_order(uuid,text,text) TO anon;
GRANT EXECUTE ON FUNCTION private.cancel_order(uuid,text,text) TO authenticated;
COMMENT ON FUNCTION private.cancel_order(uuid,text,text) IS 'The work of api.cancel_order; its own check is private.may_order on the order''s booking (else PT404).';
REVOKE ALL ON FUNCTION private.expire_checkout(text,text,uuid) FROM PUBLIC;
COMMENT ON FUNCTION private.expire_checkout(text,text,uuid) IS 'A checkout expired at its provider: it is marked expired (a completed one stays complete), and its order expires
with its booking when the hold has ended; while the hold lasts the order stays pending for a new checkout. Internal.';
REVOKE ALL ON FUNCTION private.external_refund(app.payments,bigint,text) FROM PUBLIC;
COMMENT ON FUNCTION private.external_refund(app.payments,bigint,text) IS 'Records (and settles) a refund made at the provider without us: of p_amount_minor from the payment, with the
provider''s refund id when known. Our own refunds of the payment not yet submitted are failed first as far as
needed to keep refunds within what was paid. Returns the refund, or all NULL when even so it would exceed what was
paid. Internal.';
REVOKE ALL ON FUNCTION private.fail_order(uuid,text) FROM PUBLIC;
COMMENT ON FUNCTION private.fail_order(uuid,text) IS 'A payment of the order failed for good: a pending order becomes failed (any other keeps its status: a failure
never undoes a payment) and the message is kept as its last failure. Internal.';
REVOKE ALL ON FUNCTION private.fail_refund(uuid,text) FROM PUBLIC;
COMMENT ON FUNCTION private.fail_refund(uuid,text) IS 'Marks a requested or submitted refund failed with the provider''s message and gives its amount back to what may be
refunded; a settled refund is returned unchanged. Internal.';
REVOKE ALL ON FUNCTION private.lock_order(uuid) FROM PUBLIC;
COMMENT ON FUNCTION private.lock_order(uuid) IS 'Locks an order''s booking and then the order (FOR UPDATE) and returns the order (all NULL when it does not exist).
Every payments path starts here, so events of one order apply one at a time.';
REVOKE ALL ON FUNCTION private.orders_refund_on_end() FROM PUBLIC;
COMMENT ON FUNCTION private.orders_refund_on_end() IS 'Trigger: a pending order that ends (failed, expired, cancelled: whichever path, a booking''s hold running out
included) with money already received (a part paid offline) is marked refund_required and that money becomes
late_payment refunds, in the same transaction. A definer: whoever ends the order needs no access to money tables.';
REVOKE ALL ON FUNCTION private.orders_release() FROM PUBLIC;
COMMENT ON FUNCTION private.orders_release() IS 'Trigger on app.orders: when a pending order fails, expires or is cancelled, the promo code use it took is given
back, once (its redemption''s released_at), to the code''s counter and the customer''s, and the loyalty points it
spent come back to the customer''s balance, once (private.loyalty_release).';
REVOKE ALL ON FUNCTION private.payment_answer(app.orders,text,jsonb) FROM PUBLIC;
COMMENT ON FUNCTION private.payment_answer(app.orders,text,jsonb) IS 'The answer of the payment paths: {duplicate: false, ignored, order_id, order_status (as it is now), outcome,
actions}.';
REVOKE ALL ON FUNCTION private.record_refund_outcome(uuid,text,text) FROM PUBLIC, service_role;
GRANT EXECUTE ON FUNCTION private.record_refund_outcome(uuid,text,text) TO service_role;
COMMENT ON FUNCTION private.record_refund_outcome(uuid,text,text) IS 'Records what the provider answered to a refund the service submitted (api.record_refund_submission,
api.record_refund_failure). Its own check: service_role.';
REVOKE ALL ON FUNCTION private.refund_answer(app.refunds) FROM PUBLIC;
COMMENT ON FUNCTION private.refund_answer(app.refunds) IS 'A refund as the service''s refund functions answer it.';
REVOKE ALL ON FUNCTION private.refund_order(uuid,bigint,text,text,uuid) FROM PUBLIC;
COMMENT ON FUNCTION private.refund_order(uuid,bigint,text,text,uuid) IS 'Refunds p_amount_minor of an order, drawn from its payments latest first (one refund per payment drawn on, each no
more than that payment has left), and returns the refunds. Internal: callers checked the amount.';
REVOKE ALL ON FUNCTION private.same_points(app.orders,integer) FROM PUBLIC;
COMMENT ON FUNCTION private.same_points(app.orders,integer) IS 'Whether create_order asking for p_points is the request that made the order, as far as points go. Definers only.';

COMMIT;
