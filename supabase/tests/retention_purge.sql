-- Retention: the worker's purge deletes finished messages (sent, skipped, dead) and finished webhook deliveries
-- (delivered, dead) older than the keep period, with their attempts, a bounded batch at a time; it never touches a
-- row still queued or being sent, nor a recent one; it forgets webhook secrets whose rotation overlap is over, not
-- one still signing; only the service may call it, with sane arguments.
BEGIN;
\ir setup.psql
SELECT plan(11);

\ir fixtures.psql
SELECT pg_temp.fresh('old_sent', 'old_skipped', 'old_dead', 'old_queued', 'new_sent', 'ep', 'old_hook', 'new_hook',
                     'old_hook_queued', 'ep_over', 'ep_overlap');

CREATE FUNCTION pg_temp.msg(p_name text, p_status text, p_created timestamptz) RETURNS void LANGUAGE sql AS $$
  INSERT INTO app.notifications_outbox (org_id, id, kind, recipient, channel, template, dedupe_key, status,
                                        created_at, next_attempt_at, sent_at)
  VALUES (pg_temp.id('org_a'), pg_temp.id(p_name), 'payment_received', 'ada@example.com', 'email',
          'payment_received', 'test:' || pg_temp.id(p_name), p_status, p_created, p_created,
          CASE WHEN p_status = 'sent' THEN p_created END)
$$;
SELECT pg_temp.msg('old_sent', 'sent', now() - interval '100 days');
SELECT pg_temp.msg('old_skipped', 'skipped', now() - interval '100 days');
SELECT pg_temp.msg('old_dead', 'dead', now() - interval '100 days');
SELECT pg_temp.msg('old_queued', 'queued', now() - interval '100 days');
SELECT pg_temp.msg('new_sent', 'sent', now() - interval '10 days');
INSERT INTO app.notification_attempts (org_id, message_id, attempt, worker, started_at, finished_at, outcome)
VALUES (pg_temp.id('org_a'), pg_temp.id('old_sent'), 1, 'w', now() - interval '100 days', now() - interval '100 days',
        'sent');
INSERT INTO app.webhook_endpoints (org_id, id, url, event_types, secret)
VALUES (pg_temp.id('org_a'), pg_temp.id('ep'), 'https://hooks.example.com/', '{booking.created}',
        private.webhook_secret());
INSERT INTO app.webhook_endpoints (org_id, id, url, event_types, secret, previous_secret, previous_secret_until)
VALUES (pg_temp.id('org_a'), pg_temp.id('ep_over'), 'https://hooks.example.com/a', '{booking.created}',
        private.webhook_secret(), private.webhook_secret(), now() - interval '1 minute'),
       (pg_temp.id('org_a'), pg_temp.id('ep_overlap'), 'https://hooks.example.com/b', '{booking.created}',
        private.webhook_secret(), private.webhook_secret(), now() + interval '1 hour');
INSERT INTO app.webhook_deliveries (org_id, id, endpoint_id, event_type, event_key, payload, status, delivered_at,
                                    created_at)
VALUES (pg_temp.id('org_a'), pg_temp.id('old_hook'), pg_temp.id('ep'), 'booking.created', 'test:old', '{}',
        'delivered', now() - interval '100 days', now() - interval '100 days'),
       (pg_temp.id('org_a'), pg_temp.id('new_hook'), pg_temp.id('ep'), 'booking.created', 'test:new', '{}',
        'delivered', now() - interval '1 day', now() - interval '1 day'),
       (pg_temp.id('org_a'), pg_temp.id('old_hook_queued'), pg_temp.id('ep'), 'booking.created', 'test:q', '{}',
        'queued', NULL, now() - interval '100 days');

SELECT pg_temp.act_as('owner_a');
SELECT throws_ok($$ SELECT private.purge_finished_messages('90 days', 100) $$, '42501', NULL,
                 'an owner may not call the purge');
RESET ROLE;
SELECT pg_temp.act_as('service_role');
SELECT throws_ok($$ SELECT private.purge_finished_messages('1 hour', 100) $$, 'PT400', NULL,
                 'a keep period under a day is refused');
SELECT throws_ok($$ SELECT private.purge_finished_messages('90 days', 0) $$, 'PT400', NULL,
                 'and a batch of nothing');
SELECT is(private.purge_finished_messages(NULL, 100), '{"messages": 0, "deliveries": 0, "expired_secrets": 1}',
          'with no keep period every message and delivery stays, and a secret whose overlap is over goes all the same');
SELECT is(private.purge_finished_messages('90 days', 2), '{"messages": 2, "deliveries": 1, "expired_secrets": 0}',
          'a batch deletes at most its limit');
SELECT is(private.purge_finished_messages('90 days', 100), '{"messages": 1, "deliveries": 0, "expired_secrets": 0}',
          'the next takes the rest');
SELECT is(private.purge_finished_messages('90 days', 100), '{"messages": 0, "deliveries": 0, "expired_secrets": 0}',
          'then nothing');
RESET ROLE;
SELECT set_eq($$ SELECT id FROM app.notifications_outbox WHERE id IN (pg_temp.id('old_sent'), pg_temp.id('old_skipped'),
                   pg_temp.id('old_dead'), pg_temp.id('old_queued'), pg_temp.id('new_sent')) $$,
              ARRAY[pg_temp.id('old_queued'), pg_temp.id('new_sent')],
              'old finished messages are gone; a queued one and a recent one stay');
SELECT is_empty($$ SELECT 1 FROM app.notification_attempts WHERE message_id = pg_temp.id('old_sent') $$,
                'with their attempts');
SELECT set_eq($$ SELECT id FROM app.webhook_deliveries WHERE endpoint_id = pg_temp.id('ep') $$,
              ARRAY[pg_temp.id('new_hook'), pg_temp.id('old_hook_queued')],
              'an old delivered webhook is gone; a queued one and a recent one stay');
SELECT results_eq($$ SELECT id, previous_secret IS NOT NULL, previous_secret_until IS NOT NULL
                      FROM app.webhook_endpoints WHERE id IN (pg_temp.id('ep_over'), pg_temp.id('ep_overlap'))
                     ORDER BY id = pg_temp.id('ep_over') $$,
                  $$ VALUES (pg_temp.id('ep_overlap'), true, true), (pg_temp.id('ep_over'), false, false) $$,
                  'a secret whose overlap is over is forgotten; one still signing is kept');

SELECT * FROM finish();
ROLLBACK;
