-- Rotating an endpoint's signing secret with an overlap: the secret replaced keeps signing beside the new one for
-- overlap_hours (default 24, 0 to 168), so the sender gets both; 0 ends it at once; a second rotation during an
-- overlap keeps only the secret it replaces; an overlap that is over signs nothing; api.end_webhook_secret_overlap
-- ends one early (admins only); the old secret is never shown nor logged, and the arguments are checked before
-- anything changes.
BEGIN;
\ir setup.psql
SELECT plan(22);
\ir fixtures.psql
SELECT pg_temp.fresh('d1', 'd2');

SELECT pg_temp.act_as('admin_a');
CREATE TEMP TABLE ep AS SELECT api.create_webhook_endpoint(pg_temp.id('org_a'), 'https://hooks.example.com/r',
  '{booking.created}') AS e;
GRANT SELECT ON ep TO PUBLIC;
CREATE FUNCTION pg_temp.ep_id() RETURNS uuid LANGUAGE sql AS $$ SELECT (e ->> 'id')::uuid FROM ep $$;
SELECT is((SELECT e -> 'previous_secret_until' FROM ep), 'null'::jsonb, 'a new endpoint has no previous secret');

SELECT throws_ok(format($$SELECT api.rotate_webhook_secret(%L, %L, 169)$$, pg_temp.id('org_a'), pg_temp.ep_id()),
                 'PT400', 'overlap_hours is 0 to 168 hours', 'an overlap over a week is refused');
SELECT throws_ok(format($$SELECT api.rotate_webhook_secret(%L, %L, -1)$$, pg_temp.id('org_a'), pg_temp.ep_id()),
                 'PT400', NULL, 'a negative overlap is refused');
SELECT throws_ok(format($$SELECT api.rotate_webhook_secret(%L, %L, NULL)$$, pg_temp.id('org_a'), pg_temp.ep_id()),
                 'PT400', NULL, 'a null overlap is refused');
RESET ROLE;
SELECT is((SELECT secret FROM app.webhook_endpoints WHERE id = pg_temp.ep_id()), (SELECT e ->> 'secret' FROM ep),
          'a refused rotation changes nothing');

SELECT pg_temp.act_as('admin_a');
CREATE TEMP TABLE r1 AS SELECT api.rotate_webhook_secret(pg_temp.id('org_a'), pg_temp.ep_id()) AS e;
GRANT SELECT ON r1 TO PUBLIC;
SELECT is((SELECT (e ->> 'previous_secret_until')::timestamptz FROM r1), now() + interval '24 hours',
          'by default the old secret signs for 24 hours more, and the answer says until when');
SELECT ok((SELECT NOT (e ? 'previous_secret') FROM r1), 'the answer never shows the old secret');
SELECT is((SELECT l -> 'previous_secret_until' FROM api.list_webhook_endpoints(pg_temp.id('org_a')) l
            WHERE (l ->> 'id')::uuid = pg_temp.ep_id()), (SELECT e -> 'previous_secret_until' FROM r1),
          'the list shows the overlap''s end too');
RESET ROLE;
SELECT is((SELECT previous_secret FROM app.webhook_endpoints WHERE id = pg_temp.ep_id()),
          (SELECT e ->> 'secret' FROM ep), 'the secret replaced is kept as the previous one');

INSERT INTO app.webhook_deliveries (org_id, id, endpoint_id, event_type, event_key, payload, next_attempt_at)
VALUES (pg_temp.id('org_a'), pg_temp.id('d1'), pg_temp.ep_id(), 'booking.created', 'test:d1', '{}', '2000-01-01');
SELECT pg_temp.act_as('service_role');
SELECT results_eq(format($$SELECT secret, previous_secret FROM private.claim_webhook_deliveries('w', 1000, '1 minute')
                            WHERE id = %L$$, pg_temp.id('d1')),
                  format($$VALUES (%L::text, %L::text)$$, (SELECT e ->> 'secret' FROM r1), (SELECT e ->> 'secret' FROM ep)),
                  'during the overlap the sender gets the new secret and the old one to sign with');
RESET ROLE;

SELECT pg_temp.act_as('owner_a');
CREATE TEMP TABLE r2 AS SELECT api.rotate_webhook_secret(pg_temp.id('org_a'), pg_temp.ep_id(), overlap_hours => 2) AS e;
GRANT SELECT ON r2 TO PUBLIC;
RESET ROLE;
SELECT results_eq(format($$SELECT previous_secret, previous_secret_until FROM app.webhook_endpoints WHERE id = %L$$,
                         pg_temp.ep_id()),
                  format($$VALUES (%L::text, now() + interval '2 hours')$$, (SELECT e ->> 'secret' FROM r1)),
                  'a second rotation during the overlap keeps only the secret it replaces, for its own overlap');

