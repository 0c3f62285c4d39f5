-- When a reminder is due, who queues it and whether it still goes. Due reminder_lead (24 hours unless the
-- organization says otherwise) before the start on the venue's wall clock, across a change of the clocks too, and
-- queued by the worker's sweep (private.queue_due_reminders) once that time has come, never at confirmation; the
-- sweep keeps no watermark, so a longer lead or a late sweep is caught up. The catch-up rule: a reminder found late
-- still goes while its session has not started, and is skipped once it has; a booking confirmed after its
-- reminder time gets none. A waiver message comes with the reminder when the experience asks for a waiver, and is
-- skipped once every participant signed.
BEGIN;
\ir setup.psql
SELECT plan(26);

\ir fixtures.psql
SELECT pg_temp.shop();

-- The wall clock, across the clocks changing.
SELECT is(private.reminder_due('2027-10-31 10:00 Europe/London', 'Europe/London', interval '24 hours'),
          '2027-10-30 10:00 Europe/London'::timestamptz,
          'London, clocks back overnight: 10:00 the day before (BST) for a 10:00 session (GMT)');
SELECT is('2027-10-31 10:00 Europe/London'::timestamptz
            - private.reminder_due('2027-10-31 10:00 Europe/London', 'Europe/London', interval '24 hours'),
          interval '25 hours', '… which is 25 real hours before');
SELECT is(private.reminder_due('2027-03-14 10:00 America/New_York', 'America/New_York', interval '24 hours'),
          '2027-03-13 10:00 America/New_York'::timestamptz,
          'New York, clocks forward overnight: 10:00 the day before, 23 real hours');
SELECT is(private.reminder_due('2027-03-14 10:00 America/New_York', 'America/New_York', interval '2 hours'),
          '2027-03-14 08:00 America/New_York'::timestamptz, 'a lead of hours is counted on the wall clock too');

-- The organization's lead, and a booking whose experience asks for a waiver.
SELECT pg_temp.fresh('w');
INSERT INTO app.waiver_templates (org_id, id, name) VALUES (pg_temp.id('org_a'), pg_temp.id('w'), 'Vault waiver');
INSERT INTO app.waiver_versions (org_id, template_id, version, title, body)
VALUES (pg_temp.id('org_a'), pg_temp.id('w'), 1, 'Release', 'I play at my own risk.');
UPDATE app.experiences SET waiver_template_id = pg_temp.id('w'), requires_payment = false WHERE id = pg_temp.id('vault');
INSERT INTO app.org_settings (org_id, reminder_lead) VALUES (pg_temp.id('org_a'), interval '3 hours')
ON CONFLICT (org_id) DO UPDATE SET reminder_lead = EXCLUDED.reminder_lead;
SELECT throws_ok($$ UPDATE app.org_settings SET reminder_lead = interval '1 minute' WHERE org_id = pg_temp.id('org_a') $$,
                 '23514', NULL, 'a lead under 15 minutes is refused');

SELECT pg_temp.act_as('staff_a');
CREATE TEMP TABLE b AS
SELECT (api.create_booking(pg_temp.id('vault'), (SELECT at_19 FROM day), 'ada@example.com', 2)).id;
RESET ROLE;
CREATE FUNCTION pg_temp.mine() RETURNS SETOF app.notifications_outbox LANGUAGE sql STABLE AS $$
  SELECT o.* FROM app.notifications_outbox o
   WHERE o.org_id = pg_temp.id('org_a') AND o.data -> 'booking' ->> 'id' = (SELECT id FROM b)::text
$$;
CREATE TEMP TABLE due AS
SELECT private.local_to_instant((SELECT d FROM day) + time '16:00', 'Europe/London') AS at;
-- How many of booking p's messages of the kind are queued.
CREATE FUNCTION pg_temp.count(p uuid, p_kind text) RETURNS int LANGUAGE sql STABLE AS $$
  SELECT count(*)::int FROM app.notifications_outbox o
   WHERE o.kind = p_kind AND o.data -> 'booking' ->> 'id' = p::text
$$;

