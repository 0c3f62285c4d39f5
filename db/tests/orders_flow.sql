-- Orders end to end: who may turn a held booking into an order (staff, the signed-in customer, the widget with the
-- customer's e-mail), idempotent retries, holds that ended, bookings that need no payment, cancelling, and orders
-- following their bookings when those expire, are cancelled or rejected.
BEGIN;
\ir setup.psql
SELECT plan(26);

\ir fixtures.psql
SELECT pg_temp.shop();
SELECT pg_temp.fresh('free_tour', 'customer_user');
INSERT INTO auth.users (id, email) VALUES (pg_temp.id('customer_user'), 'Buyer@Example.com');
UPDATE app.org_settings SET vat_rate_bp = 2000, prices_include_vat = true WHERE org_id = pg_temp.id('org_a');
INSERT INTO app.experiences (org_id, venue_id, id, kind, name, duration_minutes, min_party, max_party, currency,
                             requires_payment) VALUES
  (pg_temp.id('org_a'), pg_temp.id('soho'), pg_temp.id('free_tour'), 'private_session', 'Free tour', 60, 1, 6, 'GBP',
   false);
INSERT INTO app.price_tiers (org_id, experience_id, min_party, max_party, price_minor) VALUES
  (pg_temp.id('org_a'), pg_temp.id('free_tour'), 1, 6, 0);
INSERT INTO app.schedules (org_id, experience_id, weekday, start_time, valid_from)
SELECT pg_temp.id('org_a'), pg_temp.id('free_tour'), d, '10:00', current_date FROM generate_series(1, 7) d;

SELECT pg_temp.act_as('staff_a');
CREATE TEMP TABLE b AS
SELECT n, (api.create_booking(pg_temp.id('vault'), (SELECT at_19 FROM day) + (n - 1) * interval '1 day',
                              CASE WHEN n = 1 THEN 'buyer@example.com' ELSE 'guest' || n || '@example.com' END,
                              2)).id
  FROM generate_series(1, 6) n;
GRANT SELECT ON b TO PUBLIC;

-- Staff. ---------------------------------------------------------------------------------------------------------------
CREATE TEMP TABLE o1 AS SELECT api.create_order((SELECT id FROM b WHERE n = 2)) AS o;
GRANT SELECT ON o1 TO PUBLIC;
SELECT is((SELECT o - 'id' - 'org_id' - 'booking_id' - 'customer_id' - 'created_at' - 'expires_at' - 'lines' FROM o1),
          '{"status": "pending", "currency": "GBP", "prices_include_vat": true, "vat_rate_bp": 2000,
            "subtotal_minor": 5000, "discount_minor": 0, "vat_minor": 833, "total_minor": 5000, "paid_minor": 0,
            "refunded_minor": 0, "refund_required": false, "paid_at": null, "promo_code": null}'::jsonb,
          'staff turn a held booking into a pending order: 5000 with 833 of VAT included (833.33)');
SELECT is((SELECT (o ->> 'expires_at')::timestamptz FROM o1),
          (SELECT hold_expires_at FROM api.get_booking((SELECT id FROM b WHERE n = 2))),
          'the order must be paid by the end of the booking''s hold');
SELECT is((SELECT jsonb_array_length(o -> 'lines') FROM o1), 1, 'with its one line');
SELECT is(api.create_order((SELECT id FROM b WHERE n = 2)), (SELECT o FROM o1),
          'asking again answers the same order (idempotent)');
SELECT throws_ok(format($$ SELECT api.create_order(%L, promo_code => 'OTHER') $$, (SELECT id FROM b WHERE n = 2)),
                 'PT409', NULL, 'another request while the order is live is a conflict (order_exists)');
SELECT is((SELECT count(*)::int FROM api.list_bookings(pg_temp.id('org_a'))), 6, 'nothing else was booked');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM app.orders WHERE booking_id = (SELECT id FROM b WHERE n = 2)), 1,
          'one order, however often it was asked for');

-- The signed-in customer, by their e-mail. -------------------------------------------------------------------------
SELECT set_config('request.jwt.claims', jsonb_build_object('role', 'authenticated', 'sub', pg_temp.id('customer_user'),
                                                           'email', 'Buyer@Example.com')::text, true);
SET LOCAL ROLE authenticated;
SELECT is(api.create_order((SELECT id FROM b WHERE n = 1)) ->> 'status', 'pending',
          'the signed-in customer whose e-mail the booking has orders it (whatever the case)');
SELECT throws_ok(format($$ SELECT api.create_order(%L) $$, (SELECT id FROM b WHERE n = 3)), 'PT404',
                 'booking not found', 'but not somebody else''s booking');
RESET ROLE;
SELECT pg_temp.act_as('outsider');
SELECT throws_ok(format($$ SELECT api.create_order(%L) $$, (SELECT id FROM b WHERE n = 3)), 'PT404',
                 'booking not found', 'a signed-in stranger sees no booking');
SELECT pg_temp.act_as('admin_b');
SELECT throws_ok(format($$ SELECT api.create_order(%L) $$, (SELECT id FROM b WHERE n = 3)), 'PT404',
                 'booking not found', 'nor does another organization''s staff');

