-- Price and VAT arithmetic, by hand-computed cases: rounding half away from zero, VAT per line inclusive and
-- exclusive, promo percent and fixed, lines summing to the totals; price rules (early-bird, time-based in the
-- venue's own time, per ticket type, the cheapest winning); and one price for quote, place_booking and orders.
BEGIN;
\ir setup.psql
SELECT plan(39);

\ir fixtures.psql
SELECT pg_temp.shop();

-- Rounding: halves away from zero, exactly. -------------------------------------------------------------------------
SELECT results_eq($$ SELECT private.div_round(n, d) FROM (VALUES (5, 2), (-5, 2), (7, 3), (8, 3), (-8, 3), (1, 2),
                                                                   (-1, 2), (0, 7), (1, 3)) v(n, d) $$,
                  $$ VALUES (3::bigint), (-3), (2), (3), (-3), (1), (-1), (0), (0) $$,
                  'div_round rounds to the nearest whole number, halves away from zero');
SELECT is(private.div_round(9223372036854775807::numeric * 10000, 10000), 9223372036854775807::bigint,
          'div_round is exact at the largest bigint');

-- VAT of one line. -----------------------------------------------------------------------------------------------------
SELECT results_eq($$ SELECT private.vat_of(a, 1500, false) FROM unnest(ARRAY[1000, 1, 3, 4, 10, -10, 0]) a $$,
                  $$ VALUES (150::bigint), (0), (0), (1), (2), (-2), (0) $$,
                  'exclusive 15 %: 1000 -> 150, 0.15 -> 0, 0.45 -> 0, 0.6 -> 1, 1.5 -> 2, -1.5 -> -2');
SELECT results_eq($$ SELECT private.vat_of(a, 1500, true) FROM unnest(ARRAY[11500, 1000, 23, 2500]) a $$,
                  $$ VALUES (1500::bigint), (130), (3), (326) $$,
                  'inclusive 15 %: the tax in 115.00 is 15.00, in 10.00 is 1.30 (1.304…), in 2500 is 326 (326.08…)');
SELECT results_eq($$ SELECT private.vat_of(a, 2000, true) FROM unnest(ARRAY[3, 9, -3, 6]) a $$,
                  $$ VALUES (1::bigint), (2), (-1), (1) $$,
                  'inclusive 20 % (a sixth): 0.5 -> 1, 1.5 -> 2, -0.5 -> -1, 1 -> 1');
SELECT is(private.vat_of(1000, 0, true) + private.vat_of(1000, 0, false), 0::bigint, 'no VAT at 0 %');
SELECT is(private.vat_of(1000, 10000, false), 1000::bigint, '100 % exclusive doubles the price');
SELECT is(private.vat_of(1000, 10000, true), 500::bigint, '… and is half of an inclusive one');

-- A cart. ------------------------------------------------------------------------------------------------------------
CREATE TEMP TABLE carts AS
SELECT 'excl' AS name, private.price_cart('[{"description": "A", "quantity": 2, "unit_price_minor": 2500},
                                            {"description": "B", "quantity": 1, "unit_price_minor": 999}]',
                                          2000, false, 10) AS c
UNION ALL
SELECT 'incl', private.price_cart('[{"description": "A", "quantity": 2, "unit_price_minor": 2500},
                                    {"description": "B", "quantity": 1, "unit_price_minor": 999}]',
                                  1500, true, 10)
UNION ALL
SELECT 'fixed', private.price_cart('[{"description": "A", "quantity": 1, "unit_price_minor": 500}]', 1500, true,
                                   NULL, 800, 'Promo code BIG')
UNION ALL
SELECT 'loyalty', private.price_cart('[{"description": "A", "quantity": 1, "unit_price_minor": 1000}]', 2000, false,
                                     NULL, 300, 'Promo code X', 5000, 'Points');
GRANT SELECT ON carts TO PUBLIC;

SELECT results_eq($$ SELECT (l ->> 'kind'), (l ->> 'amount_minor')::bigint, (l ->> 'vat_minor')::bigint
                       FROM carts, jsonb_array_elements(c -> 'lines') l WHERE name = 'excl' $$,
                  $$ VALUES ('item', 5000::bigint, 1000::bigint), ('item', 999, 200), ('promo', -600, -120) $$,
                  'exclusive 20 %, 10 % off: 5000 + 1000 VAT, 999 + 200 (199.8), promo -600 (599.9) - 120');
