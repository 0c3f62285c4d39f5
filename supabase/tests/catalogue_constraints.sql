-- The catalogue's rules live in its keys and constraints: nothing crosses venues or organizations, hours never
-- overlap, time zones are IANA, and the widget key is random, unique and rotatable.
BEGIN;
\ir setup.psql
SELECT plan(20);

\ir fixtures.psql
SELECT pg_temp.fresh('venue_a1', 'venue_a2', 'venue_b1', 'room_a1', 'room_a2', 'room_b1', 'vault');
INSERT INTO app.venues (org_id, id, name, timezone) VALUES
  (pg_temp.id('org_a'), pg_temp.id('venue_a1'), 'Venue A1', 'Europe/London'),
  (pg_temp.id('org_a'), pg_temp.id('venue_a2'), 'Venue A2', 'America/New_York'),
  (pg_temp.id('org_b'), pg_temp.id('venue_b1'), 'Venue B1', 'Asia/Riyadh');
INSERT INTO app.resources (org_id, venue_id, id, kind, name) VALUES
  (pg_temp.id('org_a'), pg_temp.id('venue_a1'), pg_temp.id('room_a1'), 'room', 'Room in A1'),
  (pg_temp.id('org_a'), pg_temp.id('venue_a2'), pg_temp.id('room_a2'), 'room', 'Room in A2'),
  (pg_temp.id('org_b'), pg_temp.id('venue_b1'), pg_temp.id('room_b1'), 'room', 'Room in B1');
INSERT INTO app.experiences (org_id, venue_id, id, kind, name, duration_minutes, max_party, currency) VALUES
  (pg_temp.id('org_a'), pg_temp.id('venue_a1'), pg_temp.id('vault'), 'private_session', 'The Vault', 60, 6, 'GBP');

-- Time zones
SELECT lives_ok($$ INSERT INTO app.venues (org_id, name, timezone)
                   VALUES (pg_temp.id('org_a'), 'Half-hour shift', 'Australia/Lord_Howe') $$,
                'an IANA zone is accepted');
SELECT throws_ok($$ INSERT INTO app.venues (org_id, name, timezone)
                    VALUES (pg_temp.id('org_a'), 'Abbreviation', 'EST') $$, '23514', NULL,
                 'an abbreviation is not a time zone a wall clock can follow');
SELECT throws_ok($$ INSERT INTO app.venues (org_id, name, timezone)
                    VALUES (pg_temp.id('org_a'), 'Nowhere', 'Mars/Olympus_Mons') $$, '23514', NULL,
                 'an unknown zone is refused');

-- Widget keys
SELECT matches((SELECT embed_key FROM app.venues WHERE id = pg_temp.id('venue_a1')),
               '^wk_[A-Za-z0-9_-]{43}$', 'a venue gets a random URL-safe widget key');
SELECT is((SELECT count(DISTINCT embed_key)::int FROM app.venues), (SELECT count(*)::int FROM app.venues),
          'widget keys are distinct');
SELECT throws_ok($$ UPDATE app.venues SET embed_key = (SELECT embed_key FROM app.venues
                                                       WHERE id = pg_temp.id('venue_b1'))
                    WHERE id = pg_temp.id('venue_a1') $$, '23505', NULL,
                 'two venues can never share a widget key');

CREATE TEMP TABLE old_key AS SELECT embed_key FROM app.venues WHERE id = pg_temp.id('venue_a1');
GRANT SELECT ON old_key TO PUBLIC;
SELECT pg_temp.act_as('manager_a');
SELECT isnt(api.rotate_embed_key(pg_temp.id('venue_a1')), (SELECT embed_key FROM old_key),
            'a manager rotates the widget key');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM app.venues WHERE embed_key = (SELECT embed_key FROM old_key)), 0,
          'the old key no longer opens anything');
SELECT pg_temp.act_as('staff_a');
SELECT throws_ok($$ SELECT api.rotate_embed_key(pg_temp.id('venue_a1')) $$, 'PT403',
                 'only managers and up may change this venue', 'staff cannot rotate the key');
