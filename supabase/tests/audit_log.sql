-- Every change to an app table lands in the audit log with who, from where and what changed; the log refuses
-- UPDATE, DELETE and TRUNCATE even from its owner; admins alone read it; seals chain it so that tampering shows.
BEGIN;
\ir setup.psql
SELECT plan(23);

\ir fixtures.psql
SELECT pg_temp.fresh('venue_a', 'game');
INSERT INTO app.venues (org_id, id, name, timezone) VALUES (pg_temp.id('org_a'), pg_temp.id('venue_a'), 'Venue', 'UTC');
INSERT INTO app.experiences (org_id, venue_id, id, kind, name, duration_minutes, min_party, max_party, currency)
VALUES (pg_temp.id('org_a'), pg_temp.id('venue_a'), pg_temp.id('game'), 'private_session', 'Game', 60, 2, 6, 'GBP');
INSERT INTO app.price_tiers (org_id, experience_id, min_party, max_party, price_minor)
VALUES (pg_temp.id('org_a'), pg_temp.id('game'), 2, 6, 2500);
INSERT INTO app.schedules (org_id, experience_id, weekday, start_time, valid_from)
SELECT pg_temp.id('org_a'), pg_temp.id('game'), d, t::time, current_date
  FROM generate_series(1, 7) d, unnest(ARRAY['10:00', '12:00']) t;

-- A staff member books for Ada, then again under her full name (which renames the customer), through the API's
-- request context.
SELECT set_config('request.headers',
  '{"x-forwarded-for": "203.0.113.9, 10.0.0.1", "user-agent": "TesseraTest/1.0"}', true);
SELECT pg_temp.act_as('staff_a');
SELECT FROM api.create_booking(pg_temp.id('game'), ((current_date + 5) + time '10:00') AT TIME ZONE 'UTC',
                               'ada@example.com', 2, 'Ada');
SELECT FROM api.create_booking(pg_temp.id('game'), ((current_date + 5) + time '12:00') AT TIME ZONE 'UTC',
                               'ada@example.com', 2, 'Ada Lovelace');
SELECT is((SELECT count(*)::int FROM audit.log), 0, 'staff cannot read the audit log');
RESET ROLE;
SELECT set_config('request.headers', '', true);
INSERT INTO fx (name, id) SELECT 'ada', id FROM app.customers WHERE org_id = pg_temp.id('org_a');

CREATE TEMP TABLE entry AS
SELECT * FROM audit.log WHERE table_name = 'app.customers' AND row_id = pg_temp.id('ada')::text ORDER BY id;
SELECT is((SELECT count(*)::int FROM entry), 2, 'an insert and an update, one row each');
SELECT results_eq($$ SELECT operation, actor, actor_role, org_id, row_id FROM entry ORDER BY id $$,
  $$ VALUES ('INSERT', pg_temp.id('staff_a'), 'authenticated', pg_temp.id('org_a'), pg_temp.id('ada')::text),
            ('UPDATE', pg_temp.id('staff_a'), 'authenticated', pg_temp.id('org_a'), pg_temp.id('ada')::text) $$,
  'each says what, who, as which role, in which organization, on which row');
SELECT is((SELECT new_values ->> 'email' FROM entry WHERE operation = 'INSERT'), 'ada@example.com',
          'an insert keeps the new row');
SELECT is((SELECT old_values FROM entry WHERE operation = 'UPDATE'), '{"name": "Ada"}'::jsonb,
          'an update keeps only the fields that changed, before');
SELECT is((SELECT new_values ->> 'name' FROM entry WHERE operation = 'UPDATE'), 'Ada Lovelace', '... and after');
SELECT is((SELECT host(client_ip) FROM entry LIMIT 1), '203.0.113.9', 'the client IP is the first forwarded address');
SELECT is((SELECT user_agent FROM entry LIMIT 1), 'TesseraTest/1.0', 'the user agent is recorded');
SELECT ok((SELECT bool_and(txid = txid_current()) FROM entry), 'and the transaction id');

-- Append-only, for everyone.
SELECT throws_ok($$ UPDATE audit.log SET actor_role = 'nobody' $$, 'PT403', NULL, 'not even the owner may edit it');
SELECT throws_ok($$ DELETE FROM audit.log $$, 'PT403', NULL, 'or delete from it');
SELECT throws_ok($$ TRUNCATE audit.log $$, 'PT403', NULL, 'or truncate it');

-- Who reads it.
SELECT pg_temp.act_as('admin_a');
SELECT ok((SELECT count(*) FROM audit.log) >= 2 AND (SELECT bool_and(org_id = pg_temp.id('org_a'))
                                                       FROM audit.log), 'an admin reads their organization''s log');
SELECT throws_ok($$ SELECT * FROM api.seal_audit_log('0 seconds') $$, '42501', NULL, 'but may not seal it');
RESET ROLE;
SELECT pg_temp.act_as('admin_b');
SELECT is((SELECT count(*)::int FROM audit.log WHERE org_id = pg_temp.id('org_a')), 0,
          'an admin of another organization reads none of it');
SELECT throws_ok($$ SELECT * FROM api.verify_audit_chain(pg_temp.id('org_a')) $$, 'PT403', NULL,
                 'nor verifies it');
RESET ROLE;

-- Seal, verify, tamper, verify again.
SELECT pg_temp.act_as('service_role');
SELECT ok(api.seal_audit_log('0 seconds') >= 1, 'service_role seals the log');
SELECT is((SELECT ok::text || ': ' || message FROM api.verify_audit_chain(pg_temp.id('org_a'))),
          'true: every seal matches its log rows', 'an untouched chain verifies');
RESET ROLE;
SELECT pg_temp.act_as('admin_a');
SELECT is((SELECT ok::text || ': ' || message FROM api.verify_audit_chain(pg_temp.id('org_a'))),
          'true: every seal matches its log rows', 'an admin verifies their organization''s chain');
RESET ROLE;
-- A superuser going around every trigger, as an intruder with the keys would.
SET LOCAL session_replication_role = replica;
UPDATE audit.log SET new_values = jsonb_set(new_values, '{name}', '"Someone else"')
 WHERE id = (SELECT id FROM entry WHERE operation = 'UPDATE');
SET LOCAL session_replication_role = origin;
SELECT pg_temp.act_as('service_role');
SELECT is((SELECT ok::text || ', seal ' || (broken_seal_id IS NOT NULL)::text
             FROM api.verify_audit_chain(pg_temp.id('org_a'))),
          'false, seal true', 'a row edited behind the log''s back breaks its seal');
SELECT ok(api.purge_audit_log(now() + interval '1 day') >= 2, 'retention removes sealed rows through its one function');
SELECT is((SELECT count(*)::int FROM audit.log WHERE org_id = pg_temp.id('org_a')), 0,
          'whole seals at a time');
SELECT is((SELECT ok FROM api.verify_audit_chain(pg_temp.id('org_b'))), true,
          'and a purged chain still verifies');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
