-- When a reminder is due and whether it still goes. Due reminder_lead (24 hours unless the organization says
-- otherwise) before the start on the venue's wall clock, across a change of the clocks too; the catch-up rule: a
-- reminder found late still goes while its session has not started, and is skipped once it has. A waiver message is
-- queued when the experience asks for a waiver, due with the reminder, and skipped once every participant signed.
BEGIN;
\ir setup.psql
SELECT plan(14);

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
SELECT results_eq($$ SELECT kind, due_at FROM pg_temp.mine() mine ORDER BY kind $$,
                  $$ VALUES ('booking_confirmed', now()),
                            ('session_reminder', private.local_to_instant((SELECT d FROM day) + time '16:00', 'Europe/London')),
                            ('waiver_missing', private.local_to_instant((SELECT d FROM day) + time '16:00', 'Europe/London')) $$,
                  'a booking confirmed at once queues its confirmation now, its reminder and waiver message 3 hours before');
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

-- Catch-up: a reminder found late goes until the session starts, never after.
SELECT is((SELECT private.message_wanted(jsonb_populate_record(mine, jsonb_build_object('due_at', now() - interval '5 hours')))
             FROM pg_temp.mine() mine WHERE kind = 'session_reminder'), NULL,
          'a reminder taken hours after it was due still goes: its session has not started');
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

SELECT * FROM finish();
ROLLBACK;
