-- Stripe events through api.apply_payment_event: every transition of the order's payment state machine the
-- payment path makes, duplicates applied once, an unknown type recorded and ignored, and a payment landing after
-- its hold ended, with its places still free and with them gone.
BEGIN;
\ir setup.psql
SELECT plan(51);
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

-- pending -> paid: a completed, paid session. --------------------------------------------------------------------------
SELECT pg_temp.order_for('paid', 'ada@example.com', 0);
CREATE TEMP TABLE answer AS
SELECT pg_temp.deliver('stripe', pg_temp.session_event('evt_1', 'checkout.session.completed', 'paid', 'paid',
                                                       'pi_paid', 5000)) AS a;
SELECT is((SELECT a ->> 'order_status' FROM answer), 'paid', 'a paid session pays the order: pending -> paid');
SELECT is((SELECT a -> 'duplicate' FROM answer), 'false', '… answered as a first delivery');
SELECT is(pg_temp.booking_status('paid'), 'confirmed', '… and confirms its booking');
SELECT is((SELECT paid_minor FROM app.orders WHERE id = pg_temp.id('paid')), 5000::bigint, '… paid_minor is the total');
SELECT ok((SELECT paid_at IS NOT NULL FROM app.orders WHERE id = pg_temp.id('paid')), '… paid_at is set');
SELECT is((SELECT lifetime_value_minor FROM app.customers c JOIN app.orders o ON o.customer_id = c.id
            WHERE o.id = pg_temp.id('paid')), 5000::bigint, 'the customer''s lifetime value grows by what was paid');
SELECT is((SELECT paid_orders FROM app.customers c JOIN app.orders o ON o.customer_id = c.id
            WHERE o.id = pg_temp.id('paid')), 1, '… and their paid orders by one');
SELECT is((SELECT count(*)::int FROM app.notifications_outbox
            WHERE dedupe_key = 'payment_received:' || pg_temp.id('paid') AND recipient = 'ada@example.com'), 1,
          'a payment_received e-mail is queued to the customer in the same transaction');

-- Duplicates apply once: the same event again, and the same payment in another event.
SELECT is(pg_temp.deliver('stripe', pg_temp.session_event('evt_1', 'checkout.session.completed', 'paid', 'paid',
                                                          'pi_paid', 5000)) -> 'duplicate', 'true',
          'the same event delivered again is answered as a duplicate');
SELECT is(pg_temp.deliver('stripe', pg_temp.session_event('evt_1b', 'checkout.session.async_payment_succeeded',
                                                          'paid', 'paid', 'pi_paid', 5000)) ->> 'outcome',
          'payment already recorded', 'another event carrying the same payment records nothing more');
SELECT is((SELECT count(*)::int FROM app.payments WHERE order_id = pg_temp.id('paid')), 1,
          'one payment row after three deliveries');
SELECT is((SELECT paid_minor FROM app.orders WHERE id = pg_temp.id('paid')), 5000::bigint, '… counted once');
SELECT is((SELECT count(*)::int FROM app.provider_events WHERE provider = 'stripe' AND event_id IN ('evt_1', 'evt_1b')),
          2, 'the inbox holds each event once');
SELECT is((SELECT count(*)::int FROM app.notifications_outbox WHERE dedupe_key = 'payment_received:' || pg_temp.id('paid')),
          1, '… and the e-mail is queued once');

-- An unknown event type is recorded and ignored.
SELECT is(pg_temp.deliver('stripe', '{"id": "evt_odd", "type": "customer.created", "data": {"object": {}}}') -> 'ignored',
          'true', 'an event type we do not handle is answered ignored');
SELECT is((SELECT outcome FROM app.provider_events WHERE provider = 'stripe' AND event_id = 'evt_odd'),
          'ignored: unhandled type', '… and recorded in the inbox');

-- A completed session not yet paid (a delayed method), then its failure: pending -> failed; then success: failed -> paid.
SELECT pg_temp.order_for('async', 'bo@example.com', 1);
SELECT is(pg_temp.deliver('stripe', pg_temp.session_event('evt_2', 'checkout.session.completed', 'async', 'unpaid',
                                                          'pi_async', 5000)) ->> 'order_status', 'pending',
          'a completed session that is unpaid leaves the order pending');
SELECT is((SELECT count(*)::int FROM app.payments WHERE order_id = pg_temp.id('async')), 0, '… with no payment');
SELECT is(pg_temp.deliver('stripe', pg_temp.session_event('evt_3', 'checkout.session.async_payment_failed', 'async',
                                                          'unpaid', 'pi_async', 5000)) ->> 'order_status', 'failed',
          'the delayed payment failing fails the order: pending -> failed');
SELECT is(pg_temp.deliver('stripe', pg_temp.session_event('evt_4', 'checkout.session.async_payment_succeeded',
                                                          'async', 'paid', 'pi_async', 5000)) ->> 'order_status',
          'paid', 'money that lands on a failed order pays it: failed -> paid');
