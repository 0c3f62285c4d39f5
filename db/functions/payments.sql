-- Functions of the `payments` area: money in (Stripe, Moyasar, offline), money back (refunds), and what follows from
-- both (the order's status, the booking, loyalty points, the customer's lifetime value, the outbox).
--
-- Why the final state does not depend on how often, in which order or how concurrently events are delivered:
--   * each delivery is recorded in the inbox under PRIMARY KEY (provider, event id) in the transaction that applies
--     it, so a second delivery of one event is refused by the index and changes nothing;
--   * every path locks the booking and then the order row (FOR UPDATE), the order a booking's status trigger takes
--     too, so different events of one order apply one at a time and never deadlock each other;
--   * what is applied are facts that commute: a payment is a row UNIQUE per provider payment id (a retry, a
--     reconcile finding and a webhook meet in that index); a provider's refunds are matched by our refund id or the
--     provider's refund id, and a cumulative refunded amount only settles what it exceeds, so applying an older
--     snapshot after a newer one does nothing; statuses only move forward (a failure never undoes a payment, an
--     expiry never undoes a completion);
--   * the one decision that depends on timing is a payment landing after its hold ended: if the places are still
--     free it re-takes them, otherwise the money is refunded automatically (a 'late_payment' refund). Either way the
--     money is accounted for exactly once: the customer gets the booking or the money back, never both, never neither.

-- Money facts are never rewritten. ----------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.refunds_guard()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'a refund is never deleted' USING ERRCODE = 'PT409', DETAIL = 'illegal_transition';
  END IF;
  -- The reason too, but for the person's erasure (private.erase_customer, which raises its flag) blanking it.
  IF (NEW.id, NEW.org_id, NEW.order_id, NEW.payment_id, NEW.amount_minor, NEW.currency, NEW.kind,
      NEW.provider, NEW.requested_by, NEW.created_at)
     IS DISTINCT FROM
     (OLD.id, OLD.org_id, OLD.order_id, OLD.payment_id, OLD.amount_minor, OLD.currency, OLD.kind,
      OLD.provider, OLD.requested_by, OLD.created_at)
     OR (NEW.reason IS DISTINCT FROM OLD.reason
         AND NOT (NEW.reason IS NOT DISTINCT FROM '[erased]'
                  AND pg_catalog.current_setting('tessera.erasure', true) IS NOT DISTINCT FROM 'on')) THEN
    RAISE EXCEPTION 'a refund keeps its order, payment, amount, kind and reason' USING ERRCODE = 'PT409',
      DETAIL = 'illegal_transition';
  END IF;
  IF OLD.provider_refund_id IS NOT NULL AND NEW.provider_refund_id IS DISTINCT FROM OLD.provider_refund_id THEN
    RAISE EXCEPTION 'a refund keeps the provider''s refund id it was given' USING ERRCODE = 'PT409',
      DETAIL = 'illegal_transition';
  END IF;
  -- Forward only. A refund recorded failed that the provider later reports succeeded becomes succeeded: the money
  -- left, and the provider's word on that is the fact.
  IF NEW.status IS DISTINCT FROM OLD.status AND NOT (
       (OLD.status = 'requested' AND NEW.status IN ('submitted', 'succeeded', 'failed'))
    OR (OLD.status = 'submitted' AND NEW.status IN ('succeeded', 'failed'))
    OR (OLD.status = 'failed' AND NEW.status = 'succeeded')) THEN
    RAISE EXCEPTION 'a refund cannot go from % to %', OLD.status, NEW.status USING ERRCODE = 'PT409',
      DETAIL = 'illegal_transition', HINT = 'requested -> submitted -> succeeded | failed';
  END IF;
  RETURN NEW;
END
$$;

COMMENT ON FUNCTION private.refunds_guard() IS
'Trigger: a refund''s order, payment, amount, currency, kind, reason, provider and author never change; its status
moves forward only (requested -> submitted -> succeeded | failed; requested may settle directly; failed ->
succeeded when the provider reports the money left after all); the provider''s refund id is set once; refunds are
never deleted. Else PT409 illegal_transition.';

REVOKE ALL ON FUNCTION private.refunds_guard() FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.checkouts_guard()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'a checkout is never deleted' USING ERRCODE = 'PT409', DETAIL = 'illegal_transition';
  END IF;
  IF (NEW.id, NEW.org_id, NEW.order_id, NEW.provider, NEW.provider_ref, NEW.created_at)
     IS DISTINCT FROM (OLD.id, OLD.org_id, OLD.order_id, OLD.provider, OLD.provider_ref, OLD.created_at) THEN
    RAISE EXCEPTION 'a checkout keeps its order and provider reference' USING ERRCODE = 'PT409',
      DETAIL = 'illegal_transition';
  END IF;
  IF NEW.status IS DISTINCT FROM OLD.status AND OLD.status <> 'open' THEN
    RAISE EXCEPTION 'a checkout cannot go from % to %', OLD.status, NEW.status USING ERRCODE = 'PT409',
      DETAIL = 'illegal_transition', HINT = 'open -> complete | expired';
  END IF;
  RETURN NEW;
END
$$;

COMMENT ON FUNCTION private.checkouts_guard() IS
'Trigger: a checkout keeps its order and provider reference; its status moves open -> complete | expired only;
checkouts are never deleted. Else PT409 illegal_transition.';

REVOKE ALL ON FUNCTION private.checkouts_guard() FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.provider_events_guard()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
  -- An erasure (private.erase_customer, which raises its flag) may rewrite the payload: the person's address and
  -- name leave it, the rest stays.
  IF TG_OP = 'DELETE' OR (NEW.provider, NEW.event_id, NEW.type, NEW.received_at)
                         IS DISTINCT FROM (OLD.provider, OLD.event_id, OLD.type, OLD.received_at)
     OR (NEW.payload IS DISTINCT FROM OLD.payload
         AND pg_catalog.current_setting('tessera.erasure', true) IS DISTINCT FROM 'on') THEN
    RAISE EXCEPTION 'an inbox event is kept as it was received' USING ERRCODE = 'PT409',
      DETAIL = 'illegal_transition';
  END IF;
  RETURN NEW;
END
$$;

COMMENT ON FUNCTION private.provider_events_guard() IS
'Trigger: an inbox event keeps what was received (provider, id, type, payload, time); only what applying it found
(organization, order, outcome, the payment it waits for) is written after, and an erasure redacts the payload.
Never deleted. Else PT409 illegal_transition.';

REVOKE ALL ON FUNCTION private.provider_events_guard() FROM PUBLIC;

CREATE OR REPLACE TRIGGER payments_insert_only
  BEFORE UPDATE OR DELETE ON app.payments FOR EACH ROW EXECUTE FUNCTION private.insert_only();
CREATE OR REPLACE TRIGGER payments_no_truncate
  BEFORE TRUNCATE ON app.payments FOR EACH STATEMENT EXECUTE FUNCTION private.insert_only();
CREATE OR REPLACE TRIGGER loyalty_ledger_insert_only
  BEFORE UPDATE OR DELETE ON app.loyalty_ledger FOR EACH ROW EXECUTE FUNCTION private.insert_only();
CREATE OR REPLACE TRIGGER loyalty_ledger_no_truncate
  BEFORE TRUNCATE ON app.loyalty_ledger FOR EACH STATEMENT EXECUTE FUNCTION private.insert_only();
CREATE OR REPLACE TRIGGER refunds_guard
  BEFORE UPDATE OR DELETE ON app.refunds FOR EACH ROW EXECUTE FUNCTION private.refunds_guard();
CREATE OR REPLACE TRIGGER refunds_no_truncate
  BEFORE TRUNCATE ON app.refunds FOR EACH STATEMENT EXECUTE FUNCTION private.insert_only();
CREATE OR REPLACE TRIGGER checkouts_guard
  BEFORE UPDATE OR DELETE ON app.checkouts FOR EACH ROW EXECUTE FUNCTION private.checkouts_guard();
CREATE OR REPLACE TRIGGER checkouts_touch_updated_at
  BEFORE UPDATE ON app.checkouts FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();
CREATE OR REPLACE TRIGGER provider_events_guard
  BEFORE UPDATE OR DELETE ON app.provider_events FOR EACH ROW EXECUTE FUNCTION private.provider_events_guard();


-- Small helpers. ------------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.provider_arg(p_name text, p_value text, p_allowed text[])
RETURNS text
LANGUAGE plpgsql
IMMUTABLE
PARALLEL SAFE
SET search_path = ''
AS $$
BEGIN
  PERFORM private.text_arg(p_name, p_value, 1, 50);
  IF p_value IS NOT NULL AND NOT p_value = ANY (p_allowed) THEN
    RAISE EXCEPTION '% must be one of %, not %', p_name, pg_catalog.array_to_string(p_allowed, ', '),
      pg_catalog.quote_literal(p_value) USING ERRCODE = 'PT400', DETAIL = 'invalid',
      HINT = pg_catalog.array_to_string(p_allowed, ', ');
  END IF;
  RETURN p_value;
