-- The revenue report: per venue-local day (a Los Angeles evening payment is that Los Angeles day, a Riyadh night
-- payment the Riyadh day after UTC's), cash basis (an order on the day it was paid, a refund on the day it
-- succeeded, its share of VAT going back with it), VAT inclusive and exclusive, failed refunds and unpaid orders
-- counted nowhere, for managers and up of the organization only, and never a figure of another organization's.
BEGIN;
\ir setup.psql
SELECT plan(15);
\ir fixtures.psql
SELECT pg_temp.fresh('la', 'riyadh', 'venue_b', 'show_la', 'show_ry', 'show_b', 'slot_la', 'slot_ry', 'slot_b',
                     'ada', 'bo', 'cy', 'dee', 'bk1', 'bk2', 'bk3', 'bk4', 'o1', 'o2', 'o3', 'o4', 'p1', 'p2', 'p4');
INSERT INTO app.venues (org_id, id, name, timezone) VALUES
  (pg_temp.id('org_a'), pg_temp.id('la'), 'Los Angeles', 'America/Los_Angeles'),
  (pg_temp.id('org_a'), pg_temp.id('riyadh'), 'Riyadh', 'Asia/Riyadh'),
  (pg_temp.id('org_b'), pg_temp.id('venue_b'), 'Elsewhere', 'America/Los_Angeles');
INSERT INTO app.experiences (org_id, venue_id, id, kind, name, duration_minutes, max_party, capacity, currency) VALUES
  (pg_temp.id('org_a'), pg_temp.id('la'), pg_temp.id('show_la'), 'ticketed_event', 'Show LA', 60, 8, 40, 'GBP'),
  (pg_temp.id('org_a'), pg_temp.id('riyadh'), pg_temp.id('show_ry'), 'ticketed_event', 'Show RY', 60, 8, 40, 'GBP'),
  (pg_temp.id('org_b'), pg_temp.id('venue_b'), pg_temp.id('show_b'), 'ticketed_event', 'Show B', 60, 8, 40, 'GBP');

-- The money facts, written as they stand after the fact: the triggers that build them step by step are not what
-- this pins.
SET LOCAL session_replication_role = replica;
INSERT INTO app.slots (org_id, experience_id, id, starts_at, ends_at, capacity, taken) VALUES
  (pg_temp.id('org_a'), pg_temp.id('show_la'), pg_temp.id('slot_la'), '2026-03-20 02:00+00', '2026-03-20 03:00+00', 40, 3),
  (pg_temp.id('org_a'), pg_temp.id('show_ry'), pg_temp.id('slot_ry'), '2026-03-20 16:00+00', '2026-03-20 17:00+00', 40, 2),
  (pg_temp.id('org_b'), pg_temp.id('show_b'), pg_temp.id('slot_b'), '2026-03-20 02:00+00', '2026-03-20 03:00+00', 40, 2);
INSERT INTO app.customers (org_id, id, email) VALUES
  (pg_temp.id('org_a'), pg_temp.id('ada'), 'ada@example.com'), (pg_temp.id('org_a'), pg_temp.id('bo'), 'bo@example.com'),
  (pg_temp.id('org_a'), pg_temp.id('cy'), 'cy@example.com'), (pg_temp.id('org_b'), pg_temp.id('dee'), 'dee@example.com');
INSERT INTO app.bookings (org_id, id, experience_id, slot_id, customer_id, status, party_size, places, starts_at, ends_at,
                          price_minor, currency, confirmation_code, hold_expires_at) VALUES
  (pg_temp.id('org_a'), pg_temp.id('bk1'), pg_temp.id('show_la'), pg_temp.id('slot_la'), pg_temp.id('ada'), 'confirmed', 2, 2,
   '2026-03-20 02:00+00', '2026-03-20 03:00+00', 9000, 'GBP', 'AAAAAAA2', NULL),
  (pg_temp.id('org_a'), pg_temp.id('bk2'), pg_temp.id('show_ry'), pg_temp.id('slot_ry'), pg_temp.id('bo'), 'confirmed', 2, 2,
   '2026-03-20 16:00+00', '2026-03-20 17:00+00', 23000, 'GBP', 'AAAAAAA3', NULL),
  (pg_temp.id('org_a'), pg_temp.id('bk3'), pg_temp.id('show_la'), pg_temp.id('slot_la'), pg_temp.id('cy'), 'pending', 1, 1,
   '2026-03-20 02:00+00', '2026-03-20 03:00+00', 5000, 'GBP', 'AAAAAAA4', '2026-03-08 08:00+00'),
  (pg_temp.id('org_b'), pg_temp.id('bk4'), pg_temp.id('show_b'), pg_temp.id('slot_b'), pg_temp.id('dee'), 'confirmed', 2, 2,
   '2026-03-20 02:00+00', '2026-03-20 03:00+00', 7000, 'GBP', 'AAAAAAA5', NULL);
