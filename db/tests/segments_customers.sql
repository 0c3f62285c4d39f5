-- A customer's figures kept by the bookings and payments themselves (paid, cancelled with a refund, pending), their
-- page with its history, and the staff's customer list: search by name, e-mail and phone, a segment, keyset pages,
-- erased customers and other organizations' never shown, arguments checked.
BEGIN;
\ir setup.psql
SELECT plan(34);
\ir fixtures.psql
SELECT pg_temp.shop();
UPDATE app.org_settings SET currency = 'GBP' WHERE org_id = pg_temp.id('org_a');
UPDATE app.experiences SET full_refund_before = '30 days', late_refund_percent = 50 WHERE id = pg_temp.id('vault');

-- A paid booking of the vault (a party of 2 at 2500 each: 5000) n days after day.at_19 for ada, paid in cash.
CREATE FUNCTION pg_temp.paid_booking(p_name text, p_days int) RETURNS uuid LANGUAGE plpgsql AS $$
DECLARE
  booking uuid;
BEGIN
  PERFORM pg_temp.fresh(p_name);
  PERFORM pg_temp.act_as('staff_a');
  SELECT id INTO booking FROM api.create_booking(pg_temp.id('vault'),
    (SELECT at_19 FROM day) + make_interval(days => p_days), 'Ada@Example.com', 2, 'Ada Lovelace', '+44 20 7946 0001');
  PERFORM set_config('role', 'none', true);
  PERFORM set_config('request.jwt.claims', '', true);
  INSERT INTO app.orders (org_id, id, booking_id, customer_id, currency, prices_include_vat, vat_rate_bp,
                          subtotal_minor, vat_minor, total_minor, expires_at)
  SELECT org_id, pg_temp.id(p_name), id, customer_id, 'GBP', true, 0, price_minor, 0, price_minor, hold_expires_at
    FROM app.bookings WHERE id = booking;
  PERFORM pg_temp.act_as('staff_a');
  PERFORM api.record_offline_payment(pg_temp.id(p_name), 5000, 'cash', 'receipt-' || p_name);
  PERFORM set_config('role', 'none', true);
  PERFORM set_config('request.jwt.claims', '', true);
  RETURN booking;
END
$$;
CREATE FUNCTION pg_temp.ada() RETURNS text LANGUAGE sql AS $$
  SELECT format('%s %s %s %s', booking_count, lifetime_value_minor,
                (first_visit_at - (SELECT at_19 FROM day)), (last_visit_at - (SELECT at_19 FROM day)))
    FROM app.customers WHERE org_id = pg_temp.id('org_a') AND email_key = 'ada@example.com'
$$;

-- Visits and value, kept as bookings and payments change.
CREATE TEMP TABLE b AS SELECT 'first'::text AS name, pg_temp.paid_booking('o1', 0) AS id;
GRANT SELECT, INSERT ON b TO PUBLIC;
SELECT is(pg_temp.ada(), '1 5000 00:00:00 00:00:00', 'a paid booking: one visit, 5000, first and last at its start');
INSERT INTO b SELECT 'second', pg_temp.paid_booking('o2', 1);
SELECT is(pg_temp.ada(), '2 10000 00:00:00 1 day', 'a second one the next day: two visits, the last a day later');
SELECT pg_temp.act_as('staff_a');
SELECT is(api.cancel_booking((SELECT id FROM b WHERE name = 'first'), NULL), 2500::bigint,
          'the first cancelled late: half of its 5000 is handed back');
SELECT pg_temp.act_as('staff_a');
INSERT INTO b SELECT 'pending', id FROM api.create_booking(pg_temp.id('vault'),
  (SELECT at_19 FROM day) + interval '2 days', 'ada@example.com', 2);
RESET ROLE;
SELECT is(pg_temp.ada(), '1 7500 1 day 1 day',
          'the cancelled booking no longer counts (the first visit moves), its refund comes off the value; a pending '
          'one does not count yet');
UPDATE app.bookings SET status = 'expired' WHERE id = (SELECT id FROM b WHERE name = 'pending');
SELECT is(pg_temp.ada(), '1 7500 1 day 1 day', 'a booking that never counted changes nothing when it ends');