END
$$;

COMMENT ON FUNCTION private.provider_arg(text, text, text[]) IS
'Returns an api function''s argument p_name unchanged (NULL too) when it is one of p_allowed (a provider, a payment
method), or raises PT400 naming it and listing the allowed values.';

REVOKE ALL ON FUNCTION private.provider_arg(text, text, text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.provider_arg(text, text, text[]) TO anon, authenticated, service_role;


CREATE OR REPLACE FUNCTION private.require_service_role(p_what text)
RETURNS void
LANGUAGE plpgsql
STABLE
SET search_path = ''
AS $$
BEGIN
  -- service_role, or the owner at a console (no request claims), as the audit area's sealer checks.
  IF coalesce(auth.role(), CASE WHEN session_user::text = current_user::text THEN 'service_role' END)
     IS DISTINCT FROM 'service_role' THEN
    RAISE EXCEPTION 'only the service may %', p_what USING ERRCODE = 'PT403';
  END IF;
END
$$;

COMMENT ON FUNCTION private.require_service_role(text) IS
'Raises PT403 unless the caller is service_role (or the database owner at a console, without request claims).';

REVOKE ALL ON FUNCTION private.require_service_role(text) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.booking_paid(p_booking_id uuid)
RETURNS boolean
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
  SELECT EXISTS (SELECT FROM app.orders o
                  WHERE o.booking_id = p_booking_id AND o.paid_minor > 0 AND o.status IN ('paid', 'partially_refunded'))
$$;

COMMENT ON FUNCTION private.booking_paid(uuid) IS
'True when the booking has a paid order with money received: what lets bookings_guard re-take an expired booking
(a late payment). Answers only this yes or no, so the guard (running as whoever moves the booking) needs no access
to orders.';

REVOKE ALL ON FUNCTION private.booking_paid(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.booking_paid(uuid) TO authenticated, service_role;


CREATE OR REPLACE FUNCTION private.lock_order(p_order_id uuid)
RETURNS app.orders
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
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
$$;

COMMENT ON FUNCTION private.lock_order(uuid) IS
'Locks an order''s booking and then the order (FOR UPDATE) and returns the order (all NULL when it does not exist).
Every payments path starts here, so events of one order apply one at a time.';

REVOKE ALL ON FUNCTION private.lock_order(uuid) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.late_minor(p_order_id uuid, p_settled_only boolean)
RETURNS bigint
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
  SELECT coalesce(pg_catalog.sum(r.amount_minor), 0)::bigint FROM app.refunds r
   WHERE r.order_id = p_order_id AND r.kind = 'late_payment'
     AND CASE WHEN p_settled_only THEN r.status = 'succeeded' ELSE r.status <> 'failed' END
$$;

COMMENT ON FUNCTION private.late_minor(uuid, boolean) IS
'What an order''s late-payment refunds give back (requested or better; or only succeeded): money that bought
nothing, left out of the order''s own refund status, points and lifetime value.';

REVOKE ALL ON FUNCTION private.late_minor(uuid, boolean) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.payment_answer(p_order app.orders, p_outcome text, p_actions jsonb)
RETURNS jsonb
LANGUAGE sql
VOLATILE  -- it reads the order as it is now, after what the call that builds it changed
SET search_path = ''
AS $$
  SELECT pg_catalog.jsonb_build_object(
    'duplicate', false, 'ignored', p_order.id IS NULL, 'order_id', p_order.id,
    'order_status', (SELECT o.status FROM app.orders o WHERE o.org_id = p_order.org_id AND o.id = p_order.id),
    'outcome', p_outcome, 'actions', coalesce(p_actions, '[]'))
$$;

COMMENT ON FUNCTION private.payment_answer(app.orders, text, jsonb) IS
'The answer of the payment paths: {duplicate: false, ignored, order_id, order_status (as it is now), outcome,
actions}.';

REVOKE ALL ON FUNCTION private.payment_answer(app.orders, text, jsonb) FROM PUBLIC;


-- Refunds. ----------------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.create_refund(p_order_id uuid, p_payment app.payments, p_amount_minor bigint,
                                                 p_kind text, p_reason text, p_requested_by uuid,
                                                 p_provider_refund_id text DEFAULT NULL)
RETURNS app.refunds
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
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
$$;

COMMENT ON FUNCTION private.create_refund(uuid, app.payments, bigint, text, text, uuid, text) IS
'Records a refund of p_amount_minor from one payment and counts it against the order (PT409-free: the caller checked
the amount; the CHECK orders_refunds_within_paid is the last word). A provider refund waits as requested for the
service (NOTIFY tessera_refunds, payload the refund id); an offline refund and an external one are settled at once.
A late-payment refund queues its late_payment_refund e-mail. Internal.';

REVOKE ALL ON FUNCTION private.create_refund(uuid, app.payments, bigint, text, text, uuid, text) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.refund_order(p_order_id uuid, p_amount_minor bigint, p_kind text, p_reason text,
                                                p_requested_by uuid)
RETURNS SETOF app.refunds
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
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
$$;

COMMENT ON FUNCTION private.refund_order(uuid, bigint, text, text, uuid) IS
'Refunds p_amount_minor of an order, drawn from its payments latest first (one refund per payment drawn on, each no
more than that payment has left), and returns the refunds. Internal: callers checked the amount.';

REVOKE ALL ON FUNCTION private.refund_order(uuid, bigint, text, text, uuid) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.apply_refund_settlement(p_refund_id uuid, p_provider_refund_id text DEFAULT NULL)
RETURNS app.refunds
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  r          app.refunds;
  o          app.orders;
  fulfilled  boolean;
  paid_net   bigint;
  back_net   bigint;
  new_status app.order_status;
  recipient  text;