-- o1 (LA): 100.00 of items less 10.00 off, prices including 20 % VAT: 15.00 of the 90.00 paid is VAT. Paid at
-- 07:30 UTC on 8 March, 23:30 on 7 March in Los Angeles. 30.00 refunded on 9 March (its VAT share: 5.00), and a
-- refund of 10.00 that failed.
-- o2 (Riyadh): 200.00 + 15 % VAT on top = 230.00, paid at 22:00 UTC on 7 March, 01:00 on 8 March in Riyadh.
-- o3 (LA): pending, never paid. o4 (organization B): paid on 7 March in Los Angeles too.
INSERT INTO app.orders (org_id, id, booking_id, customer_id, status, currency, prices_include_vat, vat_rate_bp,
                        subtotal_minor, discount_minor, vat_minor, total_minor, paid_minor, refunded_minor, expires_at,
                        paid_at) VALUES
  (pg_temp.id('org_a'), pg_temp.id('o1'), pg_temp.id('bk1'), pg_temp.id('ada'), 'partially_refunded', 'GBP', true, 2000,
   10000, 1000, 1500, 9000, 9000, 3000, '2026-03-08 08:00+00', '2026-03-08 07:30+00'),
  (pg_temp.id('org_a'), pg_temp.id('o2'), pg_temp.id('bk2'), pg_temp.id('bo'), 'paid', 'GBP', false, 1500,
   20000, 0, 3000, 23000, 23000, 0, '2026-03-07 23:00+00', '2026-03-07 22:00+00'),
  (pg_temp.id('org_a'), pg_temp.id('o3'), pg_temp.id('bk3'), pg_temp.id('cy'), 'pending', 'GBP', true, 2000,
   5000, 0, 833, 5000, 0, 0, '2026-03-08 08:00+00', NULL),
  (pg_temp.id('org_b'), pg_temp.id('o4'), pg_temp.id('bk4'), pg_temp.id('dee'), 'paid', 'GBP', true, 2000,
   7000, 0, 1167, 7000, 7000, 0, '2026-03-08 08:00+00', '2026-03-08 07:30+00');
INSERT INTO app.payments (org_id, id, order_id, provider, provider_ref, method, amount_minor, currency, received_at) VALUES
  (pg_temp.id('org_a'), pg_temp.id('p1'), pg_temp.id('o1'), 'offline', 'r1-' || pg_temp.id('p1'), 'cash', 9000, 'GBP', '2026-03-08 07:30+00'),
  (pg_temp.id('org_a'), pg_temp.id('p2'), pg_temp.id('o2'), 'offline', 'r2-' || pg_temp.id('p2'), 'cash', 23000, 'GBP', '2026-03-07 22:00+00'),
  (pg_temp.id('org_b'), pg_temp.id('p4'), pg_temp.id('o4'), 'offline', 'r4-' || pg_temp.id('p4'), 'cash', 7000, 'GBP', '2026-03-08 07:30+00');
INSERT INTO app.refunds (org_id, order_id, payment_id, amount_minor, currency, kind, status, provider, created_at,
                         settled_at) VALUES
  (pg_temp.id('org_a'), pg_temp.id('o1'), pg_temp.id('p1'), 3000, 'GBP', 'requested', 'succeeded', 'offline',
   '2026-03-09 17:00+00', '2026-03-09 18:00+00'),
  (pg_temp.id('org_a'), pg_temp.id('o1'), pg_temp.id('p1'), 1000, 'GBP', 'requested', 'failed', 'offline',
   '2026-03-09 17:00+00', '2026-03-09 18:30+00'),
  (pg_temp.id('org_b'), pg_temp.id('o4'), pg_temp.id('p4'), 7000, 'GBP', 'requested', 'succeeded', 'offline',
   '2026-03-09 17:00+00', '2026-03-09 18:00+00');
SET LOCAL session_replication_role = origin;

