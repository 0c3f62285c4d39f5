-- The order state machine, every transition: status moves forward only (pending -> paid | failed | expired |
-- cancelled; failed | expired -> paid; paid -> partially_refunded | refunded; partially_refunded -> refunded;
-- failed | expired | cancelled -> refunded only once money was received), money only grows, amounts never change,
-- lines are insert-only, and the table's own checks: the total identity, refunded <= paid, one live order per
-- booking.
BEGIN;
\ir setup.psql
SELECT plan(61);

\ir fixtures.psql
SELECT pg_temp.shop();
SELECT pg_temp.act_as('staff_a');
CREATE TEMP TABLE b AS SELECT (api.create_booking(pg_temp.id('vault'), (SELECT at_19 FROM day), 'x@example.com', 2)).id;
RESET ROLE;

-- An order of the booking in a given status, reached along legal moves (p_paid: money received on the way).
CREATE FUNCTION pg_temp.order_in(p_status text, p_paid boolean) RETURNS uuid LANGUAGE plpgsql AS $$
DECLARE
  made uuid;
BEGIN
  INSERT INTO app.orders (org_id, booking_id, customer_id, currency, prices_include_vat, vat_rate_bp, subtotal_minor,
                          vat_minor, total_minor, expires_at)
  SELECT org_id, id, customer_id, 'GBP', true, 2000, 5000, 833, 5000, hold_expires_at
    FROM app.bookings WHERE id = (SELECT id FROM b)
  RETURNING id INTO made;
  IF p_status IN ('paid', 'partially_refunded', 'refunded') THEN
    UPDATE app.orders SET status = 'paid', paid_minor = 5000 WHERE id = made;
  ELSIF p_status IN ('failed', 'expired', 'cancelled') THEN
    UPDATE app.orders SET status = p_status::app.order_status WHERE id = made;
    IF p_paid THEN
      UPDATE app.orders SET paid_minor = 5000 WHERE id = made;
    END IF;
  END IF;
  IF p_status = 'partially_refunded' THEN
    UPDATE app.orders SET status = 'partially_refunded', refunded_minor = 1000 WHERE id = made;
  ELSIF p_status = 'refunded' THEN
    UPDATE app.orders SET status = 'refunded', refunded_minor = 5000 WHERE id = made;
  END IF;
  RETURN made;
END
$$;

-- Whether one move is allowed: 'ok' or the SQLSTATE refusing it; everything it did is rolled back.
CREATE FUNCTION pg_temp.try_move(p_from text, p_to text, p_paid boolean) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  o uuid;
BEGIN
  BEGIN
    o := pg_temp.order_in(p_from, p_paid);
    -- An order is paid only with its total received (orders_paid_in_full): a move to paid brings the money.
    UPDATE app.orders SET status = p_to::app.order_status,
                          paid_minor = CASE WHEN p_to = 'paid' THEN total_minor ELSE paid_minor END
     WHERE id = o;
    RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = 'ok';
  EXCEPTION WHEN OTHERS THEN
    RETURN CASE WHEN SQLERRM = 'ok' THEN 'ok' ELSE SQLSTATE END;
  END;
END
$$;

CREATE TEMP TABLE allowed (f text, t text, paid boolean);
INSERT INTO allowed VALUES
  ('pending', 'paid', false), ('pending', 'failed', false), ('pending', 'expired', false),
  ('pending', 'cancelled', false), ('failed', 'paid', false), ('expired', 'paid', false),
  ('paid', 'partially_refunded', false), ('paid', 'refunded', false), ('partially_refunded', 'refunded', false),
  ('failed', 'refunded', true), ('expired', 'refunded', true), ('cancelled', 'refunded', true);

-- Every pair of distinct statuses, without money received on failed / expired / cancelled orders.
SELECT is(pg_temp.try_move(f.s, t.s, false),
          CASE WHEN EXISTS (SELECT FROM allowed a WHERE a.f = f.s AND a.t = t.s AND NOT a.paid) THEN 'ok'
               ELSE 'PT409' END,
          format('%s -> %s is %s', f.s, t.s,
                 CASE WHEN EXISTS (SELECT FROM allowed a WHERE a.f = f.s AND a.t = t.s AND NOT a.paid)
                      THEN 'allowed' ELSE 'refused (PT409)' END))
  FROM unnest(enum_range(NULL::app.order_status)::text[]) f(s), unnest(enum_range(NULL::app.order_status)::text[]) t(s)
 WHERE f.s <> t.s
 ORDER BY f.s, t.s;
-- Money received on an order that is no longer pending can only be refunded.
SELECT is(pg_temp.try_move(s, 'refunded', true), 'ok', s || ' -> refunded is allowed once money was received')
  FROM unnest(ARRAY['failed', 'expired', 'cancelled']) s;

-- Money and amounts. -------------------------------------------------------------------------------------------------
CREATE TEMP TABLE o AS SELECT pg_temp.order_in('pending', false) AS id;
SELECT throws_ok($$ UPDATE app.orders SET total_minor = 1 WHERE id = (SELECT id FROM o) $$, 'PT409',
                 'an order keeps its booking, customer, currency and amounts', 'an order''s amounts never change');
SELECT throws_ok($$ UPDATE app.orders SET status = 'paid', paid_minor = 4999 WHERE id = (SELECT id FROM o) $$,
                 '23514', NULL, 'an order is paid only with its total received');
UPDATE app.orders SET status = 'paid', paid_minor = 5000 WHERE id = (SELECT id FROM o);
SELECT isnt((SELECT paid_at FROM app.orders WHERE id = (SELECT id FROM o)), NULL, 'becoming paid sets paid_at');
SELECT throws_ok($$ UPDATE app.orders SET paid_minor = 4000 WHERE id = (SELECT id FROM o) $$, 'PT409',
                 'money received or refunded on an order is never taken back', 'paid_minor only grows');
