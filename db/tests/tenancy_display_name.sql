-- A signed-in user sets the name colleagues see; the first call creates the profile, later ones change it, and
-- nobody else's profile is touched.
BEGIN;
\ir setup.psql
SELECT plan(6);

INSERT INTO auth.users (id, email) VALUES
  ('00000000-0000-4000-8000-0000000000a1', 'a@a.example'),
  ('00000000-0000-4000-8000-0000000000a2', 'b@a.example');

SELECT set_config('request.jwt.claims', '{"role":"authenticated","sub":"00000000-0000-4000-8000-0000000000a1"}', true);
SET LOCAL ROLE authenticated;
SELECT lives_ok($$ SELECT api.set_display_name('Ada') $$, 'the first call creates the profile');
SELECT lives_ok($$ SELECT api.set_display_name('Ada L.') $$, 'a later call renames it');
SELECT is((SELECT display_name FROM app.profiles WHERE user_id = '00000000-0000-4000-8000-0000000000a1'), 'Ada L.',
          'the profile carries the latest name');
SELECT throws_ok($$ SELECT api.set_display_name('   ') $$, 'PT400', 'a display name has 1 to 200 characters',
                 'a blank name is refused');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM app.profiles), 1, 'nobody else got a profile');

SELECT set_config('request.jwt.claims', '{"role":"anon"}', true);
SET LOCAL ROLE anon;
SELECT throws_ok($$ SELECT api.set_display_name('Eve') $$, '42501', NULL, 'anon may not call it');

SELECT * FROM finish();
ROLLBACK;
