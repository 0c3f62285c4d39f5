-- Search over experiences: typos found, the name weighted over the category over the description, the filters
-- (venue, category, price, a venue-local day with places left), paging, the organization's search language, and
-- nothing of another organization, or (for the public) anything not offered.
BEGIN;
\ir setup.psql
SELECT plan(32);

\ir fixtures.psql
-- org_a: soho (London) and la (Los Angeles). Escape Room (la, 2500 a person, one session a week at 22:00 LA time,
-- on the weekday of day d), Haunted Manor (soho, 4000, its description says escape room and house), Quiz night
-- (soho, a ticketed event, tickets from 1000, "Teams" in its description), Lantern Walk (soho, inactive, category
-- Teams, no price), Escape Room Classic (soho, archived, 2000). org_b: Escape Room Deluxe.
SELECT pg_temp.fresh('soho', 'la', 'b_venue', 'escape', 'manor', 'quiz', 'lantern', 'classic', 'deluxe');
CREATE TEMP TABLE day AS SELECT current_date + 10 AS d;
GRANT SELECT ON day TO PUBLIC;
INSERT INTO app.venues (org_id, id, name, timezone, embed_key) VALUES
  (pg_temp.id('org_a'), pg_temp.id('soho'), 'Soho', 'Europe/London', pg_temp.key('soho')),
  (pg_temp.id('org_a'), pg_temp.id('la'), 'LA', 'America/Los_Angeles', pg_temp.key('la')),
  (pg_temp.id('org_b'), pg_temp.id('b_venue'), 'B', 'Europe/London', pg_temp.key('b_venue'));
INSERT INTO app.experiences (org_id, venue_id, id, kind, name, category, description, duration_minutes, min_party,
                             max_party, capacity, currency, active, archived_at) VALUES
  (pg_temp.id('org_a'), pg_temp.id('la'), pg_temp.id('escape'), 'private_session', 'Escape Room', 'Adventure',
   'Find the key before the hour runs out', 60, 2, 6, NULL, 'USD', true, NULL),
  (pg_temp.id('org_a'), pg_temp.id('soho'), pg_temp.id('manor'), 'private_session', 'Haunted Manor', 'Adventure',
   'An escape room in a haunted house', 60, 2, 6, NULL, 'GBP', true, NULL),
  (pg_temp.id('org_a'), pg_temp.id('soho'), pg_temp.id('quiz'), 'ticketed_event', 'Quiz night', 'Quizzes',
   'Teams answer questions', 120, 1, 10, 20, 'GBP', true, NULL),
  (pg_temp.id('org_a'), pg_temp.id('soho'), pg_temp.id('lantern'), 'private_session', 'Lantern Walk', 'Teams',
   'A walk by lantern light', 60, 2, 6, NULL, 'GBP', false, NULL),
  (pg_temp.id('org_a'), pg_temp.id('soho'), pg_temp.id('classic'), 'private_session', 'Escape Room Classic',
   'Adventure', NULL, 60, 2, 6, NULL, 'GBP', false, now()),
  (pg_temp.id('org_b'), pg_temp.id('b_venue'), pg_temp.id('deluxe'), 'private_session', 'Escape Room Deluxe',
   'Adventure', NULL, 60, 2, 6, NULL, 'GBP', true, NULL);
INSERT INTO app.price_tiers (org_id, experience_id, min_party, max_party, price_minor) VALUES
  (pg_temp.id('org_a'), pg_temp.id('escape'), 2, 6, 2500),
  (pg_temp.id('org_a'), pg_temp.id('manor'), 2, 6, 4000),
  (pg_temp.id('org_a'), pg_temp.id('classic'), 2, 6, 2000),
  (pg_temp.id('org_b'), pg_temp.id('deluxe'), 2, 6, 2500);
INSERT INTO app.ticket_types (org_id, experience_id, name, price_minor) VALUES
  (pg_temp.id('org_a'), pg_temp.id('quiz'), 'Standard', 1000),
  (pg_temp.id('org_a'), pg_temp.id('quiz'), 'VIP', 3000);