SELECT is(pg_temp.booking_status('async'), 'confirmed', '… and confirms the booking, still held');
SELECT is(pg_temp.deliver('stripe', pg_temp.session_event('evt_3b', 'checkout.session.async_payment_failed', 'async',
                                                          'unpaid', 'pi_async', 5000)) ->> 'order_status', 'paid',
          'a failure delivered after the payment changes nothing: state only moves forward');

-- A card declined inside Checkout: recorded, the order stays pending for another attempt.
SELECT pg_temp.order_for('declined', 'cy@example.com', 2);
SELECT is(pg_temp.deliver('stripe', jsonb_build_object('id', 'evt_5', 'type', 'payment_intent.payment_failed',
            'data', jsonb_build_object('object', jsonb_build_object('id', 'pi_declined', 'metadata',
              jsonb_build_object('order_id', pg_temp.id('declined')), 'last_payment_error',
              jsonb_build_object('message', 'Your card was declined.'))))) ->> 'order_status', 'pending',
          'a failed payment attempt leaves the order pending');
SELECT is((SELECT last_payment_failure FROM app.orders WHERE id = pg_temp.id('declined')), 'Your card was declined.',
          '… and keeps the provider''s message as its last failure');

-- An expired session while the hold lasts leaves the order pending; once the hold has ended: pending -> expired.
INSERT INTO app.checkouts (org_id, order_id, provider, provider_ref, url)
VALUES (pg_temp.id('org_a'), pg_temp.id('declined'), 'stripe', 'cs_' || pg_temp.id('declined'), 'https://pay/1');
SELECT is(pg_temp.deliver('stripe', pg_temp.session_event('evt_6', 'checkout.session.expired', 'declined', 'unpaid',
                                                          NULL, 5000)) ->> 'order_status', 'pending',
          'a session expiring while the hold lasts leaves the order pending for a new checkout');
SELECT is((SELECT status FROM app.checkouts WHERE provider_ref = 'cs_' || pg_temp.id('declined')), 'expired',
          '… and marks the checkout expired');
UPDATE app.bookings SET hold_expires_at = now() - interval '1 minute'
 WHERE id = (SELECT booking_id FROM app.orders WHERE id = pg_temp.id('declined'));
UPDATE app.orders SET expires_at = now() - interval '1 minute' WHERE id = pg_temp.id('declined');
SELECT is(pg_temp.deliver('stripe', pg_temp.session_event('evt_7', 'checkout.session.expired', 'declined', 'unpaid',
                                                          NULL, 5000)) ->> 'order_status', 'expired',
          'a session expiring after the hold ended expires the order: pending -> expired');
SELECT is(pg_temp.booking_status('declined'), 'expired', '… with its booking');

-- A late payment while the places are still free: expired -> paid, the booking re-takes them.
SELECT is(pg_temp.deliver('stripe', pg_temp.session_event('evt_8', 'checkout.session.completed', 'declined', 'paid',
                                                          'pi_late_free', 5000)) ->> 'order_status', 'paid',
          'a payment after the hold ended, with the places free, pays the order: expired -> paid');
SELECT is(pg_temp.booking_status('declined'), 'confirmed', '… and the booking re-takes its places: expired -> confirmed');
SELECT is((SELECT taken FROM app.slots s JOIN app.bookings b ON b.slot_id = s.id JOIN app.orders o ON o.booking_id = b.id
            WHERE o.id = pg_temp.id('declined')), 1, '… counted on its slot again');

-- A run-out hold nobody marked expired yet is confirmed by the payment (its places still count).
SELECT pg_temp.order_for('runout', 'di@example.com', 3);
UPDATE app.bookings SET hold_expires_at = now() - interval '1 minute'
 WHERE id = (SELECT booking_id FROM app.orders WHERE id = pg_temp.id('runout'));
SELECT is(pg_temp.deliver('stripe', pg_temp.session_event('evt_9', 'checkout.session.completed', 'runout', 'paid',
                                                          'pi_runout', 5000)) ->> 'order_status', 'paid',
          'a payment for a hold that ran out but was not marked expired pays the order');
SELECT is(pg_temp.booking_status('runout'), 'confirmed', '… and confirms the booking');

-- A late payment whose places are gone: the order stays expired, marked for an automatic refund.
SELECT pg_temp.order_for('gone', 'ed@example.com', 4);
UPDATE app.bookings SET status = 'expired' WHERE id = (SELECT booking_id FROM app.orders WHERE id = pg_temp.id('gone'));
SELECT is(pg_temp.order_status('gone'), 'expired', 'the booking expiring expires its pending order');
SELECT pg_temp.act_as('staff_a');
SELECT lives_ok(format($$ SELECT api.create_booking(%L, %L, 'fay@example.com', 2) $$, pg_temp.id('vault'),
                       (SELECT at_19 + interval '4 days' FROM day)), 'someone else books the freed room');
