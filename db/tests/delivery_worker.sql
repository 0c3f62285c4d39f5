-- The worker's side of the outbox: a claim takes due messages and expired leases only (a live lease, a message not
-- due yet and an ended one stay), answers each with its template, formatting and tickets, and skips what
-- message_wanted refuses; only the lease's holder records the outcome; a failure backs off (exponential, full
-- jitter, capped) and the eighth ends dead, as does a permanent one or a lease lost on the last attempt; every
-- attempt leaves a row. Only the service may do any of it. (That concurrent claims skip each other's rows is proven
-- on two connections: tests/test_notify_claims.py.)
BEGIN;
\ir setup.psql
SELECT plan(40);

\ir fixtures.psql
SELECT pg_temp.shop();
UPDATE app.experiences SET requires_payment = false WHERE id = pg_temp.id('quiz');
UPDATE app.org_settings SET currency = 'GBP' WHERE org_id = pg_temp.id('org_a');
SELECT pg_temp.fresh('due', 'later', 'held', 'expired', 'unwanted', 'ticketed', 'last', 'lost_last', 'inbox',
                     'permanent', 'released');

-- Rows of the test alone, due (or leased) since 2000 so that they come before anything else the database holds.
CREATE FUNCTION pg_temp.msg(p_name text, p_kind text, p_data jsonb, p_channel text DEFAULT 'email')
RETURNS void LANGUAGE sql AS $$
  INSERT INTO app.notifications_outbox (org_id, id, kind, recipient, channel, template, data, dedupe_key,
                                        next_attempt_at, user_id)
  VALUES (pg_temp.id('org_a'), pg_temp.id(p_name), p_kind, 'ada@example.com', p_channel, p_kind, p_data,
          'test:' || pg_temp.id(p_name), '2000-01-01', CASE WHEN p_channel = 'in_app' THEN pg_temp.id('staff_a') END)
$$;
INSERT INTO app.notification_templates (org_id, kind, channel, locale, subject, html, body) VALUES
  (pg_temp.id('org_a'), 'payment_received', 'email', 'en', 'Paid {{ org.name }}', '<p>Paid</p>', 'Paid'),
  (pg_temp.id('org_a'), 'booking_confirmed', 'email', 'en', 'Booked', '<p>Booked</p>', 'Booked');

SELECT pg_temp.act_as('staff_a');
CREATE TEMP TABLE quiz AS SELECT id FROM api.create_booking(pg_temp.id('quiz'), (SELECT at_19 FROM day),
  'bob@example.com', tickets => pg_temp.tickets('standard', 2));
RESET ROLE;

SELECT pg_temp.msg('due', 'payment_received', '{"timezone": "Europe/London", "org": {"name": "A"}}');
SELECT pg_temp.msg('later', 'payment_received', '{}');
UPDATE app.notifications_outbox SET next_attempt_at = now() + interval '1 minute' WHERE id = pg_temp.id('later');
SELECT pg_temp.msg('held', 'payment_received', '{}');
UPDATE app.notifications_outbox SET status = 'sending', claimed_by = 'other', attempts = 1,
       claimed_until = now() + interval '1 minute' WHERE id = pg_temp.id('held');
SELECT pg_temp.msg('expired', 'payment_received', '{"currency": "EUR"}');
UPDATE app.notifications_outbox SET status = 'sending', claimed_by = 'ghost', attempts = 1, claimed_at = '2000-01-01',
       claimed_until = '2000-01-01 00:01' WHERE id = pg_temp.id('expired');
SELECT pg_temp.msg('unwanted', 'payment_received', '{"test_unwanted": true}');
SELECT pg_temp.msg('ticketed', 'booking_confirmed', jsonb_build_object('booking', jsonb_build_object(
  'id', (SELECT id FROM quiz))));
SELECT pg_temp.msg('inbox', 'payment_received', '{}', 'in_app');
-- A kind and channel without a template, for the claim's answer of no parts: Tessera's default is taken away here.
DELETE FROM app.default_templates WHERE kind = 'payment_received' AND channel = 'in_app';
SELECT pg_temp.msg('permanent', 'payment_received', '{}');

-- message_wanted belongs to the messages area; for this test it refuses messages carrying test_unwanted.
CREATE OR REPLACE FUNCTION private.message_wanted(p_message app.notifications_outbox)
RETURNS text LANGUAGE sql STABLE SET search_path = ''
AS $$ SELECT CASE WHEN p_message.data ? 'test_unwanted' THEN 'test_reason' END $$;

SELECT pg_temp.act_as('anon');
SELECT throws_ok($$SELECT * FROM private.claim_messages('w1', 10, '1 minute')$$, '42501', NULL,
                 'anon may not take messages');
SELECT pg_temp.act_as('staff_a');
SELECT throws_ok($$SELECT * FROM private.claim_messages('w1', 10, '1 minute')$$, '42501', NULL,
                 'nor may staff');