-- The widget: the venue's key and the booking's e-mail together. ------------------------------------------------
SELECT pg_temp.act_as('anon');
SELECT throws_ok(format($$ SELECT api.create_order(%L) $$, (SELECT id FROM b WHERE n = 3)), 'PT404',
                 'booking not found', 'anon with the id alone gets nothing');
SELECT throws_ok(format($$ SELECT api.create_order(%L, embed_key => pg_temp.key('soho')) $$,
                        (SELECT id FROM b WHERE n = 3)), 'PT404', 'booking not found', 'nor with the key alone');
SELECT throws_ok(format($$ SELECT api.create_order(%L, embed_key => pg_temp.key('soho'),
                                                   customer_email => 'guest4@example.com') $$,
                        (SELECT id FROM b WHERE n = 3)), 'PT404', 'booking not found',
                 'nor with the key and another customer''s e-mail');
SELECT throws_ok(format($$ SELECT api.create_order(%L, embed_key => pg_temp.key('brooklyn'),
                                                   customer_email => 'guest3@example.com') $$,
                        (SELECT id FROM b WHERE n = 3)), 'PT404', 'booking not found',
                 'nor with another venue''s key');
CREATE TEMP TABLE o3 AS
SELECT api.create_order((SELECT id FROM b WHERE n = 3), embed_key => pg_temp.key('soho'),
                        customer_email => ' GUEST3@example.com ') AS o;
SELECT is((SELECT o ->> 'total_minor' FROM o3), '5000', 'the key and the booking''s e-mail order it');

-- Cancelling an order: the booking keeps its hold, a new order can follow. -------------------------------------
SELECT is(api.cancel_order((SELECT (o ->> 'id')::uuid FROM o3), embed_key => pg_temp.key('soho'),
                           customer_email => 'guest3@example.com') ->> 'status', 'cancelled',
          'the widget cancels its pending order');
SELECT throws_ok(format($$ SELECT api.cancel_order(%L, embed_key => pg_temp.key('soho'),
                                                   customer_email => 'guest3@example.com') $$,
                        (SELECT o ->> 'id' FROM o3)), 'PT409', NULL, 'a cancelled order cannot be cancelled again');
SELECT throws_ok(format($$ SELECT api.cancel_order(%L, embed_key => pg_temp.key('soho'),
                                                   customer_email => 'guest3@example.com') $$,
                        (SELECT o ->> 'id' FROM o1)), 'PT404', 'order not found',
                 'nobody cancels another customer''s order');
SELECT isnt((api.create_order((SELECT id FROM b WHERE n = 3), embed_key => pg_temp.key('soho'),
                              customer_email => 'guest3@example.com')) ->> 'id', (SELECT o ->> 'id' FROM o3),
            'while the hold lasts, a new order replaces a cancelled one');

-- Orders follow their bookings. --------------------------------------------------------------------------------
SELECT pg_temp.act_as('staff_a');
CREATE TEMP TABLE o45 AS
SELECT n, (api.create_order(id) ->> 'id')::uuid AS id FROM b WHERE n IN (4, 5, 6);
SELECT lives_ok(format($$ SELECT api.cancel_booking(%L) $$, (SELECT id FROM b WHERE n = 4)), 'a booking is cancelled');
SELECT lives_ok(format($$ SELECT api.reject_booking(%L) $$, (SELECT id FROM b WHERE n = 5)), 'another is rejected');
RESET ROLE;
UPDATE app.bookings SET hold_expires_at = now() - interval '1 second' WHERE id = (SELECT id FROM b WHERE n = 6);
SELECT pg_temp.act_as('staff_a');
SELECT cmp_ok(api.expire_holds(), '>=', 1, 'a third one''s hold runs out and is expired');
RESET ROLE;
SELECT results_eq($$ SELECT status::text FROM app.orders WHERE id IN (SELECT id FROM o45) ORDER BY
                       (SELECT n FROM o45 WHERE o45.id = orders.id) $$,
                  $$ VALUES ('cancelled'), ('cancelled'), ('expired') $$,
                  'their pending orders are cancelled, cancelled and expired with them, in the same transaction');
SELECT pg_temp.act_as('staff_a');
SELECT throws_ok(format($$ SELECT api.create_order(%L) $$, (SELECT id FROM b WHERE n = 6)), 'PT409',
                 'the hold on booking ' || (SELECT confirmation_code FROM app.bookings WHERE id =
                                              (SELECT id FROM b WHERE n = 6)) || ' has ended',
                 'a booking whose hold ended cannot be ordered (hold_expired)');

-- A booking that needs no payment needs no order. -------------------------------------------------------------
SELECT throws_ok(format($$ SELECT api.create_order(%L) $$,
                        (SELECT id FROM api.create_booking(pg_temp.id('free_tour'),
                                                           private.local_to_instant((SELECT d FROM day) + time '10:00',
                                                                                    'Europe/London'),
                                                           'free@example.com', 2))),
                 'PT409', NULL, 'an experience without payment takes no order (no_payment_needed)');

SELECT * FROM finish();
ROLLBACK;