SELECT is((SELECT c - 'lines' FROM carts WHERE name = 'excl'),
          '{"subtotal_minor": 5999, "discount_minor": 600, "vat_minor": 1080, "total_minor": 6479,
            "prices_include_vat": false, "vat_rate_bp": 2000}'::jsonb,
          '… totals: 5999 - 600 + 1080 = 6479');
SELECT results_eq($$ SELECT (l ->> 'amount_minor')::bigint, (l ->> 'vat_minor')::bigint
                       FROM carts, jsonb_array_elements(c -> 'lines') l WHERE name = 'incl' $$,
                  $$ VALUES (5000::bigint, 652::bigint), (999, 130), (-600, -78) $$,
                  'inclusive 15 %: 652 of 5000 (652.17), 130 of 999 (130.30), -78 of -600 (-78.26)');
SELECT is((SELECT c - 'lines' FROM carts WHERE name = 'incl'),
          '{"subtotal_minor": 5999, "discount_minor": 600, "vat_minor": 704, "total_minor": 5399,
            "prices_include_vat": true, "vat_rate_bp": 1500}'::jsonb,
          '… totals: 5999 - 600 = 5399, of which 704 VAT');
SELECT is((SELECT c - 'lines' FROM carts WHERE name = 'fixed'),
          '{"subtotal_minor": 500, "discount_minor": 500, "vat_minor": 0, "total_minor": 0,
            "prices_include_vat": true, "vat_rate_bp": 1500}'::jsonb,
          'a fixed promo larger than the cart takes it to 0, never below');
SELECT is((SELECT c -> 'lines' -> 1 ->> 'description' FROM carts WHERE name = 'fixed'), 'Promo code BIG',
          'the promo line says which code');
SELECT results_eq($$ SELECT (l ->> 'kind'), (l ->> 'amount_minor')::bigint
                       FROM carts, jsonb_array_elements(c -> 'lines') l WHERE name = 'loyalty' $$,
                  $$ VALUES ('item', 1000::bigint), ('promo', -300), ('loyalty', -700) $$,
                  'points pay for what the promo left, never more (5000 asked, 700 left)');
SELECT is((SELECT (c ->> 'total_minor')::bigint FROM carts WHERE name = 'loyalty'), 0::bigint,
          '… and the total is 0 (VAT 200 - 60 - 140)');
SELECT is((SELECT count(*)::int FROM carts
            WHERE (c ->> 'subtotal_minor')::bigint <> (SELECT sum((l ->> 'amount_minor')::bigint)
                                                         FROM jsonb_array_elements(c -> 'lines') l
                                                        WHERE l ->> 'kind' = 'item')
               OR (c ->> 'discount_minor')::bigint <> -(SELECT coalesce(sum((l ->> 'amount_minor')::bigint), 0)
                                                          FROM jsonb_array_elements(c -> 'lines') l
                                                         WHERE l ->> 'kind' <> 'item')
               OR (c ->> 'vat_minor')::bigint <> (SELECT sum((l ->> 'vat_minor')::bigint)
                                                    FROM jsonb_array_elements(c -> 'lines') l)), 0,
          'in every cart the lines sum to the totals');
SELECT throws_ok($$ SELECT private.price_cart('[]', 10001, true) $$, 'PT400',
                 'VAT rate must be 0 to 100 % (0 to 10000 basis points)', 'the arithmetic refuses a rate over 100 %');

-- Price rules. -------------------------------------------------------------------------------------------------------
SELECT pg_temp.fresh('early', 'evening', 'late_vip', 'ny_evening');
INSERT INTO app.price_rules (org_id, experience_id, id, name, kind, min_lead, percent_off) VALUES
  (pg_temp.id('org_a'), pg_temp.id('vault'), pg_temp.id('early'), 'Early bird', 'early_bird', '7 days', 20);
SELECT pg_temp.act_as('staff_a');
SELECT is(api.quote(pg_temp.id('vault'), (SELECT at_19 FROM day), 2) -> 'lines' -> 0,
          jsonb_build_object('line_no', 1, 'kind', 'item', 'description', 'The Vault (Early bird)',
                             'ticket_type_id', NULL, 'price_rule_id', pg_temp.id('early'), 'quantity', 2,
                             'unit_price_minor', 2000, 'amount_minor', 4000, 'vat_minor', 0),
          'early bird, ten days ahead: 20 % off each person (2500 -> 2000), the line names the rule');
