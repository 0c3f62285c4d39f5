-- Promo codes: managed by managers, matched whatever their case, valid in their window, for their experiences and
-- currency; quote says why one does not apply (the per-customer limit only when the customer is named); orders
-- take a use under the counters' CHECKs and give it back, once, when they are cancelled, expire or fail.
BEGIN;
\ir setup.psql
SELECT plan(35);

\ir fixtures.psql
SELECT pg_temp.shop();

-- Management. ------------------------------------------------------------------------------------------------------
SELECT pg_temp.act_as('staff_a');
SELECT throws_ok(format($$ SELECT api.create_promo_code(%L, 'SPRING', percent_off => 10) $$, pg_temp.id('org_a')),
                 'PT403', NULL, 'staff do not make promo codes');
SELECT throws_ok(format($$ SELECT api.list_promo_codes(%L) $$, pg_temp.id('org_a')), 'PT403', NULL,
                 '… nor list them');
SELECT pg_temp.act_as('admin_b');
SELECT throws_ok(format($$ SELECT api.create_promo_code(%L, 'SPRING', percent_off => 10) $$, pg_temp.id('org_a')),
                 'PT404', 'organization not found', 'another organization''s admin sees no organization');
SELECT pg_temp.act_as('manager_a');
CREATE TEMP TABLE codes AS
SELECT 'ten' AS name, api.create_promo_code(pg_temp.id('org_a'), 'Spring10', percent_off => 10, max_uses => 2,
                                            max_uses_per_customer => 1) AS c
UNION ALL
SELECT 'fiver', api.create_promo_code(pg_temp.id('org_a'), 'FIVER', amount_off_minor => 500, currency => 'gbp',
                                      experience_ids => ARRAY[pg_temp.id('quiz')])
UNION ALL
SELECT 'later', api.create_promo_code(pg_temp.id('org_a'), 'LATER', percent_off => 50,
                                      valid_from => now() + interval '1 day')
UNION ALL
SELECT 'gone', api.create_promo_code(pg_temp.id('org_a'), 'GONE', percent_off => 50,
                                     valid_from => now() - interval '2 days', valid_until => now() - interval '1 day')
UNION ALL
SELECT 'dollars', api.create_promo_code(pg_temp.id('org_a'), 'DOLLARS', amount_off_minor => 500, currency => 'USD');
GRANT SELECT ON codes TO PUBLIC;
SELECT is((SELECT c - 'id' - 'org_id' - 'created_at' FROM codes WHERE name = 'fiver'),
          jsonb_build_object('code', 'FIVER', 'percent_off', NULL, 'amount_off_minor', 500, 'currency', 'GBP',
                             'valid_from', NULL, 'valid_until', NULL, 'max_uses', NULL, 'uses', 0,
                             'max_uses_per_customer', NULL, 'active', true,
                             'experience_ids', jsonb_build_array(pg_temp.id('quiz'))),
          'a manager makes a code; the answer says everything about it');
SELECT throws_ok(format($$ SELECT api.create_promo_code(%L, 'spring10', percent_off => 5) $$, pg_temp.id('org_a')),
                 'PT409', 'the organization already has the code spring10', 'codes are unique whatever their case');
SELECT throws_ok(format($$ SELECT api.create_promo_code(%L, 'BOTH', percent_off => 5, amount_off_minor => 5,
                                                         currency => 'GBP') $$, pg_temp.id('org_a')),
                 'PT400', 'give either percent_off or amount_off_minor', 'a code is a percentage or an amount');
SELECT throws_ok(format($$ SELECT api.create_promo_code(%L, 'AMOUNT', amount_off_minor => 5) $$, pg_temp.id('org_a')),
                 'PT400', 'currency is required with amount_off_minor', 'an amount has a currency');
SELECT throws_ok(format($$ SELECT api.create_promo_code(%L, 'BAD CODE', percent_off => 5) $$, pg_temp.id('org_a')),
                 'PT400', NULL, 'a code is letters, digits, - and _');
SELECT throws_ok(format($$ SELECT api.create_promo_code(%L, 'ELSEWHERE', percent_off => 5,
                                                         experience_ids => ARRAY[gen_random_uuid()]) $$,
                        pg_temp.id('org_a')), 'PT400', NULL, 'it is restricted only to the organization''s experiences');