SELECT pg_temp.act_as('service_role');
SELECT throws_ok($$SELECT * FROM private.claim_messages('w1', 0, '1 minute')$$, 'PT400', NULL,
                 'a limit below 1 is refused');
SELECT throws_ok($$SELECT * FROM private.claim_messages('w1', 10, '2 hours')$$, 'PT400', NULL,
                 'a lease over an hour is refused');
SELECT is((SELECT count(*)::int FROM private.claim_messages('w0', 1000, '1 minute', ARRAY['sms']) c
             JOIN fx f ON f.id = c.id), 0, 'a worker takes only the channels it delivers');
CREATE TEMP TABLE claimed AS SELECT * FROM private.claim_messages('w1', 1000, '5 minutes');
RESET ROLE;

SELECT set_eq($$SELECT f.name FROM claimed c JOIN fx f ON f.id = c.id$$,
              ARRAY['due', 'expired', 'ticketed', 'inbox', 'permanent'],
              'a claim answers due messages and expired leases, not a live lease, a message not due, a skipped one');
SELECT is((SELECT count(*)::int FROM app.notifications_outbox o JOIN fx f ON f.id = o.id
            WHERE f.name IN ('due', 'expired', 'ticketed', 'inbox', 'permanent')
              AND o.status = 'sending' AND o.claimed_by = 'w1' AND o.claimed_until = now() + interval '5 minutes'
              AND o.claimed_at = now()), 5, 'each is sending under w1''s lease, taken now');
SELECT is((SELECT attempts FROM claimed WHERE id = pg_temp.id('due')), 1, 'a first claim is attempt 1');
SELECT is((SELECT attempts FROM claimed WHERE id = pg_temp.id('expired')), 2, 'a reclaimed lease is one more');
SELECT results_eq($$SELECT worker, attempt::int, outcome, started_at FROM app.notification_attempts
                     WHERE message_id = pg_temp.id('expired')$$,
                  $$VALUES ('ghost', 1, 'retry', '2000-01-01'::timestamptz)$$,
                  'the lost attempt of the worker whose lease ran out is recorded, as a retry');
SELECT is((SELECT status FROM app.notifications_outbox WHERE id = pg_temp.id('held')), 'sending',
          'a live lease is left to its holder');
SELECT is((SELECT row(status, attempts, last_error)::text FROM app.notifications_outbox WHERE id = pg_temp.id('unwanted')),
          row('skipped', 1, 'test_reason')::text, 'a message no longer wanted is skipped with the reason');
SELECT results_eq($$SELECT worker, outcome, error FROM app.notification_attempts WHERE message_id = pg_temp.id('unwanted')$$,
                  $$VALUES ('w1', 'skipped', 'test_reason')$$, 'and its attempt says so');
SELECT results_eq($$SELECT subject, body, template_locale, timezone, currency, org_name FROM claimed
                     WHERE id = pg_temp.id('due')$$,
                  $$VALUES ('Paid {{ org.name }}', 'Paid', 'en', 'Europe/London', 'GBP', 'Org A')$$,
                  'the answer carries the organization''s template, the data''s zone, the organization''s currency and name');
SELECT results_eq($$SELECT timezone, currency FROM claimed WHERE id = pg_temp.id('expired')$$,
                  $$VALUES ('UTC', 'EUR')$$, 'UTC without a zone; the data''s currency over the organization''s');
SELECT is((SELECT subject FROM claimed WHERE id = pg_temp.id('inbox')), NULL, 'a kind without a template answers no parts');
SELECT is((SELECT jsonb_array_length(tickets) FROM claimed WHERE id = pg_temp.id('ticketed')), 2,
          'a booking confirmation carries its live tickets');
SELECT set_eq($$SELECT t ->> 'payload' FROM claimed, jsonb_array_elements(tickets) t WHERE id = pg_temp.id('ticketed')$$,
              $$SELECT private.ticket_payload(k) FROM app.tickets k WHERE k.booking_id = (SELECT id FROM quiz)$$,
              'with the QR payloads the tickets sign');
SELECT is((SELECT tickets FROM claimed WHERE id = pg_temp.id('due')), '[]'::jsonb, 'other kinds carry none');

-- Reporting back.
SELECT pg_temp.act_as('service_role');
SELECT is(private.complete_message(pg_temp.id('due'), 'w2', 'x'), false, 'a worker without the lease records nothing');
SELECT is(private.complete_message(pg_temp.id('due'), 'w1', '<due@test>', 'ignored', 'ignored'), true,
          'the lease holder records the delivery');
SELECT is(private.complete_message(pg_temp.id('due'), 'w1', '<due@test>'), false, 'once');
SELECT is(private.complete_message(pg_temp.id('inbox'), 'w1', NULL, 'Title', 'Text'), true, 'an in-app one too');
SELECT is(private.fail_message(pg_temp.id('held'), 'w1', 'boom', false), NULL,
          'a failure is not recorded by a worker without the lease');