BEGIN
  SELECT x.* INTO r FROM app.refunds x WHERE x.id = p_refund_id FOR UPDATE;
  IF r.status = 'succeeded' THEN
    IF r.provider_refund_id IS NULL AND p_provider_refund_id IS NOT NULL THEN
      UPDATE app.refunds x SET provider_refund_id = p_provider_refund_id WHERE x.id = r.id RETURNING * INTO r;
    END IF;
    RETURN r;  -- settled already: nothing moves twice
  END IF;
  SELECT x.* INTO o FROM app.orders x WHERE x.id = r.order_id FOR UPDATE;
  IF r.status = 'failed' THEN
    -- Counted again: it was given back when it was recorded failed.
    UPDATE app.orders x SET refund_requested_minor = x.refund_requested_minor + r.amount_minor WHERE x.id = o.id;
  END IF;
  fulfilled := o.status IN ('paid', 'partially_refunded', 'refunded');
  UPDATE app.refunds x
     SET status = 'succeeded', settled_at = pg_catalog.now(), claimed_until = NULL,
         provider_refund_id = coalesce(x.provider_refund_id, p_provider_refund_id)
   WHERE x.id = r.id RETURNING * INTO r;
  UPDATE app.orders x SET refunded_minor = x.refunded_minor + r.amount_minor WHERE x.id = o.id RETURNING * INTO o;

  IF fulfilled AND r.kind <> 'late_payment' THEN
    -- What the booking was paid with, and what of that has come back (money paid twice is not the order's).
    paid_net := o.paid_minor - private.late_minor(o.id, false);
    back_net := o.refunded_minor - private.late_minor(o.id, true);
    new_status := CASE WHEN back_net >= paid_net THEN 'refunded'::app.order_status
                       ELSE 'partially_refunded'::app.order_status END;
    IF new_status IS DISTINCT FROM o.status THEN
      UPDATE app.orders x SET status = new_status WHERE x.id = o.id RETURNING * INTO o;
      IF new_status = 'refunded' THEN
        UPDATE app.customers c SET paid_orders = greatest(c.paid_orders - 1, 0) WHERE c.id = o.customer_id;
        -- A refund in full ends the booking (its tickets are revoked with it).
        UPDATE app.bookings b SET status = 'cancelled', cancel_reason = 'refunded in full'
         WHERE b.id = o.booking_id AND b.status IN ('pending', 'confirmed');
      END IF;
    END IF;
    UPDATE app.customers c SET lifetime_value_minor = greatest(c.lifetime_value_minor - r.amount_minor, 0)
     WHERE c.id = o.customer_id;
    PERFORM private.loyalty_reverse(o, r, paid_net, back_net);
  ELSIF NOT fulfilled AND o.refunded_minor >= o.paid_minor AND o.status <> 'refunded' THEN
    -- Money for an order that ended without it (a late payment) has all gone back.
    UPDATE app.orders x SET status = 'refunded' WHERE x.id = o.id;
  END IF;
  SELECT c.email INTO recipient FROM app.customers c WHERE c.id = o.customer_id;
  PERFORM private.enqueue_notification(r.org_id, 'refund_issued', recipient,
    coalesce((SELECT private.booking_message(b) FROM app.bookings b WHERE b.id = o.booking_id), '{}')
      || pg_catalog.jsonb_build_object('order_id', o.id, 'refund_id', r.id, 'amount_minor', r.amount_minor,
                                       'currency', r.currency, 'kind', r.kind),
    'refund_issued:' || r.id, p_customer_id => o.customer_id);
  RETURN r;
END
$$;

COMMENT ON FUNCTION private.apply_refund_settlement(uuid, text) IS
'A refund has succeeded: marks it so (keeping the provider''s refund id), adds it to the order''s refunded_minor and
moves the order to partially_refunded or refunded (counting only what paid for the booking: a late-payment refund
leaves a paid order paid, and an ended order that received money late becomes refunded once all of it is back),
reduces the customer''s lifetime value, reverses points in proportion (private.loyalty_reverse), cancels the booking
on a refund in full, and queues the refund_issued e-mail. Idempotent: a settled refund changes nothing. Internal.';

REVOKE ALL ON FUNCTION private.apply_refund_settlement(uuid, text) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.fail_refund(p_refund_id uuid, p_message text)
RETURNS app.refunds
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
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
$$;

COMMENT ON FUNCTION private.fail_refund(uuid, text) IS
'Marks a requested or submitted refund failed with the provider''s message and gives its amount back to what may be
refunded; a settled refund is returned unchanged. Internal.';

REVOKE ALL ON FUNCTION private.fail_refund(uuid, text) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.apply_refund_facts(p_payment app.payments, p_refunded_total bigint,
                                                      p_listed jsonb)
RETURNS text
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
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
$$;

COMMENT ON FUNCTION private.apply_refund_facts(app.payments, bigint, jsonb) IS
'Brings a payment''s refunds up to what the provider reports: p_listed (Stripe refund objects: id, amount, status,
metadata.refund_id) are matched to ours by refund id or provider refund id and settled or failed, unmatched
succeeded ones recorded as external refunds; p_refunded_total (a cumulative amount, Moyasar''s refunded) settles our
outstanding refunds that fit, oldest first, and records the rest as external. Idempotent and order-independent:
applying an older snapshot after a newer one changes nothing. Returns a one-line outcome. Internal.';

REVOKE ALL ON FUNCTION private.apply_refund_facts(app.payments, bigint, jsonb) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.external_refund(p_payment app.payments, p_amount_minor bigint,
                                                   p_provider_refund_id text)
RETURNS app.refunds
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
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
$$;

COMMENT ON FUNCTION private.external_refund(app.payments, bigint, text) IS
'Records (and settles) a refund made at the provider without us: of p_amount_minor from the payment, with the
provider''s refund id when known. Our own refunds of the payment not yet submitted are failed first as far as
needed to keep refunds within what was paid. Returns the refund, or all NULL when even so it would exceed what was
paid. Internal.';

REVOKE ALL ON FUNCTION private.external_refund(app.payments, bigint, text) FROM PUBLIC;


-- Money landing: the one path for Stripe, Moyasar and offline payments. ---------------------------------------------
CREATE OR REPLACE FUNCTION private.apply_payment(p_order_id uuid, p_provider text, p_provider_ref text,
                                                 p_method text, p_amount_minor bigint, p_currency text,
                                                 p_recorded_by uuid)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  o        app.orders;
  before   app.order_status;
  pay      app.payments;
  booking  app.bookings;
  why      text;
  actions  jsonb := '[]'::jsonb;
  known    uuid[];
  recipient text;
BEGIN
  o := private.lock_order(p_order_id);
  IF o.id IS NULL THEN
    RETURN private.payment_answer(o, 'no such order', '[]');
  END IF;
  SELECT p.* INTO pay FROM app.payments p
   WHERE p.provider = p_provider AND p.provider_ref = p_provider_ref
     AND (p_provider <> 'offline' OR p.org_id = o.org_id);
  IF FOUND THEN
    RETURN private.payment_answer(o, 'payment already recorded', '[]');
  END IF;
  IF pg_catalog.upper(p_currency) IS DISTINCT FROM o.currency::text OR p_amount_minor IS NULL OR p_amount_minor < 1
     OR p_amount_minor > o.total_minor THEN
    RETURN private.payment_answer(o, pg_catalog.format('not applied: a payment of %s %s does not match the order '
                                                       '(%s %s)', p_amount_minor, p_currency, o.total_minor,
                                                       o.currency), '[]');
  END IF;
  before := o.status;
  INSERT INTO app.payments (org_id, order_id, provider, provider_ref, method, amount_minor, currency, recorded_by)
  VALUES (o.org_id, o.id, p_provider, p_provider_ref, p_method, p_amount_minor, o.currency, p_recorded_by)
  RETURNING * INTO pay;
  UPDATE app.orders x SET paid_minor = x.paid_minor + p_amount_minor WHERE x.id = o.id RETURNING * INTO o;

  IF before IN ('paid', 'partially_refunded', 'refunded') THEN
    why := 'paid twice: the order had been paid already';
  ELSIF before = 'cancelled' THEN
    why := 'paid after the order was cancelled';
  ELSIF o.paid_minor < o.total_minor THEN
    IF before = 'pending' THEN
      PERFORM private.replay_waiting(pay);
      RETURN private.payment_answer(o, pg_catalog.format('part paid: %s of %s', o.paid_minor, o.total_minor), '[]');
    END IF;
    why := 'part paid after the order had ended';
  ELSIF EXISTS (SELECT FROM app.orders x WHERE x.booking_id = o.booking_id AND x.id <> o.id
                   AND x.status IN ('pending', 'paid', 'partially_refunded', 'refunded')) THEN
    why := 'paid for an order the customer had replaced';
  ELSE
    SELECT b.* INTO booking FROM app.bookings b WHERE b.id = o.booking_id;
    IF booking.status IN ('pending', 'expired', 'confirmed', 'completed', 'no_show') THEN
      BEGIN
        UPDATE app.orders x SET status = 'paid' WHERE x.id = o.id RETURNING * INTO o;
        -- A pending booking is confirmed, its hold run out or not (its places still count until someone marks it
        -- expired); an expired one re-takes its places if they are still free: the counters' CHECKs and the
        -- rooms' exclusion constraint decide, in this statement.
        UPDATE app.bookings b SET status = 'confirmed' WHERE b.id = booking.id AND b.status IN ('pending', 'expired');
      EXCEPTION WHEN check_violation OR exclusion_violation THEN
        SELECT x.* INTO o FROM app.orders x WHERE x.id = p_order_id;
        why := 'paid after the hold had ended and its places were taken';
      END;
    ELSE
      why := pg_catalog.format('paid after the booking was %s', booking.status);
    END IF;
  END IF;

  SELECT c.email INTO recipient FROM app.customers c WHERE c.id = o.customer_id;
  IF why IS NULL THEN
    UPDATE app.customers c SET lifetime_value_minor = c.lifetime_value_minor + o.paid_minor,
                               paid_orders = c.paid_orders + 1
     WHERE c.id = o.customer_id;
    PERFORM private.loyalty_earn(o);
    PERFORM private.enqueue_notification(o.org_id, 'payment_received', recipient,
      coalesce((SELECT private.booking_message(b) FROM app.bookings b WHERE b.id = o.booking_id), '{}')
        || pg_catalog.jsonb_build_object('order_id', o.id, 'booking_id', o.booking_id, 'amount_minor', o.paid_minor,
                                         'currency', o.currency, 'provider', p_provider),
      'payment_received:' || o.id, p_customer_id => o.customer_id);
    -- Other payment pages of the order must not take its money a second time.
    SELECT coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('kind', 'expire_checkout',
                      'provider', c.provider, 'provider_ref', c.provider_ref) ORDER BY c.created_at), '[]')
      INTO actions FROM app.checkouts c WHERE c.order_id = o.id AND c.status = 'open';
    PERFORM private.replay_waiting(pay);
    RETURN private.payment_answer(o, 'paid', actions);
  END IF;

  -- Money that buys nothing goes back by itself: this payment when the order was paid already, else all of it.
  -- A pending order whose booking has gone ends here (as the booking's own expiry would have ended it), and its
  -- end refunds what was paid (private.orders_refund_on_end); the refunds made now are the service's actions.
  SELECT coalesce(pg_catalog.array_agg(r.id), '{}') INTO known FROM app.refunds r WHERE r.order_id = o.id;
  UPDATE app.orders x SET refund_required = true,
                          status = CASE WHEN x.status = 'pending' THEN 'expired' ELSE x.status END
   WHERE x.id = o.id;
  SELECT x.* INTO o FROM app.orders x WHERE x.id = p_order_id;
  IF before IN ('paid', 'partially_refunded', 'refunded') THEN
    PERFORM private.create_refund(o.id, pay, p_amount_minor, 'late_payment', why, NULL);
  ELSIF o.paid_minor > o.refund_requested_minor THEN
    PERFORM private.refund_order(o.id, o.paid_minor - o.refund_requested_minor, 'late_payment', why, NULL);
  END IF;
  SELECT coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('kind', 'refund', 'refund_id', r.id)
                                       ORDER BY r.created_at, r.id), '[]')
    INTO actions FROM app.refunds r
   WHERE r.order_id = o.id AND NOT r.id = ANY (known) AND r.provider <> 'offline' AND r.status = 'requested';
  PERFORM private.replay_waiting(pay);
  RETURN private.payment_answer(o, 'refund required: ' || why, actions);
