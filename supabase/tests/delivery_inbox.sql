-- What people see of delivery: managers and up list their organization's dead messages (never another's; staff
-- may not), page through them, and queue one again (attempts kept); a signed-in account reads its own delivered
-- in-app notifications, newest first, page by page, and marks only its own read.
BEGIN;
\ir setup.psql
SELECT plan(24);

\ir fixtures.psql
SELECT pg_temp.fresh('dead_1', 'dead_2', 'dead_b', 'queued_a', 'note_1', 'note_2', 'note_m', 'note_queued');

CREATE FUNCTION pg_temp.msg(p_name text, p_org text, p_status text, p_created timestamptz,
                            p_user text DEFAULT NULL)
RETURNS void LANGUAGE sql AS $$
  INSERT INTO app.notifications_outbox (org_id, id, kind, recipient, channel, template, dedupe_key, status,
                                        attempts, last_error, created_at, next_attempt_at, user_id, sent_at,
                                        rendered_subject, rendered_body)
  VALUES (pg_temp.id(p_org), pg_temp.id(p_name), 'payment_received', 'ada@example.com',
          CASE WHEN p_user IS NULL THEN 'email' ELSE 'in_app' END, 'payment_received', 'test:' || pg_temp.id(p_name),
          p_status, CASE WHEN p_status = 'dead' THEN 8 ELSE 0 END,
          CASE WHEN p_status = 'dead' THEN 'mailbox full' END, p_created, p_created,
          CASE WHEN p_user IS NOT NULL THEN pg_temp.id(p_user) END,
          CASE WHEN p_status = 'sent' THEN p_created END,
          CASE WHEN p_user IS NOT NULL THEN 'Title ' || p_name END, CASE WHEN p_user IS NOT NULL THEN 'Body' END)
$$;
SELECT pg_temp.msg('dead_1', 'org_a', 'dead', now() - interval '2 hours');
SELECT pg_temp.msg('dead_2', 'org_a', 'dead', now() - interval '1 hour');
SELECT pg_temp.msg('dead_b', 'org_b', 'dead', now() - interval '1 hour');
SELECT pg_temp.msg('queued_a', 'org_a', 'queued', now());
SELECT pg_temp.msg('note_1', 'org_a', 'sent', now() - interval '2 minutes', 'staff_a');
SELECT pg_temp.msg('note_2', 'org_b', 'sent', now() - interval '1 minute', 'staff_a');
SELECT pg_temp.msg('note_m', 'org_a', 'sent', now(), 'manager_a');
SELECT pg_temp.msg('note_queued', 'org_a', 'queued', now(), 'staff_a');

-- The dead letter.
SELECT pg_temp.act_as('manager_a');
SELECT set_eq($$SELECT f.name FROM api.list_failed_messages(pg_temp.id('org_a')) m JOIN fx f ON f.id = m.id$$,
              ARRAY['dead_1', 'dead_2'], 'a manager lists the organization''s dead messages, and only those');
SELECT results_eq($$SELECT attempts, last_error FROM api.list_failed_messages(pg_temp.id('org_a'))
                     WHERE id = pg_temp.id('dead_1')$$, $$VALUES (8, 'mailbox full')$$,
                  'each with its attempts and last error');
CREATE TEMP TABLE page1 AS SELECT * FROM api.list_failed_messages(pg_temp.id('org_a'), page_size => 1);
SELECT is((SELECT id FROM page1), pg_temp.id('dead_2'), 'newest first, a page at a time');
SELECT is((SELECT id FROM api.list_failed_messages(pg_temp.id('org_a'), before => (SELECT cursor FROM page1),
                                                     page_size => 1)), pg_temp.id('dead_1'),
          'the next page starts after the last row''s cursor');
SELECT throws_ok($$SELECT * FROM api.list_failed_messages(pg_temp.id('org_a'), before => 'nonsense')$$, 'PT400',
                 NULL, 'a cursor it did not answer is refused');
SELECT throws_ok($$SELECT * FROM api.list_failed_messages(pg_temp.id('org_a'), page_size => 0)$$, 'PT400', NULL,
                 'a page of nothing is refused');