SELECT is((api.quote(pg_temp.id('vault'), (SELECT at_19 FROM day) - interval '5 days', 2)
            -> 'lines' -> 0 ->> 'unit_price_minor'), '2500', 'five days ahead it does not apply');
RESET ROLE;
INSERT INTO app.price_rules (org_id, experience_id, id, name, kind, weekdays, starts_from, starts_until,
                             amount_off_minor) VALUES
  (pg_temp.id('org_a'), pg_temp.id('vault'), pg_temp.id('evening'), 'Evening', 'time_based',
   ARRAY[extract(isodow FROM (SELECT d FROM day))::smallint], '18:00', '20:00', 600);
SELECT pg_temp.act_as('staff_a');
SELECT is((api.quote(pg_temp.id('vault'), (SELECT at_19 FROM day), 2) -> 'lines' -> 0) - 'ticket_type_id'
            - 'line_no' - 'kind' - 'vat_minor' - 'quantity',
          jsonb_build_object('description', 'The Vault (Evening)', 'price_rule_id', pg_temp.id('evening'),
                             'unit_price_minor', 1900, 'amount_minor', 3800),
          'two rules apply: the cheaper wins (600 off: 1900, against 20 % off: 2000)');
SELECT is((api.quote(pg_temp.id('vault'), (SELECT at_19 FROM day) + interval '1 day', 2)
            -> 'lines' -> 0 ->> 'price_rule_id')::uuid, pg_temp.id('early'),
          'the day after, another weekday: only the early bird applies');
RESET ROLE;
-- Brooklyn's 19:00 is midnight in London and UTC: the rule reads the venue's own clock.
INSERT INTO app.price_rules (org_id, experience_id, id, name, kind, starts_from, starts_until,
                             replacement_price_minor) VALUES
  (pg_temp.id('org_a'), pg_temp.id('subway'), pg_temp.id('ny_evening'), 'Happy hour', 'time_based', '19:00', '19:30',
   2000);
SELECT pg_temp.act_as('staff_a');
SELECT is((api.quote(pg_temp.id('subway'), (SELECT at_19_ny FROM day), 3) -> 'lines' -> 0 ->> 'amount_minor'),
          '6000', 'a time-based rule reads the venue''s local time (19:00 in New York; a replacement price, 3 x 2000)');
RESET ROLE;
INSERT INTO app.price_rules (org_id, experience_id, ticket_type_id, id, name, kind, booked_before, percent_off) VALUES
  (pg_temp.id('org_a'), pg_temp.id('quiz'), pg_temp.id('vip'), pg_temp.id('late_vip'), 'Launch offer', 'early_bird',
   now() + interval '1 day', 50);
SELECT pg_temp.act_as('staff_a');
CREATE TEMP TABLE quiz_quote AS
SELECT api.quote(pg_temp.id('quiz'), (SELECT at_19 FROM day),
                 tickets => (SELECT jsonb_agg(t) FROM (SELECT jsonb_array_elements(pg_temp.tickets('standard', 3)) t
                                                       UNION ALL
                                                       SELECT jsonb_array_elements(pg_temp.tickets('vip', 2))) x)) q;
SELECT results_eq($$ SELECT l ->> 'description', (l ->> 'unit_price_minor')::bigint, (l ->> 'amount_minor')::bigint
                       FROM quiz_quote, jsonb_array_elements(q -> 'lines') l $$,
                  $$ VALUES ('Quiz night: Standard', 1000::bigint, 3000::bigint),
                            ('Quiz night: VIP (Launch offer)', 1500, 3000) $$,
                  'a rule for one ticket type prices that type only (booked before a date: VIP half price)');

-- One price everywhere. ------------------------------------------------------------------------------------------------
SELECT is((SELECT q ->> 'subtotal_minor' FROM quiz_quote), '6000', 'the quote''s subtotal is 6000');
CREATE TEMP TABLE quiz_booking AS
SELECT b.* FROM api.create_booking(pg_temp.id('quiz'), (SELECT at_19 FROM day), 'quiz@example.com',
                                   tickets => (SELECT jsonb_agg(t) FROM (
                                     SELECT jsonb_array_elements(pg_temp.tickets('standard', 3)) t
                                     UNION ALL SELECT jsonb_array_elements(pg_temp.tickets('vip', 2))) x)) b;
SELECT is((SELECT price_minor FROM quiz_booking), 6000::bigint,
          'the booking''s price is the quote''s undiscounted subtotal, price rules included');
