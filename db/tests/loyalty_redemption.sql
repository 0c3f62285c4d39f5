-- Points as payment: create_order spends a signed-in customer's points as a loyalty line (never more than is left
-- to pay, never more than the balance holds), a retry spends them once, the widget cannot spend them, the order's
-- end gives them back, quote prices them without reading a balance, and an order left with nothing to pay is paid
-- at once with its booking confirmed.
BEGIN;
\ir setup.psql
SELECT plan(19);
\ir fixtures.psql
SELECT pg_temp.shop();
UPDATE app.org_settings SET currency = 'GBP', vat_rate_bp = 0, loyalty_point_value_minor = 0
 WHERE org_id = pg_temp.id('org_a');

-- The customer is the signed-in outsider (member of nothing), booked by staff under the same e-mail.
CREATE TEMP TABLE who AS SELECT email FROM auth.users WHERE id = pg_temp.id('outsider');
GRANT SELECT ON who TO PUBLIC;
CREATE FUNCTION pg_temp.as_customer() RETURNS void LANGUAGE sql AS $$
  SELECT set_config('request.jwt.claims', jsonb_build_object('role', 'authenticated', 'sub', pg_temp.id('outsider'),
                                                             'email', (SELECT email FROM who))::text, true),
         set_config('role', 'authenticated', true);
$$;
-- A pending booking of the vault for the customer (a party of 2 at 2500 each: 5000), n days after day.at_19.
CREATE FUNCTION pg_temp.booking(p_days int) RETURNS uuid LANGUAGE plpgsql AS $$
DECLARE
  made uuid;
BEGIN
  PERFORM pg_temp.act_as('staff_a');
  SELECT id INTO made FROM api.create_booking(pg_temp.id('vault'),
    (SELECT at_19 FROM day) + make_interval(days => p_days), (SELECT email FROM who), 2);
  PERFORM set_config('role', 'none', true);
  RETURN made;
END
$$;
CREATE FUNCTION pg_temp.balance() RETURNS int LANGUAGE sql AS $$
  SELECT coalesce((SELECT a.balance FROM app.loyalty_accounts a JOIN app.customers c ON c.id = a.customer_id
                    WHERE c.org_id = pg_temp.id('org_a') AND c.email_key = lower((SELECT email FROM who))), 0)
$$;

CREATE TEMP TABLE b1 AS SELECT pg_temp.booking(0) AS id;
GRANT SELECT ON b1 TO PUBLIC;
SELECT private.loyalty_change(org_id, customer_id, 300) FROM app.bookings WHERE id = (SELECT id FROM b1);
INSERT INTO app.loyalty_ledger (org_id, customer_id, kind, points)
SELECT org_id, customer_id, 'adjust', 300 FROM app.bookings WHERE id = (SELECT id FROM b1);

-- Points where the organization gives them no value. ---------------------------------------------------------------
SELECT pg_temp.act_as('staff_a');
SELECT throws_ok($$ SELECT api.quote(pg_temp.id('vault'), (SELECT at_19 FROM day), 2, redeem_points => 10) $$,
                 'PT400', 'this organization does not take loyalty points as payment',
                 'points are refused where the organization gives them no value');
RESET ROLE;
UPDATE app.org_settings SET loyalty_point_value_minor = 10 WHERE org_id = pg_temp.id('org_a');

-- Quotes price points and read no balance. ---------------------------------------------------------------------------
SELECT pg_temp.act_as('staff_a');
SELECT is((SELECT jsonb_path_query_array(q, '$.lines[*] ? (@.kind == "loyalty").amount_minor')
             || jsonb_build_array(q -> 'total_minor')
             FROM api.quote(pg_temp.id('vault'), (SELECT at_19 FROM day), 2, redeem_points => 100) q),
          '[-1000, 4000]', 'a quote prices 100 points at 10p each as a loyalty line of -1000');
SELECT is((api.quote(pg_temp.id('vault'), (SELECT at_19 FROM day), 2, redeem_points => 100000)) -> 'total_minor',
          '0', 'a quote never prices points beyond what is left to pay');

