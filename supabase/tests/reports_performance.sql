-- Performance per experience and venue: the sessions offered are every scheduled start outside the venue's
-- closures and every session that exists; places offered are the sessions' capacity (a private session offers
-- one); occupancy is places sold over places offered; revenue is what those sessions' orders were paid less
-- refunds. Hand-computed on two days in Los Angeles.
BEGIN;
\ir setup.psql
SELECT plan(5);
\ir fixtures.psql
SELECT pg_temp.fresh('la', 'quiz', 'vault', 'room', 'slot_q', 'slot_v', 'ada', 'bo', 'bk1', 'bk2', 'o1');
INSERT INTO app.venues (org_id, id, name, timezone) VALUES
  (pg_temp.id('org_a'), pg_temp.id('la'), 'Los Angeles', 'America/Los_Angeles');
INSERT INTO app.experiences (org_id, venue_id, id, kind, name, duration_minutes, max_party, capacity, currency) VALUES
  (pg_temp.id('org_a'), pg_temp.id('la'), pg_temp.id('quiz'), 'ticketed_event', 'Quiz', 60, 8, 10, 'GBP'),
  (pg_temp.id('org_a'), pg_temp.id('la'), pg_temp.id('vault'), 'private_session', 'Vault', 60, 6, NULL, 'GBP');
-- Both every day at 19:00 in Los Angeles; on 2 April the venue is closed all evening.
INSERT INTO app.schedules (org_id, experience_id, weekday, start_time, valid_from)
SELECT pg_temp.id('org_a'), e, d, '19:00', '2026-01-01'
  FROM generate_series(1, 7) d, unnest(ARRAY[pg_temp.id('quiz'), pg_temp.id('vault')]) e;
INSERT INTO app.venue_closures (org_id, venue_id, during) VALUES
  (pg_temp.id('org_a'), pg_temp.id('la'), '[2026-04-03 00:00+00, 2026-04-03 06:00+00)');

SET LOCAL session_replication_role = replica;
-- 1 April, 19:00 PDT = 02:00 UTC on the 2nd: four quiz places sold (one booking), the vault sold once.
INSERT INTO app.slots (org_id, experience_id, id, starts_at, ends_at, capacity, taken) VALUES
  (pg_temp.id('org_a'), pg_temp.id('quiz'), pg_temp.id('slot_q'), '2026-04-02 02:00+00', '2026-04-02 03:00+00', 10, 4),
  (pg_temp.id('org_a'), pg_temp.id('vault'), pg_temp.id('slot_v'), '2026-04-02 02:00+00', '2026-04-02 03:00+00', 1, 1);
INSERT INTO app.customers (org_id, id, email) VALUES
  (pg_temp.id('org_a'), pg_temp.id('ada'), 'ada@example.com'), (pg_temp.id('org_a'), pg_temp.id('bo'), 'bo@example.com');
INSERT INTO app.bookings (org_id, id, experience_id, slot_id, customer_id, status, party_size, places, starts_at, ends_at,
                          price_minor, currency, confirmation_code) VALUES
  (pg_temp.id('org_a'), pg_temp.id('bk1'), pg_temp.id('quiz'), pg_temp.id('slot_q'), pg_temp.id('ada'), 'confirmed', 4, 4,
   '2026-04-02 02:00+00', '2026-04-02 03:00+00', 8000, 'GBP', 'BBBBBBB2'),
  (pg_temp.id('org_a'), pg_temp.id('bk2'), pg_temp.id('vault'), pg_temp.id('slot_v'), pg_temp.id('bo'), 'confirmed', 5, 1,
   '2026-04-02 02:00+00', '2026-04-02 03:00+00', 12500, 'GBP', 'BBBBBBB3');
-- The quiz booking paid 80.00 and got 20.00 back; the vault booking is not paid yet.
INSERT INTO app.orders (org_id, id, booking_id, customer_id, status, currency, prices_include_vat, vat_rate_bp,
                        subtotal_minor, discount_minor, vat_minor, total_minor, paid_minor, refunded_minor, expires_at,
                        paid_at) VALUES
  (pg_temp.id('org_a'), pg_temp.id('o1'), pg_temp.id('bk1'), pg_temp.id('ada'), 'partially_refunded', 'GBP', true, 2000,
   8000, 0, 1333, 8000, 8000, 2000, '2026-03-20 00:00+00', '2026-03-19 12:00+00');
SET LOCAL session_replication_role = origin;

SELECT pg_temp.act_as('manager_a');
SELECT results_eq(
  $$ SELECT experience_name, sessions, sessions_sold, places_offered, places_sold, occupancy, revenue_minor,
            revenue_per_session_minor
       FROM api.report_experience_performance(pg_temp.id('org_a'), '2026-04-01', '2026-04-03') $$,
  $$ VALUES ('Quiz', 2, 1, 20, 4, 0.2000, 6000::bigint, 3000::bigint),
            ('Vault', 2, 1, 2, 1, 0.5000, 0::bigint, 0::bigint) $$,
  'per experience: the closed evening offers nothing, a private session offers one place, revenue net of refunds');
SELECT results_eq(
  $$ SELECT venue_name, sessions, sessions_sold, places_offered, places_sold, occupancy, revenue_minor,
            revenue_per_session_minor
       FROM api.report_venue_performance(pg_temp.id('org_a'), '2026-04-01', '2026-04-03') $$,
  $$ VALUES ('Los Angeles', 4, 2, 22, 5, 0.2273, 6000::bigint, 1500::bigint) $$,
  'per venue: the experiences summed, occupancy of all places offered');
SELECT results_eq(
  $$ SELECT experience_name, sessions, places_sold FROM api.report_experience_performance(pg_temp.id('org_a'),
                                                                                         '2026-04-02', '2026-04-03') $$,
  $$ VALUES ('Quiz', 1, 0), ('Vault', 1, 0) $$,
  'a session at 19:00 on 1 April in Los Angeles belongs to the 1st, not to UTC''s 2nd');
RESET ROLE;
SELECT pg_temp.act_as('staff_a');
SELECT throws_ok($$ SELECT * FROM api.report_venue_performance(pg_temp.id('org_a'), '2026-04-01', '2026-04-03') $$,
                 'PT403', NULL, 'staff do not read performance reports');
RESET ROLE;
SELECT pg_temp.act_as('admin_b');
SELECT throws_ok($$ SELECT * FROM api.report_experience_performance(pg_temp.id('org_a'), '2026-04-01', '2026-04-03') $$,
                 'PT404', NULL, 'another organization sees no performance of this one');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