SELECT throws_ok(format($$ SELECT api.create_promo_code(%L, 'NEGATIVE', percent_off => 101) $$, pg_temp.id('org_a')),
                 'PT400', 'percent_off must be a whole number from 1 to 100, not 101', 'at most 100 % off');
SELECT is((SELECT count(*)::int FROM api.list_promo_codes(pg_temp.id('org_a'))), 5, 'a manager lists them');

-- Quotes say why a code does not apply. ----------------------------------------------------------------------------
SELECT pg_temp.act_as('anon');
CREATE FUNCTION pg_temp.promo(p_experience text, p_code text, p_email text DEFAULT NULL) RETURNS jsonb
LANGUAGE sql AS $$
  SELECT api.quote(pg_temp.id(p_experience), (SELECT at_19 FROM day),
                   CASE WHEN p_experience = 'vault' THEN 2 END,
                   CASE WHEN p_experience = 'quiz' THEN pg_temp.tickets('standard', 2) END,
                   p_code, embed_key => pg_temp.key('soho'), customer_email => p_email)
$$;
GRANT EXECUTE ON FUNCTION pg_temp.promo(text, text, text) TO PUBLIC;
SELECT is(pg_temp.promo('vault', 'spring10') - 'lines',
          '{"currency": "GBP", "subtotal_minor": 5000, "discount_minor": 500, "vat_minor": 0, "total_minor": 4500,
            "prices_include_vat": true, "vat_rate_bp": 0,
            "promo": {"code": "spring10", "valid": true, "reason": null, "message": null}}'::jsonb,
          'a code typed in any case takes 10 % off in the widget''s quote');
SELECT is(pg_temp.promo('vault', 'spring10') -> 'lines' -> 1 ->> 'description', 'Promo code Spring10',
          'the promo line names the code');
SELECT results_eq($$ SELECT c, pg_temp.promo(e, c) -> 'promo' ->> 'reason'
                       FROM (VALUES ('quiz', 'NOPE'), ('quiz', 'LATER'), ('quiz', 'GONE'), ('vault', 'FIVER'),
                                    ('quiz', 'DOLLARS')) v(e, c) $$,
                  $$ VALUES ('NOPE', 'unknown'), ('LATER', 'not_started'), ('GONE', 'expired'),
                            ('FIVER', 'not_for_this_experience'), ('DOLLARS', 'wrong_currency') $$,
                  'a code that does not apply is no error: the quote says why');
SELECT is((pg_temp.promo('quiz', 'NOPE') ->> 'total_minor'), '2000', '… and prices without it');
SELECT is(pg_temp.promo('quiz', 'fiver') ->> 'total_minor', '1500', 'an amount off for the right experience: 500 off');

-- Orders take uses; the counters hold their limits. ------------------------------------------------------------------
SELECT pg_temp.act_as('staff_a');
CREATE TEMP TABLE b AS
SELECT n, (api.create_booking(pg_temp.id('vault'), (SELECT at_19 FROM day) + (n - 1) * interval '1 day',
                              CASE WHEN n IN (1, 2) THEN 'same@example.com' ELSE 'guest' || n || '@example.com' END,
                              2)).id
  FROM generate_series(1, 5) n;
GRANT SELECT ON b TO PUBLIC;
CREATE TEMP TABLE o AS SELECT 1 AS n, api.create_order((SELECT id FROM b WHERE n = 1), 'SPRING10') AS o;
GRANT SELECT ON o TO PUBLIC;
SELECT is((SELECT o ->> 'total_minor' FROM o), '4500', 'an order takes the code: 10 % off');
SELECT is((SELECT o ->> 'promo_code' FROM o), 'Spring10', '… and says which');
SELECT is(api.create_order((SELECT id FROM b WHERE n = 1), 'spring10'), (SELECT o FROM o),
          'the same request again answers the same order, taking no second use');
SELECT pg_temp.act_as('anon');
SELECT is(pg_temp.promo('vault', 'SPRING10', 'same@example.com') -> 'promo' ->> 'reason', 'customer_limit_reached',
          'with the customer''s e-mail, a quote says their own limit is reached');
SELECT is(pg_temp.promo('vault', 'SPRING10') -> 'promo' ->> 'valid', 'true',
          'without it, the quote reveals nothing about other customers');