SELECT is(private.fail_message(pg_temp.id('expired'), 'w1', 'smtp down', false), 'queued', 'a failure queues it again');
SELECT is(private.fail_message(pg_temp.id('permanent'), 'w1', 'mailbox does not exist', true), 'dead',
          'a permanent failure is dead at once');
RESET ROLE;

SELECT results_eq($$SELECT status, provider_message_id, sent_at = now(), claimed_until, rendered_body
                     FROM app.notifications_outbox WHERE id = pg_temp.id('due')$$,
                  $$VALUES ('sent', '<due@test>', true, NULL::timestamptz, NULL::text)$$,
                  'sent: the provider''s id kept, the lease ended, no rendered copy of an e-mail');
SELECT results_eq($$SELECT outcome, provider_message_id, worker FROM app.notification_attempts
                     WHERE message_id = pg_temp.id('due')$$, $$VALUES ('sent', '<due@test>', 'w1')$$,
                  'with its attempt');
SELECT results_eq($$SELECT rendered_subject, rendered_body FROM app.notifications_outbox WHERE id = pg_temp.id('inbox')$$,
                  $$VALUES ('Title', 'Text')$$, 'an in-app message keeps its rendered title and text');
SELECT ok((SELECT status = 'queued' AND next_attempt_at BETWEEN now() AND now() + interval '60 seconds'
                  AND last_error = 'smtp down' AND claimed_until IS NULL
             FROM app.notifications_outbox WHERE id = pg_temp.id('expired')),
          'a failed second attempt waits at most 60 s (full jitter) with its error');
SELECT results_eq($$SELECT attempt::int, outcome FROM app.notification_attempts WHERE message_id = pg_temp.id('expired')
                     ORDER BY attempt$$, $$VALUES (1, 'retry'), (2, 'retry')$$, 'both attempts recorded');
SELECT results_eq($$SELECT status, last_error FROM app.notifications_outbox WHERE id = pg_temp.id('permanent')$$,
                  $$VALUES ('dead', 'mailbox does not exist')$$, 'dead with the provider''s reason');

-- The backoff: ceilings 30 s doubling, at most an hour; the wait is drawn under it.
SELECT results_eq($$SELECT private.message_backoff(n, 1) FROM unnest(ARRAY[1, 2, 3, 4, 8, 100]) n$$,
                  $$VALUES ('30 s'::interval), ('60 s'), ('120 s'), ('240 s'), ('1 hour'), ('1 hour')$$,
                  'the ceiling doubles from 30 s and stops at an hour');
SELECT is(private.message_backoff(3, 0.5), '60 s'::interval, 'the jitter scales it');

-- The eighth attempt is the last.
SELECT pg_temp.msg('last', 'payment_received', '{}');
UPDATE app.notifications_outbox SET attempts = 7 WHERE id = pg_temp.id('last');
SELECT pg_temp.msg('lost_last', 'payment_received', '{}');
UPDATE app.notifications_outbox SET status = 'sending', claimed_by = 'ghost', attempts = 8, claimed_at = '2000-01-01',
       claimed_until = '2000-01-01 00:01' WHERE id = pg_temp.id('lost_last');
SELECT pg_temp.msg('released', 'payment_received', '{}');
UPDATE app.notifications_outbox SET next_attempt_at = 'infinity' WHERE id = pg_temp.id('released');
SELECT pg_temp.act_as('service_role');
CREATE TEMP TABLE again AS SELECT * FROM private.claim_messages('w3', 1000, '1 minute');
SELECT is(private.fail_message(pg_temp.id('last'), 'w3', 'still down', false), 'dead', 'the eighth failure is dead');
RESET ROLE;
UPDATE app.notifications_outbox SET next_attempt_at = '2000-01-01' WHERE id = pg_temp.id('released');
SELECT pg_temp.act_as('service_role');
CREATE TEMP TABLE third AS SELECT * FROM private.claim_messages('w4', 1000, '1 minute');
SELECT is(private.release_messages(ARRAY[pg_temp.id('released'), pg_temp.id('held')], 'w4'), 1,
          'a worker gives back only what it holds');
RESET ROLE;
SELECT results_eq($$SELECT status, attempts::int, claimed_until, next_attempt_at = now()
                     FROM app.notifications_outbox WHERE id = pg_temp.id('released')$$,
                  $$VALUES ('queued', 0, NULL::timestamptz, true)$$,
                  'a message given back untried is due again at once, without the attempt');
SELECT is((SELECT attempts::int FROM again WHERE id = pg_temp.id('last')), 8, 'it was the eighth attempt');
SELECT results_eq($$SELECT attempt::int, outcome FROM app.notification_attempts WHERE message_id = pg_temp.id('last')$$,
                  $$VALUES (8, 'dead')$$, 'its attempt says dead');
SELECT ok(NOT EXISTS (SELECT FROM again WHERE id = pg_temp.id('lost_last'))
          AND (SELECT status FROM app.notifications_outbox WHERE id = pg_temp.id('lost_last')) = 'dead',
          'a lease lost on the last attempt is dead, not sent again');

SELECT * FROM finish();
ROLLBACK;