END
$$;

COMMENT ON FUNCTION private.apply_payment(uuid, text, text, text, bigint, text, uuid) IS
'Money landed on an order: the one path for Stripe, Moyasar and offline payments. Records the payment once (the same
provider payment again changes nothing; a currency other than the order''s or more than its total is not applied and
says so), adds it to paid_minor, and once the total is paid: the order becomes paid and its booking confirmed (a
pending booking whatever its hold; an expired one only if its places are still free), the customer''s lifetime
value and paid orders grow, points are earned, payment_received is queued and other open checkouts of the order are
returned to expire. Money that cannot buy the booking (paid twice, after the order was cancelled or replaced, after
the hold ended with the places gone) sets refund_required and becomes late_payment refunds, returned as actions.
Answers {duplicate, ignored, order_id, order_status, outcome, actions}. Internal: for the definer functions of this
area, which checked their caller.';

REVOKE ALL ON FUNCTION private.apply_payment(uuid, text, text, text, bigint, text, uuid) FROM PUBLIC;


-- Orders that end without money. --------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.fail_order(p_order_id uuid, p_message text)
RETURNS app.orders
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  o app.orders := private.lock_order(p_order_id);
BEGIN
  UPDATE app.orders x SET status = CASE WHEN x.status = 'pending' THEN 'failed' ELSE x.status END,
                          last_payment_failure = coalesce(pg_catalog.left(p_message, 1000), x.last_payment_failure)
   WHERE x.org_id = o.org_id AND x.id = o.id RETURNING * INTO o;
  RETURN o;
END
$$;

COMMENT ON FUNCTION private.fail_order(uuid, text) IS
'A payment of the order failed for good: a pending order becomes failed (any other keeps its status: a failure
never undoes a payment) and the message is kept as its last failure. Internal.';

REVOKE ALL ON FUNCTION private.fail_order(uuid, text) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.expire_checkout(p_provider text, p_provider_ref text, p_order_id uuid)
RETURNS app.orders
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
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
$$;

COMMENT ON FUNCTION private.expire_checkout(text, text, uuid) IS
'A checkout expired at its provider: it is marked expired (a completed one stays complete), and its order expires
with its booking when the hold has ended; while the hold lasts the order stays pending for a new checkout. Internal.';

REVOKE ALL ON FUNCTION private.expire_checkout(text, text, uuid) FROM PUBLIC;


-- Provider events. --------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.event_order(p_order_ref text, p_provider text, p_checkout_ref text)
RETURNS uuid
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
  SELECT coalesce(
    (SELECT o.id FROM app.orders o
      WHERE p_order_ref ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
        AND o.id = p_order_ref::uuid),
    (SELECT c.order_id FROM app.checkouts c WHERE c.provider = p_provider AND c.provider_ref = p_checkout_ref))
$$;

COMMENT ON FUNCTION private.event_order(text, text, text) IS
'The order an event is about: its metadata''s order id, else the order of the checkout it names. NULL when neither
is known. Internal.';

REVOKE ALL ON FUNCTION private.event_order(text, text, text) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.stripe_charge_refunds(p_payment app.payments, p_charge jsonb)
RETURNS text
LANGUAGE sql
VOLATILE
SET search_path = ''
AS $$
  -- The refunds listed by id when the charge carries them; the cumulative amount_refunded when the list is absent
  -- (API versions since 2022-11-15 no longer expand it) or cut short.
  SELECT private.apply_refund_facts(p_payment,
           CASE WHEN (pg_catalog.jsonb_typeof(p_charge -> 'refunds' -> 'data') IS DISTINCT FROM 'array'
                      OR (p_charge -> 'refunds' ->> 'has_more') = 'true')
                     AND (p_charge ->> 'amount_refunded') ~ '^[0-9]{1,15}$'
                THEN (p_charge ->> 'amount_refunded')::bigint END,
           CASE WHEN pg_catalog.jsonb_typeof(p_charge -> 'refunds' -> 'data') = 'array'
                THEN p_charge -> 'refunds' -> 'data' END)
$$;

COMMENT ON FUNCTION private.stripe_charge_refunds(app.payments, jsonb) IS
'Applies the refunds a Stripe charge object reports for its payment (private.apply_refund_facts): the refunds it
lists, or its cumulative amount_refunded when it lists none or not all. Returns the outcome. Internal.';

REVOKE ALL ON FUNCTION private.stripe_charge_refunds(app.payments, jsonb) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.replay_waiting(p_payment app.payments)
RETURNS void
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
DECLARE
  waiting app.provider_events;
BEGIN
  FOR waiting IN SELECT e.* FROM app.provider_events e
                  WHERE e.provider = p_payment.provider AND e.waiting_for = p_payment.provider_ref
                  ORDER BY e.received_at, e.event_id FOR UPDATE LOOP
    UPDATE app.provider_events e
       SET waiting_for = NULL, order_id = p_payment.order_id,
           outcome = pg_catalog.left('applied when its payment was recorded: '
                                     || private.stripe_charge_refunds(p_payment, waiting.payload -> 'data' -> 'object'),
                                     1000)
     WHERE e.provider = waiting.provider AND e.event_id = waiting.event_id;
  END LOOP;
END
$$;

COMMENT ON FUNCTION private.replay_waiting(app.payments) IS
'Applies the inbox events that waited for this payment (a charge.refunded delivered before the payment''s own
event), in the order they arrived, and marks them applied. Internal: private.apply_payment calls it once the
payment''s effects are in.';

REVOKE ALL ON FUNCTION private.replay_waiting(app.payments) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.apply_stripe_event(p_event jsonb)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
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
$$;

COMMENT ON FUNCTION private.apply_stripe_event(jsonb) IS
'Applies one verified Stripe event (id, type, data.object): checkout.session.completed (a payment when payment_status
is paid), checkout.session.async_payment_succeeded (a payment), checkout.session.async_payment_failed (order
failed), checkout.session.expired (checkout expired; the order too once its hold ended), payment_intent.payment_failed
(kept as the order''s last failure; the order stays pending), charge.refunded (refunds matched by metadata.refund_id
or refund id, others external; the cumulative amount_refunded when the list is absent or cut short). NULL for other
types. Internal: api.apply_payment_event.';

REVOKE ALL ON FUNCTION private.apply_stripe_event(jsonb) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.apply_moyasar_event(p_event jsonb)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SET search_path = ''
AS $$
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
$$;

COMMENT ON FUNCTION private.apply_moyasar_event(jsonb) IS
'Applies one Moyasar event {id, type, data: the payment as re-fetched from Moyasar}, by the payment''s current
status: paid / captured (a payment; amount and currency checked against the order), failed (order failed),
authorized (recorded, nothing else: the capture comes later), refunded (data.refunded, cumulative, settles our
refunds and records the rest external), voided (refunded in full when it had been paid, else order failed). The
order is data.metadata.order_id, else the checkout of data.invoice_id. The service''s own invoice_expired /
invoice_canceled events ({"id": "reconcile:<invoice id>:expired", "type": "invoice_expired", "data": {"id": <invoice
id>}}) end that checkout as Stripe''s checkout.session.expired does. NULL for events about neither. Internal:
api.apply_payment_event.';

REVOKE ALL ON FUNCTION private.apply_moyasar_event(jsonb) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.apply_payment_event(p_provider text, p_event jsonb)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  recorded text;
  answer   jsonb;