-- More customers, written directly: their figures as given.
SELECT pg_temp.fresh('bea', 'cy', 'dot', 'gone', 'b_ada');
INSERT INTO app.customers (org_id, id, email, name, phone, booking_count, first_visit_at, last_visit_at,
                           lifetime_value_minor) VALUES
  (pg_temp.id('org_a'), pg_temp.id('bea'), 'bea@example.com', 'Beatrice Shilling', '+44 20 7946 0002', 3,
   now() - interval '300 days', now() - interval '3 days', 20000),
  (pg_temp.id('org_a'), pg_temp.id('cy'), 'cy_100%@example.com', 'Cy Young', NULL, 0, NULL, NULL, 0),
  (pg_temp.id('org_a'), pg_temp.id('dot'), 'dot@example.org', 'Dorothy Lovelace-Hodgkin', '020 7946 0004', 1,
   now() - interval '30 days', now() - interval '30 days', 1000);
INSERT INTO app.customers (org_id, id, email, erased_at, booking_count, first_visit_at, last_visit_at,
                           lifetime_value_minor)
VALUES (pg_temp.id('org_a'), pg_temp.id('gone'), 'erased-' || pg_temp.id('gone') || '@erased.invalid', now(), 2,
        now() - interval '10 days', now() - interval '5 days', 4000);
INSERT INTO app.customers (org_id, id, email, name) VALUES (pg_temp.id('org_b'), pg_temp.id('b_ada'),
                                                             'ada@b.example', 'Ada Lovelace of B');
SELECT pg_temp.act_as('manager_a');
SELECT api.refresh_customer_segments(pg_temp.id('org_a'));

-- The list, for staff.
CREATE FUNCTION pg_temp.emails(p_page jsonb) RETURNS text LANGUAGE sql AS $$
  SELECT coalesce(string_agg(x ->> 'email', ' ' ORDER BY i), '') FROM jsonb_array_elements(p_page -> 'customers')
    WITH ORDINALITY AS t(x, i)
$$;
SELECT pg_temp.act_as('staff_a');
SELECT is(pg_temp.emails(api.list_customers(pg_temp.id('org_a'))),
          'Ada@Example.com bea@example.com cy_100%@example.com dot@example.org',
          'every customer of A but the erased one, by e-mail; none of B''s');
CREATE TEMP TABLE p1 AS SELECT api.list_customers(pg_temp.id('org_a'), page_size => 3) AS page;
GRANT SELECT ON p1 TO PUBLIC;
SELECT is(pg_temp.emails(page), 'Ada@Example.com bea@example.com cy_100%@example.com', 'a page of three') FROM p1;
SELECT isnt(page ->> 'next_cursor', NULL, '… with a cursor for the next') FROM p1;
SELECT is(pg_temp.emails(api.list_customers(pg_temp.id('org_a'), after => page ->> 'next_cursor', page_size => 3)),
          'dot@example.org', 'the cursor gives the rest') FROM p1;
SELECT is(api.list_customers(pg_temp.id('org_a'), after => page ->> 'next_cursor', page_size => 3) ->> 'next_cursor',
          NULL, '… and no cursor after the last page') FROM p1;
SELECT is(api.list_customers(pg_temp.id('org_a'), page_size => 4) ->> 'next_cursor', NULL,
          'a page holding exactly the rest has no cursor');
SELECT is(pg_temp.emails(api.list_customers(pg_temp.id('org_a'), query => 'LOVELACE')),
          'Ada@Example.com dot@example.org', 'search by part of a name, in any case');
SELECT is(pg_temp.emails(api.list_customers(pg_temp.id('org_a'), query => 'example.org')), 'dot@example.org',
          'search by part of an e-mail');
SELECT is(pg_temp.emails(api.list_customers(pg_temp.id('org_a'), query => '79460002')), 'bea@example.com',
          'search a phone by its digits alone');
SELECT is(pg_temp.emails(api.list_customers(pg_temp.id('org_a'), query => '7946 0004')), 'dot@example.org',
          'search a phone as written');
SELECT is(pg_temp.emails(api.list_customers(pg_temp.id('org_a'), query => '100%')), 'cy_100%@example.com',
          'a % in the query is a character, not a wildcard');
SELECT is(pg_temp.emails(api.list_customers(pg_temp.id('org_a'), query => 'y_1')), 'cy_100%@example.com',
          '… and so is _');
SELECT is(pg_temp.emails(api.list_customers(pg_temp.id('org_a'), query => 'erased')), '',
          'an erased customer is not found, even by what their record now says');
SELECT is(pg_temp.emails(api.list_customers(pg_temp.id('org_a'), segment => 'champions')), 'bea@example.com',
          'one segment of the last refresh');