CREATE FUNCTION pg_temp.outcome(p_sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  d text;
BEGIN
  EXECUTE p_sql;
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL;
  RETURN SQLSTATE || coalesce(' ' || nullif(d, ''), '');
END
$$;
GRANT EXECUTE ON FUNCTION pg_temp.outcome(text) TO PUBLIC;

SELECT pg_temp.act_as('manager_a');
SELECT results_eq(
  $$ SELECT day, venue_name, currency, orders_paid, gross_minor, discount_minor, refunds_minor, net_minor, vat_minor,
            net_ex_vat_minor
       FROM api.report_revenue(pg_temp.id('org_a'), '2026-03-07', '2026-03-09') $$,
  $$ VALUES ('2026-03-07'::date, 'Los Angeles', 'GBP', 1, 10000::bigint, 1000::bigint, 0::bigint, 9000::bigint,
             1500::bigint, 7500::bigint),
            ('2026-03-08'::date, 'Riyadh', 'GBP', 1, 20000::bigint, 0::bigint, 0::bigint, 23000::bigint,
             3000::bigint, 20000::bigint),
            ('2026-03-09'::date, 'Los Angeles', 'GBP', 0, 0::bigint, 0::bigint, 3000::bigint, -3000::bigint,
             -500::bigint, -2500::bigint) $$,
  'revenue per venue-local day: sales on the day paid, refunds on the day they succeeded with their VAT share');
SELECT is((SELECT sum(vat_minor)::int FROM api.report_revenue(pg_temp.id('org_a'), '2026-03-07', '2026-03-09')), 4000,
          'the VAT collected over the period is the orders'' VAT less what the refund took back');
SELECT is_empty($$ SELECT * FROM api.report_revenue(pg_temp.id('org_a'), '2026-03-08', '2026-03-08',
                                                    pg_temp.id('la')) $$,
                'a Los Angeles payment at 23:30 local is not on the next day, whatever UTC says');
SELECT results_eq($$ SELECT day, net_minor FROM api.report_revenue(pg_temp.id('org_a'), '2026-03-07', '2026-03-08',
                                                                   pg_temp.id('riyadh')) $$,
                  $$ VALUES ('2026-03-08'::date, 23000::bigint) $$,
                  'a Riyadh payment at 01:00 local is on that Riyadh day, and the venue filter keeps one venue');
SELECT is_empty($$ SELECT * FROM api.report_revenue(pg_temp.id('org_a'), '2026-01-01', '2026-01-31') $$,
                'a period with no money moving has no rows');
SELECT is(pg_temp.outcome($$ SELECT * FROM api.report_revenue(pg_temp.id('org_a'), '2026-03-09', '2026-03-07') $$),
          'PT400 out_of_range', 'a reversed window is refused');
SELECT is(pg_temp.outcome($$ SELECT * FROM api.report_revenue(pg_temp.id('org_a'), '2025-01-01', '2026-03-07') $$),
          'PT400 out_of_range', 'a window over 367 days is refused');
SELECT is(pg_temp.outcome($$ SELECT * FROM api.report_revenue(pg_temp.id('org_a'), NULL, '2026-03-07') $$),
          'PT400 required', 'a report needs its dates');
SELECT is(pg_temp.outcome($$ SELECT * FROM api.report_revenue(pg_temp.id('org_a'), '2026-03-07', '2026-03-09',
                                                              pg_temp.id('venue_b')) $$),
          'PT404 not_found', 'another organization''s venue is not a filter');
RESET ROLE;

SELECT pg_temp.act_as('staff_a');
SELECT is(pg_temp.outcome($$ SELECT * FROM api.report_revenue(pg_temp.id('org_a'), '2026-03-07', '2026-03-09') $$),
          'PT403 forbidden', 'staff do not read the money reports');
RESET ROLE;
SELECT pg_temp.act_as('admin_b');
SELECT is(pg_temp.outcome($$ SELECT * FROM api.report_revenue(pg_temp.id('org_a'), '2026-03-07', '2026-03-09') $$),
          'PT404 not_found', 'another organization''s admin finds no report of this one');
SELECT results_eq($$ SELECT day, net_minor FROM api.report_revenue(pg_temp.id('org_b'), '2026-03-07', '2026-03-09') $$,
                  $$ VALUES ('2026-03-07'::date, 7000::bigint), ('2026-03-09'::date, -7000::bigint) $$,
                  'each organization''s report holds its own money only');
RESET ROLE;

-- Bookings by status, by the sessions' venue-local days.
SELECT pg_temp.act_as('admin_a');
SELECT results_eq($$ SELECT venue_name, status, bookings, places, value_minor
                      FROM api.report_bookings_by_status(pg_temp.id('org_a'), '2026-03-19', '2026-03-20') $$,
                  $$ VALUES ('Los Angeles', 'pending', 1, 1, 5000::bigint), ('Los Angeles', 'confirmed', 1, 2, 9000::bigint),
                            ('Riyadh', 'confirmed', 1, 2, 23000::bigint) $$,
                  'bookings by venue and status (in the status machine''s order), with their places and value');
SELECT results_eq($$ SELECT venue_name, bookings FROM api.report_bookings_by_status(pg_temp.id('org_a'), '2026-03-20',
                                                                                    '2026-03-20') $$,
                  $$ VALUES ('Riyadh', 1) $$,
                  'a session at 19:00 on 19 March in Los Angeles is on the 19th there, not on UTC''s 20th');
SELECT is(pg_temp.outcome($$ SELECT * FROM api.report_bookings_by_status(pg_temp.id('org_a'), '2026-03-20',
                                                                         '2026-03-19') $$),
          'PT400 out_of_range', 'every report checks its window');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