-- 22:00 in Los Angeles on day d is the next day in UTC: a day taken in UTC would put the session on d + 1.
INSERT INTO app.schedules (org_id, experience_id, weekday, start_time, valid_from)
SELECT pg_temp.id('org_a'), pg_temp.id('escape'), extract(isodow FROM d)::int, '22:00', current_date FROM day;

SELECT pg_temp.act_as('staff_a');
SELECT results_eq($$ SELECT name FROM api.search_experiences(pg_temp.id('org_a'), 'escpae room') $$,
                  $$ VALUES ('Escape Room') $$,
                  'a typo finds the name ("escpae room" finds Escape Room), and only the offered or inactive ones');
SELECT results_eq($$ SELECT name FROM api.search_experiences(pg_temp.id('org_a'), 'escape') $$,
                  $$ VALUES ('Escape Room'), ('Haunted Manor') $$,
                  'a word of the name ranks above the same word in a description');
SELECT results_eq($$ SELECT name FROM api.search_experiences(pg_temp.id('org_a'), 'teams') $$,
                  $$ VALUES ('Lantern Walk'), ('Quiz night') $$,
                  'a word of the category ranks above the same word in a description');
SELECT ok((SELECT bool_and(rank > 0) FROM api.search_experiences(pg_temp.id('org_a'), 'teams')),
          'each match has a positive rank');
SELECT results_eq($$ SELECT name FROM api.search_experiences(pg_temp.id('org_a')) $$,
                  $$ VALUES ('Escape Room'), ('Haunted Manor'), ('Lantern Walk'), ('Quiz night') $$,
                  'without a query every experience but the archived one is listed, by name');
SELECT results_eq($$ SELECT name FROM api.search_experiences(pg_temp.id('org_a'), include_archived => true) $$,
                  $$ VALUES ('Escape Room'), ('Escape Room Classic'), ('Haunted Manor'), ('Lantern Walk'),
                            ('Quiz night') $$,
                  'staff see archived experiences on request');
SELECT results_eq($$ SELECT name, offered, archived_at IS NOT NULL
                       FROM api.search_experiences(pg_temp.id('org_a'), 'classic', include_archived => true) $$,
                  $$ VALUES ('Escape Room Classic', false, true) $$,
                  'an archived experience says it is archived and not offered');
SELECT results_eq($$ SELECT name FROM api.search_experiences(pg_temp.id('org_a'), category => 'ADVENTURE') $$,
                  $$ VALUES ('Escape Room'), ('Haunted Manor') $$, 'the category filter is its name in any case');
SELECT results_eq($$ SELECT name FROM api.search_experiences(pg_temp.id('org_a'), venue_id => pg_temp.id('soho')) $$,
                  $$ VALUES ('Haunted Manor'), ('Lantern Walk'), ('Quiz night') $$, 'the venue filter');
SELECT results_eq($$ SELECT name, from_price_minor FROM api.search_experiences(pg_temp.id('org_a'),
                       min_price_minor => 1000, max_price_minor => 2500) $$,
                  $$ VALUES ('Escape Room', 2500::bigint), ('Quiz night', 1000::bigint) $$,
                  'the price range holds the lowest price (cheapest tier or ticket), both ends included');
SELECT results_eq($$ SELECT name FROM api.search_experiences(pg_temp.id('org_a'), on_date => (SELECT d FROM day)) $$,
                  $$ VALUES ('Escape Room') $$, 'a day finds the experiences with a session with places left then');
SELECT is_empty($$ SELECT name FROM api.search_experiences(pg_temp.id('org_a'), on_date => (SELECT d + 1 FROM day)) $$,
                'the day is the venue''s: a 22:00 Los Angeles session is not on the next (UTC) day');
SELECT results_eq($$ SELECT name FROM api.search_experiences(pg_temp.id('org_a'), page_size => 2) $$,
                  $$ VALUES ('Escape Room'), ('Haunted Manor') $$, 'the first page');
SELECT results_eq($$ SELECT name FROM api.search_experiences(pg_temp.id('org_a'), page_size => 2, page_offset => 2) $$,
                  $$ VALUES ('Lantern Walk'), ('Quiz night') $$, 'the second page goes on where the first stopped');