SELECT is((SELECT jsonb_build_array(x ->> 'booking_count', x ->> 'lifetime_value_minor', x ->> 'currency',
                                    x ->> 'label', x -> 'rfm')
             FROM jsonb_array_elements(api.list_customers(pg_temp.id('org_a'), query => 'bea@') -> 'customers') x),
          '["3", "20000", "GBP", "regular", {"recency": 4, "frequency": 4, "monetary": 4}]'::jsonb,
          'a listed customer shows their figures, currency, label and scores (of three scored: one visit later, two '
          'with fewer visits, two with less: 5 - 5/3, 1 + 10/3, 1 + 10/3)');
SELECT throws_ok(format($$SELECT api.list_customers(%L, query => 'ab')$$, pg_temp.id('org_a')), 'PT400',
                 'query is 3 to 100 characters long, not 2', 'a query under 3 characters is refused');
SELECT throws_ok(format($$SELECT api.list_customers(%L, segment => 'vip')$$, pg_temp.id('org_a')), 'PT400', NULL,
                 'an unknown segment is refused');
SELECT throws_ok(format($$SELECT api.list_customers(%L, after => '!!!')$$, pg_temp.id('org_a')), 'PT400',
                 'after is not a cursor list_customers answered', 'a cursor it did not answer is refused');
SELECT throws_ok(format($$SELECT api.list_customers(%L, page_size => 201)$$, pg_temp.id('org_a')), 'PT400', NULL,
                 'at most 200 a page');
SELECT pg_temp.act_as('admin_b');
SELECT throws_ok(format($$SELECT api.list_customers(%L)$$, pg_temp.id('org_a')), 'PT404', NULL,
                 'another organization''s admin lists none of A''s customers');
SELECT is(pg_temp.emails(api.list_customers(pg_temp.id('org_b'), query => 'lovelace')), 'ada@b.example',
          'B''s admin finds B''s own customer only');

-- One customer's page.
SELECT pg_temp.act_as('staff_a');
CREATE TEMP TABLE ada AS SELECT api.get_customer(pg_temp.id('org_a'), (SELECT customer_id FROM app.bookings
  WHERE id = (SELECT id FROM b WHERE name = 'first'))) AS page;
GRANT SELECT ON ada TO PUBLIC;
SELECT is((SELECT jsonb_agg(x ->> 'status' ORDER BY x ->> 'starts_at') FROM ada, jsonb_array_elements(page -> 'bookings') x),
          '["cancelled", "confirmed", "expired"]'::jsonb, 'the page lists the customer''s bookings');
SELECT is((SELECT jsonb_agg((x ->> 'amount_minor')::int) FROM ada, jsonb_array_elements(page -> 'payments') x),
          '[5000, 5000]'::jsonb, '… their payments');
SELECT is((SELECT jsonb_agg(jsonb_build_array(x ->> 'kind', (x ->> 'amount_minor')::int))
             FROM ada, jsonb_array_elements(page -> 'refunds') x),
          '[["cancellation", 2500]]'::jsonb, '… and their refunds');
SELECT is((SELECT jsonb_build_array(page ->> 'name', page ->> 'lifetime_value_minor', page ->> 'booking_count')
             FROM ada), '["Ada Lovelace", "7500", "1"]'::jsonb, '… with their figures');
SELECT is((SELECT jsonb_build_array(page ->> 'name', page ->> 'phone', page ->> 'email', page ->> 'segment')
             FROM api.get_customer(pg_temp.id('org_a'), pg_temp.id('gone')) page),
          jsonb_build_array(NULL, NULL, 'erased-' || pg_temp.id('gone') || '@erased.invalid', NULL),
          'an erased customer''s page stays anonymous and outside the segments');
SELECT throws_ok(format($$SELECT api.get_customer(%L, %L)$$, pg_temp.id('org_a'), pg_temp.id('b_ada')), 'PT404',
                 'customer not found', 'another organization''s customer is not found');
SELECT pg_temp.act_as('admin_b');
SELECT throws_ok(format($$SELECT api.get_customer(%L, %L)$$, pg_temp.id('org_b'), pg_temp.id('bea')), 'PT404',
                 'customer not found', 'asking through one''s own organization for another''s customer finds nothing');
SELECT pg_temp.act_as('outsider');
SELECT throws_ok(format($$SELECT api.get_customer(%L, %L)$$, pg_temp.id('org_a'), pg_temp.id('bea')), 'PT404', NULL,
                 'an outsider reads no customer');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
