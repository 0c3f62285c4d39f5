-- "People who booked this also booked": co-occurrence in the organization's own bookings, counted in customers,
-- leaving out what the customer did and what is not offered; bookings that stood count, cancellations do not; staff
-- of the organization only.
BEGIN;
\ir setup.psql
SELECT plan(12);

\ir fixtures.psql
-- org_a at soho: Escape Room, Haunted Manor, Quiz night, Board games (all offered) and Lantern Walk (inactive).
-- Bookings (customer: experiences):  c1: Escape, Manor   c2: Escape, Manor, Quiz   c3: Escape, Quiz
--   c4: Manor (and Quiz cancelled)   c5: Escape, Lantern, Board.   org_b: bo (a customer) books its own game.
SELECT pg_temp.fresh('soho', 'b_venue', 'escape', 'manor', 'quiz', 'board', 'lantern', 'b_game',
                     'c1', 'c2', 'c3', 'c4', 'c5', 'bo', 'c3_escape');
INSERT INTO app.venues (org_id, id, name, timezone) VALUES
  (pg_temp.id('org_a'), pg_temp.id('soho'), 'Soho', 'Europe/London'),
  (pg_temp.id('org_b'), pg_temp.id('b_venue'), 'B', 'Europe/London');
INSERT INTO app.experiences (org_id, venue_id, id, kind, name, duration_minutes, max_party, currency, active)
SELECT CASE WHEN x = 'b_game' THEN pg_temp.id('org_b') ELSE pg_temp.id('org_a') END,
       CASE WHEN x = 'b_game' THEN pg_temp.id('b_venue') ELSE pg_temp.id('soho') END,
       pg_temp.id(x), 'private_session', initcap(x), 60, 6, 'GBP', x <> 'lantern'
  FROM unnest(ARRAY['escape', 'manor', 'quiz', 'board', 'lantern', 'b_game']) x;
INSERT INTO app.customers (org_id, id, email)
SELECT CASE WHEN c = 'bo' THEN pg_temp.id('org_b') ELSE pg_temp.id('org_a') END, pg_temp.id(c), c || '@example.com'
  FROM unnest(ARRAY['c1', 'c2', 'c3', 'c4', 'c5', 'bo']) c;
CREATE TEMP TABLE booked (customer text, experience text, status app.booking_status, n int);
INSERT INTO booked VALUES
  ('c1', 'escape', 'completed', 1), ('c1', 'manor', 'confirmed', 2),
  ('c2', 'escape', 'completed', 3), ('c2', 'manor', 'completed', 4), ('c2', 'quiz', 'confirmed', 5),
  ('c3', 'escape', 'confirmed', 6), ('c3', 'quiz', 'no_show', 7),
  ('c4', 'manor', 'confirmed', 8), ('c4', 'quiz', 'cancelled', 9),
  ('c5', 'escape', 'completed', 10), ('c5', 'lantern', 'completed', 11), ('c5', 'board', 'confirmed', 12),
  ('bo', 'b_game', 'confirmed', 13);
-- One slot per booking, days apart in the past, and a code per booking; each booking made confirmed, then moved to
-- its status, as bookings are.
INSERT INTO app.slots (org_id, id, experience_id, starts_at, ends_at, capacity)
SELECT e.org_id, md5('slot' || b.n || pg_temp.id('c1'))::uuid, e.id,
       now() - interval '30 days' + b.n * interval '1 day',
       now() - interval '30 days' + b.n * interval '1 day' + interval '1 hour', 1
  FROM booked b JOIN app.experiences e ON e.id = pg_temp.id(b.experience);
INSERT INTO app.bookings (org_id, id, experience_id, slot_id, customer_id, status, party_size, places, starts_at,
                          ends_at, price_minor, currency, confirmation_code)
SELECT s.org_id, CASE WHEN b.n = 6 THEN pg_temp.id('c3_escape') ELSE gen_random_uuid() END, s.experience_id, s.id,
       pg_temp.id(b.customer), 'confirmed', 2, 1, s.starts_at, s.ends_at, 2000, 'GBP',
       'AAAAAA' || substr('BCDEFGHJKMNPQ', b.n, 1) || 'B'
  FROM booked b JOIN app.slots s ON s.id = md5('slot' || b.n || pg_temp.id('c1'))::uuid;
UPDATE app.bookings k SET status = b.status
  FROM booked b WHERE k.slot_id = md5('slot' || b.n || pg_temp.id('c1'))::uuid AND b.status <> 'confirmed';

SELECT pg_temp.act_as('staff_a');
SELECT results_eq($$ SELECT name, customers FROM api.recommend_experiences(pg_temp.id('org_a'), pg_temp.id('c1')) $$,
                  $$ VALUES ('Quiz', 2), ('Board', 1) $$,
                  'what others who booked the same booked besides, most customers first');
SELECT results_eq($$ SELECT name, customers FROM api.recommend_experiences(pg_temp.id('org_a'),
                       booking_id => pg_temp.id('c3_escape')) $$,
                  $$ VALUES ('Manor', 2), ('Board', 1) $$,
                  'for a booking: others who booked its experience, without what its customer already booked');
SELECT results_eq($$ SELECT name, customers FROM api.recommend_experiences(pg_temp.id('org_a'), pg_temp.id('c4')) $$,
                  $$ VALUES ('Escape', 2), ('Quiz', 1) $$,
                  'a cancelled booking neither counts nor keeps its experience out');
SELECT results_eq($$ SELECT name FROM api.recommend_experiences(pg_temp.id('org_a'), pg_temp.id('c4'), "limit" => 1) $$,
                  $$ VALUES ('Escape') $$, 'the limit keeps the first');
SELECT is_empty($$ SELECT * FROM api.recommend_experiences(pg_temp.id('org_a'), pg_temp.id('c1'))
                    WHERE experience_id IN (pg_temp.id('lantern'), pg_temp.id('b_game')) $$,
                'nothing not offered, nothing of another organization');
SELECT throws_ok($$ SELECT * FROM api.recommend_experiences(pg_temp.id('org_a'), pg_temp.id('bo')) $$, 'PT404',
                 'customer not found', 'another organization''s customer is not found');
SELECT throws_ok($$ SELECT * FROM api.recommend_experiences(pg_temp.id('org_b'), pg_temp.id('bo')) $$, 'PT404', NULL,
                 'staff cannot ask another organization');
SELECT throws_ok($$ SELECT * FROM api.recommend_experiences(pg_temp.id('org_a')) $$, 'PT400',
                 'give either customer_id or booking_id', 'a customer or a booking is needed');
SELECT throws_ok($$ SELECT * FROM api.recommend_experiences(pg_temp.id('org_a'), pg_temp.id('c1'),
                                                            pg_temp.id('c3_escape')) $$, 'PT400', NULL,
                 'not both');
SELECT throws_ok($$ SELECT * FROM api.recommend_experiences(pg_temp.id('org_a'), pg_temp.id('c1'), "limit" => 51) $$,
                 'PT400', 'limit must be a whole number from 1 to 50, not 51', 'the limit is bounded');
RESET ROLE;
SELECT pg_temp.act_as('outsider');
SELECT throws_ok($$ SELECT * FROM api.recommend_experiences(pg_temp.id('org_a'), pg_temp.id('c1')) $$, 'PT404', NULL,
                 'a non-member learns nothing');
RESET ROLE;
SELECT pg_temp.act_as('anon');
SELECT throws_ok($$ SELECT * FROM api.recommend_experiences(pg_temp.id('org_a'), pg_temp.id('c1')) $$, '42501', NULL,
                 'the public cannot ask: it would tell what other customers booked');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
