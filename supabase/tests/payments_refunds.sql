-- Refunds: staff requests within what was paid (and the CHECK that holds it under concurrency), the provider's
-- facts settling them whatever order they arrive in, refunds made at the provider, the cancellation refund of a
-- paid booking under its policy, immutable money facts; offline payments; Moyasar's statuses.
BEGIN;
\ir setup.psql
SELECT plan(53);
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

CREATE FUNCTION pg_temp.refund_as(p_who text, p_order text, p_amount bigint) RETURNS SETOF app.refunds
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_temp.act_as(p_who);
  RETURN QUERY SELECT * FROM api.request_refund(pg_temp.id(p_order), p_amount, 'asked by the customer');
  PERFORM set_config('role', 'none', true);
END
$$;

-- A paid order of 5000 (pi_r), then refunds. --------------------------------------------------------------------------
SELECT pg_temp.order_for('r', 'ada@example.com', 0);
SELECT pg_temp.deliver('stripe', pg_temp.session_event('evt_r1', 'checkout.session.completed', 'r', 'paid', 'pi_r', 5000));

SELECT throws_ok($$ SELECT * FROM pg_temp.refund_as('staff_a', 'r', 1000) $$, 'PT403', 'only managers may refund money',
                 'staff below manager cannot refund money');
RESET ROLE;
SELECT throws_ok($$ SELECT * FROM pg_temp.refund_as('admin_b', 'r', 1000) $$, 'PT404', 'order not found',
                 'another organization''s order is not found');
RESET ROLE;
SELECT throws_ok($$ SELECT * FROM pg_temp.refund_as('manager_a', 'r', 5001) $$, 'PT409',
                 'at most 5000 can be refunded on this order', 'no refund beyond what was paid');
RESET ROLE;
CREATE TEMP TABLE first_refund AS SELECT * FROM pg_temp.refund_as('manager_a', 'r', 2000);
GRANT SELECT ON first_refund TO PUBLIC;
RESET ROLE;
SELECT is((SELECT status || ' ' || kind || ' ' || amount_minor || ' ' || provider FROM first_refund),
          'requested requested 2000 stripe', 'a manager requests a partial refund, for the service to execute');
SELECT is((SELECT refund_requested_minor FROM app.orders WHERE id = pg_temp.id('r')), 2000::bigint,
          '… counted as requested on the order');
SELECT throws_ok($$ SELECT * FROM pg_temp.refund_as('manager_a', 'r', 3001) $$, 'PT409',
                 'at most 3000 can be refunded on this order', 'requested refunds count against what may be refunded');
RESET ROLE;
SELECT throws_ok(format($$ UPDATE app.orders SET refund_requested_minor = 5001 WHERE id = %L $$, pg_temp.id('r')),
                 '23514', NULL, 'the order''s CHECK refuses refunds beyond what was paid, whatever the path');

-- The service claims it, submits it, the webhook settles it.
SELECT pg_temp.act_as('service_role');
SELECT is((SELECT count(*)::int FROM api.due_refunds(10) WHERE refund_id = (SELECT id FROM first_refund)), 1,
          'the service claims the due refund');
SELECT is((SELECT count(*)::int FROM api.due_refunds(10) WHERE refund_id = (SELECT id FROM first_refund)), 0,
          '… and a second claimer does not get it');
SELECT is(api.record_refund_submission((SELECT id FROM first_refund), 're_first') ->> 'status', 'submitted',
          'the provider''s acceptance makes it submitted');
RESET ROLE;
-- Two snapshots of the charge: the newer (both refunds) before the older (the first only). The second refund was
-- made in Stripe's dashboard: external.
CREATE TEMP TABLE newer AS SELECT pg_temp.charge_refunded('evt_r2', 'pi_r', 5000, 3000, jsonb_build_array(
  jsonb_build_object('id', 're_first', 'amount', 2000, 'status', 'succeeded',
                     'metadata', jsonb_build_object('refund_id', (SELECT id FROM first_refund))),
  jsonb_build_object('id', 're_dash', 'amount', 1000, 'status', 'succeeded', 'metadata', '{}'::jsonb))) AS e;
CREATE TEMP TABLE older AS SELECT pg_temp.charge_refunded('evt_r3', 'pi_r', 5000, 2000, jsonb_build_array(
  jsonb_build_object('id', 're_first', 'amount', 2000, 'status', 'succeeded',
                     'metadata', jsonb_build_object('refund_id', (SELECT id FROM first_refund))))) AS e;