SELECT throws_ok($$SELECT * FROM api.list_failed_messages(pg_temp.id('org_b'))$$, 'PT404', NULL,
                 'another organization''s dead letter does not exist for a manager');
SELECT pg_temp.act_as('staff_a');
SELECT throws_ok($$SELECT * FROM api.list_failed_messages(pg_temp.id('org_a'))$$, 'PT403', NULL,
                 'staff may not list failed messages');
SELECT throws_ok($$SELECT api.retry_message(pg_temp.id('org_a'), pg_temp.id('dead_1'))$$, 'PT403', NULL,
                 'nor retry one');
SELECT pg_temp.act_as('admin_b');
SELECT set_eq($$SELECT id FROM api.list_failed_messages(pg_temp.id('org_b'))$$, ARRAY[pg_temp.id('dead_b')],
              'organization B''s admin sees B''s alone');
SELECT throws_ok($$SELECT api.retry_message(pg_temp.id('org_b'), pg_temp.id('dead_1'))$$, 'PT404', NULL,
                 'and cannot retry A''s message through B');
SELECT pg_temp.act_as('manager_a');
SELECT is(api.retry_message(pg_temp.id('org_a'), pg_temp.id('dead_1')) - 'next_attempt_at',
          jsonb_build_object('id', pg_temp.id('dead_1'), 'status', 'queued', 'attempts', 8),
          'a manager queues a dead message again, its attempts kept');
SELECT throws_ok($$SELECT api.retry_message(pg_temp.id('org_a'), pg_temp.id('dead_1'))$$, 'PT409', NULL,
                 'a message that is not dead cannot be retried');
SELECT throws_ok($$SELECT api.retry_message(pg_temp.id('org_a'), pg_temp.id('dead_b'))$$, 'PT404', NULL,
                 'another organization''s message does not exist for it');
RESET ROLE;
SELECT results_eq($$SELECT status, next_attempt_at = now() FROM app.notifications_outbox WHERE id = pg_temp.id('dead_1')$$,
                  $$VALUES ('queued', true)$$, 'the retried message is due now');

-- The inbox.
SELECT pg_temp.act_as('staff_a');
SELECT results_eq($$SELECT id, title, read FROM api.my_notifications()$$,
                  $$VALUES (pg_temp.id('note_2'), 'Title note_2', false), (pg_temp.id('note_1'), 'Title note_1', false)$$,
                  'an account reads its own delivered notifications, from every organization, newest first, unread');
SELECT is((SELECT id FROM api.my_notifications(before => (SELECT cursor FROM api.my_notifications(page_size => 1)))),
          pg_temp.id('note_1'), 'page by page');
SELECT throws_ok($$SELECT api.mark_notifications_read('{}')$$, 'PT400', NULL, 'marking nothing is refused');
SELECT throws_ok(format('SELECT api.mark_notifications_read(%L)',
                        (SELECT array_agg(gen_random_uuid()) FROM generate_series(1, 201)))::text, 'PT400', NULL,
                 'and so are over 200 ids');
SELECT is(api.mark_notifications_read(ARRAY[pg_temp.id('note_1'), pg_temp.id('note_m'), pg_temp.id('note_queued')]),
          1, 'marking counts only the caller''s own delivered ones');
SELECT is(api.mark_notifications_read(ARRAY[pg_temp.id('note_1')]), 0, 'once');
SELECT results_eq($$SELECT id, read FROM api.my_notifications()$$,
                  $$VALUES (pg_temp.id('note_2'), false), (pg_temp.id('note_1'), true)$$, 'it reads as read');
SELECT pg_temp.act_as('manager_a');
SELECT results_eq($$SELECT id, read FROM api.my_notifications()$$, $$VALUES (pg_temp.id('note_m'), false)$$,
                  'another account''s notification was not marked, and it sees only its own');
SELECT pg_temp.act_as('anon');
SELECT throws_ok($$SELECT * FROM api.my_notifications()$$, '42501', NULL, 'anon has no inbox');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