SELECT results_eq($$ SELECT kind, due_at FROM pg_temp.mine() mine ORDER BY kind $$,
                  $$ VALUES ('booking_confirmed', now()) $$,
                  'a booking confirmed at once queues its confirmation now, and no reminder yet');
SELECT pg_temp.queue_due_reminders((SELECT at FROM due) - interval '1 minute');
SELECT is(pg_temp.count((SELECT id FROM b), 'session_reminder'), 0, 'a sweep before the reminder time queues none');
SELECT pg_temp.queue_due_reminders((SELECT at FROM due));
SELECT results_eq($$ SELECT kind, due_at, status FROM pg_temp.mine() mine WHERE kind <> 'booking_confirmed' ORDER BY kind $$,
                  $$ VALUES ('session_reminder', (SELECT at FROM due), 'queued'),
                            ('waiver_missing', (SELECT at FROM due), 'queued') $$,
                  'the sweep at the reminder time, 3 hours before on the venue''s clock, queues the reminder and the waiver message, due then');
SELECT pg_temp.queue_due_reminders((SELECT at FROM due) + interval '1 hour');
SELECT results_eq($$ SELECT kind, count(*)::int FROM pg_temp.mine() mine GROUP BY kind ORDER BY kind $$,
                  $$ VALUES ('booking_confirmed', 1), ('session_reminder', 1), ('waiver_missing', 1) $$,
                  'a later sweep queues nothing again: one reminder per booking and start');
SELECT is((SELECT data -> 'waiver' ->> 'name' FROM pg_temp.mine() mine WHERE kind = 'waiver_missing'), 'Vault waiver',
          'the waiver message names the waiver');
SELECT results_eq($$ SELECT kind, private.message_wanted(mine) FROM pg_temp.mine() mine ORDER BY kind $$,
                  $$ VALUES ('booking_confirmed', NULL::text), ('session_reminder', NULL), ('waiver_missing', NULL) $$,
                  'all of them go while the booking stands, nobody has signed and the session is ahead');

-- Signed by every participant: the waiver message is skipped, the reminder still goes.
INSERT INTO app.waiver_signatures (org_id, booking_id, version_id, participant_name, date_of_birth, signature,
                                   text_sha256, signed_via)
SELECT pg_temp.id('org_a'), (SELECT id FROM b), v.id, n, '1980-01-01', n, v.body_sha256, 'online'
  FROM app.waiver_versions v, unnest(ARRAY['Ada Lovelace']) n WHERE v.template_id = pg_temp.id('w');
SELECT is((SELECT private.message_wanted(mine) FROM pg_temp.mine() mine WHERE kind = 'waiver_missing'), NULL,
          'one of two participants signed: the waiver message still goes');
INSERT INTO app.waiver_signatures (org_id, booking_id, version_id, participant_name, date_of_birth, signature,
                                   text_sha256, signed_via)
SELECT pg_temp.id('org_a'), (SELECT id FROM b), v.id, 'Charles Babbage', '1980-01-01', 'CB', v.body_sha256, 'online'
  FROM app.waiver_versions v WHERE v.template_id = pg_temp.id('w');
SELECT results_eq($$ SELECT kind, private.message_wanted(mine) FROM pg_temp.mine() mine ORDER BY kind $$,
                  $$ VALUES ('booking_confirmed', NULL::text), ('session_reminder', NULL), ('waiver_missing', 'waiver_signed') $$,
                  'both signed: the waiver message is skipped (waiver_signed), the reminder still goes');