SELECT is(pg_temp.deliver('stripe', (SELECT e FROM newer)) ->> 'order_status', 'partially_refunded',
          'a partial refund settling: paid -> partially_refunded');
SELECT is(pg_temp.deliver('stripe', (SELECT e FROM older)) ->> 'order_status', 'partially_refunded',
          'an older snapshot after a newer one changes nothing');
SELECT is((SELECT refunded_minor FROM app.orders WHERE id = pg_temp.id('r')), 3000::bigint,
          'refunded_minor counts both refunds once');
SELECT is((SELECT kind || ' ' || status FROM app.refunds WHERE provider_refund_id = 're_dash'), 'external succeeded',
          'a refund made at the provider is recorded as external');
SELECT is((SELECT status FROM app.refunds WHERE id = (SELECT id FROM first_refund)), 'succeeded', 'ours is succeeded');
SELECT is((SELECT lifetime_value_minor FROM app.customers c JOIN app.orders o ON o.customer_id = c.id
            WHERE o.id = pg_temp.id('r')), 2000::bigint, 'lifetime value is net of refunds');
SELECT is((SELECT count(*)::int FROM app.notifications_outbox WHERE kind = 'refund_issued'
              AND data ->> 'order_id' = pg_temp.id('r')::text), 2, 'a refund_issued e-mail per settled refund');
-- Points: 500 earned; 3000 of 5000 refunded -> 300 reversed in all.
SELECT is((SELECT -sum(points)::int FROM app.loyalty_ledger WHERE order_id = pg_temp.id('r') AND kind = 'reverse'), 300,
          'points are reversed in proportion to what was refunded, cumulatively');

-- Facts are never rewritten.
SELECT throws_ok($$ UPDATE app.payments SET amount_minor = 1 $$, 'PT409', NULL, 'payments are never updated');
SELECT throws_ok($$ DELETE FROM app.payments $$, 'PT409', NULL, '… nor deleted');
SELECT throws_ok(format($$ UPDATE app.refunds SET amount_minor = 1 WHERE id = %L $$, (SELECT id FROM first_refund)),
                 'PT409', NULL, 'a refund''s amount never changes');
SELECT throws_ok(format($$ UPDATE app.refunds SET status = 'submitted' WHERE id = %L $$, (SELECT id FROM first_refund)),
                 'PT409', NULL, 'a refund''s status never moves back');
SELECT throws_ok($$ DELETE FROM app.refunds $$, 'PT409', NULL, 'refunds are never deleted');

-- The rest: partially_refunded -> refunded, and the booking is cancelled with it.
SELECT is((SELECT count(*)::int FROM pg_temp.refund_as('manager_a', 'r', NULL)), 1, 'what is left can be refunded in one go');
RESET ROLE;
SELECT is(pg_temp.deliver('stripe', pg_temp.charge_refunded('evt_r4', 'pi_r', 5000, 5000, jsonb_build_array(
            jsonb_build_object('id', 're_last', 'amount', 2000, 'status', 'succeeded', 'metadata',
                               jsonb_build_object('refund_id', (SELECT id FROM app.refunds WHERE order_id = pg_temp.id('r')
                                                                    AND status = 'requested')))))) ->> 'order_status',
          'refunded', 'the last refund settling: partially_refunded -> refunded');
SELECT is(pg_temp.booking_status('r'), 'cancelled', '… and a refund in full cancels the booking');
SELECT is((SELECT -sum(points + 0)::int FROM app.loyalty_ledger WHERE order_id = pg_temp.id('r') AND kind = 'reverse'), 500,
          '… and reverses every point earned');
SELECT is((SELECT paid_orders FROM app.customers c JOIN app.orders o ON o.customer_id = c.id WHERE o.id = pg_temp.id('r')),
          0, '… and no longer counts as a paid order');
SELECT throws_ok($$ SELECT * FROM pg_temp.refund_as('manager_a', 'r', NULL) $$, 'PT409',
                 'nothing is left to refund on this order', 'nothing is left to refund after a full refund');
RESET ROLE;

-- paid -> refunded in one refund; a failed refund gives its amount back.
SELECT pg_temp.order_for('f', 'bo@example.com', 1);
SELECT pg_temp.deliver('stripe', pg_temp.session_event('evt_f1', 'checkout.session.completed', 'f', 'paid', 'pi_f', 5000));
CREATE TEMP TABLE failing AS SELECT * FROM pg_temp.refund_as('manager_a', 'f', NULL);
GRANT SELECT ON failing TO PUBLIC;
RESET ROLE;
SELECT pg_temp.act_as('service_role');
SELECT is(api.record_refund_failure((SELECT id FROM failing), 'charge already disputed') ->> 'status', 'failed',
          'a refund the provider refuses is recorded failed');