SELECT is_empty($$ SELECT name FROM api.search_experiences(pg_temp.id('org_a'), 'deluxe') $$,
                'another organization''s experiences never appear');
SELECT throws_ok($$ SELECT * FROM api.search_experiences(pg_temp.id('org_b'), 'escape') $$, 'PT404', NULL,
                 'staff cannot search another organization');
SELECT throws_ok($$ SELECT * FROM api.search_experiences(pg_temp.id('org_a'), page_size => 101) $$, 'PT400',
                 'page_size must be a whole number from 1 to 100, not 101', 'page_size is at most 100');
SELECT throws_ok($$ SELECT * FROM api.search_experiences(pg_temp.id('org_a'), page_size => 0) $$, 'PT400', NULL,
                 'page_size is at least 1');
SELECT throws_ok($$ SELECT * FROM api.search_experiences(pg_temp.id('org_a'), repeat('a', 201)) $$, 'PT400',
                 'query is 0 to 200 characters long, not 201', 'the query is bounded');
SELECT throws_ok($$ SELECT * FROM api.search_experiences(pg_temp.id('org_a'), min_price_minor => 3000,
                                                         max_price_minor => 2000) $$, 'PT400',
                 'min_price_minor 3000 is above max_price_minor 2000', 'a reversed price range is refused');
SELECT throws_ok($$ SELECT * FROM api.search_experiences(pg_temp.id('org_a'), on_date => current_date + 400) $$,
                 'PT400', NULL, 'a day more than a year ahead is refused');
SELECT throws_ok($$ SELECT * FROM api.search_experiences(pg_temp.id('org_a'), page_offset => 1001) $$, 'PT400', NULL,
                 'the offset is bounded');

-- The organization's language: 'simple' does not stem; english finds "houses" in "a haunted house".
SELECT is_empty($$ SELECT name FROM api.search_experiences(pg_temp.id('org_a'), 'houses') $$,
                'in the simple configuration, words are matched as written');
SELECT throws_ok($$ SELECT api.set_search_language(pg_temp.id('org_a'), 'english') $$, 'PT403', NULL,
                 'staff cannot change the search language');
RESET ROLE;
SELECT pg_temp.act_as('admin_a');
SELECT throws_ok($$ SELECT api.set_search_language(pg_temp.id('org_a'), 'klingon') $$, 'PT400',
                 'unknown search language klingon', 'a language the database has no configuration for is refused');
SELECT is(api.set_search_language(pg_temp.id('org_a'), 'English'), 'english', 'an admin sets the search language');
SELECT results_eq($$ SELECT name FROM api.search_experiences(pg_temp.id('org_a'), 'houses') $$,
                  $$ VALUES ('Haunted Manor') $$,
                  'the organization''s experiences are searched in its language at once');
RESET ROLE;

SELECT ok(NOT EXISTS (SELECT FROM audit.log l WHERE l.row_id = pg_temp.id('manor')::text
                        AND (l.new_values ? 'search_vector' OR l.old_values ? 'search_vector')),
          'the derived search vector stays out of the audit log');

-- The public, behind a venue's key: what that venue offers, nothing more.
SELECT pg_temp.act_as('anon');
SELECT results_eq($$ SELECT name FROM api.widget_search_experiences(pg_temp.key('soho')) $$,
                  $$ VALUES ('Haunted Manor'), ('Quiz night') $$,
                  'the widget lists only its venue''s offered experiences (not inactive, archived or elsewhere)');
SELECT is_empty($$ SELECT name FROM api.widget_search_experiences(pg_temp.key('soho'), 'escape room classic') $$,
                'an archived experience is never offered to the public');
SELECT results_eq($$ SELECT name FROM api.widget_search_experiences(pg_temp.key('la'), 'escpae',
                                                                      on_date => (SELECT d FROM day)) $$,
                  $$ VALUES ('Escape Room') $$, 'the public searches with typos and a day too');
SELECT throws_ok($$ SELECT * FROM api.widget_search_experiences('wk_made_up') $$, 'PT404', 'unknown widget key',
                 'an unknown key finds nothing');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