-- The widget cannot spend points. ----------------------------------------------------------------------------------
SELECT pg_temp.act_as('anon');
SELECT throws_ok($$ SELECT api.create_order((SELECT id FROM b1), redeem_points => 100, embed_key => pg_temp.key('soho'),
                                            customer_email => (SELECT email FROM who)) $$,
                 'PT401', 'sign in to redeem loyalty points', 'the widget''s capability never spends points');
RESET ROLE;
SELECT is(pg_temp.balance(), 300, 'a refused redemption spends nothing');

-- The signed-in customer spends them, once. ------------------------------------------------------------------------
SELECT pg_temp.as_customer();
CREATE TEMP TABLE o1 AS SELECT api.create_order((SELECT id FROM b1), redeem_points => 100) AS o;
RESET ROLE;
GRANT SELECT ON o1 TO PUBLIC;
SELECT pg_temp.as_customer();
SELECT is((SELECT (o -> 'total_minor')::int FROM o1), 4000, 'the order is 1000 less for 100 points');
SELECT is((SELECT jsonb_path_query_first(o, '$.lines[*] ? (@.kind == "loyalty")') ->> 'description' FROM o1),
          'Loyalty points (100)', 'the loyalty line says how many points it spent');
RESET ROLE;
SELECT is(pg_temp.balance(), 200, 'the points are debited with the order');
SELECT pg_temp.as_customer();
SELECT is((SELECT api.create_order((SELECT id FROM b1), redeem_points => 100) ->> 'id'),
          (SELECT o ->> 'id' FROM o1), 'the same request again answers the same order');
SELECT throws_ok($$ SELECT api.create_order((SELECT id FROM b1), redeem_points => 50) $$, 'PT409', NULL,
                 'other points for a booking with a live order are a conflict');
RESET ROLE;
SELECT is(pg_temp.balance(), 200, 'a retry spends nothing more');

-- The order's end gives them back, once. ---------------------------------------------------------------------------
SELECT pg_temp.as_customer();
SELECT api.cancel_order((SELECT (o ->> 'id')::uuid FROM o1));
RESET ROLE;
SELECT is(pg_temp.balance(), 300, 'a cancelled order gives its points back');
SELECT is((SELECT count(*)::int FROM app.loyalty_ledger WHERE order_id = (SELECT (o ->> 'id')::uuid FROM o1)), 2,
          'the ledger holds the redemption and its release, once each');

-- Never more than the balance. -------------------------------------------------------------------------------------
CREATE TEMP TABLE b2 AS SELECT pg_temp.booking(1) AS id;
GRANT SELECT ON b2 TO PUBLIC;
SELECT pg_temp.as_customer();
SELECT throws_ok($$ SELECT api.create_order((SELECT id FROM b2), redeem_points => 400) $$, 'PT409',
                 'not enough loyalty points: 400 asked, 300 available', 'points beyond the balance are refused');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM app.orders WHERE booking_id = (SELECT id FROM b2)), 0,
          'a refused redemption makes no order');

-- Points that pay it all: the order is paid at once. --------------------------------------------------------------
SELECT private.loyalty_change(org_id, customer_id, 300) FROM app.bookings WHERE id = (SELECT id FROM b2);
SELECT pg_temp.as_customer();
CREATE TEMP TABLE o2 AS SELECT api.create_order((SELECT id FROM b2), redeem_points => 1000) AS o;
RESET ROLE;
GRANT SELECT ON o2 TO PUBLIC;
SELECT is((SELECT (o ->> 'total_minor') || ' ' || (o ->> 'status') FROM o2), '0 paid',
          'an order the points pay in full is paid at once');
SELECT is(pg_temp.balance(), 100, 'only the points needed are spent (500 of the 1000 asked)');
SELECT is((SELECT status::text FROM app.bookings WHERE id = (SELECT id FROM b2)), 'confirmed',
          'its booking is confirmed');
SELECT pg_temp.as_customer();
SELECT is((SELECT api.create_order((SELECT id FROM b2), redeem_points => 1000) ->> 'id'),
          (SELECT o ->> 'id' FROM o2), 'the same request again answers the paid order');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