RESET ROLE;
SELECT is((SELECT refund_requested_minor FROM app.orders WHERE id = pg_temp.id('f')), 0::bigint,
          '… and its amount may be refunded again');
CREATE TEMP TABLE whole AS SELECT * FROM pg_temp.refund_as('manager_a', 'f', NULL);
GRANT SELECT ON whole TO PUBLIC;
RESET ROLE;
SELECT is(pg_temp.deliver('stripe', pg_temp.charge_refunded('evt_f2', 'pi_f', 5000, 5000, jsonb_build_array(
            jsonb_build_object('id', 're_f', 'amount', 5000, 'status', 'succeeded', 'metadata',
                               jsonb_build_object('refund_id', (SELECT id FROM whole)))))) ->> 'order_status',
          'refunded', 'a refund in full: paid -> refunded');

-- Cancelling a paid booking refunds what its policy allows, in the same transaction.
SELECT pg_temp.order_for('c', 'cy@example.com', 2);
SELECT pg_temp.deliver('stripe', pg_temp.session_event('evt_c1', 'checkout.session.completed', 'c', 'paid', 'pi_c', 5000));
CREATE TEMP TABLE booking_of AS SELECT 'c' AS name, booking_id FROM app.orders WHERE id = pg_temp.id('c');
GRANT SELECT ON booking_of TO PUBLIC;
SELECT pg_temp.act_as('staff_a');
SELECT is(api.cancel_booking((SELECT booking_id FROM booking_of WHERE name = 'c'), 'cannot come'), 5000::bigint,
          'a paid booking cancelled ten days ahead is due a full refund');
RESET ROLE;
SELECT is((SELECT kind || ' ' || amount_minor || ' ' || status FROM app.refunds WHERE order_id = pg_temp.id('c')),
          'cancellation 5000 requested', '… and gets a cancellation refund for it');
-- A late-refund policy of 50 % with a discounted order: the share applies to what was paid.
UPDATE app.experiences SET full_refund_before = '30 days', late_refund_percent = 50 WHERE id = pg_temp.id('vault');
SELECT pg_temp.order_for('half', 'di@example.com', 3);
UPDATE app.orders SET status = 'cancelled' WHERE id = pg_temp.id('half');
SELECT pg_temp.fresh('discounted');
INSERT INTO app.orders (org_id, id, booking_id, customer_id, currency, prices_include_vat, vat_rate_bp, subtotal_minor,
                        discount_minor, vat_minor, total_minor, expires_at)
SELECT org_id, pg_temp.id('discounted'), booking_id, customer_id, 'GBP', true, 0, 5000, 1000, 0, 4000, expires_at
  FROM app.orders WHERE id = pg_temp.id('half');
INSERT INTO booking_of SELECT 'discounted', booking_id FROM app.orders WHERE id = pg_temp.id('discounted');
SELECT pg_temp.act_as('staff_a');
SELECT is((api.record_offline_payment(pg_temp.id('discounted'), 4000, 'cash', 'receipt-1')) ->> 'order_status', 'paid',
          'staff record a cash payment of the whole amount: pending -> paid');
SELECT is((api.record_offline_payment(pg_temp.id('discounted'), 4000, 'cash', 'receipt-1')) ->> 'outcome', 'payment already recorded',
          'the same offline payment again records nothing more');
SELECT throws_ok(format($$ SELECT api.record_offline_payment(%L, 100, 'cash', 'receipt-2') $$, pg_temp.id('discounted')), 'PT409',
                 'this order is paid and nothing is due on it', 'nothing more is due on a paid order');
SELECT is(api.cancel_booking((SELECT booking_id FROM booking_of WHERE name = 'discounted'), NULL), 2500::bigint,
          'cancelled within the late window, half the price is due');
RESET ROLE;
SELECT is((SELECT kind || ' ' || amount_minor || ' ' || status FROM app.refunds WHERE order_id = pg_temp.id('discounted')),
          'cancellation 2000 succeeded', '… which is half of what was paid, handed back in cash and settled at once');
