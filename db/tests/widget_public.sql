-- The public widget: anyone with a venue's embed key sees that venue's offer and can book it, through the same
-- booking path as staff, and learns nothing else.
BEGIN;
\ir setup.psql
SELECT plan(12);

\ir fixtures.psql
SELECT pg_temp.fresh('soho', 'brooklyn', 'vault', 'retired', 'subway');
INSERT INTO app.venues (org_id, id, name, timezone, embed_key) VALUES
  (pg_temp.id('org_a'), pg_temp.id('soho'), 'Soho', 'Europe/London', pg_temp.key('soho')),
  (pg_temp.id('org_a'), pg_temp.id('brooklyn'), 'Brooklyn', 'America/New_York', pg_temp.key('brooklyn'));
INSERT INTO app.experiences (org_id, venue_id, id, kind, name, duration_minutes, max_party, currency, requires_payment,
                             active) VALUES
  (pg_temp.id('org_a'), pg_temp.id('soho'),
   pg_temp.id('vault'), 'private_session', 'The Vault', 60, 6, 'GBP', true, true),
  (pg_temp.id('org_a'), pg_temp.id('soho'),
   pg_temp.id('retired'), 'private_session', 'Retired game', 60, 6, 'GBP', true, false),
  (pg_temp.id('org_a'), pg_temp.id('brooklyn'),
   pg_temp.id('subway'), 'private_session', 'Subway', 60, 6, 'USD', true, true);
INSERT INTO app.price_tiers (org_id, experience_id, min_party, max_party, price_minor)
SELECT org_id, id, 1, 6, 3000 FROM app.experiences WHERE org_id = pg_temp.id('org_a');
INSERT INTO app.schedules (org_id, experience_id, weekday, start_time, valid_from)
SELECT org_id, id, d, '18:00', current_date FROM app.experiences, generate_series(1, 7) d
 WHERE org_id = pg_temp.id('org_a');
CREATE TEMP TABLE day AS SELECT (current_date + 5) AS d,
  private.local_to_instant((current_date + 5) + time '18:00', 'Europe/London') AS at_18;
GRANT SELECT ON day TO PUBLIC;

SELECT pg_temp.act_as('anon');
SELECT results_eq($$ SELECT name, venue_name FROM api.widget_experiences(pg_temp.key('soho')) $$,
                  $$ VALUES ('The Vault', 'Soho') $$, 'the widget lists the venue''s active experiences only');
SELECT throws_ok($$ SELECT * FROM api.widget_experiences('wk_made_up') $$, 'PT404', 'unknown widget key',
                 'an unknown key opens nothing');
SELECT results_eq($$ SELECT remaining, price_minor, currency FROM api.widget_availability(
                       pg_temp.key('soho'), pg_temp.id('vault'),
                       (SELECT d FROM day), (SELECT d FROM day), 2) $$,
                  $$ VALUES (1, 6000::bigint, 'GBP') $$, 'the widget shows what remains and the price');
SELECT is_empty($$ SELECT * FROM api.widget_availability(pg_temp.key('soho'),
                     pg_temp.id('subway'), (SELECT d FROM day), (SELECT d FROM day), 2) $$,
                'one venue''s key shows nothing of another venue');
CREATE TEMP TABLE booked AS SELECT * FROM api.widget_create_booking(pg_temp.key('soho'),
  pg_temp.id('vault'), (SELECT at_18 FROM day), 'visitor@example.com', 2,
  idempotency_key => 'widget-1');
SELECT is((SELECT status::text FROM booked), 'pending', 'a visitor books through the widget, holding the place');
SELECT is((SELECT id FROM api.widget_create_booking(pg_temp.key('soho'),
            pg_temp.id('vault'), (SELECT at_18 FROM day), 'visitor@example.com', 2,
            idempotency_key => 'widget-1')), (SELECT id FROM booked), 'a retried widget booking is the same booking');
SELECT throws_ok($$ SELECT * FROM api.widget_create_booking(pg_temp.key('brooklyn'),
                    pg_temp.id('vault'), (SELECT at_18 FROM day), 'v2@example.com', 2) $$,
                 'PT404', 'experience not found', 'a key cannot book another venue''s experience');
SELECT throws_ok($$ SELECT * FROM api.widget_create_booking(pg_temp.key('soho'),
                    pg_temp.id('vault'), (SELECT at_18 FROM day), 'v3@example.com', 2) $$,
                 'PT409', NULL, 'the widget cannot oversell either');
SELECT throws_ok($$ SELECT * FROM api.create_booking(pg_temp.id('vault'), (SELECT at_18 FROM day),
                    'v4@example.com', 2) $$, '42501', NULL, 'anon cannot use the staff booking function');
SELECT throws_ok($$ SELECT * FROM private.place_booking(pg_temp.id('vault'),
                    (SELECT at_18 FROM day), 2, 'v5@example.com', NULL, NULL, NULL, NULL, NULL) $$, 'PT404', NULL,
                 'nor the booking path without a key');
SELECT throws_ok($$ SELECT count(*) FROM app.bookings $$, '42501', NULL, 'nor read any table');
RESET ROLE;

UPDATE app.venues SET embed_key = private.new_embed_key() WHERE id = pg_temp.id('soho');
SET LOCAL ROLE anon;
SELECT throws_ok($$ SELECT * FROM api.widget_experiences(pg_temp.key('soho')) $$,
                 'PT404', NULL, 'a rotated key stops working at once');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
