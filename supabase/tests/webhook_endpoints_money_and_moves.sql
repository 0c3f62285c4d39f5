-- The other recorded events: a booking confirmed by staff, moved to another session (booking.rescheduled with the
-- session it left, once per move), a payment recorded (payment.succeeded), a refund recorded (refund.created) and a
-- ticket let in (checkin.created), each one delivery per subscribed endpoint, with the facts in its data.
BEGIN;
\ir setup.psql
SELECT plan(10);
\ir fixtures.psql
SELECT pg_temp.shop();
UPDATE app.experiences SET requires_payment = false WHERE id = pg_temp.id('quiz');
SELECT pg_temp.fresh('all', 'o');
INSERT INTO app.webhook_endpoints (org_id, id, url, event_types, secret)
VALUES (pg_temp.id('org_a'), pg_temp.id('all'), 'https://a.example.com/', private.webhook_event_types(),
        private.webhook_secret());

CREATE FUNCTION pg_temp.events(p_type text) RETURNS SETOF jsonb LANGUAGE sql AS $$
  SELECT payload FROM app.webhook_deliveries WHERE endpoint_id = pg_temp.id('all') AND event_type = p_type
   ORDER BY created_at, id
$$;

SELECT pg_temp.act_as('staff_a');
CREATE TEMP TABLE b AS SELECT id FROM api.create_booking(pg_temp.id('vault'), (SELECT at_19 FROM day),
  'ada@example.com', party_size => 2);
GRANT SELECT ON b TO PUBLIC;
SELECT api.confirm_booking((SELECT id FROM b));
SELECT api.reschedule_booking((SELECT id FROM b), (SELECT at_19 FROM day) + interval '1 day');
RESET ROLE;

SELECT is((SELECT count(*)::int FROM pg_temp.events('booking.confirmed') p
            WHERE p -> 'data' -> 'booking' ->> 'id' = (SELECT id::text FROM b)), 1,
          'confirming a booking: one booking.confirmed');
SELECT is((SELECT count(*)::int FROM pg_temp.events('booking.rescheduled')), 1, 'moving it: one booking.rescheduled');
SELECT is((SELECT (p -> 'data' -> 'previous' ->> 'starts_at')::timestamptz FROM pg_temp.events('booking.rescheduled') p),
          (SELECT at_19 FROM day), 'with the session it left');
SELECT is((SELECT (p -> 'data' -> 'booking' ->> 'starts_at')::timestamptz FROM pg_temp.events('booking.rescheduled') p),
          (SELECT at_19 FROM day) + interval '1 day', 'and the one it moved to');

INSERT INTO app.orders (org_id, id, booking_id, customer_id, currency, prices_include_vat, vat_rate_bp,
                        subtotal_minor, vat_minor, total_minor, expires_at)
SELECT org_id, pg_temp.id('o'), id, customer_id, 'GBP', true, 0, price_minor, 0, price_minor, now() + interval '1 hour'
  FROM app.bookings WHERE id = (SELECT id FROM b);
INSERT INTO app.payments (org_id, order_id, provider, provider_ref, method, amount_minor, currency)
VALUES (pg_temp.id('org_a'), pg_temp.id('o'), 'offline', 'receipt-' || pg_temp.id('o'), 'cash', 5000, 'GBP');
SELECT is((SELECT count(*)::int FROM pg_temp.events('payment.succeeded')), 1, 'a payment: one payment.succeeded');
SELECT is((SELECT p -> 'data' -> 'payment' ->> 'amount_minor' FROM pg_temp.events('payment.succeeded') p), '5000',
          'with its amount');
INSERT INTO app.refunds (org_id, order_id, payment_id, amount_minor, currency, kind, provider)
SELECT org_id, order_id, id, 1000, 'GBP', 'requested', 'offline' FROM app.payments WHERE order_id = pg_temp.id('o');
SELECT is((SELECT count(*)::int FROM pg_temp.events('refund.created')), 1, 'a refund: one refund.created');
SELECT is((SELECT p -> 'data' -> 'refund' ->> 'amount_minor' FROM pg_temp.events('refund.created') p), '1000',
          'with its amount');

SELECT pg_temp.act_as('staff_a');
CREATE TEMP TABLE q AS SELECT id FROM api.create_booking(pg_temp.id('quiz'), (SELECT at_19 FROM day),
  'bob@example.com', tickets => pg_temp.tickets('standard', 1));
RESET ROLE;
INSERT INTO app.check_ins (org_id, ticket_id, scanner_nonce, checked_in_by)
SELECT org_id, id, 'nonce-' || id, pg_temp.id('staff_a') FROM app.tickets WHERE booking_id = (SELECT id FROM q);
SELECT is((SELECT count(*)::int FROM pg_temp.events('checkin.created')), 1, 'a check-in: one checkin.created');
SELECT is((SELECT p -> 'data' -> 'check_in' ->> 'booking_id' FROM pg_temp.events('checkin.created') p),
          (SELECT id::text FROM q), 'naming the ticket''s booking');

SELECT * FROM finish();
ROLLBACK;
