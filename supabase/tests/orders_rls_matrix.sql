-- Who may read and write each table of the orders area: anon, a signed-in outsider, staff / manager / admin of
-- organization A, an admin of organization B and service_role, each against select, insert, update and delete.
-- Orders, their lines, price rules and promo codes are reached only through definer functions (which check their
-- callers), so no API role holds a privilege on them: 42501 for everyone. Of the settings, members and
-- service_role read only the refund policy defaults (a cancellation computes the refund as its caller); the
-- currency list is read by everyone through api.list_currencies, and the table by nobody.
BEGIN;
\ir setup.psql
SELECT plan(251);

\ir fixtures.psql
SELECT pg_temp.shop();
SELECT pg_temp.fresh('order_a', 'code_a', 'rule_a');

-- A row of each table in org_a (org_b has its settings row only).
SELECT pg_temp.act_as('staff_a');
CREATE TEMP TABLE booked AS
SELECT (api.create_booking(pg_temp.id('vault'), (SELECT at_19 FROM day), 'rls@example.com', 2)).id;
RESET ROLE;
INSERT INTO app.promo_codes (org_id, id, code, percent_off, max_uses_per_customer)
VALUES (pg_temp.id('org_a'), pg_temp.id('code_a'), 'RLSCODE', 10, 1);
INSERT INTO app.promo_code_experiences (org_id, promo_code_id, experience_id)
VALUES (pg_temp.id('org_a'), pg_temp.id('code_a'), pg_temp.id('vault'));
INSERT INTO app.price_rules (org_id, experience_id, id, name, kind, min_lead, percent_off)
VALUES (pg_temp.id('org_a'), pg_temp.id('vault'), pg_temp.id('rule_a'), 'Early', 'early_bird', '1 day', 5);
SELECT pg_temp.act_as('staff_a');
SELECT api.create_order((SELECT id FROM booked), 'RLSCODE');
RESET ROLE;

CREATE TEMP TABLE cases (tbl text PRIMARY KEY, insert_sql text NOT NULL, delete_sql text NOT NULL,
                         update_set text NOT NULL DEFAULT 'org_id = org_id', insert_min text NOT NULL DEFAULT 'nogrant',
                         update_min text NOT NULL DEFAULT 'nogrant', delete_min text NOT NULL DEFAULT 'nogrant',
                         select_min text NOT NULL DEFAULT 'nogrant', service_may text NOT NULL DEFAULT '');
INSERT INTO cases (tbl, insert_sql, delete_sql, update_set) VALUES
  ('org_settings', $$INSERT INTO app.org_settings (org_id) VALUES (%L)$$,
   $$DELETE FROM app.org_settings WHERE org_id = %L RETURNING 1$$, 'vat_rate_bp = vat_rate_bp'),
  ('orders', $$INSERT INTO app.orders (org_id, id, booking_id, customer_id, currency, prices_include_vat, vat_rate_bp,
                                       subtotal_minor, vat_minor, total_minor, expires_at)
     SELECT org_id, %L, id, customer_id, 'GBP', true, 0, 1, 0, 1, now() FROM app.bookings$$,
   $$DELETE FROM app.orders WHERE id = %L RETURNING 1$$, 'status = status'),
  ('order_lines', $$INSERT INTO app.order_lines (org_id, order_id, line_no, kind, description, quantity,
                                                 unit_price_minor, amount_minor, vat_minor)
     SELECT org_id, id, 9, 'item', %L, 1, 0, 0, 0 FROM app.orders$$,
   $$DELETE FROM app.order_lines WHERE description = %L RETURNING 1$$, 'line_no = line_no'),
  ('price_rules', $$INSERT INTO app.price_rules (org_id, experience_id, id, name, kind, min_lead, percent_off)
     VALUES (pg_temp.id('org_a'), pg_temp.id('vault'), %L, 'New', 'early_bird', '2 days', 5)$$,
   $$DELETE FROM app.price_rules WHERE id = %L RETURNING 1$$, 'active = active'),
  ('promo_codes', $$INSERT INTO app.promo_codes (org_id, id, code, percent_off)
     VALUES (pg_temp.id('org_a'), %L, 'NEWCODE', 5)$$,
   $$DELETE FROM app.promo_codes WHERE id = %L RETURNING 1$$, 'uses = uses'),
  ('promo_code_experiences', $$INSERT INTO app.promo_code_experiences (org_id, promo_code_id, experience_id)
     SELECT pg_temp.id('org_a'), pg_temp.id('code_a'), pg_temp.id('quiz') WHERE %L IS NOT NULL$$,
   $$DELETE FROM app.promo_code_experiences WHERE experience_id = pg_temp.id('quiz') AND %L IS NOT NULL
     RETURNING 1$$, 'org_id = org_id'),
  ('promo_customer_uses', $$INSERT INTO app.promo_customer_uses (org_id, promo_code_id, customer_id, max_uses)
     SELECT pg_temp.id('org_a'), %L, gen_random_uuid(), 1$$,
   $$DELETE FROM app.promo_customer_uses WHERE promo_code_id = %L RETURNING 1$$, 'uses = uses'),
  ('promo_redemptions', $$INSERT INTO app.promo_redemptions (org_id, id, promo_code_id, order_id, customer_id,
                                                             amount_minor)
     SELECT org_id, %L, promo_code_id, order_id, customer_id, 0 FROM app.promo_redemptions$$,
   $$DELETE FROM app.promo_redemptions WHERE id = %L RETURNING 1$$, 'released_at = released_at');