RESET ROLE;
SELECT pg_temp.act_as('admin_b');
SELECT throws_ok($$ SELECT api.rotate_embed_key(pg_temp.id('venue_a1')) $$, 'PT404',
                 'venue not found', 'an admin of another organization cannot even tell the venue exists');
RESET ROLE;

-- Opening hours
SELECT lives_ok($$ INSERT INTO app.venue_hours (org_id, venue_id, weekday, opens, closes) VALUES
  (pg_temp.id('org_a'), pg_temp.id('venue_a1'), 6, '10:00', '14:00'),
  (pg_temp.id('org_a'), pg_temp.id('venue_a1'), 6, '14:00', '18:00'),
  (pg_temp.id('org_a'), pg_temp.id('venue_a1'), 6, '19:00', '24:00') $$,
                'several intervals a day, end to end, up to midnight');
SELECT throws_ok($$ INSERT INTO app.venue_hours (org_id, venue_id, weekday, opens, closes) VALUES
  (pg_temp.id('org_a'), pg_temp.id('venue_a1'), 6, '17:00', '20:00') $$,
                 '23P01', NULL, 'overlapping intervals on one day are refused');
SELECT throws_ok($$ INSERT INTO app.venue_hours (org_id, venue_id, weekday, opens, closes) VALUES
  (pg_temp.id('org_a'), pg_temp.id('venue_a1'), 5, '22:00', '02:00') $$,
                 '23514', NULL, 'an interval must end after it starts (overnight is two intervals)');
SELECT throws_ok($$ INSERT INTO app.venue_hours (org_id, venue_id, weekday, opens, closes) VALUES
  (pg_temp.id('org_a'), pg_temp.id('venue_a1'), 8, '10:00', '12:00') $$,
                 '23514', NULL, 'weekdays are 1 (Monday) to 7');

-- Nothing crosses a venue or an organization
SELECT throws_ok($$ INSERT INTO app.experience_resources (org_id, venue_id, experience_id, resource_id) VALUES
  (pg_temp.id('org_a'), pg_temp.id('venue_a1'), pg_temp.id('vault'), pg_temp.id('room_a2')) $$, '23503', NULL,
                 'an experience cannot use a room of another venue');
SELECT throws_ok($$ INSERT INTO app.experience_resources (org_id, venue_id, experience_id, resource_id) VALUES
  (pg_temp.id('org_a'), pg_temp.id('venue_a1'), pg_temp.id('vault'), pg_temp.id('room_b1')) $$, '23503', NULL,
                 'an experience cannot use a room of another organization');
SELECT throws_ok($$ INSERT INTO app.experiences (org_id, venue_id, kind, name, duration_minutes, max_party, currency)
  VALUES (pg_temp.id('org_b'), pg_temp.id('venue_a1'), 'private_session', 'Stolen',
          60, 4, 'SAR') $$, '23503', NULL, 'an organization cannot put an experience in another''s venue');

-- Experiences and prices
SELECT throws_ok($$ INSERT INTO app.experiences (org_id, venue_id, kind, name, duration_minutes, max_party, currency)
  VALUES (pg_temp.id('org_a'), pg_temp.id('venue_a1'), 'ticketed_event',
          'No capacity', 120, 10, 'GBP') $$, '23514', NULL, 'a ticketed event needs a capacity');
SELECT throws_ok($$ INSERT INTO app.experiences (org_id, venue_id, kind, name, duration_minutes, max_party, currency)
  VALUES (pg_temp.id('org_a'), pg_temp.id('venue_a1'), 'private_session',
          'Bad money', 60, 4, 'gbp') $$, '23514', NULL, 'a currency is an ISO 4217 code (upper case)');
INSERT INTO app.price_tiers (org_id, experience_id, min_party, max_party, price_minor) VALUES
  (pg_temp.id('org_a'), pg_temp.id('vault'), 2, 4, 3000);
SELECT throws_ok($$ INSERT INTO app.price_tiers (org_id, experience_id, min_party, max_party, price_minor) VALUES
  (pg_temp.id('org_a'), pg_temp.id('vault'), 4, 6, 2500) $$, '23P01', NULL,
                 'price tiers of one experience never overlap in party size');

SELECT * FROM finish();
ROLLBACK;
