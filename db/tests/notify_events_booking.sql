-- A booking's changes queue its customer's e-mail in their own transaction, once each: confirmed, cancelled, expired
-- (a hold that ran out), rescheduled; the session's reminder, due the organization's lead before the start on the
-- venue's wall clock, is queued by the worker's sweep when that time comes, for each start the booking has had. A rolled-back change queues nothing, and the same
-- event seen twice queues one message. A real message's data has exactly the keys of its kind's sample.
BEGIN;
\ir setup.psql
SELECT plan(27);

\ir fixtures.psql
SELECT pg_temp.shop();
-- Every key path of a JSON object (objects only; values are leaves): what a template can name.
CREATE FUNCTION pg_temp.paths(p jsonb, p_prefix text DEFAULT '') RETURNS SETOF text LANGUAGE sql IMMUTABLE AS $$
  SELECT p_prefix || e.key FROM jsonb_each(p) e
  UNION ALL
  SELECT pg_temp.paths(e.value, p_prefix || e.key || '.') FROM jsonb_each(p) e WHERE jsonb_typeof(e.value) = 'object'
$$;
-- A confirmation's tickets are the worker's to add when it sends (the sample shows them to templates).
CREATE FUNCTION pg_temp.same_keys(p_data jsonb, p_kind text) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT array(SELECT pg_temp.paths(p_data) ORDER BY 1)
       = array(SELECT pg_temp.paths(k.sample_data - 'tickets') ORDER BY 1)
    FROM app.notification_kinds k WHERE k.kind = p_kind
$$;
CREATE FUNCTION pg_temp.messages(p_booking uuid, p_kind text) RETURNS int LANGUAGE sql STABLE AS $$
  SELECT count(*)::int FROM app.notifications_outbox o
   WHERE o.org_id = pg_temp.id('org_a') AND o.kind = p_kind AND o.data -> 'booking' ->> 'id' = p_booking::text
$$;

SELECT pg_temp.act_as('staff_a');
CREATE TEMP TABLE b AS
SELECT (api.create_booking(pg_temp.id('vault'), (SELECT at_19 FROM day), 'ada@example.com', 2,
                           customer_name => 'Ada Lovelace')).id;
RESET ROLE;
SELECT is((SELECT count(*)::int FROM app.notifications_outbox WHERE data -> 'booking' ->> 'id' = (SELECT id FROM b)::text),
          0, 'a held booking (pending payment) queues nothing yet');

-- A confirmation rolled back leaves no message.
SAVEPOINT before_confirm;
SELECT pg_temp.act_as('staff_a');
SELECT api.confirm_booking((SELECT id FROM b));
RESET ROLE;
ROLLBACK TO SAVEPOINT before_confirm;
SELECT is((SELECT count(*)::int FROM app.notifications_outbox WHERE data -> 'booking' ->> 'id' = (SELECT id FROM b)::text),
          0, 'a confirmation rolled back leaves no message');

-- The same event seen twice (a second trigger running the same function) still queues one message.
CREATE TRIGGER zz_notify_again AFTER UPDATE OF status, starts_at ON app.bookings
  FOR EACH ROW EXECUTE FUNCTION private.bookings_notify();
SELECT pg_temp.act_as('staff_a');
SELECT api.confirm_booking((SELECT id FROM b));
RESET ROLE;
DROP TRIGGER zz_notify_again ON app.bookings;
SELECT is(pg_temp.messages((SELECT id FROM b), 'booking_confirmed'), 1,
          'a confirmation queues exactly one booking_confirmed message, even when its event is seen twice');
SELECT results_eq($$ SELECT recipient, channel, status, dedupe_key, customer_id, due_at <= now()
                       FROM app.notifications_outbox
                      WHERE kind = 'booking_confirmed' AND data -> 'booking' ->> 'id' = (SELECT id FROM b)::text $$,
                  $$ SELECT 'ada@example.com', 'email', 'queued', 'booking_confirmed:' || (SELECT id FROM b),
                            (SELECT customer_id FROM app.bookings WHERE id = (SELECT id FROM b)), true $$,
                  'by e-mail to the customer, due now, under the booking''s key');
SELECT ok(pg_temp.same_keys((SELECT data FROM app.notifications_outbox WHERE kind = 'booking_confirmed'
                               AND data -> 'booking' ->> 'id' = (SELECT id FROM b)::text), 'booking_confirmed'),
          'its data has exactly the keys of the sample the templates are checked with');
