-- The final state does not depend on delivery order or repetition: a purchase, a partial refund and the full
-- refund (both made at the provider) delivered in each of the six orders, every event twice, end in the same state
-- as delivery in order once: one payment, two refunds, the order refunded, its booking cancelled, every point
-- reversed, no lifetime value.
BEGIN;
\ir setup.psql
SELECT plan(7);
\ir fixtures.psql
SELECT pg_temp.shop();
UPDATE app.org_settings SET currency = 'GBP', loyalty_points_per_major = 10 WHERE org_id = pg_temp.id('org_a');

-- An order for a fresh pending booking of the vault (a party of 2 at 2500 each: 5000) n days after day.at_19,
-- booked by staff_a for p_email; the order as create_order makes it (total = the booking's price, no VAT).
CREATE FUNCTION pg_temp.order_for(p_name text, p_email text, p_days int) RETURNS uuid LANGUAGE plpgsql AS $$
DECLARE
  booking uuid;
BEGIN
  PERFORM pg_temp.fresh(p_name);
  PERFORM pg_temp.act_as('staff_a');
  SELECT id INTO booking FROM api.create_booking(pg_temp.id('vault'),
    (SELECT at_19 FROM day) + make_interval(days => p_days), p_email, 2);
  PERFORM set_config('role', 'none', true);
  PERFORM set_config('request.jwt.claims', '', true);
  INSERT INTO app.orders (org_id, id, booking_id, customer_id, currency, prices_include_vat, vat_rate_bp,
                          subtotal_minor, vat_minor, total_minor, expires_at)
  SELECT org_id, pg_temp.id(p_name), id, customer_id, 'GBP', true, 0, price_minor, 0, price_minor, hold_expires_at
    FROM app.bookings WHERE id = booking;
  RETURN pg_temp.id(p_name);
END
$$;

-- A Stripe event about an order's checkout session (its id cs_<order>), as the verified event JSON.
CREATE FUNCTION pg_temp.session_event(p_event_id text, p_type text, p_order text, p_payment_status text,
                                      p_intent text, p_amount bigint) RETURNS jsonb LANGUAGE sql AS $$
  SELECT jsonb_build_object('id', p_event_id, 'type', p_type, 'data', jsonb_build_object('object', jsonb_build_object(
    'id', 'cs_' || pg_temp.id(p_order), 'object', 'checkout.session', 'payment_status', p_payment_status,
    'payment_intent', p_intent, 'amount_total', p_amount, 'currency', 'gbp',
    'metadata', jsonb_build_object('order_id', pg_temp.id(p_order)))))
$$;

-- A charge.refunded event of a payment intent: the cumulative amount refunded and the refunds listed.
CREATE FUNCTION pg_temp.charge_refunded(p_event_id text, p_intent text, p_amount bigint, p_refunded bigint,
                                        p_refunds jsonb) RETURNS jsonb LANGUAGE sql AS $$
  SELECT jsonb_build_object('id', p_event_id, 'type', 'charge.refunded', 'data', jsonb_build_object('object',
    jsonb_build_object('id', 'ch_' || p_intent, 'object', 'charge', 'payment_intent', p_intent, 'amount', p_amount,
                       'amount_refunded', p_refunded, 'currency', 'gbp', 'refunded', p_refunded = p_amount,
                       'refunds', jsonb_build_object('data', p_refunds, 'has_more', false))))
$$;

-- Delivered as the service delivers it: one call as service_role.
CREATE FUNCTION pg_temp.deliver(p_provider text, p_event jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  answer jsonb;
BEGIN
  PERFORM pg_temp.act_as('service_role');
  answer := api.apply_payment_event(p_provider, p_event);
  PERFORM set_config('role', 'none', true);
  PERFORM set_config('request.jwt.claims', '', true);
  RETURN answer;
END
$$;

CREATE FUNCTION pg_temp.order_status(p_name text) RETURNS text LANGUAGE sql AS $$
  SELECT status::text FROM app.orders WHERE id = pg_temp.id(p_name)
$$;
CREATE FUNCTION pg_temp.booking_status(p_name text) RETURNS text LANGUAGE sql AS $$
  SELECT b.status::text FROM app.orders o JOIN app.bookings b ON b.id = o.booking_id WHERE o.id = pg_temp.id(p_name)
$$;

-- What one order ended as, in one line.
CREATE FUNCTION pg_temp.summary(p_order text) RETURNS text LANGUAGE sql AS $$
  SELECT format('order %s paid %s refunded %s; %s payment, %s refunds (%s); booking %s; points %s; lifetime %s',
                o.status, o.paid_minor, o.refunded_minor,
                (SELECT count(*) FROM app.payments p WHERE p.order_id = o.id),
                (SELECT count(*) FROM app.refunds r WHERE r.order_id = o.id),
                (SELECT string_agg(r.kind || ' ' || r.amount_minor || ' ' || r.status, ', ' ORDER BY r.amount_minor)
                   FROM app.refunds r WHERE r.order_id = o.id),
                b.status, coalesce((SELECT sum(l.points) FROM app.loyalty_ledger l WHERE l.order_id = o.id), 0),
                c.lifetime_value_minor)
    FROM app.orders o JOIN app.bookings b ON b.id = o.booking_id JOIN app.customers c ON c.id = o.customer_id
   WHERE o.id = pg_temp.id(p_order)
$$;

-- The story of order p_order (payment intent pi_<p_order>): paid, 2000 refunded, then the rest.
CREATE FUNCTION pg_temp.story(p_order text, p_step int) RETURNS jsonb LANGUAGE sql AS $$
  SELECT CASE p_step
    WHEN 1 THEN pg_temp.session_event(p_order || '_paid', 'checkout.session.completed', p_order, 'paid',
                                      'pi_' || p_order, 5000)
    WHEN 2 THEN pg_temp.charge_refunded(p_order || '_part', 'pi_' || p_order, 5000, 2000, jsonb_build_array(
                  jsonb_build_object('id', 're_a_' || p_order, 'amount', 2000, 'status', 'succeeded')))
    ELSE pg_temp.charge_refunded(p_order || '_full', 'pi_' || p_order, 5000, 5000, jsonb_build_array(
           jsonb_build_object('id', 're_a_' || p_order, 'amount', 2000, 'status', 'succeeded'),
           jsonb_build_object('id', 're_b_' || p_order, 'amount', 3000, 'status', 'succeeded')))
  END
$$;

SELECT pg_temp.order_for('in_order', 'ada@example.com', 0);
SELECT pg_temp.deliver('stripe', pg_temp.story('in_order', s)) FROM generate_series(1, 3) s;
SELECT is(pg_temp.summary('in_order'),
          'order refunded paid 5000 refunded 5000; 1 payment, 2 refunds (external 2000 succeeded, external 3000 '
          'succeeded); booking cancelled; points 0; lifetime 0',
          'delivered in order once: paid, refunded in two parts, the booking cancelled, points and value back to 0');

CREATE TEMP TABLE orders_of (name text, steps int[]);
INSERT INTO orders_of VALUES ('p123', '{1,2,3}'), ('p132', '{1,3,2}'), ('p213', '{2,1,3}'), ('p231', '{2,3,1}'),
                             ('p312', '{3,1,2}'), ('p321', '{3,2,1}');
SELECT pg_temp.order_for(name, name || '@example.com', row_number() OVER (ORDER BY name)::int) FROM orders_of;
-- Each event of the permutation delivered, then the whole permutation again (every event twice).
SELECT pg_temp.deliver('stripe', pg_temp.story(name, step))
  FROM orders_of, unnest(steps || steps) WITH ORDINALITY AS u(step, n) ORDER BY name, n;
SELECT is(replace(pg_temp.summary(name), name, 'x'), replace(pg_temp.summary('in_order'), 'in_order', 'x'),
          format('delivered in the order %s, every event twice: the same final state', array_to_string(steps, ', ')))
  FROM orders_of ORDER BY name;

SELECT * FROM finish();
ROLLBACK;