BEGIN
  -- The callers checked argument shapes; what must be there is checked first, then the caller.
  IF p_provider IS NULL THEN
    RAISE EXCEPTION 'provider is required' USING ERRCODE = 'PT400', DETAIL = 'required';
  END IF;
  PERFORM private.require_service_role('apply payment events');
  INSERT INTO app.provider_events (provider, event_id, type, payload)
  VALUES (p_provider, p_event ->> 'id', p_event ->> 'type', p_event)
  ON CONFLICT (provider, event_id) DO NOTHING
  RETURNING event_id INTO recorded;
  IF recorded IS NULL THEN
    RETURN pg_catalog.jsonb_build_object('duplicate', true, 'ignored', true, 'order_id', NULL, 'order_status', NULL,
                                         'outcome', 'duplicate', 'actions', '[]'::jsonb);
  END IF;
  answer := CASE p_provider WHEN 'stripe' THEN private.apply_stripe_event(p_event)
                            ELSE private.apply_moyasar_event(p_event) END;
  answer := coalesce(answer, pg_catalog.jsonb_build_object('duplicate', false, 'ignored', true, 'order_id', NULL,
                                                           'order_status', NULL, 'outcome', 'ignored: unhandled type',
                                                           'actions', '[]'::jsonb));
  -- The inbox is a receipt log on the coordinator, keyed by the provider's own event id (its organization is not
  -- known on arrival, and may never be): the order the event concerned is noted, its organization is that order's.
  UPDATE app.provider_events e
     SET outcome = pg_catalog.left(answer ->> 'outcome', 1000), waiting_for = answer ->> 'waiting_for',
         order_id = (answer ->> 'order_id')::uuid
   WHERE e.provider = p_provider AND e.event_id = recorded;
  RETURN answer - 'waiting_for';
END
$$;

COMMENT ON FUNCTION private.apply_payment_event(text, jsonb) IS
'Records a provider event in the inbox and applies it in the same transaction (api.apply_payment_event). Its own
check: service_role. Answers as api.apply_payment_event.';