SELECT results_eq($$ SELECT data ->> 'timezone', data ->> 'currency', data -> 'booking' ->> 'status',
                            data -> 'experience' ->> 'name', data -> 'venue' ->> 'name', data -> 'customer' ->> 'name',
                            data -> 'org' ->> 'name', (data -> 'booking' ->> 'starts_at')::timestamptz
                       FROM app.notifications_outbox
                      WHERE kind = 'booking_confirmed' AND data -> 'booking' ->> 'id' = (SELECT id FROM b)::text $$,
                  $$ SELECT 'Europe/London', 'GBP', 'confirmed', 'The Vault', 'Soho', 'Ada Lovelace', 'Org A',
                            (SELECT at_19 FROM day) $$,
                  'and carries the venue''s zone, the currency, the booking, experience, venue, customer and org');
SELECT is(pg_temp.messages((SELECT id FROM b), 'session_reminder'), 0,
          'a confirmation queues no reminder: the worker''s sweep does when its time comes');
SELECT pg_temp.queue_due_reminders(private.local_to_instant((SELECT d - 1 FROM day) + time '19:00', 'Europe/London'));
SELECT is(pg_temp.messages((SELECT id FROM b), 'session_reminder'), 1, 'the sweep at the reminder time queues it');
SELECT results_eq($$ SELECT due_at, next_attempt_at, dedupe_key FROM app.notifications_outbox
                      WHERE kind = 'session_reminder' AND data -> 'booking' ->> 'id' = (SELECT id FROM b)::text $$,
                  $$ SELECT private.local_to_instant((SELECT d - 1 FROM day) + time '19:00', 'Europe/London'),
                            private.local_to_instant((SELECT d - 1 FROM day) + time '19:00', 'Europe/London'),
                            'session_reminder:' || (SELECT id FROM b) || ':'
                              || extract(epoch FROM (SELECT at_19 FROM day))::bigint $$,
                  'due at 19:00 London time the day before (24 hours on the venue''s clock), keyed by booking and start');
SELECT ok(pg_temp.same_keys((SELECT data FROM app.notifications_outbox WHERE kind = 'session_reminder'
                               AND data -> 'booking' ->> 'id' = (SELECT id FROM b)::text), 'session_reminder'),
          'the reminder''s data has the keys of its sample');
SELECT is(pg_temp.messages((SELECT id FROM b), 'waiver_missing'), 0, 'no waiver message when none is asked for');

-- Rescheduled: a message with the previous time, and in time a reminder for the new start.
SELECT pg_temp.act_as('staff_a');
SELECT api.reschedule_booking((SELECT id FROM b), (SELECT at_19 + interval '1 day' FROM day));
RESET ROLE;
SELECT is(pg_temp.messages((SELECT id FROM b), 'booking_rescheduled'), 1, 'a move queues one booking_rescheduled');
SELECT results_eq($$ SELECT (data -> 'previous' ->> 'starts_at')::timestamptz, (data -> 'booking' ->> 'starts_at')::timestamptz
                       FROM app.notifications_outbox
                      WHERE kind = 'booking_rescheduled' AND data -> 'booking' ->> 'id' = (SELECT id FROM b)::text $$,
                  $$ SELECT (SELECT at_19 FROM day), (SELECT at_19 + interval '1 day' FROM day) $$,
                  'with the previous start and the new one');
SELECT ok(pg_temp.same_keys((SELECT data FROM app.notifications_outbox WHERE kind = 'booking_rescheduled'
                               AND data -> 'booking' ->> 'id' = (SELECT id FROM b)::text), 'booking_rescheduled'),
          'whose data has the keys of its sample');
SELECT pg_temp.queue_due_reminders((SELECT at_19 FROM day));
SELECT is(pg_temp.messages((SELECT id FROM b), 'session_reminder'), 2,
          'the sweep at the new start''s reminder time queues its reminder beside the old one');
SELECT results_eq($$ SELECT private.message_wanted(o) FROM app.notifications_outbox o
                      WHERE kind = 'session_reminder' AND data -> 'booking' ->> 'id' = (SELECT id FROM b)::text
                      ORDER BY due_at $$,
                  $$ VALUES ('session_moved'), (NULL) $$,
                  'the old start''s reminder is skipped when due (session_moved), the new one goes');

-- Moving back and forth: each move is news.
SELECT pg_temp.act_as('staff_a');
SELECT api.reschedule_booking((SELECT id FROM b), (SELECT at_19 FROM day));
SELECT api.reschedule_booking((SELECT id FROM b), (SELECT at_19 + interval '1 day' FROM day));
RESET ROLE;
SELECT is(pg_temp.messages((SELECT id FROM b), 'booking_rescheduled'), 3, 'moving back and again is a message each time');
SELECT is(pg_temp.messages((SELECT id FROM b), 'session_reminder'), 2,
          'while each start keeps one reminder (the first start''s is wanted again)');