-- Catch-up: a reminder found late goes until the session starts, never after; a booking confirmed after its
-- reminder time needs none. (This transaction's now() stands for the moment the worker takes the message.)
UPDATE app.notifications_outbox SET created_at = now() - interval '30 days'
 WHERE kind = 'booking_confirmed' AND data -> 'booking' ->> 'id' = (SELECT id FROM b)::text;
SELECT is((SELECT private.message_wanted(jsonb_populate_record(mine, jsonb_build_object('due_at', now() - interval '5 hours')))
             FROM pg_temp.mine() mine WHERE kind = 'session_reminder'), NULL,
          'a reminder taken hours after it was due still goes: its session has not started');
SELECT is((SELECT private.message_wanted(jsonb_populate_record(mine, jsonb_build_object('due_at', now() - interval '31 days')))
             FROM pg_temp.mine() mine WHERE kind = 'session_reminder'), 'told_after_due',
          'a reminder whose time came before the booking was confirmed is skipped (told_after_due)');
UPDATE app.bookings SET starts_at = now() - interval '1 minute', ends_at = now() + interval '59 minutes'
 WHERE id = (SELECT id FROM b);
SELECT is((SELECT private.message_wanted(jsonb_populate_record(mine, jsonb_build_object(
                    'data', jsonb_set(mine.data, '{booking,starts_at}',
                                      to_jsonb((SELECT starts_at FROM app.bookings WHERE id = (SELECT id FROM b)))))))
             FROM pg_temp.mine() mine WHERE kind = 'session_reminder'),
          'session_started', 'a reminder taken once its session has begun is skipped (session_started)');
SELECT is((SELECT private.message_wanted(mine) FROM pg_temp.mine() mine WHERE kind = 'session_reminder'), 'session_moved',
          'a reminder of a start the booking no longer has is skipped (session_moved)');
SELECT is((SELECT private.message_wanted(jsonb_populate_record(mine, jsonb_build_object(
                    'data', jsonb_set(mine.data, '{booking,id}', to_jsonb(gen_random_uuid())))))
             FROM pg_temp.mine() mine WHERE kind = 'session_reminder'),
          'booking_gone', 'a reminder of a booking that is gone is skipped (booking_gone)');

-- The sweep keeps no watermark: what it finds is what is due now, whatever it found before.
SELECT pg_temp.act_as('staff_a');
CREATE TEMP TABLE b2 AS
SELECT (api.create_booking(pg_temp.id('vault'), (SELECT at_19 + interval '1 day' FROM day), 'grace@example.com', 2)).id;
RESET ROLE;
CREATE TEMP TABLE start2 AS SELECT starts_at AS at FROM app.bookings WHERE id = (SELECT id FROM b2);
SELECT pg_temp.queue_due_reminders((SELECT at FROM start2) + interval '1 minute');
SELECT is(pg_temp.count((SELECT id FROM b2), 'session_reminder'), 0,
          'a sweep once the session has begun queues no reminder for it, however late');
SELECT pg_temp.queue_due_reminders((SELECT at FROM start2) - interval '4 hours');
SELECT is(pg_temp.count((SELECT id FROM b2), 'session_reminder'), 0, 'four hours before, a 3-hour lead is not due');
UPDATE app.org_settings SET reminder_lead = interval '5 hours' WHERE org_id = pg_temp.id('org_a');
SELECT pg_temp.queue_due_reminders((SELECT at FROM start2) - interval '4 hours');
SELECT results_eq($$ SELECT due_at FROM app.notifications_outbox
                      WHERE kind = 'session_reminder' AND data -> 'booking' ->> 'id' = (SELECT id FROM b2)::text $$,
                  $$ SELECT (SELECT at FROM start2) - interval '5 hours' $$,
                  'the lead made longer, the next sweep catches the reminder up, due at its new time');
SELECT is(pg_temp.queue_due_reminders((SELECT at FROM start2) - interval '4 hours'), 0,
          'and answers 0 when there is nothing more to queue');

-- Who may sweep, and within what.
SELECT throws_ok($$ SELECT pg_temp.queue_due_reminders(now() + interval '2 years') $$, 'PT400',
                 'at is within a year of now', 'a sweep years away is refused');
SELECT throws_ok($$ SELECT pg_temp.queue_due_reminders('infinity') $$, 'PT400',
                 'at is within a year of now', 'a sweep at infinity is refused as out of range');
SELECT throws_ok($$ SELECT pg_temp.queue_due_reminders(NULL, 0) $$, 'PT400', 'limit is 1 to 10000 bookings',
                 'a sweep of no bookings is refused');
SELECT pg_temp.act_as('staff_a');
SELECT throws_ok($$ SELECT private.queue_due_reminders() $$, '42501', NULL, 'staff cannot run the sweep');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
