-- Marketing consent is recorded with when and where it was given, withdrawing keeps the time and source of the
-- withdrawal, an erased customer gives none; tags are replaced as a set, lower-cased, at most 50.
BEGIN;
\ir setup.psql
SELECT plan(13);
\ir fixtures.psql
SELECT pg_temp.fresh('ada');
INSERT INTO app.customers (org_id, id, email, name)
VALUES (pg_temp.id('org_a'), pg_temp.id('ada'), 'ada@example.com', 'Ada');

SELECT is((SELECT marketing_consent::text || coalesce(marketing_consent_source, '-') FROM app.customers
            WHERE id = pg_temp.id('ada')), 'false-', 'a customer has not consented until asked');
SELECT pg_temp.act_as('staff_a');
CREATE TEMP TABLE given AS SELECT api.set_marketing_consent(pg_temp.id('ada'), true, ' Widget ') AS c, now() AS at;
SELECT is((SELECT c ->> 'marketing_consent_source' FROM given), 'widget', 'consent keeps its source (lower-cased)');
SELECT is((SELECT (c ->> 'marketing_consent_at')::timestamptz FROM given), (SELECT at FROM given),
          'consent keeps its time');
SELECT is(api.set_marketing_consent(pg_temp.id('ada'), false, 'staff') - 'marketing_consent_at',
          jsonb_build_object('customer_id', pg_temp.id('ada'), 'marketing_consent', false,
                             'marketing_consent_source', 'staff'),
          'withdrawing keeps the source of the withdrawal');
SELECT is_empty($$ SELECT * FROM api.list_bookings(pg_temp.id('org_a'), customer_email => 'ADA@example.com') $$,
                'staff find her by e-mail, whatever its case, beside her consent');
SELECT throws_ok($$ SELECT api.set_marketing_consent(pg_temp.id('ada'), NULL, 'staff') $$, 'PT400',
                 'consent is required', 'consent must be said');
SELECT throws_ok($$ SELECT api.set_marketing_consent(pg_temp.id('ada'), true, NULL) $$, 'PT400',
                 'source is required', '… and where it was given');
RESET ROLE;
SELECT pg_temp.act_as('admin_b');
SELECT throws_ok($$ SELECT api.set_marketing_consent(pg_temp.id('ada'), true, 'staff') $$, 'PT404', NULL,
                 'another organization cannot record it');
RESET ROLE;

SELECT pg_temp.act_as('staff_a');
SELECT is(api.set_customer_tags(pg_temp.id('ada'), ARRAY['VIP', ' birthday ', 'vip']), ARRAY['birthday', 'vip'],
          'tags are trimmed, lower-cased and kept once');
SELECT is(api.set_customer_tags(pg_temp.id('ada'), ARRAY['corporate']), ARRAY['corporate'],
          'tags are replaced as a set');
SELECT is((SELECT array_agg(tag) FROM app.customer_tags WHERE customer_id = pg_temp.id('ada')), ARRAY['corporate'],
          '… in the table too');
SELECT throws_ok(format('SELECT api.set_customer_tags(%L, %L)', pg_temp.id('ada'),
                        (SELECT array_agg('t' || i) FROM generate_series(1, 51) i)), 'PT400', NULL,
                 'at most 50 tags');
RESET ROLE;

UPDATE app.customers SET erased_at = now() WHERE id = pg_temp.id('ada');
SELECT pg_temp.act_as('staff_a');
SELECT throws_ok($$ SELECT api.set_marketing_consent(pg_temp.id('ada'), true, 'staff') $$, 'PT404', NULL,
                 'an erased customer gives no consent');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