-- Cancelled.
SELECT pg_temp.act_as('staff_a');
SELECT api.cancel_booking((SELECT id FROM b), 'The group could not make it');
RESET ROLE;
SELECT is(pg_temp.messages((SELECT id FROM b), 'booking_cancelled'), 1, 'a cancellation queues one booking_cancelled');
SELECT results_eq($$ SELECT data -> 'cancellation' ->> 'reason', data -> 'booking' ->> 'status', dedupe_key
                       FROM app.notifications_outbox
                      WHERE kind = 'booking_cancelled' AND data -> 'booking' ->> 'id' = (SELECT id FROM b)::text $$,
                  $$ SELECT 'The group could not make it', 'cancelled', 'booking_cancelled:' || (SELECT id FROM b) $$,
                  'with its reason, under the booking''s key');
SELECT ok(pg_temp.same_keys((SELECT data FROM app.notifications_outbox WHERE kind = 'booking_cancelled'
                               AND data -> 'booking' ->> 'id' = (SELECT id FROM b)::text), 'booking_cancelled'),
          'whose data has the keys of its sample');
SELECT results_eq($$ SELECT DISTINCT private.message_wanted(o) FROM app.notifications_outbox o
                      WHERE kind = 'session_reminder' AND data -> 'booking' ->> 'id' = (SELECT id FROM b)::text $$,
                  $$ VALUES ('booking_cancelled') $$, 'and its reminders are skipped when due (booking_cancelled)');

-- Expired: a hold that ran out.
SELECT pg_temp.act_as('staff_a');
CREATE TEMP TABLE held AS
SELECT (api.create_booking(pg_temp.id('vault'), (SELECT at_19 + interval '2 days' FROM day), 'grace@example.com', 2)).id;
RESET ROLE;
UPDATE app.bookings SET hold_expires_at = now() - interval '1 minute' WHERE id = (SELECT id FROM held);
SELECT pg_temp.act_as('staff_a');
SELECT api.expire_holds();
RESET ROLE;
SELECT is(pg_temp.messages((SELECT id FROM held), 'booking_expired'), 1, 'a hold that ran out queues one booking_expired');
SELECT ok(pg_temp.same_keys((SELECT data FROM app.notifications_outbox WHERE kind = 'booking_expired'
                               AND data -> 'booking' ->> 'id' = (SELECT id FROM held)::text), 'booking_expired'),
          'whose data has the keys of its sample');
SELECT is((SELECT count(*)::int FROM app.notifications_outbox
            WHERE data -> 'booking' ->> 'id' = (SELECT id FROM held)::text AND kind <> 'booking_expired'), 0,
          'and nothing else: it was never confirmed');
SELECT is(pg_temp.messages((SELECT id FROM b), 'booking_confirmed') + pg_temp.messages((SELECT id FROM b), 'booking_cancelled'),
          2, 'in all, the first booking was confirmed once and cancelled once');

-- A booking written for a session that is over (an import, the demo data) is no news.
SELECT pg_temp.fresh('past_slot', 'past', 'past_customer');
INSERT INTO app.slots (org_id, id, experience_id, starts_at, ends_at, capacity)
VALUES (pg_temp.id('org_a'), pg_temp.id('past_slot'), pg_temp.id('vault'), now() - interval '2 days',
        now() - interval '2 days' + interval '1 hour', 1);
INSERT INTO app.customers (org_id, id, email) VALUES (pg_temp.id('org_a'), pg_temp.id('past_customer'), 'old@example.com');
INSERT INTO app.bookings (org_id, id, experience_id, slot_id, customer_id, status, party_size, places, starts_at,
                          ends_at, price_minor, currency, confirmation_code)
VALUES (pg_temp.id('org_a'), pg_temp.id('past'), pg_temp.id('vault'), pg_temp.id('past_slot'),
        pg_temp.id('past_customer'), 'confirmed', 2, 1, now() - interval '2 days',
        now() - interval '2 days' + interval '1 hour', 5000, 'GBP', private.new_confirmation_code());
SELECT is((SELECT count(*)::int FROM app.notifications_outbox WHERE data -> 'booking' ->> 'id' = pg_temp.id('past')::text),
          0, 'a booking written for a session that is over queues nothing');

SELECT * FROM finish();
ROLLBACK;