RESET ROLE;
SELECT results_eq(format($$ SELECT ticket_type_id, price_minor FROM app.booking_tickets WHERE booking_id = %L
                              ORDER BY price_minor $$, (SELECT id FROM quiz_booking)),
                  format($$ VALUES (%L::uuid, 1000::bigint), (%L::uuid, 1500::bigint) $$,
                         pg_temp.id('standard'), pg_temp.id('vip')),
                  'its ticket lines carry the unit prices the rules gave');
SELECT pg_temp.act_as('staff_a');
SELECT is(api.create_order((SELECT id FROM quiz_booking)) -> 'lines',
          (SELECT q -> 'lines' FROM quiz_quote), 'the order has exactly the quote''s lines');
SELECT is((SELECT (price_minor) FROM api.create_booking(pg_temp.id('vault'), (SELECT at_19 FROM day), 'v@example.com',
                                                        2)), 3800::bigint,
          'a private session books at its rule price too (2 x 1900)');

-- VAT from the organization's settings, in quotes. -------------------------------------------------------------------
RESET ROLE;
UPDATE app.org_settings SET vat_rate_bp = 2000, prices_include_vat = true WHERE org_id = pg_temp.id('org_a');
SELECT pg_temp.act_as('staff_a');
SELECT is(api.quote(pg_temp.id('quiz'), (SELECT at_19 FROM day), tickets => pg_temp.tickets('standard', 1)) - 'lines'
            - 'promo',
          '{"currency": "GBP", "subtotal_minor": 1000, "discount_minor": 0, "vat_minor": 167, "total_minor": 1000,
            "prices_include_vat": true, "vat_rate_bp": 2000}'::jsonb,
          'UK, 20 % included: 10.00 holds 1.67 of VAT (166.67)');
RESET ROLE;
UPDATE app.org_settings SET prices_include_vat = false WHERE org_id = pg_temp.id('org_a');
SELECT pg_temp.act_as('staff_a');
SELECT is(api.quote(pg_temp.id('quiz'), (SELECT at_19 FROM day), tickets => pg_temp.tickets('standard', 1))
            ->> 'total_minor', '1200', '20 % added: 10.00 costs 12.00');

-- Who may quote. -------------------------------------------------------------------------------------------------------
SELECT pg_temp.act_as('anon');
SELECT is(api.quote(pg_temp.id('quiz'), (SELECT at_19 FROM day), tickets => pg_temp.tickets('standard', 1),
                    embed_key => pg_temp.key('soho')) ->> 'total_minor', '1200',
          'the widget quotes with its venue''s key');
SELECT throws_ok(format($$ SELECT api.quote(%L, %L, tickets => pg_temp.tickets('standard', 1),
                                            embed_key => pg_temp.key('brooklyn')) $$,
                        pg_temp.id('quiz'), (SELECT at_19 FROM day)), 'PT404', 'experience not found',
                 'another venue''s key sees no such experience');
SELECT throws_ok(format($$ SELECT api.quote(%L, %L, 2) $$, pg_temp.id('vault'), (SELECT at_19 FROM day)), 'PT404',
                 'experience not found', 'anon without a key sees nothing');
SELECT pg_temp.act_as('admin_b');
SELECT throws_ok(format($$ SELECT api.quote(%L, %L, 2) $$, pg_temp.id('vault'), (SELECT at_19 FROM day)), 'PT404',
                 'experience not found', 'nor does another organization''s staff');
SELECT pg_temp.act_as('staff_a');
SELECT throws_ok(format($$ SELECT api.quote(%L, %L, 2, redeem_points => 10) $$, pg_temp.id('vault'),
                        (SELECT at_19 FROM day)), 'PT400', 'this organization does not take loyalty points as payment',
                 'points are refused where the organization gives them no value');
SELECT throws_ok(format($$ SELECT api.quote(%L, %L, 9) $$, pg_temp.id('vault'), (SELECT at_19 FROM day)), 'PT400',
                 'a party of 9 cannot book The Vault', 'a party outside the limits is refused as booking refuses it');
RESET ROLE;
SELECT is(provolatile, 's', 'quote is STABLE: it writes nothing') FROM pg_proc
 WHERE oid = 'api.quote(uuid, timestamptz, integer, jsonb, text, integer, text, text)'::regprocedure;
SELECT is((SELECT count(*)::int FROM app.slots WHERE experience_id = pg_temp.id('subway')), 0,
          'quoting made no slot');

SELECT * FROM finish();
ROLLBACK;
