-- The sender's side: only the service claims and records; a claim takes due deliveries of enabled endpoints with
-- the URL and secret to sign with; a failure backs off (half to all of min(12 h, 30 s * 2^(n-1))) and the 12th is
-- dead, as is a permanent one; every attempt is a row; success clears the endpoint's failure count; 20 failures in
-- a row (or a day of failing) disable the endpoint and queue a webhook_endpoint_disabled message to each admin and
-- owner, by e-mail and in-app, and so does a single 410 Gone; a dead delivery is retried by an admin.
BEGIN;
\ir setup.psql
SELECT plan(30);
\ir fixtures.psql
SELECT pg_temp.fresh('ep', 'ep2', 'd1', 'd2', 'd3');
INSERT INTO app.webhook_endpoints (org_id, id, url, event_types, secret) VALUES
  (pg_temp.id('org_a'), pg_temp.id('ep'), 'https://a.example.com/', '{booking.created}', private.webhook_secret()),
  (pg_temp.id('org_a'), pg_temp.id('ep2'), 'https://b.example.com/', '{booking.created}', private.webhook_secret());
INSERT INTO app.webhook_deliveries (org_id, id, endpoint_id, event_type, event_key, payload, next_attempt_at) VALUES
  (pg_temp.id('org_a'), pg_temp.id('d1'), pg_temp.id('ep'), 'booking.created', 'test:d1', '{"type": "booking.created"}', '2000-01-01'),
  (pg_temp.id('org_a'), pg_temp.id('d2'), pg_temp.id('ep2'), 'booking.created', 'test:d2', '{"type": "booking.created"}', '2000-01-01'),
  (pg_temp.id('org_a'), pg_temp.id('d3'), pg_temp.id('ep2'), 'booking.created', 'test:d3', '{"type": "booking.created"}', now() + interval '1 hour');

SELECT pg_temp.act_as('admin_a');
SELECT throws_ok($$SELECT * FROM private.claim_webhook_deliveries('w', 10, '1 minute')$$, '42501', NULL,
                 'an admin may not claim deliveries');
SELECT pg_temp.act_as('service_role');
CREATE TEMP TABLE c1 AS SELECT * FROM private.claim_webhook_deliveries('w', 2, '1 minute');
SELECT is((SELECT count(*)::int FROM c1 WHERE id IN (pg_temp.id('d1'), pg_temp.id('d2'))), 2,
          'the service claims the due deliveries, oldest first');
SELECT is((SELECT url FROM c1 WHERE id = pg_temp.id('d1')), 'https://a.example.com/', 'with the endpoint''s URL');
SELECT ok((SELECT secret LIKE 'whsec_%' AND webhook_id LIKE 'msg_%' AND attempts = 1 FROM c1 WHERE id = pg_temp.id('d1')),
          'its secret, the webhook id and the attempt number');
SELECT is((SELECT count(*)::int FROM private.claim_webhook_deliveries('w2', 10, '1 minute')
            WHERE id IN (pg_temp.id('d1'), pg_temp.id('d2'), pg_temp.id('d3'))), 0,
          'a second claim takes neither leased nor not-yet-due deliveries');
SELECT is(private.fail_webhook_delivery(pg_temp.id('d1'), 'w2', 500, 'x', 5, false), NULL,
          'only the lease''s holder records');
SELECT is(private.complete_webhook_delivery(pg_temp.id('d2'), 'w', 200, 12), true, 'a delivery is completed');
SELECT is(private.fail_webhook_delivery(pg_temp.id('d1'), 'w', 500, 'HTTP 500', 40, false), 'queued',
          'a failure is queued again');
RESET ROLE;
SELECT ok((SELECT next_attempt_at BETWEEN now() + interval '15 seconds' AND now() + interval '30 seconds'
             FROM app.webhook_deliveries WHERE id = pg_temp.id('d1')),
          'after the first failure it waits 15 to 30 seconds');
SELECT is((SELECT array_agg(outcome || ':' || coalesce(status_code::text, '-') ORDER BY attempt)
             FROM app.webhook_attempts WHERE delivery_id = pg_temp.id('d1')), '{retry:500}',
          'the attempt is recorded with its status code');
