-- The catalogue's rules live in its keys and constraints: nothing crosses venues or organizations, hours never
-- overlap, time zones are IANA, and the widget key is random, unique and rotatable.
BEGIN;
\ir setup.psql
SELECT plan(20);

INSERT INTO auth.users (id, email) VALUES
  ('00000000-0000-4000-8000-0000000000a3', 'manager@a.example'),
  ('00000000-0000-4000-8000-0000000000a4', 'staff@a.example'),
  ('00000000-0000-4000-8000-0000000000b1', 'admin@b.example');
INSERT INTO app.organizations (id, name, slug) VALUES
  ('0000000a-0000-4000-8000-000000000000', 'Org A', 'org-a'),
  ('0000000b-0000-4000-8000-000000000000', 'Org B', 'org-b');
INSERT INTO app.memberships (org_id, user_id, role) VALUES
  ('0000000a-0000-4000-8000-000000000000', '00000000-0000-4000-8000-0000000000a3', 'manager'),
  ('0000000a-0000-4000-8000-000000000000', '00000000-0000-4000-8000-0000000000a4', 'staff'),
  ('0000000b-0000-4000-8000-000000000000', '00000000-0000-4000-8000-0000000000b1', 'admin');
INSERT INTO app.venues (org_id, id, name, timezone) VALUES
  ('0000000a-0000-4000-8000-000000000000', 'a1000000-0000-4000-8000-000000000001', 'Venue A1', 'Europe/London'),
  ('0000000a-0000-4000-8000-000000000000', 'a1000000-0000-4000-8000-000000000002', 'Venue A2', 'America/New_York'),
  ('0000000b-0000-4000-8000-000000000000', 'b1000000-0000-4000-8000-000000000001', 'Venue B1', 'Asia/Riyadh');
INSERT INTO app.resources (org_id, venue_id, id, kind, name) VALUES
  ('0000000a-0000-4000-8000-000000000000', 'a1000000-0000-4000-8000-000000000001',
   'a2000000-0000-4000-8000-000000000001', 'room', 'Room in A1'),
  ('0000000a-0000-4000-8000-000000000000', 'a1000000-0000-4000-8000-000000000002',
   'a2000000-0000-4000-8000-000000000002', 'room', 'Room in A2'),
  ('0000000b-0000-4000-8000-000000000000', 'b1000000-0000-4000-8000-000000000001',
   'b2000000-0000-4000-8000-000000000001', 'room', 'Room in B1');
INSERT INTO app.experiences (org_id, venue_id, id, kind, name, duration_minutes, max_party, currency) VALUES
  ('0000000a-0000-4000-8000-000000000000', 'a1000000-0000-4000-8000-000000000001',
   'a3000000-0000-4000-8000-000000000001', 'private_session', 'The Vault', 60, 6, 'GBP');

-- Time zones
SELECT lives_ok($$ INSERT INTO app.venues (org_id, name, timezone)
                   VALUES ('0000000a-0000-4000-8000-000000000000', 'Half-hour shift', 'Australia/Lord_Howe') $$,
                'an IANA zone is accepted');
SELECT throws_ok($$ INSERT INTO app.venues (org_id, name, timezone)
                    VALUES ('0000000a-0000-4000-8000-000000000000', 'Abbreviation', 'EST') $$, '23514', NULL,
                 'an abbreviation is not a time zone a wall clock can follow');
SELECT throws_ok($$ INSERT INTO app.venues (org_id, name, timezone)
                    VALUES ('0000000a-0000-4000-8000-000000000000', 'Nowhere', 'Mars/Olympus_Mons') $$, '23514', NULL,
                 'an unknown zone is refused');

-- Widget keys
SELECT matches((SELECT embed_key FROM app.venues WHERE id = 'a1000000-0000-4000-8000-000000000001'),
               '^wk_[A-Za-z0-9_-]{43}$', 'a venue gets a random URL-safe widget key');
SELECT is((SELECT count(DISTINCT embed_key)::int FROM app.venues), (SELECT count(*)::int FROM app.venues),
          'widget keys are distinct');
SELECT throws_ok($$ UPDATE app.venues SET embed_key = (SELECT embed_key FROM app.venues
                                                       WHERE id = 'b1000000-0000-4000-8000-000000000001')
                    WHERE id = 'a1000000-0000-4000-8000-000000000001' $$, '23505', NULL,
                 'two venues can never share a widget key');

CREATE TEMP TABLE old_key AS SELECT embed_key FROM app.venues WHERE id = 'a1000000-0000-4000-8000-000000000001';
GRANT SELECT ON old_key TO PUBLIC;
SELECT set_config('request.jwt.claims', '{"role":"authenticated","sub":"00000000-0000-4000-8000-0000000000a3"}', true);
SET LOCAL ROLE authenticated;
SELECT isnt(api.rotate_embed_key('a1000000-0000-4000-8000-000000000001'), (SELECT embed_key FROM old_key),
            'a manager rotates the widget key');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM app.venues WHERE embed_key = (SELECT embed_key FROM old_key)), 0,
          'the old key no longer opens anything');
