-- Every change to an app table lands in the audit log with who, from where and what changed; the log refuses
-- UPDATE, DELETE and TRUNCATE even from its owner; admins alone read it; seals chain it so that tampering shows.
BEGIN;
\ir setup.psql
SELECT plan(22);

INSERT INTO auth.users (id, email) VALUES
  ('00000000-0000-4000-8000-0000000000a2', 'admin@a.example'),
  ('00000000-0000-4000-8000-0000000000a4', 'staff@a.example'),
  ('00000000-0000-4000-8000-0000000000b1', 'admin@b.example');
INSERT INTO app.organizations (id, name, slug) VALUES
  ('0000000a-0000-4000-8000-000000000000', 'Org A', 'org-a'),
  ('0000000b-0000-4000-8000-000000000000', 'Org B', 'org-b');
INSERT INTO app.memberships (org_id, user_id, role) VALUES
  ('0000000a-0000-4000-8000-000000000000', '00000000-0000-4000-8000-0000000000a2', 'admin'),
  ('0000000a-0000-4000-8000-000000000000', '00000000-0000-4000-8000-0000000000a4', 'staff'),
  ('0000000b-0000-4000-8000-000000000000', '00000000-0000-4000-8000-0000000000b1', 'admin');
INSERT INTO app.venues (org_id, id, name, timezone) VALUES
  ('0000000a-0000-4000-8000-000000000000', 'a1000000-0000-4000-8000-000000000001', 'Venue', 'UTC');

-- A staff member renames a customer through the API's request context.
SELECT set_config('request.headers',
  '{"x-forwarded-for": "203.0.113.9, 10.0.0.1", "user-agent": "TesseraTest/1.0"}', true);
SELECT set_config('request.jwt.claims', '{"role":"authenticated","sub":"00000000-0000-4000-8000-0000000000a4"}', true);
SET LOCAL ROLE authenticated;
INSERT INTO app.customers (org_id, id, email, name) VALUES
  ('0000000a-0000-4000-8000-000000000000', 'a7000000-0000-4000-8000-000000000001', 'ada@example.com', 'Ada');
UPDATE app.customers SET name = 'Ada Lovelace' WHERE id = 'a7000000-0000-4000-8000-000000000001';
SELECT is((SELECT count(*)::int FROM audit.log), 0, 'staff cannot read the audit log');
RESET ROLE;
SELECT set_config('request.headers', '', true);

CREATE TEMP TABLE entry AS SELECT * FROM audit.log WHERE table_name = 'app.customers' ORDER BY id;
SELECT is((SELECT count(*)::int FROM entry), 2, 'an insert and an update, one row each');
SELECT results_eq($$ SELECT operation, actor, actor_role, org_id, row_id FROM entry ORDER BY id $$,
  $$ VALUES ('INSERT', '00000000-0000-4000-8000-0000000000a4'::uuid, 'authenticated',
             '0000000a-0000-4000-8000-000000000000'::uuid, 'a7000000-0000-4000-8000-000000000001'),
            ('UPDATE', '00000000-0000-4000-8000-0000000000a4'::uuid, 'authenticated',
             '0000000a-0000-4000-8000-000000000000'::uuid, 'a7000000-0000-4000-8000-000000000001') $$,
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
SELECT set_config('request.jwt.claims', '{"role":"authenticated","sub":"00000000-0000-4000-8000-0000000000a2"}', true);
SET LOCAL ROLE authenticated;
SELECT ok((SELECT count(*) FROM audit.log) >= 2 AND (SELECT bool_and(org_id = '0000000a-0000-4000-8000-000000000000')
                                                       FROM audit.log), 'an admin reads their organization''s log');
SELECT throws_ok($$ SELECT * FROM api.seal_audit_log('0 seconds') $$, '42501', NULL, 'but may not seal it');
RESET ROLE;
SELECT set_config('request.jwt.claims', '{"role":"authenticated","sub":"00000000-0000-4000-8000-0000000000b1"}', true);
SET LOCAL ROLE authenticated;
SELECT is((SELECT count(*)::int FROM audit.log WHERE org_id = '0000000a-0000-4000-8000-000000000000'), 0,
          'an admin of another organization reads none of it');
SELECT throws_ok($$ SELECT * FROM api.verify_audit_chain('0000000a-0000-4000-8000-000000000000') $$, 'PT403', NULL,
                 'nor verifies it');
RESET ROLE;

-- Seal, verify, tamper, verify again.
SELECT set_config('request.jwt.claims', '{"role":"service_role"}', true);
SET LOCAL ROLE service_role;
SELECT ok(api.seal_audit_log('0 seconds') >= 1, 'service_role seals the log');
SELECT is((SELECT ok::text || ': ' || message FROM api.verify_audit_chain('0000000a-0000-4000-8000-000000000000')),
          'true: every seal matches its log rows', 'an untouched chain verifies');
RESET ROLE;
-- A superuser going around every trigger, as an intruder with the keys would.
SET LOCAL session_replication_role = replica;
UPDATE audit.log SET new_values = jsonb_set(new_values, '{name}', '"Someone else"')
 WHERE id = (SELECT id FROM entry WHERE operation = 'UPDATE');
SET LOCAL session_replication_role = origin;
SET LOCAL ROLE service_role;
SELECT is((SELECT ok::text || ', seal ' || (broken_seal_id IS NOT NULL)::text
             FROM api.verify_audit_chain('0000000a-0000-4000-8000-000000000000')),
          'false, seal true', 'a row edited behind the log''s back breaks its seal');
SELECT ok(api.purge_audit_log(now() + interval '1 day') >= 2, 'retention removes sealed rows through its one function');
SELECT is((SELECT count(*)::int FROM audit.log WHERE org_id = '0000000a-0000-4000-8000-000000000000'), 0,
          'whole seals at a time');
SELECT is((SELECT ok FROM api.verify_audit_chain('0000000b-0000-4000-8000-000000000000')), true,
          'and a purged chain still verifies');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
