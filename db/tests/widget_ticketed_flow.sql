-- A visitor books a ticketed event through the widget alone, each step using only what the previous answers
-- said: the venue's experiences, the event's ticket types and prices, a start, then the booking with tickets.
BEGIN;
\ir setup.psql
\ir fixtures.psql
SELECT pg_temp.shop();
SELECT plan(9);

-- Ticket types the widget must not offer: retired, not on sale yet, no longer on sale.
INSERT INTO app.ticket_types (org_id, experience_id, name, price_minor, active, sales_start, sales_end)
VALUES (pg_temp.id('org_a'), pg_temp.id('quiz'), 'Retired', 500, false, NULL, NULL),
       (pg_temp.id('org_a'), pg_temp.id('quiz'), 'Early bird', 700, true, NULL, now() - interval '1 day'),
       (pg_temp.id('org_a'), pg_temp.id('quiz'), 'Door', 1500, true, now() + interval '1 day', NULL);

SELECT pg_temp.act_as('anon');

CREATE TEMP TABLE event AS
SELECT * FROM api.widget_experiences(pg_temp.key('soho')) WHERE kind = 'ticketed_event';
SELECT is((SELECT count(*)::integer FROM event), 1, 'the widget lists the venue''s ticketed event');
CREATE TEMP TABLE offer AS
SELECT * FROM api.widget_ticket_types(pg_temp.key('soho'), (SELECT experience_id FROM event));
SELECT results_eq($$ SELECT name, price_minor, currency, per_order_max FROM offer ORDER BY price_minor $$,
                  $$ VALUES ('Standard', 1000::bigint, 'GBP', 10), ('VIP', 3000::bigint, 'GBP', 10) $$,
                  'the widget offers the event''s ticket types on sale now, with their prices');
SELECT results_eq($$ SELECT DISTINCT experience_id FROM offer $$, $$ SELECT experience_id FROM event $$,
                  'each ticket type names its experience');
SELECT set_eq($$ SELECT ticket_type_id FROM api.widget_ticket_types(pg_temp.key('soho')) $$,
              $$ SELECT ticket_type_id FROM offer $$,
              'without an experience, the ticket types of every experience of the venue');
SELECT is_empty($$ SELECT * FROM api.widget_ticket_types(pg_temp.key('brooklyn'), (SELECT experience_id FROM event)) $$,
                'another venue''s key shows none of them');
SELECT throws_ok($$ SELECT * FROM api.widget_ticket_types('wk_made_up', NULL) $$, 'PT404', 'unknown widget key',
                 'an unknown key shows nothing');

CREATE TEMP TABLE start AS
SELECT * FROM api.widget_availability(pg_temp.key('soho'), (SELECT experience_id FROM event),
                                      (SELECT d FROM day), (SELECT d FROM day), 3);
SELECT is((SELECT remaining FROM start), 20, 'the widget shows the start and its places');
CREATE TEMP TABLE booked AS
SELECT * FROM api.widget_create_booking(
  pg_temp.key('soho'), (SELECT experience_id FROM event), (SELECT starts_at FROM start), 'fan@example.com',
  tickets => (SELECT jsonb_agg(jsonb_build_object('ticket_type_id', ticket_type_id,
                                                  'quantity', CASE name WHEN 'Standard' THEN 2 ELSE 1 END))
                FROM offer));
SELECT results_eq($$ SELECT status::text, price_minor, currency FROM booked $$,
                  $$ VALUES ('pending', 5000::bigint, 'GBP') $$,
                  'the visitor books two standard tickets and a VIP one, priced as offered');
SELECT is((SELECT remaining FROM api.widget_availability(pg_temp.key('soho'), (SELECT experience_id FROM event),
                                                         (SELECT d FROM day), (SELECT d FROM day), 1)),
          17, 'the three places are taken');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