-- Members and service_role read the refund policy defaults (columns only: count_rows names no other column).
UPDATE cases SET select_min = 'staff', service_may = 'select' WHERE tbl = 'org_settings';

\ir rls_matrix.psql

SELECT pg_temp.check_role(r, t)
  FROM unnest(ARRAY['anon', 'outsider', 'staff_a', 'manager_a', 'admin_a', 'admin_b', 'service_role']) r,
       unnest(ARRAY['org_settings', 'orders', 'order_lines', 'price_rules', 'promo_codes', 'promo_code_experiences',
                    'promo_customer_uses', 'promo_redemptions']) t;

-- Settings: only the refund columns, nothing else (api.get_org_settings is how members read the rest).
SELECT pg_temp.act_as('admin_a');
SELECT throws_ok($$ SELECT vat_rate_bp FROM app.org_settings $$, '42501', NULL,
                 'even an admin reads the VAT rate only through get_org_settings');
RESET ROLE;

-- The currency list: nobody reaches the table; everyone reads it through list_currencies.
CREATE FUNCTION pg_temp.currency_checks(p_role text) RETURNS SETOF text LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_temp.act_as(p_role);
  RETURN NEXT throws_ok($q$ SELECT 1 FROM app.currencies $q$, '42501', NULL, p_role || ' on currencies: cannot read');
  RETURN NEXT throws_ok($q$ INSERT INTO app.currencies VALUES ('QQQ', 2, 'Q') $q$, '42501', NULL,
                        p_role || ' on currencies: cannot insert');
  RETURN NEXT throws_ok($q$ UPDATE app.currencies SET minor_digits = 0 $q$, '42501', NULL,
                        p_role || ' on currencies: cannot update');
  RETURN NEXT throws_ok($q$ DELETE FROM app.currencies $q$, '42501', NULL, p_role || ' on currencies: cannot delete');
  RETURN NEXT is((SELECT count(*)::int FROM api.list_currencies() WHERE code IN ('SAR', 'GBP', 'JPY', 'KWD', 'CLF')),
                 5, p_role || ' lists the currencies');
  PERFORM set_config('role', 'none', true);
END
$$;
SELECT pg_temp.currency_checks(r) FROM unnest(ARRAY['anon', 'outsider', 'staff_a', 'admin_a', 'service_role']) r;
RESET ROLE;
SELECT results_eq($$ SELECT code, minor_digits FROM api.list_currencies()
                      WHERE code IN ('SAR', 'JPY', 'KWD', 'CLF') ORDER BY code $$,
                  $$ VALUES ('CLF', 4::smallint), ('JPY', 0::smallint), ('KWD', 3::smallint), ('SAR', 2::smallint) $$,
                  '… with their minor digits');

SELECT * FROM finish();
ROLLBACK;