SELECT is((SELECT status::text FROM app.orders WHERE id = pg_temp.id('discounted')), 'partially_refunded',
          '… leaving the order partially refunded');

-- Offline payments in parts, and a payment after a cancelled order.
SELECT pg_temp.order_for('parts', 'ed@example.com', 5);
SELECT pg_temp.act_as('staff_a');
SELECT is(api.record_offline_payment(pg_temp.id('parts'), 2000, 'card_terminal', 'slip-1') ->> 'outcome',
          'part paid: 2000 of 5000', 'a part payment leaves the order pending');
SELECT throws_ok(format($$ SELECT api.record_offline_payment(%L, 3001, 'cash', 'slip-2') $$, pg_temp.id('parts')),
                 'PT409', 'at most 3000 is due on this order', 'no more than is due');
SELECT is(api.record_offline_payment(pg_temp.id('parts'), 3000, 'cash', 'slip-2') ->> 'order_status', 'paid',
          'the rest pays the order');
RESET ROLE;

-- A part paid order whose hold runs out gives the money back by itself.
SELECT pg_temp.order_for('partly', 'hal@example.com', 8);
SELECT pg_temp.act_as('staff_a');
SELECT api.record_offline_payment(pg_temp.id('partly'), 1000, 'cash', 'slip-9');
RESET ROLE;
UPDATE app.bookings SET status = 'expired' WHERE id = (SELECT booking_id FROM app.orders WHERE id = pg_temp.id('partly'));
SELECT is((SELECT status::text || ' ' || refunded_minor || ' ' || refund_required FROM app.orders
            WHERE id = pg_temp.id('partly')), 'refunded 1000 true',
          'an order part paid in cash that expires refunds the cash: pending -> expired -> refunded');

-- Moyasar: the payment as re-fetched; amounts checked; cumulative refunds; voided; failed; authorized.
CREATE FUNCTION pg_temp.moyasar(p_event_id text, p_order text, p_payment text, p_status text, p_amount bigint,
                                p_refunded bigint, p_currency text DEFAULT 'GBP') RETURNS jsonb LANGUAGE sql AS $$
  SELECT pg_temp.deliver('moyasar', jsonb_build_object('id', p_event_id, 'type', 'payment_' || p_status,
    'data', jsonb_build_object('id', p_payment, 'status', p_status, 'amount', p_amount, 'refunded', p_refunded,
                               'currency', p_currency, 'source', jsonb_build_object('type', 'mada'),
                               'metadata', jsonb_build_object('order_id', pg_temp.id(p_order)))))
$$;
SELECT pg_temp.order_for('m', 'fay@example.com', 6);
SELECT is(pg_temp.moyasar('w1', 'm', 'mp_1', 'authorized', 5000, 0) ->> 'outcome', 'authorized: waiting for the capture',
          'an authorized Moyasar payment is recorded and nothing else');
SELECT alike(pg_temp.moyasar('w2', 'm', 'mp_1', 'paid', 5000, 0, 'SAR') ->> 'outcome', 'not applied:%',
            'a payment in another currency than the order''s is not applied');
SELECT is(pg_temp.moyasar('w3', 'm', 'mp_1', 'captured', 5000, 0) ->> 'order_status', 'paid',
          'a captured Moyasar payment pays the order');
SELECT is((SELECT method FROM app.payments WHERE provider = 'moyasar' AND provider_ref = 'mp_1'), 'mada',
          '… with its method');
SELECT is(pg_temp.moyasar('w4', 'm', 'mp_1', 'refunded', 5000, 1500) ->> 'order_status', 'partially_refunded',
          'Moyasar''s cumulative refunded amount settles a refund');
SELECT is(pg_temp.moyasar('w5', 'm', 'mp_1', 'refunded', 5000, 1500) ->> 'order_status', 'partially_refunded',
          '… and the same amount again settles nothing more');
SELECT is((SELECT refunded_minor FROM app.orders WHERE id = pg_temp.id('m')), 1500::bigint, '… counted once');
SELECT is(pg_temp.moyasar('w6', 'm', 'mp_1', 'voided', 5000, 1500) ->> 'order_status', 'refunded',
          'a voided payment counts as refunded in full');
SELECT pg_temp.order_for('mf', 'gus@example.com', 7);
SELECT is(pg_temp.moyasar('w7', 'mf', 'mp_2', 'failed', 5000, 0) ->> 'order_status', 'failed',
          'a failed Moyasar payment fails the order');

SELECT * FROM finish();
ROLLBACK;
