-- Availability answers or says what is wrong, never an empty list for a mistake: without a party it prices the
-- experience's smallest party; a party outside the experience's limits, a reversed window and a window over the
-- limit (367 days for staff, 63 for the widget) are PT400 naming the limit, checked before anything else.
BEGIN;
\ir setup.psql
\ir fixtures.psql
SELECT pg_temp.shop();
SELECT plan(14);

SELECT pg_temp.act_as('staff_a');
SELECT results_eq(format($$ SELECT remaining, price_minor FROM api.check_availability(%L, %L, %L) $$,
                         pg_temp.id('vault'), (SELECT d FROM day), (SELECT d FROM day)),
                  $$ VALUES (1, 5000::bigint) $$,
                  'without a party, a private session shows its starts priced for its smallest party (2)');
SELECT throws_ok(format($$ SELECT * FROM api.check_availability(%L, %L, %L, 1) $$,
                        pg_temp.id('vault'), (SELECT d FROM day), (SELECT d FROM day)),
                 'PT400', 'a party of 1 cannot book The Vault', 'a party below the minimum is told so');
SELECT throws_ok(format($$ SELECT * FROM api.check_availability(%L, %L, %L, 7) $$,
                        pg_temp.id('vault'), (SELECT d FROM day), (SELECT d FROM day)),
                 'PT400', 'a party of 7 cannot book The Vault', '… and one above the maximum');
SELECT throws_ok(format($$ SELECT * FROM api.check_availability(%L, %L, %L, 1) $$,
                        pg_temp.id('vault'), (SELECT d FROM day), (SELECT d FROM day) + 367),
                 'PT400', 'at most 367 days of availability per request',
                 'a window over 367 days is refused whatever the party');
SELECT throws_ok(format($$ SELECT * FROM api.check_availability(%L, %L, %L) $$,
                        gen_random_uuid(), (SELECT d FROM day), (SELECT d FROM day) + 367),
                 'PT400', 'at most 367 days of availability per request', '… and whatever the experience');
SELECT lives_ok(format($$ SELECT * FROM api.check_availability(%L, %L, %L) $$,
                       pg_temp.id('vault'), (SELECT d FROM day), (SELECT d FROM day) + 366),
                '367 days are one request');
SELECT throws_ok(format($$ SELECT * FROM api.check_availability(%L, %L, %L) $$,
                        pg_temp.id('vault'), (SELECT d FROM day), (SELECT d FROM day) - 1),
                 'PT400', 'to_date is before from_date', 'a reversed window is refused');
SELECT is((SELECT count(*)::integer FROM api.check_availability(pg_temp.id('quiz'), (SELECT d FROM day),
                                                                 (SELECT d FROM day))),
          1, 'a ticketed event without a party shows its starts');
RESET ROLE;

SELECT pg_temp.act_as('anon');
SELECT results_eq(format($$ SELECT remaining, price_minor FROM api.widget_availability(%L, %L, %L, %L) $$,
                         pg_temp.key('soho'), pg_temp.id('vault'), (SELECT d FROM day),
                         (SELECT d FROM day)),
                  $$ VALUES (1, 5000::bigint) $$, 'the widget without a party prices the smallest party');
SELECT throws_ok(format($$ SELECT * FROM api.widget_availability(%L, %L, %L, %L, 1) $$,
                        pg_temp.key('soho'), pg_temp.id('vault'), (SELECT d FROM day),
                        (SELECT d FROM day)),
                 'PT400', 'a party of 1 cannot book The Vault', 'the widget tells a party below the minimum');
SELECT throws_ok(format($$ SELECT * FROM api.widget_availability(%L, %L, %L, %L) $$,
                        pg_temp.key('soho'), pg_temp.id('vault'), (SELECT d FROM day),
                        (SELECT d FROM day) + 63),
                 'PT400', 'at most 63 days of availability per request',
                 'the widget refuses a window over 63 days instead of cutting it silently');
SELECT is((SELECT count(*)::integer FROM api.widget_availability(pg_temp.key('soho'), pg_temp.id('vault'),
                                                                  (SELECT d FROM day), (SELECT d FROM day) + 62)),
          63, '63 days are one widget request, every day of them');
SELECT throws_ok(format($$ SELECT * FROM api.widget_availability(%L, %L, %L, %L) $$,
                        'wk_made_up', pg_temp.id('vault'), (SELECT d FROM day), (SELECT d FROM day) + 400),
                 'PT400', 'at most 63 days of availability per request', 'the window is checked before the key');
SELECT is_empty(format($$ SELECT * FROM api.widget_availability(%L, %L, %L, %L) $$,
                       pg_temp.key('brooklyn'), pg_temp.id('vault'), (SELECT d FROM day),
                       (SELECT d FROM day)),
                'another venue''s experience still shows nothing (it does not exist for that key)');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
