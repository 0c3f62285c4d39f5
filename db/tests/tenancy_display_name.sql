-- A signed-in user sets the name colleagues see; the first call creates the profile, later ones change it, and
-- nobody else's profile is touched.
BEGIN;
\ir setup.psql
SELECT plan(6);

\ir fixtures.psql
-- How many profiles the database holds before, to show that only the caller's is added.
SELECT count(*) AS profiles_before FROM app.profiles \gset

SELECT pg_temp.act_as('staff_a');
SELECT lives_ok($$ SELECT api.set_display_name('Ada') $$, 'the first call creates the profile');
SELECT lives_ok($$ SELECT api.set_display_name('Ada L.') $$, 'a later call renames it');
SELECT is((SELECT display_name FROM app.profiles WHERE user_id = pg_temp.id('staff_a')), 'Ada L.',
          'the profile carries the latest name');
SELECT throws_ok($$ SELECT api.set_display_name('   ') $$, 'PT400', 'a display name has 1 to 200 characters',
                 'a blank name is refused');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM app.profiles), :profiles_before + 1, 'nobody else got a profile');

SELECT pg_temp.act_as('anon');
SELECT throws_ok($$ SELECT api.set_display_name('Eve') $$, '42501', NULL, 'anon may not call it');

SELECT * FROM finish();
ROLLBACK;
