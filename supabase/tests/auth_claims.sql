-- auth.uid(), auth.role(), auth.email() and auth.jwt() read the request's claims as Supabase's do, and treat a
-- cleared setting on a pooled connection as "no claims".
BEGIN;
\ir setup.psql
SELECT plan(17);

SELECT is(auth.uid(), NULL, 'no claims: auth.uid() is null');
SELECT is(auth.jwt(), NULL, 'no claims: auth.jwt() is null');
SELECT is(auth.role(), NULL, 'no claims: auth.role() is null');

SELECT set_config('request.jwt.claims', '', true);
SELECT lives_ok($$ SELECT auth.uid(), auth.role(), auth.email(), auth.jwt() $$,
                'an empty claims setting (a pooled connection after a request) raises nothing');
SELECT is(auth.uid(), NULL, 'an empty claims setting reads as no user');

SELECT set_config('request.jwt.claims',
  '{"sub": "4d9b5e2a-6c1f-4a8e-9d3b-2f7c8e1a0b6d", "role": "authenticated", "email": "ada@example.com"}', true);
SELECT is(auth.uid(), '4d9b5e2a-6c1f-4a8e-9d3b-2f7c8e1a0b6d'::uuid, 'auth.uid() is the sub claim');
SELECT is(auth.role(), 'authenticated', 'auth.role() is the role claim');
SELECT is(auth.email(), 'ada@example.com', 'auth.email() is the email claim');
SELECT is(auth.jwt() ->> 'email', 'ada@example.com', 'auth.jwt() holds every claim');

SELECT set_config('request.jwt.claim.sub', '11111111-2222-4333-8444-555555555555', true);
SELECT is(auth.uid(), '11111111-2222-4333-8444-555555555555'::uuid,
          'the legacy per-claim setting is read first, as on Supabase');
SELECT set_config('request.jwt.claim.sub', '', true);

SET LOCAL ROLE anon;
SELECT is(auth.uid(), '4d9b5e2a-6c1f-4a8e-9d3b-2f7c8e1a0b6d'::uuid, 'anon may call auth.uid()');
SELECT throws_ok($$ SELECT count(*) FROM auth.users $$, '42501', NULL, 'anon cannot read auth.users');
RESET ROLE;

SET LOCAL ROLE authenticated;
SELECT is(auth.role(), 'authenticated', 'authenticated may call auth.role()');
SELECT throws_ok($$ SELECT count(*) FROM auth.users $$, '42501', NULL, 'authenticated cannot read auth.users');
SELECT throws_ok($$ INSERT INTO auth.users (email) VALUES ('mallory@example.com') $$, '42501', NULL,
                 'authenticated cannot create accounts');
RESET ROLE;

SELECT ok((SELECT relrowsecurity FROM pg_class WHERE oid = 'auth.users'::regclass), 'auth.users has RLS enabled');
SELECT ok((SELECT relforcerowsecurity FROM pg_class WHERE oid = 'auth.users'::regclass),
          'auth.users forces RLS, even for its owner');

SELECT * FROM finish();
ROLLBACK;