RESET ROLE;
UPDATE app.orders SET expires_at = now() - interval '1 minute' WHERE id = pg_temp.id('gone');
DELETE FROM answer;
INSERT INTO answer SELECT pg_temp.deliver('stripe', pg_temp.session_event('evt_10', 'checkout.session.completed', 'gone',
                                                                          'paid', 'pi_gone', 5000));
SELECT is((SELECT a ->> 'order_status' FROM answer), 'expired', 'a late payment whose places are gone leaves the order expired');
SELECT is(pg_temp.booking_status('gone'), 'expired', '… and the booking expired');
SELECT ok((SELECT refund_required FROM app.orders WHERE id = pg_temp.id('gone')), '… marks the order refund_required');
SELECT is((SELECT count(*)::int FROM app.refunds WHERE order_id = pg_temp.id('gone') AND kind = 'late_payment'
              AND amount_minor = 5000 AND status = 'requested'), 1, '… with a late_payment refund of what was paid');
SELECT is((SELECT a -> 'actions' FROM answer),
          (SELECT jsonb_build_array(jsonb_build_object('kind', 'refund', 'refund_id', id)) FROM app.refunds
            WHERE order_id = pg_temp.id('gone')), '… returned as an action for the service');
SELECT is((SELECT count(*)::int FROM app.notifications_outbox WHERE kind = 'late_payment_refund'
              AND data ->> 'order_id' = pg_temp.id('gone')::text), 1, '… and a late_payment_refund e-mail queued');
SELECT is((SELECT lifetime_value_minor FROM app.customers c JOIN app.orders o ON o.customer_id = c.id
            WHERE o.id = pg_temp.id('gone')), 0::bigint, 'money that bought nothing is no lifetime value');
SELECT is((SELECT count(*)::int FROM app.loyalty_ledger WHERE order_id = pg_temp.id('gone')), 0, '… and earns no points');
-- Its refund settles: expired -> refunded.
SELECT is(pg_temp.deliver('stripe', pg_temp.charge_refunded('evt_11', 'pi_gone', 5000, 5000,
            (SELECT jsonb_build_array(jsonb_build_object('id', 're_gone', 'amount', 5000, 'status', 'succeeded',
                                                          'metadata', jsonb_build_object('refund_id', id)))
               FROM app.refunds WHERE order_id = pg_temp.id('gone')))) ->> 'order_status', 'refunded',
          'the late payment''s refund settling refunds the ended order: expired -> refunded');

-- A second payment of a paid order (two checkouts both paid) is refunded by itself; the order stays paid.
DELETE FROM answer;
INSERT INTO answer SELECT pg_temp.deliver('stripe', pg_temp.session_event('evt_12', 'checkout.session.completed', 'paid',
                                                                          'paid', 'pi_paid_again', 5000));
SELECT is((SELECT a ->> 'order_status' FROM answer), 'paid', 'money paid twice leaves the order paid');
SELECT is((SELECT count(*)::int FROM app.refunds WHERE order_id = pg_temp.id('paid') AND kind = 'late_payment'
              AND payment_id = (SELECT id FROM app.payments WHERE provider_ref = 'pi_paid_again')), 1,
          '… and refunds the second payment');

-- A refund delivered before its payment's event (the charge naming no order) waits for it, and applies with it.
SELECT pg_temp.order_for('early', 'gil@example.com', 5);
SELECT is(pg_temp.deliver('stripe', pg_temp.charge_refunded('evt_13', 'pi_early', 5000, 1000, jsonb_build_array(
            jsonb_build_object('id', 're_early', 'amount', 1000, 'status', 'succeeded', 'metadata', '{}'::jsonb))))
            ->> 'outcome', 'waiting for its payment', 'a refund delivered before its payment waits for it');
SELECT is(pg_temp.deliver('stripe', pg_temp.session_event('evt_14', 'checkout.session.completed', 'early', 'paid',
                                                          'pi_early', 5000)) ->> 'order_status', 'partially_refunded',
          '… and is applied when the payment lands: the state of delivery in order');
SELECT is((SELECT waiting_for FROM app.provider_events WHERE provider = 'stripe' AND event_id = 'evt_13'), NULL,
          '… and waits no more');

-- Only the service applies events.
SELECT pg_temp.act_as('staff_a');
SELECT throws_ok($$ SELECT api.apply_payment_event('stripe', '{"id": "evt_x", "type": "x"}') $$, '42501', NULL,
                 'signed-in users cannot call apply_payment_event');
RESET ROLE;
SELECT throws_ok($$ SELECT api.apply_payment_event('paypal', '{"id": "evt_x", "type": "x"}') $$, 'PT400',
                 'provider must be one of stripe, moyasar, not ''paypal''', 'an unknown provider is refused in words');

SELECT * FROM finish();
ROLLBACK;