SELECT pg_temp.act_as('staff_a');
SELECT throws_ok(format($$ SELECT api.create_order(%L, 'SPRING10') $$, (SELECT id FROM b WHERE n = 2)), 'PT409',
                 'you have already used this promo code as often as it allows',
                 'the same customer cannot use it twice (max_uses_per_customer 1)');
INSERT INTO o SELECT 3, api.create_order((SELECT id FROM b WHERE n = 3), 'SPRING10');
SELECT throws_ok(format($$ SELECT api.create_order(%L, 'SPRING10') $$, (SELECT id FROM b WHERE n = 4)), 'PT409',
                 'this promo code has been used up', 'the third order finds it used up (max_uses 2)');
SELECT is(api.create_order((SELECT id FROM b WHERE n = 4)) ->> 'total_minor', '5000',
          'the refused order wrote nothing: the booking can still be ordered without the code');

-- Uses come back with their orders, once. -------------------------------------------------------------------------
SELECT is(api.cancel_order((SELECT (o ->> 'id')::uuid FROM o WHERE n = 3)) ->> 'status', 'cancelled',
          'an order with the code is cancelled');
RESET ROLE;
SELECT results_eq($$ SELECT uses FROM app.promo_codes WHERE code = 'Spring10' AND org_id = pg_temp.id('org_a') $$,
                  $$ VALUES (1) $$, 'its use came back');
SELECT isnt((SELECT released_at FROM app.promo_redemptions
              WHERE order_id = (SELECT (o ->> 'id')::uuid FROM o WHERE n = 3)), NULL, '… marked on its redemption');
SELECT pg_temp.act_as('staff_a');
SELECT is(api.create_order((SELECT id FROM b WHERE n = 5), 'SPRING10') ->> 'discount_minor', '500',
          'so another customer can use it');
SELECT lives_ok(format($$ SELECT api.cancel_booking(%L) $$, (SELECT id FROM b WHERE n = 1)),
                'the first customer cancels their booking');
RESET ROLE;
SELECT results_eq($$ SELECT p.uses, u.uses FROM app.promo_codes p
                       JOIN app.promo_customer_uses u ON u.promo_code_id = p.id
                      WHERE p.code = 'Spring10' AND p.org_id = pg_temp.id('org_a')
                        AND u.customer_id = (SELECT customer_id FROM app.bookings WHERE id = (SELECT id FROM b
                                                                                               WHERE n = 1)) $$,
                  $$ VALUES (1, 0) $$,
                  'the cancelled booking''s order gave its use back, to the code and to the customer');
SELECT is((SELECT count(*)::int FROM app.promo_redemptions r JOIN app.promo_codes p ON p.id = r.promo_code_id
            WHERE p.code = 'Spring10' AND p.org_id = pg_temp.id('org_a') AND r.released_at IS NULL), 1,
          'one unreleased redemption for the one use counted');

-- A run-out hold's use comes back before anyone is told the code is used up. ------------------------------------
UPDATE app.promo_codes SET max_uses = 1 WHERE code = 'Spring10' AND org_id = pg_temp.id('org_a');
UPDATE app.bookings SET hold_expires_at = now() - interval '1 second' WHERE id = (SELECT id FROM b WHERE n = 5);
SELECT pg_temp.act_as('staff_a');
SELECT is(api.create_order((SELECT id FROM b WHERE n = 2), 'SPRING10') ->> 'discount_minor', '500',
          'a code held only by an order whose hold ran out is free again');
RESET ROLE;
SELECT is((SELECT status::text FROM app.orders WHERE booking_id = (SELECT id FROM b WHERE n = 5)), 'expired',
          '… that order expired with its booking');

-- Deactivated. -----------------------------------------------------------------------------------------------------
SELECT pg_temp.act_as('manager_a');
SELECT is(api.deactivate_promo_code((SELECT (c ->> 'id')::uuid FROM codes WHERE name = 'fiver')) ->> 'active',
          'false', 'a manager deactivates a code');
SELECT pg_temp.act_as('anon');
SELECT is(pg_temp.promo('quiz', 'FIVER') -> 'promo' ->> 'reason', 'unknown', 'a deactivated code is unknown');

SELECT * FROM finish();
ROLLBACK;
