-- The service's side of checkouts: api.begin_checkout as the caller (create_order's callers), record_checkout
-- idempotent on the provider's reference, and the queues of checkouts to expire and orders to reconcile; each
-- service function refused to everyone but service_role.
BEGIN;
\ir setup.psql
SELECT plan(19);
\ir fixtures.psql
SELECT pg_temp.shop();
UPDATE app.org_settings SET currency = 'GBP' WHERE org_id = pg_temp.id('org_a');

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

SELECT pg_temp.order_for('o', 'ada@example.com', 0);
UPDATE auth.users SET email = 'ada@example.com' WHERE id = pg_temp.id('outsider');

SELECT pg_temp.act_as('staff_a');
SELECT is((SELECT jsonb_build_object('amount_minor', a -> 'amount_minor', 'currency', a -> 'currency',
                                     'customer_email', a -> 'customer_email', 'open_checkout', a -> 'open_checkout')
             FROM api.begin_checkout(pg_temp.id('o'), 'stripe') a),
          '{"amount_minor": 5000, "currency": "GBP", "customer_email": "ada@example.com", "open_checkout": null}',
          'staff begin a checkout: the amount due, its currency and the customer');
SELECT ok((SELECT a ->> 'description' LIKE 'The Vault, %' FROM api.begin_checkout(pg_temp.id('o'), 'moyasar') a),
          '… described by the experience and its venue-local start');
RESET ROLE;
SELECT pg_temp.act_as('anon');
SELECT is((SELECT a ->> 'order_id' FROM api.begin_checkout(pg_temp.id('o'), 'stripe', pg_temp.key('soho'),
                                                          'Ada@Example.com') a), pg_temp.id('o')::text,
          'the widget begins one with the venue''s key and the customer''s e-mail');
SELECT throws_ok(format($$ SELECT api.begin_checkout(%L, 'stripe', %L, 'eve@example.com') $$, pg_temp.id('o'),
                        pg_temp.key('soho')), 'PT404', 'order not found', '… not with another e-mail');
SELECT throws_ok(format($$ SELECT api.begin_checkout(%L, 'stripe', %L, 'ada@example.com') $$, pg_temp.id('o'),
                        pg_temp.key('brooklyn')), 'PT404', 'order not found', '… nor with another venue''s key');
RESET ROLE;
SELECT set_config('request.jwt.claims', jsonb_build_object('role', 'authenticated', 'sub', pg_temp.id('outsider'),
                                                           'email', 'ada@example.com')::text, true);
SET LOCAL ROLE authenticated;
SELECT is((SELECT a ->> 'order_id' FROM api.begin_checkout(pg_temp.id('o'), 'stripe') a), pg_temp.id('o')::text,
          'the signed-in customer begins a checkout of their own order');
RESET ROLE;
SELECT pg_temp.act_as('admin_b');
SELECT throws_ok(format($$ SELECT api.begin_checkout(%L, 'stripe') $$, pg_temp.id('o')), 'PT404', 'order not found',
                 'another organization''s staff are told it does not exist');
SELECT throws_ok(format($$ SELECT api.record_checkout(%L, 'stripe', 'cs_1') $$, pg_temp.id('o')), '42501', NULL,
                 'signed-in users cannot record checkouts');
SELECT throws_ok($$ SELECT * FROM api.due_refunds() $$, '42501', NULL, '… nor claim refunds');
SELECT throws_ok($$ SELECT * FROM api.orders_to_reconcile() $$, '42501', NULL, '… nor list orders to reconcile');
RESET ROLE;

CREATE TEMP TABLE first_checkout (a jsonb);
GRANT ALL ON first_checkout TO PUBLIC;
SELECT pg_temp.act_as('service_role');
INSERT INTO first_checkout SELECT api.record_checkout(pg_temp.id('o'), 'stripe', 'cs_o', 'https://checkout.example/cs_o',
                                                     now() + interval '30 minutes');
SELECT is((SELECT a ->> 'status' FROM first_checkout), 'open', 'the service records its checkout');
SELECT is(api.record_checkout(pg_temp.id('o'), 'stripe', 'cs_o', 'https://checkout.example/cs_o',
                              now() + interval '30 minutes') ->> 'checkout_id',
          (SELECT a ->> 'checkout_id' FROM first_checkout), '… again: the same checkout');
RESET ROLE;
SELECT pg_temp.order_for('other', 'bo@example.com', 1);
SELECT pg_temp.act_as('service_role');
SELECT throws_ok(format($$ SELECT api.record_checkout(%L, 'stripe', 'cs_o') $$, pg_temp.id('other')), 'PT409',
                 'this checkout belongs to another order', 'a reference is one order''s');
SELECT is((SELECT count(*)::int FROM api.orders_to_reconcile(500) WHERE order_id = pg_temp.id('o')), 1,
          'a pending order with a checkout is one to reconcile');
SELECT is((SELECT count(*)::int FROM api.checkouts_to_expire(500) WHERE order_id = pg_temp.id('o')), 0,
          'its checkout is not to expire while the hold lasts');
RESET ROLE;
SELECT pg_temp.act_as('staff_a');
SELECT is((SELECT a -> 'open_checkout' ->> 'provider_ref' FROM api.begin_checkout(pg_temp.id('o'), 'stripe') a),
          'cs_o', 'begin_checkout offers the open checkout to reuse');
RESET ROLE;
UPDATE app.orders SET expires_at = now() - interval '1 minute' WHERE id = pg_temp.id('o');
SELECT pg_temp.act_as('service_role');
SELECT is((SELECT provider_ref FROM api.checkouts_to_expire(500) WHERE order_id = pg_temp.id('o')), 'cs_o',
          'once the hold has ended its open checkout is to expire at the provider');
RESET ROLE;
SELECT pg_temp.act_as('staff_a');
SELECT throws_ok(format($$ SELECT api.begin_checkout(%L, 'stripe') $$, pg_temp.id('o')), 'PT409', NULL,
                 'no checkout begins after the hold ended');
RESET ROLE;
SELECT pg_temp.deliver('stripe', pg_temp.session_event('e1', 'checkout.session.completed', 'o', 'paid', 'pi_o', 5000));
SELECT pg_temp.act_as('staff_a');
SELECT throws_ok(format($$ SELECT api.begin_checkout(%L, 'stripe') $$, pg_temp.id('o')), 'PT409',
                 'this order is paid and takes no payment', 'nor for a paid order');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