REVOKE ALL ON FUNCTION private.apply_payment_event(text, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.apply_payment_event(text, jsonb) TO service_role;


CREATE OR REPLACE FUNCTION private.event_arg(p_name text, p_value jsonb)
RETURNS jsonb
LANGUAGE plpgsql
IMMUTABLE
PARALLEL SAFE
SET search_path = ''
AS $$
BEGIN
  IF p_value IS NULL THEN
    RAISE EXCEPTION '% is required', p_name USING ERRCODE = 'PT400', DETAIL = 'required';
  END IF;
  IF pg_catalog.jsonb_typeof(p_value) <> 'object'
     OR pg_catalog.jsonb_typeof(p_value -> 'id') IS DISTINCT FROM 'string'
     OR pg_catalog.length(p_value ->> 'id') NOT BETWEEN 1 AND 255
     OR pg_catalog.jsonb_typeof(p_value -> 'type') IS DISTINCT FROM 'string'
     OR pg_catalog.length(p_value ->> 'type') NOT BETWEEN 1 AND 200 THEN
    RAISE EXCEPTION '% must be a JSON object with an "id" (1 to 255 characters) and a "type" (1 to 200)', p_name
      USING ERRCODE = 'PT400', DETAIL = 'invalid', HINT = '{"id": "evt_…", "type": "checkout.session.completed", '
                                                          '"data": {…}}';
  END IF;
  RETURN p_value;
END
$$;

COMMENT ON FUNCTION private.event_arg(text, jsonb) IS
'Returns a provider event argument unchanged, or raises PT400 naming it when it is missing or not an object with a
string id (1 to 255 characters) and type (1 to 200).';

REVOKE ALL ON FUNCTION private.event_arg(text, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.event_arg(text, jsonb) TO anon, authenticated, service_role;


CREATE OR REPLACE FUNCTION api.apply_payment_event(provider text, event jsonb)
RETURNS jsonb
LANGUAGE sql
VOLATILE
SET search_path = ''
AS $$
  SELECT private.apply_payment_event(
           private.provider_arg('provider', provider, ARRAY['stripe', 'moyasar']),
           private.event_arg('event', event))
$$;

COMMENT ON FUNCTION api.apply_payment_event(text, jsonb) IS
$$One call per webhook delivery or reconcile finding: records the event in the inbox (UNIQUE provider and event id)
and applies it in the same transaction. provider is stripe or moyasar. Stripe: event is the verified event JSON (id,
type, data.object); handled: checkout.session.completed (fulfils when payment_status is paid),
checkout.session.async_payment_succeeded / _failed, checkout.session.expired, payment_intent.payment_failed (kept as
the order's last failure; the order stays pending, Checkout lets the customer retry), charge.refunded (full and
partial). Moyasar: event is {"id": webhook id or "reconcile:<payment id>:<status>", "type": webhook type, "data":
the payment as re-fetched from Moyasar}; statuses paid, captured, failed, authorized, refunded (data.refunded,
cumulative: give reconcile findings an id that includes it, e.g. "reconcile:<payment id>:refunded:<refunded>"),
voided; and {"type": "invoice_expired" | "invoice_canceled", "data": {"id": <invoice id>}} once the service has
expired an invoice (the checkout ends, and the order with it once its hold ended). Answers
{"duplicate": bool, "ignored": bool, "order_id": uuid|null, "order_status": text|null, "outcome": text, "actions":
[{"kind": "refund", "refund_id": uuid} | {"kind": "expire_checkout", "provider": text, "provider_ref": text}]}: a
duplicate delivery is {"duplicate": true, "ignored": true, …} and changes nothing; an unhandled type is recorded and
answered {"ignored": true}. The actions are for the service to execute at the provider (refunds: see due_refunds).
A late payment whose places are gone answers a refund action. A charge.refunded delivered before its payment's event
(and naming no order) is recorded with outcome "waiting for its payment" and applied when the payment is, so the
final state does not depend on delivery order. Order matters in one place only, and safely: a payment landing after
its hold ended re-takes the places if they are free at that moment, otherwise its money becomes a late_payment
refund; either way it is counted once. For service_role. Errors: PT400 provider not stripe or moyasar, event not an
object with id and type; PT403 anyone else.$$;

REVOKE ALL ON FUNCTION api.apply_payment_event(text, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.apply_payment_event(text, jsonb) TO service_role;


-- Staff: offline payments and refunds. ------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.record_offline_payment(p_order_id uuid, p_amount_minor bigint, p_method text,
                                                          p_reference text)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  o   app.orders;
  pay app.payments;
BEGIN
  IF p_amount_minor IS NULL OR p_method IS NULL OR p_reference IS NULL THEN
    RAISE EXCEPTION '% is required', CASE WHEN p_amount_minor IS NULL THEN 'amount_minor'
                                          WHEN p_method IS NULL THEN 'method' ELSE 'reference' END
      USING ERRCODE = 'PT400', DETAIL = 'required';
  END IF;
  SELECT x.* INTO o FROM app.orders x WHERE x.id = p_order_id;
  -- Its own check: staff of the order's organization; anyone else is told it does not exist.
  IF NOT FOUND OR NOT o.org_id = ANY (private.org_ids('staff')) THEN
    RAISE EXCEPTION 'order not found' USING ERRCODE = 'PT404';
  END IF;
  o := private.lock_order(p_order_id);
  SELECT p.* INTO pay FROM app.payments p
   WHERE p.provider = 'offline' AND p.org_id = o.org_id AND p.provider_ref = p_reference;
  IF FOUND THEN
    IF pay.order_id = o.id AND pay.amount_minor = p_amount_minor AND pay.method = p_method THEN
      RETURN private.payment_answer(o, 'payment already recorded', '[]');  -- a retry
    END IF;
    RAISE EXCEPTION 'the reference % was already used for another payment', p_reference USING ERRCODE = 'PT409',
      DETAIL = 'reference_used', HINT = 'give each payment its own reference (receipt or slip number)';
  END IF;
  IF o.status NOT IN ('pending', 'failed', 'expired') THEN
    RAISE EXCEPTION 'this order is % and nothing is due on it', o.status USING ERRCODE = 'PT409',
      DETAIL = 'nothing_due';
  END IF;
  IF p_amount_minor > o.total_minor - o.paid_minor THEN
    RAISE EXCEPTION 'at most % is due on this order', o.total_minor - o.paid_minor USING ERRCODE = 'PT409',
      DETAIL = 'amount_exceeds_due';
  END IF;
  RETURN private.apply_payment(o.id, 'offline', p_reference, p_method, p_amount_minor, o.currency, auth.uid());
END
$$;

COMMENT ON FUNCTION private.record_offline_payment(uuid, bigint, text, text) IS
'Staff record money taken at the venue (api.record_offline_payment). Its own check: staff of the order''s
organization. Through private.apply_payment, the path of provider payments.';

REVOKE ALL ON FUNCTION private.record_offline_payment(uuid, bigint, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.record_offline_payment(uuid, bigint, text, text) TO authenticated;


CREATE OR REPLACE FUNCTION api.record_offline_payment(order_id uuid, amount_minor bigint, method text,
                                                      reference text)
RETURNS jsonb
LANGUAGE sql
VOLATILE
SET search_path = ''
AS $$
  SELECT private.record_offline_payment(
           order_id, private.amount_arg('amount_minor', amount_minor, 1, 999999999),
           private.provider_arg('method', method, ARRAY['cash', 'card_terminal', 'bank_transfer', 'cheque', 'voucher',
                                                        'other']),
           private.text_arg('reference', reference, 1, 255))
$$;

COMMENT ON FUNCTION api.record_offline_payment(uuid, bigint, text, text) IS
$$Records money taken at the venue for an order (cash or a card terminal at the door, a bank transfer, …) and applies
it as a provider payment would be: once the total is paid the order is paid and its booking confirmed, points
earned, lifetime value updated. method is one of cash, card_terminal, bank_transfer, cheque, voucher, other;
reference (1 to 255 characters: the receipt or slip number) is unique per organization, so a retry with the same
reference, amount and method answers as the first call and records nothing more. Answers {"duplicate": false,
"ignored": false, "order_id": uuid, "order_status": text, "outcome": text ("paid", "part paid: N of M", "payment
already recorded", "refund required: …"), "actions": []}. For staff of the order's organization. Errors: PT400
naming the argument (amount_minor 1 to 999999999, method, reference); PT404 order not found; PT409 nothing_due (the
order is paid, cancelled or refunded), amount_exceeds_due (more than the total less what was paid),
reference_used.$$;

REVOKE ALL ON FUNCTION api.record_offline_payment(uuid, bigint, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.record_offline_payment(uuid, bigint, text, text) TO authenticated;


CREATE OR REPLACE FUNCTION private.request_refund(p_order_id uuid, p_amount_minor bigint, p_reason text)
RETURNS SETOF app.refunds
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  o app.orders;
  refundable bigint;
BEGIN
  SELECT x.* INTO o FROM app.orders x WHERE x.id = p_order_id;
  -- Its own check: managers of the order's organization; other staff are told why, anyone else that it is missing.
  IF NOT FOUND OR NOT o.org_id = ANY (private.org_ids('staff')) THEN
    RAISE EXCEPTION 'order not found' USING ERRCODE = 'PT404';
  END IF;
  IF NOT o.org_id = ANY (private.org_ids('manager')) THEN
    RAISE EXCEPTION 'only managers may refund money' USING ERRCODE = 'PT403',
      HINT = 'cancelling a paid booking refunds what its policy allows';
  END IF;
  o := private.lock_order(p_order_id);
  refundable := o.paid_minor - o.refund_requested_minor;
  IF refundable <= 0 THEN
    RAISE EXCEPTION 'nothing is left to refund on this order' USING ERRCODE = 'PT409',
      DETAIL = 'nothing_refundable';
  END IF;
  IF p_amount_minor > refundable THEN
    RAISE EXCEPTION 'at most % can be refunded on this order', refundable USING ERRCODE = 'PT409',
      DETAIL = 'refund_exceeds_paid', HINT = 'paid less what is refunded or being refunded';
  END IF;
  RETURN QUERY SELECT * FROM private.refund_order(o.id, coalesce(p_amount_minor, refundable), 'requested',
                                                  p_reason, auth.uid());
END
$$;

COMMENT ON FUNCTION private.request_refund(uuid, bigint, text) IS
'Staff refund money (api.request_refund). Its own check: managers of the order''s organization (PT403 other staff,
PT404 anyone else).';

REVOKE ALL ON FUNCTION private.request_refund(uuid, bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.request_refund(uuid, bigint, text) TO authenticated;


CREATE OR REPLACE FUNCTION api.request_refund(order_id uuid, amount_minor bigint DEFAULT NULL, reason text DEFAULT NULL)
RETURNS SETOF app.refunds
LANGUAGE sql
VOLATILE
SET search_path = ''
AS $$
  SELECT * FROM private.request_refund(order_id, private.amount_arg('amount_minor', amount_minor, 1, 999999999),
                                       private.text_arg('reason', reason, 0, 1000))
$$;

COMMENT ON FUNCTION api.request_refund(uuid, bigint, text) IS
$$Refunds money of an order, in full (amount_minor omitted: all that is still refundable) or in part; never more
than paid less what is refunded or being refunded (the order's counter and its CHECK hold this under concurrency).
Answers the refunds made, an array of app.refunds rows (id, org_id, order_id, payment_id, amount_minor, currency,
reason, kind "requested", status, provider, provider_refund_id, failure, requested_by, claimed_until, created_at,
submitted_at, settled_at): one per payment drawn on, latest payment first, so one in the usual case. A provider
refund is requested and the service executes it (NOTIFY tessera_refunds, then api.due_refunds); the provider's
webhook settles it. An offline refund (cash handed back) is settled at once. Settling moves the order to
partially_refunded or refunded, reverses points in proportion, reduces lifetime value, and a refund in full
cancels the booking. For managers and up of the order's organization. Errors: PT400 amount_minor outside 1 to
999999999, a reason over 1000 characters; PT403 staff below manager; PT404 order not found; PT409
nothing_refundable, refund_exceeds_paid (the message says how much may be refunded).$$;

REVOKE ALL ON FUNCTION api.request_refund(uuid, bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.request_refund(uuid, bigint, text) TO authenticated;


-- Cancelling a paid booking refunds what its policy allows. ----------------------------------------------------------
CREATE OR REPLACE FUNCTION private.bookings_refund_on_cancel()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
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
$$;

COMMENT ON FUNCTION private.bookings_refund_on_cancel() IS
'Trigger: a paid booking cancelled (any path: api.cancel_booking, a batch) gets a cancellation refund in the same
transaction: its refund_due_minor (the experience''s policy) as a share of the price, applied to what was paid for
the order (rounded down), within what is still refundable. A definer: the staff member cancelling needs no access to
money tables.';

REVOKE ALL ON FUNCTION private.bookings_refund_on_cancel() FROM PUBLIC;

CREATE OR REPLACE TRIGGER bookings_refund_on_cancel
  AFTER UPDATE OF status ON app.bookings
  FOR EACH ROW WHEN (NEW.status = 'cancelled' AND OLD.status <> 'cancelled')
  EXECUTE FUNCTION private.bookings_refund_on_cancel();


CREATE OR REPLACE FUNCTION private.orders_refund_on_end()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  UPDATE app.orders o SET refund_required = true WHERE o.org_id = NEW.org_id AND o.id = NEW.id;
  PERFORM private.refund_order(NEW.id, NEW.paid_minor - NEW.refund_requested_minor, 'late_payment',
                               pg_catalog.format('the order was %s with %s paid', NEW.status, NEW.paid_minor),
                               auth.uid());
  RETURN NULL;
END
$$;

COMMENT ON FUNCTION private.orders_refund_on_end() IS
'Trigger: a pending order that ends (failed, expired, cancelled: whichever path, a booking''s hold running out
included) with money already received (a part paid offline) is marked refund_required and that money becomes
late_payment refunds, in the same transaction. A definer: whoever ends the order needs no access to money tables.';

REVOKE ALL ON FUNCTION private.orders_refund_on_end() FROM PUBLIC;

CREATE OR REPLACE TRIGGER orders_refund_on_end
  AFTER UPDATE OF status ON app.orders
  FOR EACH ROW WHEN (OLD.status = 'pending' AND NEW.status IN ('failed', 'expired', 'cancelled')
                     AND NEW.paid_minor > NEW.refund_requested_minor)
  EXECUTE FUNCTION private.orders_refund_on_end();


-- The service: checkouts. -------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.begin_checkout(p_order_id uuid, p_provider text, p_embed_key text,
                                                  p_customer_email text)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  o        app.orders;
  booking  app.bookings;
  email    text;
  exp      app.experiences;
  tz       text;
  open_one jsonb;
  lines    jsonb;
BEGIN
  IF p_provider IS NULL THEN
    RAISE EXCEPTION 'provider is required' USING ERRCODE = 'PT400', DETAIL = 'required';
  END IF;
  SELECT x.* INTO o FROM app.orders x WHERE x.id = p_order_id;
  SELECT b.* INTO booking FROM app.bookings b WHERE b.id = o.booking_id;
  -- Its own check, create_order's (private.may_order): staff of the organization; the signed-in customer whose
  -- e-mail the order is for; or the venue's widget (embed key) with that e-mail. Anyone else is told the order
  -- does not exist.
  IF o.id IS NULL OR NOT private.may_order(booking, p_embed_key, p_customer_email) THEN
    RAISE EXCEPTION 'order not found' USING ERRCODE = 'PT404';
  END IF;
  SELECT c.email INTO email FROM app.customers c WHERE c.id = o.customer_id;
  SELECT e.* INTO exp FROM app.experiences e WHERE e.id = booking.experience_id;
  SELECT v.timezone INTO tz FROM app.venues v WHERE v.id = exp.venue_id;
  IF o.status <> 'pending' THEN
    RAISE EXCEPTION 'this order is % and takes no payment', o.status USING ERRCODE = 'PT409',
      DETAIL = 'order_not_pending';
  END IF;
  IF o.expires_at <= pg_catalog.now() THEN
    RAISE EXCEPTION 'the hold on this booking ran out at %', o.expires_at USING ERRCODE = 'PT409',
      DETAIL = 'hold_expired', HINT = 'make a new booking';
  END IF;
  SELECT pg_catalog.jsonb_build_object('provider', c.provider, 'provider_ref', c.provider_ref, 'url', c.url,
                                       'expires_at', c.expires_at)
    INTO open_one FROM app.checkouts c
   WHERE c.order_id = o.id AND c.provider = p_provider AND c.status = 'open'
     AND (c.expires_at IS NULL OR c.expires_at > pg_catalog.now())
   ORDER BY c.created_at DESC LIMIT 1;
  lines := private.order_answer(o.id) -> 'lines';  -- the lines as create_order answered them
  RETURN pg_catalog.jsonb_build_object(
    'order_id', o.id, 'org_id', o.org_id, 'amount_minor', o.total_minor - o.paid_minor, 'currency', o.currency,
    'description', exp.name || ', ' || pg_catalog.to_char(booking.starts_at AT TIME ZONE tz, 'YYYY-MM-DD HH24:MI'),
    'customer_email', email, 'expires_at', o.expires_at, 'lines', lines, 'open_checkout', open_one);
END
$$;

COMMENT ON FUNCTION private.begin_checkout(uuid, text, text, text) IS
'What the service needs to open a checkout (api.begin_checkout). Its own check, as create_order''s: staff of the
organization, the signed-in customer of the order, or the venue''s embed key with the customer''s e-mail.';

REVOKE ALL ON FUNCTION private.begin_checkout(uuid, text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.begin_checkout(uuid, text, text, text) TO anon, authenticated;


CREATE OR REPLACE FUNCTION api.begin_checkout(order_id uuid, provider text, embed_key text DEFAULT NULL,
                                              customer_email text DEFAULT NULL)
RETURNS jsonb
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
  SELECT private.begin_checkout(order_id, private.provider_arg('provider', provider, ARRAY['stripe', 'moyasar']),
                                private.text_arg('embed_key', embed_key, 1, 100),
                                private.email_arg('customer_email', customer_email))
$$;

COMMENT ON FUNCTION api.begin_checkout(uuid, text, text, text) IS
$$What the service needs to open a payment page for a pending order, asked as the caller: {"order_id": uuid,
"org_id": uuid, "amount_minor": integer (the total less what was paid), "currency": text, "description": text
(experience and venue-local start), "customer_email": text, "expires_at": time (the payment deadline, the booking's
hold), "lines": [{"kind", "description", "ticket_type_id", "quantity", "unit_price_minor", "amount_minor",
"vat_minor"}], "open_checkout": {"provider", "provider_ref", "url", "expires_at"} or null (an open, unexpired
checkout of that provider to reuse)}. provider is stripe or moyasar. Callers, as create_order: staff of the
organization; a signed-in user whose e-mail is the order's customer's; anon with the venue's embed_key and the
customer_email. Errors: PT400 naming the argument; PT404 order not found (also for a caller who may not see it);
PT409 order_not_pending, hold_expired.$$;

REVOKE ALL ON FUNCTION api.begin_checkout(uuid, text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.begin_checkout(uuid, text, text, text) TO anon, authenticated;


CREATE OR REPLACE FUNCTION private.record_checkout(p_order_id uuid, p_provider text, p_provider_ref text, p_url text,
                                                   p_expires_at timestamptz)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  o    app.orders;
  made app.checkouts;
BEGIN
  IF p_provider IS NULL OR p_provider_ref IS NULL THEN
    RAISE EXCEPTION '% is required', CASE WHEN p_provider IS NULL THEN 'provider' ELSE 'provider_ref' END
      USING ERRCODE = 'PT400', DETAIL = 'required';
  END IF;
  PERFORM private.require_service_role('record checkouts');
  SELECT x.* INTO o FROM app.orders x WHERE x.id = p_order_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'order not found' USING ERRCODE = 'PT404';
  END IF;
  INSERT INTO app.checkouts (org_id, order_id, provider, provider_ref, url, expires_at)
  VALUES (o.org_id, o.id, p_provider, p_provider_ref, p_url, p_expires_at)
  ON CONFLICT (provider, provider_ref) DO NOTHING
  RETURNING * INTO made;
  IF made.id IS NULL THEN
    SELECT c.* INTO made FROM app.checkouts c WHERE c.provider = p_provider AND c.provider_ref = p_provider_ref;
    IF made.order_id <> o.id THEN
      RAISE EXCEPTION 'this checkout belongs to another order' USING ERRCODE = 'PT409', DETAIL = 'checkout_taken';
    END IF;
  END IF;
  RETURN pg_catalog.jsonb_build_object('checkout_id', made.id, 'order_id', made.order_id, 'provider', made.provider,
                                       'provider_ref', made.provider_ref, 'url', made.url,
                                       'expires_at', made.expires_at, 'status', made.status);
END
$$;

COMMENT ON FUNCTION private.record_checkout(uuid, text, text, text, timestamptz) IS
'Stores a checkout the service opened (api.record_checkout). Its own check: service_role.';

REVOKE ALL ON FUNCTION private.record_checkout(uuid, text, text, text, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.record_checkout(uuid, text, text, text, timestamptz) TO service_role;


CREATE OR REPLACE FUNCTION api.record_checkout(order_id uuid, provider text, provider_ref text, url text DEFAULT NULL,
                                               expires_at timestamptz DEFAULT NULL)
RETURNS jsonb
LANGUAGE sql
VOLATILE
SET search_path = ''
AS $$
  SELECT private.record_checkout(order_id, private.provider_arg('provider', provider, ARRAY['stripe', 'moyasar']),
                                 private.text_arg('provider_ref', provider_ref, 1, 255),
                                 private.text_arg('url', url, 1, 2048), private.time_arg('expires_at', expires_at))
$$;

COMMENT ON FUNCTION api.record_checkout(uuid, text, text, text, timestamptz) IS
$$Stores the checkout the service opened at a provider for an order (Stripe Checkout Session id, Moyasar invoice id),
its URL and when it expires there. Idempotent on (provider, provider_ref): recording it again answers the stored
one. Answers {"checkout_id": uuid, "order_id": uuid, "provider": text, "provider_ref": text, "url": text|null,
"expires_at": time|null, "status": "open" | "complete" | "expired"}. For service_role. Errors: PT400 naming the
argument (provider stripe or moyasar, provider_ref 1 to 255 characters, url up to 2048, expires_at within
2000-01-01 to five years from now); PT403 anyone else; PT404 order not found; PT409 checkout_taken (the reference
is another order's).$$;

REVOKE ALL ON FUNCTION api.record_checkout(uuid, text, text, text, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.record_checkout(uuid, text, text, text, timestamptz) TO service_role;


-- The service: executing refunds. -----------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.due_refunds(p_limit integer)
RETURNS TABLE (refund_id uuid, order_id uuid, org_id uuid, provider text, payment_ref text, amount_minor bigint,
               currency text, kind text, reason text, claimed_until timestamptz)
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
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
$$;

COMMENT ON FUNCTION private.due_refunds(integer) IS
'Claims refunds to execute (api.due_refunds). Its own check: service_role.';

REVOKE ALL ON FUNCTION private.due_refunds(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.due_refunds(integer) TO service_role;


CREATE OR REPLACE FUNCTION api.due_refunds("limit" integer DEFAULT 50)
RETURNS TABLE (refund_id uuid, order_id uuid, org_id uuid, provider text, payment_ref text, amount_minor bigint,
               currency text, kind text, reason text, claimed_until timestamptz)
LANGUAGE sql
VOLATILE
SET search_path = ''
AS $$
  SELECT * FROM private.due_refunds(private.count_arg('limit', due_refunds."limit", 1, 500))
$$;

COMMENT ON FUNCTION api.due_refunds(integer) IS
$$Claims up to limit (1 to 500, default 50) requested refunds for the service to execute at their provider, oldest
first, and answers rows {refund_id, order_id, org_id, provider ("stripe" | "moyasar"), payment_ref (the payment
intent or Moyasar payment id to refund), amount_minor, currency, kind, reason, claimed_until}. A claim lasts two
minutes: concurrent callers never get the same refund, and one not recorded as submitted or failed by then is
claimed again (send the refund id as the provider's idempotency key). Then record_refund_submission or
record_refund_failure. For service_role. Errors: PT400 limit outside 1 to 500; PT403 anyone else.$$;

REVOKE ALL ON FUNCTION api.due_refunds(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.due_refunds(integer) TO service_role;


CREATE OR REPLACE FUNCTION private.refund_answer(r app.refunds)
RETURNS jsonb
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
  SELECT pg_catalog.jsonb_build_object('refund_id', r.id, 'order_id', r.order_id, 'status', r.status,
           'provider', r.provider, 'provider_refund_id', r.provider_refund_id, 'amount_minor', r.amount_minor,
           'currency', r.currency,
           'order_status', (SELECT o.status FROM app.orders o WHERE o.org_id = r.org_id AND o.id = r.order_id))
$$;

COMMENT ON FUNCTION private.refund_answer(app.refunds) IS
'A refund as the service''s refund functions answer it.';

REVOKE ALL ON FUNCTION private.refund_answer(app.refunds) FROM PUBLIC;


CREATE OR REPLACE FUNCTION private.record_refund_outcome(p_refund_id uuid, p_provider_refund_id text,
                                                         p_failure text)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = ''
AS $$
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
$$;

COMMENT ON FUNCTION private.record_refund_outcome(uuid, text, text) IS
'Records what the provider answered to a refund the service submitted (api.record_refund_submission,
api.record_refund_failure). Its own check: service_role.';

REVOKE ALL ON FUNCTION private.record_refund_outcome(uuid, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.record_refund_outcome(uuid, text, text) TO service_role;


CREATE OR REPLACE FUNCTION api.record_refund_submission(refund_id uuid, provider_refund_id text DEFAULT NULL)
RETURNS jsonb
LANGUAGE sql
VOLATILE
SET search_path = ''
AS $$
  SELECT private.record_refund_outcome(refund_id, private.text_arg('provider_refund_id', provider_refund_id, 1, 255),
                                       NULL)
$$;

COMMENT ON FUNCTION api.record_refund_submission(uuid, text) IS
$$The provider accepted a refund: a requested refund becomes submitted, with the provider's refund id (Stripe re_…;
may be omitted for Moyasar, whose refunds have none). The provider's webhook settles it (or a later event of the
payment). Idempotent: again, or after the webhook already settled it, it changes nothing but a missing provider
refund id. Answers {"refund_id": uuid, "order_id": uuid, "status": text, "provider": text, "provider_refund_id":
text|null, "amount_minor": integer, "currency": text, "order_status": text}. For service_role. Errors: PT400
provider_refund_id over 255 characters; PT403 anyone else; PT404 refund not found; PT409 refund_settled (it was
recorded failed), illegal_transition (another provider refund id).$$;

REVOKE ALL ON FUNCTION api.record_refund_submission(uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.record_refund_submission(uuid, text) TO service_role;


CREATE OR REPLACE FUNCTION api.record_refund_failure(refund_id uuid, message text)
RETURNS jsonb
LANGUAGE sql
VOLATILE
SET search_path = ''
AS $$
  SELECT private.record_refund_outcome(refund_id, NULL,
                                       coalesce(private.text_arg('message', message, 1, 1000), 'the provider refused'))
$$;

COMMENT ON FUNCTION api.record_refund_failure(uuid, text) IS
$$The provider refused a refund for good (not a timeout: a timeout is retried after the claim runs out): it becomes
failed with the message, and its amount may be refunded again. Idempotent on a failed refund. Answers as
record_refund_submission. For service_role. Errors: PT400 message over 1000 characters; PT403 anyone else; PT404
refund not found; PT409 refund_settled (it has succeeded).$$;

REVOKE ALL ON FUNCTION api.record_refund_failure(uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.record_refund_failure(uuid, text) TO service_role;


-- The service: reconciling. -----------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION private.orders_to_reconcile(p_limit integer)
RETURNS TABLE (order_id uuid, org_id uuid, order_status text, expires_at timestamptz, provider text,
               provider_ref text, checkout_status text)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  PERFORM private.require_service_role('reconcile orders');
  RETURN QUERY
  SELECT o.id, o.org_id, o.status::text, o.expires_at, c.provider, c.provider_ref, c.status
    FROM app.orders o JOIN app.checkouts c ON c.org_id = o.org_id AND c.order_id = o.id
   WHERE o.status = 'pending' OR (c.status = 'open' AND o.expires_at <= pg_catalog.now())
   ORDER BY o.expires_at, o.id, c.created_at
   LIMIT coalesce(p_limit, 100);
END
$$;

COMMENT ON FUNCTION private.orders_to_reconcile(integer) IS
'Checkouts to poll at their providers (api.orders_to_reconcile). Its own check: service_role.';

REVOKE ALL ON FUNCTION private.orders_to_reconcile(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.orders_to_reconcile(integer) TO service_role;


CREATE OR REPLACE FUNCTION api.orders_to_reconcile("limit" integer DEFAULT 100)
RETURNS TABLE (order_id uuid, org_id uuid, order_status text, expires_at timestamptz, provider text,
               provider_ref text, checkout_status text)
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
  SELECT * FROM private.orders_to_reconcile(private.count_arg('limit', orders_to_reconcile."limit", 1, 500))
$$;

COMMENT ON FUNCTION api.orders_to_reconcile(integer) IS
$$What `tessera payments reconcile` polls: one row per checkout {order_id, org_id, order_status, expires_at (the
order's payment deadline), provider, provider_ref (session or invoice id), checkout_status} of every order still
pending (past its deadline or within it) and of ended orders whose checkout is still open, soonest deadline first,
at most limit (1 to 500, default 100). Apply what the provider says through apply_payment_event with an event id
such as "reconcile:<provider_ref>:<status>". For service_role. Errors: PT400 limit outside 1 to 500; PT403 anyone
else.$$;

REVOKE ALL ON FUNCTION api.orders_to_reconcile(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.orders_to_reconcile(integer) TO service_role;


CREATE OR REPLACE FUNCTION private.checkouts_to_expire(p_limit integer)
RETURNS TABLE (checkout_id uuid, order_id uuid, org_id uuid, provider text, provider_ref text, order_status text,
               order_expires_at timestamptz)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
  PERFORM private.require_service_role('expire checkouts');
  RETURN QUERY
  SELECT c.id, c.order_id, c.org_id, c.provider, c.provider_ref, o.status::text, o.expires_at
    FROM app.checkouts c JOIN app.orders o ON o.org_id = c.org_id AND o.id = c.order_id
   WHERE c.status = 'open' AND (o.expires_at <= pg_catalog.now() OR o.status <> 'pending')
   ORDER BY o.expires_at, c.created_at
   LIMIT coalesce(p_limit, 100);
END
$$;

COMMENT ON FUNCTION private.checkouts_to_expire(integer) IS
'Open checkouts to expire at their providers (api.checkouts_to_expire). Its own check: service_role.';

REVOKE ALL ON FUNCTION private.checkouts_to_expire(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION private.checkouts_to_expire(integer) TO service_role;


CREATE OR REPLACE FUNCTION api.checkouts_to_expire("limit" integer DEFAULT 100)
RETURNS TABLE (checkout_id uuid, order_id uuid, org_id uuid, provider text, provider_ref text, order_status text,
               order_expires_at timestamptz)
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
  SELECT * FROM private.checkouts_to_expire(private.count_arg('limit', checkouts_to_expire."limit", 1, 500))
$$;

COMMENT ON FUNCTION api.checkouts_to_expire(integer) IS
$$Open checkouts the service should expire at their provider (Stripe POST /v1/checkout/sessions/{id}/expire): those
of orders whose hold has ended or that are no longer pending (paid another way, cancelled). Rows {checkout_id,
order_id, org_id, provider, provider_ref, order_status, order_expires_at}, soonest first, at most limit (1 to 500,
default 100). The provider's checkout.session.expired event then marks the checkout expired (and the order, once
its hold ended); a payment that still lands is a late payment. For service_role. Errors: PT400 limit outside 1 to
500; PT403 anyone else.$$;

REVOKE ALL ON FUNCTION api.checkouts_to_expire(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.checkouts_to_expire(integer) TO service_role;
