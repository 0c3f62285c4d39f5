-- Loyalty points: earned on payment at the organization's rate per whole currency unit (the currency's own minor
-- digits), reversed in proportion on refund without ever taking a balance below zero (the shortfall is recorded),
-- redeemed once per order and released once, and read by staff or the customer themselves.
BEGIN;
\ir setup.psql
SELECT plan(19);
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

CREATE FUNCTION pg_temp.balance(p_email text) RETURNS int LANGUAGE sql AS $$
  SELECT coalesce((SELECT a.balance FROM app.loyalty_accounts a JOIN app.customers c ON c.id = a.customer_id
                    WHERE c.org_id = pg_temp.id('org_a') AND c.email_key = p_email), 0)
$$;

-- Earning: 5000 pence at 10 points a pound is 500 points, once.
SELECT pg_temp.order_for('o1', 'ada@example.com', 0);
SELECT pg_temp.deliver('stripe', pg_temp.session_event('e1', 'checkout.session.completed', 'o1', 'paid', 'pi_1', 5000));
SELECT is(pg_temp.balance('ada@example.com'), 500, 'a paid order earns its points: 50.00 at 10 a unit is 500');
SELECT is(private.loyalty_earn((SELECT o FROM app.orders o WHERE id = pg_temp.id('o1'))), 0,
          'points are earned once per order');
SELECT is(pg_temp.balance('ada@example.com'), 500, '… the balance unchanged');

-- The currency's minor digits decide what a whole unit is.
SELECT is((SELECT (5000::bigint * 10) / (10::bigint ^ minor_digits)::bigint FROM app.currencies WHERE code = 'KWD'),
          50::bigint, 'in a three-digit currency 5.000 is five units');

-- Redeeming: once per order, never below zero.
SELECT pg_temp.order_for('o2', 'ada@example.com', 1);
SELECT is(private.loyalty_debit(pg_temp.id('org_a'), (SELECT customer_id FROM app.orders WHERE id = pg_temp.id('o2')),
                                450, pg_temp.id('o2')), 50, 'redeeming 450 of 500 points leaves 50');
SELECT is(private.loyalty_debit(pg_temp.id('org_a'), (SELECT customer_id FROM app.orders WHERE id = pg_temp.id('o2')),
                                450, pg_temp.id('o2')), 50, 'the same redemption again debits nothing more');
SELECT throws_ok(format($$ SELECT private.loyalty_debit(%L, %L, 100, %L) $$, pg_temp.id('org_a'),
                        (SELECT customer_id FROM app.orders WHERE id = pg_temp.id('o2')), pg_temp.id('o2')),
                 'PT409', 'this order already redeemed 450 points', 'other points for the same order are refused');
SELECT pg_temp.fresh('o3');
SELECT throws_ok(format($$ SELECT private.loyalty_debit(%L, %L, 51, %L) $$, pg_temp.id('org_a'),
                        (SELECT customer_id FROM app.orders WHERE id = pg_temp.id('o2')), pg_temp.id('o1')),
                 'PT409', 'not enough loyalty points: 51 asked, 50 available', 'a redemption beyond the balance is refused');
SELECT throws_ok($$ UPDATE app.loyalty_accounts SET balance = -1 $$, '23514', NULL,
                 'the balance''s CHECK refuses a negative balance on any path');
SELECT is(private.loyalty_release(pg_temp.id('o2')), 450, 'an order that does not go ahead gives its points back');
SELECT is(private.loyalty_release(pg_temp.id('o2')), 0, '… once');
SELECT is(pg_temp.balance('ada@example.com'), 500, '… the balance restored');

-- Reversal with the points spent meanwhile: never below zero, the rest recorded as shortfall.
SELECT pg_temp.order_for('o4', 'ada@example.com', 2);
SELECT private.loyalty_debit(pg_temp.id('org_a'), (SELECT customer_id FROM app.orders WHERE id = pg_temp.id('o4')), 400,
                             pg_temp.id('o4'));
SELECT pg_temp.act_as('manager_a');
CREATE TEMP TABLE r AS SELECT * FROM api.request_refund(pg_temp.id('o1'), NULL, 'changed plans');
RESET ROLE;
SELECT pg_temp.deliver('stripe', pg_temp.charge_refunded('e2', 'pi_1', 5000, 5000, (SELECT jsonb_build_array(
  jsonb_build_object('id', 're_1', 'amount', 5000, 'status', 'succeeded', 'metadata', jsonb_build_object('refund_id', id)))
  FROM r)));
SELECT is(pg_temp.balance('ada@example.com'), 0, 'a reversal takes the balance to zero, not below');
SELECT is((SELECT points || ' ' || shortfall FROM app.loyalty_ledger WHERE order_id = pg_temp.id('o1') AND kind = 'reverse'),
          '-100 400', '… and records what it could not take back');
SELECT is((SELECT sum(points)::int FROM app.loyalty_ledger l JOIN app.customers c ON c.id = l.customer_id
            WHERE c.email_key = 'ada@example.com' AND c.org_id = pg_temp.id('org_a')), pg_temp.balance('ada@example.com'),
          'the balance is the sum of its ledger');

-- Reading the balance.
SELECT pg_temp.act_as('staff_a');
SELECT is((api.get_loyalty_balance(pg_temp.id('org_a'), 'Ada@Example.com') ->> 'balance')::int, 0,
          'staff read a customer''s balance');
SELECT is((api.get_loyalty_balance(pg_temp.id('org_a'), 'nobody@example.com') ->> 'balance')::int, 0,
          '… an unknown customer has none');
RESET ROLE;
SELECT pg_temp.act_as('admin_b');
SELECT throws_ok(format($$ SELECT api.get_loyalty_balance(%L, 'ada@example.com') $$, pg_temp.id('org_a')), 'PT404',
                 'no loyalty account found', 'another organization''s staff cannot');
RESET ROLE;
SELECT pg_temp.act_as('outsider');
SELECT throws_ok(format($$ SELECT api.get_loyalty_balance(%L, 'ada@example.com') $$, pg_temp.id('org_a')), 'PT404',
                 'no loyalty account found', 'nor a signed-in user asking about someone else''s e-mail');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