UPDATE app.webhook_endpoints SET previous_secret_until = now() - interval '1 second' WHERE id = pg_temp.ep_id();
INSERT INTO app.webhook_deliveries (org_id, id, endpoint_id, event_type, event_key, payload, next_attempt_at)
VALUES (pg_temp.id('org_a'), pg_temp.id('d2'), pg_temp.ep_id(), 'booking.created', 'test:d2', '{}', '2000-01-01');
SELECT pg_temp.act_as('service_role');
SELECT results_eq(format($$SELECT secret, previous_secret FROM private.claim_webhook_deliveries('w', 1000, '1 minute')
                            WHERE id = %L$$, pg_temp.id('d2')),
                  format($$VALUES (%L::text, NULL::text)$$, (SELECT e ->> 'secret' FROM r2)),
                  'once the overlap is over only the current secret signs');
RESET ROLE;
SELECT pg_temp.act_as('admin_a');
SELECT is((SELECT l -> 'previous_secret_until' FROM api.list_webhook_endpoints(pg_temp.id('org_a')) l
            WHERE (l ->> 'id')::uuid = pg_temp.ep_id()), 'null'::jsonb, 'and the list shows no overlap');

CREATE TEMP TABLE r3 AS SELECT api.rotate_webhook_secret(pg_temp.id('org_a'), pg_temp.ep_id(), 0) AS e;
GRANT SELECT ON r3 TO PUBLIC;
SELECT is((SELECT e -> 'previous_secret_until' FROM r3), 'null'::jsonb, 'overlap 0 answers no overlap');
RESET ROLE;
SELECT results_eq(format($$SELECT secret, previous_secret, previous_secret_until FROM app.webhook_endpoints
                            WHERE id = %L$$, pg_temp.ep_id()),
                  format($$VALUES (%L::text, NULL::text, NULL::timestamptz)$$, (SELECT e ->> 'secret' FROM r3)),
                  'and keeps no old secret: the new one signs alone at once');

-- Ending an overlap early: the old secret stops signing and is forgotten, the current one stays.
SELECT pg_temp.act_as('admin_a');
CREATE TEMP TABLE r4 AS SELECT api.rotate_webhook_secret(pg_temp.id('org_a'), pg_temp.ep_id(), 48) AS e;
GRANT SELECT ON r4 TO PUBLIC;
RESET ROLE;
SELECT pg_temp.act_as('staff_a');
SELECT throws_ok(format($$SELECT api.end_webhook_secret_overlap(%L, %L)$$, pg_temp.id('org_a'), pg_temp.ep_id()),
                 'PT403', NULL, 'staff may not end an overlap');
RESET ROLE;
SELECT pg_temp.act_as('admin_b');
SELECT throws_ok(format($$SELECT api.end_webhook_secret_overlap(%L, %L)$$, pg_temp.id('org_b'), pg_temp.ep_id()),
                 'PT404', NULL, 'nor can another organization''s admin, who does not see the endpoint');
RESET ROLE;
SELECT pg_temp.act_as('admin_a');
CREATE TEMP TABLE r5 AS SELECT api.end_webhook_secret_overlap(pg_temp.id('org_a'), pg_temp.ep_id()) AS e;
GRANT SELECT ON r5 TO PUBLIC;
SELECT ok((SELECT e -> 'previous_secret_until' = 'null'::jsonb AND NOT (e ? 'secret') FROM r5),
          'ending an overlap answers the endpoint with no overlap and no secret');
RESET ROLE;
SELECT results_eq(format($$SELECT secret, previous_secret, previous_secret_until FROM app.webhook_endpoints
                            WHERE id = %L$$, pg_temp.ep_id()),
                  format($$VALUES (%L::text, NULL::text, NULL::timestamptz)$$, (SELECT e ->> 'secret' FROM r4)),
                  'the old secret is forgotten at once and the new one keeps signing alone');
SELECT pg_temp.act_as('admin_a');
SELECT throws_ok(format($$SELECT api.end_webhook_secret_overlap(%L, %L)$$, pg_temp.id('org_a'),
                        pg_temp.id('d1')), 'PT404', NULL, 'an endpoint that does not exist is not found');
RESET ROLE;

SELECT throws_ok(format($$UPDATE app.webhook_endpoints SET previous_secret = secret,
                            previous_secret_until = now() + interval '1 hour' WHERE id = %L$$, pg_temp.ep_id()),
                 '23514', NULL, 'the previous secret can never be the current one');
SELECT is((SELECT count(*)::int FROM audit.log WHERE table_name = 'app.webhook_endpoints'
            AND row_id = pg_temp.ep_id()::text
            AND (new_values ? 'previous_secret' OR old_values ? 'previous_secret'
                 OR new_values ? 'secret' OR old_values ? 'secret')), 0,
          'the audit log holds neither secret');

SELECT * FROM finish();
ROLLBACK;