SELECT throws_ok($$ UPDATE app.orders SET refunded_minor = 6000 WHERE id = (SELECT id FROM o) $$, '23514', NULL,
                 'no more is refunded than was paid');
SELECT throws_ok($$ DELETE FROM app.orders WHERE id = (SELECT id FROM o) $$, 'PT409',
                 'an order is never deleted; cancel it instead', 'orders are never deleted');
SELECT throws_ok($$ SELECT pg_temp.order_in('pending', false) $$, '23505', NULL,
                 'a booking has one live order at most');
SELECT throws_ok($$ INSERT INTO app.orders (org_id, booking_id, customer_id, currency, prices_include_vat,
                                            vat_rate_bp, subtotal_minor, vat_minor, total_minor, expires_at, status)
                    SELECT org_id, id, customer_id, 'GBP', true, 0, 100, 0, 100, now(), 'paid'
                      FROM app.bookings WHERE id = (SELECT id FROM b) $$, 'PT400', NULL,
                 'a new order is pending');
UPDATE app.orders SET status = 'refunded', refunded_minor = 5000 WHERE id = (SELECT id FROM o);
SELECT throws_ok($$ INSERT INTO app.orders (org_id, booking_id, customer_id, currency, prices_include_vat,
                                            vat_rate_bp, subtotal_minor, discount_minor, vat_minor, total_minor,
                                            expires_at)
                    SELECT org_id, id, customer_id, 'GBP', false, 2000, 1000, 100, 180, 1080, now()
                      FROM app.bookings WHERE id = (SELECT id FROM b) $$, '23505', NULL,
                 'a refunded order still counts as the booking''s order');

-- The total identity: subtotal - discount (+ VAT when prices exclude it). --------------------------------------
SELECT pg_temp.act_as('staff_a');
CREATE TEMP TABLE b3 AS
SELECT (api.create_booking(pg_temp.id('vault'), (SELECT at_19 FROM day) + interval '1 day', 'y@example.com', 2)).id;
RESET ROLE;
SELECT throws_ok($$ INSERT INTO app.orders (org_id, booking_id, customer_id, currency, prices_include_vat,
                                            vat_rate_bp, subtotal_minor, discount_minor, vat_minor, total_minor,
                                            expires_at)
                    SELECT org_id, id, customer_id, 'GBP', false, 2000, 1000, 100, 180, 1000, now()
                      FROM app.bookings WHERE id = (SELECT id FROM b3) $$, '23514', NULL,
                 'exclusive: a total other than subtotal - discount + VAT is refused');
SELECT lives_ok($$ INSERT INTO app.orders (org_id, booking_id, customer_id, currency, prices_include_vat,
                                           vat_rate_bp, subtotal_minor, discount_minor, vat_minor, total_minor,
                                           expires_at)
                   SELECT org_id, id, customer_id, 'GBP', false, 2000, 1000, 100, 180, 1080, now()
                     FROM app.bookings WHERE id = (SELECT id FROM b3) $$,
                '… and 1000 - 100 + 180 = 1080 is taken');
SELECT throws_ok($$ INSERT INTO app.orders (org_id, booking_id, customer_id, currency, prices_include_vat,
                                            vat_rate_bp, subtotal_minor, discount_minor, vat_minor, total_minor,
                                            expires_at, status)
                    SELECT org_id, id, customer_id, 'GBP', true, 2000, 1000, 1100, 0, 0, now(), 'pending'
                      FROM app.bookings WHERE id = (SELECT id FROM b3) $$, '23514', NULL,
                 'a discount larger than the subtotal is refused');

-- Lines are insert-only. ---------------------------------------------------------------------------------------
INSERT INTO app.order_lines (org_id, order_id, line_no, kind, description, quantity, unit_price_minor, amount_minor,
                             vat_minor)
SELECT org_id, id, 1, 'item', 'The Vault', 2, 500, 1000, 180 FROM app.orders WHERE booking_id = (SELECT id FROM b3);
SELECT throws_ok($$ UPDATE app.order_lines SET description = 'x'
                     WHERE order_id = (SELECT id FROM app.orders WHERE booking_id = (SELECT id FROM b3)) $$,
                 'PT409', 'order_lines rows are never changed or deleted', 'order lines are never changed');
SELECT throws_ok($$ DELETE FROM app.order_lines
                     WHERE order_id = (SELECT id FROM app.orders WHERE booking_id = (SELECT id FROM b3)) $$,
                 'PT409', 'order_lines rows are never changed or deleted', '… nor deleted');
SELECT throws_ok($$ INSERT INTO app.order_lines (org_id, order_id, line_no, kind, description, quantity,
                                                 unit_price_minor, amount_minor, vat_minor)
                    SELECT org_id, id, 2, 'item', 'Wrong', 2, 500, 999, 0
                      FROM app.orders WHERE booking_id = (SELECT id FROM b3) $$, '23514', NULL,
                 'an item''s amount is its quantity times its unit price');
SELECT throws_ok($$ INSERT INTO app.order_lines (org_id, order_id, line_no, kind, description, quantity,
                                                 unit_price_minor, amount_minor, vat_minor)
                    SELECT org_id, id, 2, 'promo', 'Wrong', 1, 100, 100, 0
                      FROM app.orders WHERE booking_id = (SELECT id FROM b3) $$, '23514', NULL,
                 'a discount line takes off, never adds');

SELECT * FROM finish();
ROLLBACK;