SELECT set_config('request.jwt.claims', '{"role":"authenticated","sub":"00000000-0000-4000-8000-0000000000a4"}', true);
SET LOCAL ROLE authenticated;
SELECT throws_ok($$ SELECT api.rotate_embed_key('a1000000-0000-4000-8000-000000000001') $$, 'PT404',
                 'venue not found', 'staff cannot rotate the key');
RESET ROLE;
SELECT set_config('request.jwt.claims', '{"role":"authenticated","sub":"00000000-0000-4000-8000-0000000000b1"}', true);
SET LOCAL ROLE authenticated;
SELECT throws_ok($$ SELECT api.rotate_embed_key('a1000000-0000-4000-8000-000000000001') $$, 'PT404',
                 'venue not found', 'an admin of another organization cannot even tell the venue exists');
RESET ROLE;

-- Opening hours
SELECT lives_ok($$ INSERT INTO app.venue_hours (org_id, venue_id, weekday, opens, closes) VALUES
  ('0000000a-0000-4000-8000-000000000000', 'a1000000-0000-4000-8000-000000000001', 6, '10:00', '14:00'),
  ('0000000a-0000-4000-8000-000000000000', 'a1000000-0000-4000-8000-000000000001', 6, '14:00', '18:00'),
  ('0000000a-0000-4000-8000-000000000000', 'a1000000-0000-4000-8000-000000000001', 6, '19:00', '24:00') $$,
                'several intervals a day, end to end, up to midnight');
SELECT throws_ok($$ INSERT INTO app.venue_hours (org_id, venue_id, weekday, opens, closes) VALUES
  ('0000000a-0000-4000-8000-000000000000', 'a1000000-0000-4000-8000-000000000001', 6, '17:00', '20:00') $$,
                 '23P01', NULL, 'overlapping intervals on one day are refused');
SELECT throws_ok($$ INSERT INTO app.venue_hours (org_id, venue_id, weekday, opens, closes) VALUES
  ('0000000a-0000-4000-8000-000000000000', 'a1000000-0000-4000-8000-000000000001', 5, '22:00', '02:00') $$,
                 '23514', NULL, 'an interval must end after it starts (overnight is two intervals)');
SELECT throws_ok($$ INSERT INTO app.venue_hours (org_id, venue_id, weekday, opens, closes) VALUES
  ('0000000a-0000-4000-8000-000000000000', 'a1000000-0000-4000-8000-000000000001', 8, '10:00', '12:00') $$,
                 '23514', NULL, 'weekdays are 1 (Monday) to 7');

-- Nothing crosses a venue or an organization
SELECT throws_ok($$ INSERT INTO app.experience_resources (org_id, venue_id, experience_id, resource_id) VALUES
  ('0000000a-0000-4000-8000-000000000000', 'a1000000-0000-4000-8000-000000000001',
   'a3000000-0000-4000-8000-000000000001', 'a2000000-0000-4000-8000-000000000002') $$, '23503', NULL,
                 'an experience cannot use a room of another venue');
SELECT throws_ok($$ INSERT INTO app.experience_resources (org_id, venue_id, experience_id, resource_id) VALUES
  ('0000000a-0000-4000-8000-000000000000', 'a1000000-0000-4000-8000-000000000001',
   'a3000000-0000-4000-8000-000000000001', 'b2000000-0000-4000-8000-000000000001') $$, '23503', NULL,
                 'an experience cannot use a room of another organization');
SELECT throws_ok($$ INSERT INTO app.experiences (org_id, venue_id, kind, name, duration_minutes, max_party, currency)
  VALUES ('0000000b-0000-4000-8000-000000000000', 'a1000000-0000-4000-8000-000000000001', 'private_session', 'Stolen',
          60, 4, 'SAR') $$, '23503', NULL, 'an organization cannot put an experience in another''s venue');

-- Experiences and prices
SELECT throws_ok($$ INSERT INTO app.experiences (org_id, venue_id, kind, name, duration_minutes, max_party, currency)
  VALUES ('0000000a-0000-4000-8000-000000000000', 'a1000000-0000-4000-8000-000000000001', 'ticketed_event',
          'No capacity', 120, 10, 'GBP') $$, '23514', NULL, 'a ticketed event needs a capacity');
SELECT throws_ok($$ INSERT INTO app.experiences (org_id, venue_id, kind, name, duration_minutes, max_party, currency)
  VALUES ('0000000a-0000-4000-8000-000000000000', 'a1000000-0000-4000-8000-000000000001', 'private_session',
          'Bad money', 60, 4, 'gbp') $$, '23514', NULL, 'a currency is an ISO 4217 code (upper case)');
INSERT INTO app.price_tiers (org_id, experience_id, min_party, max_party, price_minor) VALUES
  ('0000000a-0000-4000-8000-000000000000', 'a3000000-0000-4000-8000-000000000001', 2, 4, 3000);
SELECT throws_ok($$ INSERT INTO app.price_tiers (org_id, experience_id, min_party, max_party, price_minor) VALUES
  ('0000000a-0000-4000-8000-000000000000', 'a3000000-0000-4000-8000-000000000001', 4, 6, 2500) $$, '23P01', NULL,
                 'price tiers of one experience never overlap in party size');

SELECT * FROM finish();
ROLLBACK;