SELECT is((SELECT consecutive_failures FROM app.webhook_endpoints WHERE id = pg_temp.id('ep')), 1,
          'the failure counts against the endpoint');
SELECT is((SELECT status || ':' || (delivered_at IS NOT NULL) FROM app.webhook_deliveries WHERE id = pg_temp.id('d2')),
          'delivered:true', 'the completed one is delivered');
SELECT ok(private.webhook_backoff(12, 1) = interval '12 hours' AND private.webhook_backoff(3, 0) = interval '60 seconds',
          'the backoff doubles from 30 s, at most 12 hours, never under half its ceiling');

-- Attempts 2 to 12 fail: the 12th is dead.
CREATE FUNCTION pg_temp.fail_once(p_delivery uuid) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  s text;
BEGIN
  UPDATE app.webhook_deliveries SET next_attempt_at = '2000-01-01' WHERE id = p_delivery AND status = 'queued';
  PERFORM pg_temp.act_as('service_role');
  -- Every due delivery, so that this one is among them whichever order ties are claimed in (what the claim
  -- takes and leaves is pinned above); the others stay leased to this same worker, which may fail them next.
  PERFORM 1 FROM private.claim_webhook_deliveries('w', 100, '1 minute');
  s := private.fail_webhook_delivery(p_delivery, 'w', NULL, 'connection refused', 3, false);
  RESET ROLE;
  RETURN s;
END
$$;
SELECT is((SELECT array_agg(pg_temp.fail_once(pg_temp.id('d1'))) FROM generate_series(2, 12)),
          array_fill('queued'::text, ARRAY[10]) || 'dead'::text, 'retried up to 12 attempts, then dead');
SELECT is((SELECT count(*)::int FROM app.webhook_attempts WHERE delivery_id = pg_temp.id('d1')), 12,
          'every attempt has its row');
SELECT is((SELECT enabled FROM app.webhook_endpoints WHERE id = pg_temp.id('ep')), true,
          '12 failures in a row do not disable the endpoint yet');

SELECT pg_temp.act_as('admin_a');
SELECT is((SELECT d ->> 'status' FROM api.list_webhook_deliveries(pg_temp.id('org_a'), pg_temp.id('ep'), 'dead') d
            WHERE d ->> 'id' = pg_temp.id('d1')::text), 'dead', 'admins see the dead delivery');
SELECT is(api.retry_webhook_delivery(pg_temp.id('org_a'), pg_temp.id('d1')) ->> 'status', 'queued',
          'and retry it');
SELECT throws_ok(format($$SELECT api.retry_webhook_delivery(%L, %L)$$, pg_temp.id('org_a'), pg_temp.id('d2')),
                 'PT409', NULL, 'a delivered one cannot be retried');
RESET ROLE;

-- More failures: the 20th in a row disables the endpoint and tells its admins.
INSERT INTO app.webhook_deliveries (org_id, endpoint_id, event_type, event_key, payload, next_attempt_at)
SELECT pg_temp.id('org_a'), pg_temp.id('ep'), 'booking.created', 'test:more:' || i, '{}', '2000-01-01'
  FROM generate_series(1, 7) i;
SELECT pg_temp.fail_once(id) FROM app.webhook_deliveries WHERE endpoint_id = pg_temp.id('ep') AND event_key LIKE 'test:more:%';
SELECT is((SELECT consecutive_failures || ':' || enabled FROM app.webhook_endpoints WHERE id = pg_temp.id('ep')), '19:true',
          '19 failures in a row: still enabled');
SELECT is(pg_temp.fail_once(pg_temp.id('d1')), 'dead', 'one more failure');
SELECT ok((SELECT NOT enabled AND disabled_at IS NOT NULL AND disabled_reason LIKE 'failed 20 times in a row%'
             FROM app.webhook_endpoints WHERE id = pg_temp.id('ep')), 'the 20th failure in a row disables the endpoint');
SELECT is((SELECT array_agg(o.channel || ':' || o.recipient ORDER BY o.channel, o.recipient)
             FROM app.notifications_outbox o WHERE o.org_id = pg_temp.id('org_a') AND o.kind = 'webhook_endpoint_disabled'
              AND o.data -> 'endpoint' ->> 'id' = pg_temp.id('ep')::text),
          (SELECT array_agg(ch || ':' || u.email ORDER BY ch, u.email)
             FROM app.memberships m JOIN auth.users u ON u.id = m.user_id, unnest(ARRAY['email', 'in_app']) ch
            WHERE m.org_id = pg_temp.id('org_a') AND m.role >= 'admin'),
          'each admin and owner gets an e-mail and an in-app message');
SELECT is((SELECT data -> 'endpoint' ->> 'failures' FROM app.notifications_outbox o
            WHERE o.org_id = pg_temp.id('org_a') AND o.kind = 'webhook_endpoint_disabled' AND o.channel = 'email'
              AND o.data -> 'endpoint' ->> 'id' = pg_temp.id('ep')::text LIMIT 1), '20',
          'the message says how many failures (the data of the kind''s templates)');
SELECT is((SELECT count(*)::int FROM private.claim_webhook_deliveries('w', 50, '1 minute')
            WHERE endpoint_id = pg_temp.id('ep')), 0, 'a disabled endpoint''s deliveries are not claimed');

-- An endpoint that has been failing for a day is disabled by its next failure, however few the attempts.
UPDATE app.webhook_endpoints SET consecutive_failures = 3, failing_since = now() - interval '25 hours'
 WHERE id = pg_temp.id('ep2');
SELECT is(pg_temp.fail_once(pg_temp.id('d3')), 'queued', 'a failure after a day of failing');
SELECT ok((SELECT NOT enabled AND disabled_reason LIKE 'failed 4 times in a row%' FROM app.webhook_endpoints
            WHERE id = pg_temp.id('ep2')), 'disables the endpoint too');

-- 410 Gone at the first failure: that delivery is dead, the endpoint disabled at once and its admins told.
SELECT pg_temp.fresh('ep3', 'd4', 'd5');
INSERT INTO app.webhook_endpoints (org_id, id, url, event_types, secret) VALUES
  (pg_temp.id('org_a'), pg_temp.id('ep3'), 'https://c.example.com/', '{booking.created}', private.webhook_secret());
INSERT INTO app.webhook_deliveries (org_id, id, endpoint_id, event_type, event_key, payload, next_attempt_at) VALUES
  (pg_temp.id('org_a'), pg_temp.id('d4'), pg_temp.id('ep3'), 'booking.created', 'test:d4', '{}', '2000-01-01'),
  (pg_temp.id('org_a'), pg_temp.id('d5'), pg_temp.id('ep3'), 'booking.created', 'test:d5', '{}', '2000-01-01');
SELECT pg_temp.act_as('service_role');
SELECT is((SELECT count(*)::int FROM private.claim_webhook_deliveries('w', 100, '1 minute')
            WHERE endpoint_id = pg_temp.id('ep3')), 2, 'both deliveries of a third endpoint are claimed');
SELECT is(private.fail_webhook_delivery(pg_temp.id('d4'), 'w', 410, 'HTTP 410', 7, false), 'dead',
          'a 410 Gone is dead at once');
RESET ROLE;
SELECT is((SELECT enabled || ':' || disabled_reason || ':' || (SELECT count(*) FROM app.notifications_outbox o
                   WHERE o.kind = 'webhook_endpoint_disabled' AND o.data -> 'endpoint' ->> 'id' = e.id::text)
             FROM app.webhook_endpoints e WHERE e.id = pg_temp.id('ep3')),
          'false:the receiver answered 410 Gone: it wants no more deliveries:'
            || (SELECT 2 * count(*) FROM app.memberships m JOIN auth.users u ON u.id = m.user_id
                 WHERE m.org_id = pg_temp.id('org_a') AND m.role >= 'admin' AND u.email IS NOT NULL),
          'and disables its endpoint after one failure, telling each admin by e-mail and in-app');

SELECT * FROM finish();
ROLLBACK;
