-- What a catalogue change does to sessions already sold: a change the sold bookings no longer fit (capacity,
-- quota, duration into another booking's room, schedule, hours, closure, archiving) is refused with the bookings
-- listed (PT409 bookings_affected, the list as JSON in the hint) and writes nothing; with force it is made, the
-- bookings are answered, nobody is moved and every constraint still holds.
BEGIN;
\ir setup.psql
\ir fixtures.psql
SELECT pg_temp.shop();
SELECT plan(49);

-- The error a call raises, as an object (code, message, detail, hint); NULL when it succeeds. The call runs in a
-- subtransaction, so a refusal's writes are gone as they would be for the API's caller.
CREATE FUNCTION pg_temp.refusal(p_call text) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  m text;
  d text;
  h text;
BEGIN
  EXECUTE p_call;
  RETURN NULL;
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS m = MESSAGE_TEXT, d = PG_EXCEPTION_DETAIL, h = PG_EXCEPTION_HINT;
  RETURN jsonb_build_object('code', SQLSTATE, 'message', m, 'detail', d, 'hint', h);
END
$$;
GRANT EXECUTE ON FUNCTION pg_temp.refusal(text) TO PUBLIC;

-- A second game in the vault's room at 20:00 every day, made through the api as a manager would.
SELECT pg_temp.fresh('escape2', 'room2', 'big', 'big_ticket');
SELECT pg_temp.act_as('manager_a');
CREATE TEMP TABLE made AS
SELECT (api.create_experience(pg_temp.id('soho'), 'private_session', 'Second game', 60, 6, currency => 'GBP')
        ->> 'id')::uuid AS escape2,
       (api.create_resource(pg_temp.id('soho'), 'Room two') ->> 'id')::uuid AS room2,
       (api.create_experience(pg_temp.id('soho'), 'ticketed_event', 'Big night', 60, 10, capacity => 50,
                              currency => 'GBP') ->> 'id')::uuid AS big;
GRANT SELECT ON made TO PUBLIC;
RESET ROLE;
UPDATE fx SET id = (SELECT escape2 FROM made) WHERE name = 'escape2';
UPDATE fx SET id = (SELECT room2 FROM made) WHERE name = 'room2';
UPDATE fx SET id = (SELECT big FROM made) WHERE name = 'big';
SELECT pg_temp.act_as('manager_a');
SELECT api.set_experience_resources(pg_temp.id('escape2'), ARRAY[pg_temp.id('vault_room')]);
SELECT api.create_price_tier(pg_temp.id('escape2'), 1, 6, 1000);
SELECT api.set_weekly_schedule(pg_temp.id('escape2'),
  (SELECT jsonb_agg(jsonb_build_object('weekday', d, 'start_time', '20:00')) FROM generate_series(1, 7) d));
SELECT api.set_weekly_schedule(pg_temp.id('big'),
  (SELECT jsonb_agg(jsonb_build_object('weekday', d, 'start_time', '19:00')) FROM generate_series(1, 7) d));
CREATE TEMP TABLE big_ticket AS
SELECT (api.create_ticket_type(pg_temp.id('big'), 'Entry', 500) ->> 'id')::uuid AS id;
GRANT SELECT ON big_ticket TO PUBLIC;
RESET ROLE;
UPDATE fx SET id = (SELECT id FROM big_ticket) WHERE name = 'big_ticket';

-- What is sold: the vault at 19:00 and the next day, the second game at 20:00 in the same room, the quiz at 19:00
-- (10 + 5 standard, 2 VIP), and twelve single places at the big night.
SELECT pg_temp.act_as('staff_a');
CREATE TEMP TABLE sold AS
SELECT (api.create_booking(pg_temp.id('vault'), d.at_19, 'ada@example.com', 2)).id AS vault,
       (api.create_booking(pg_temp.id('vault'), d.at_19 + interval '1 day', 'cy@example.com', 2)).id AS vault_next,
       (api.create_booking(pg_temp.id('escape2'), d.at_19 + interval '1 hour', 'bob@example.com', 2)).id AS escape2,
       (api.create_booking(pg_temp.id('quiz'), d.at_19, 'q1@example.com',
                           tickets => pg_temp.tickets('standard', 10))).id AS q1,
       (api.create_booking(pg_temp.id('quiz'), d.at_19, 'q2@example.com',
                           tickets => pg_temp.tickets('standard', 5))).id AS q2,
       (api.create_booking(pg_temp.id('quiz'), d.at_19, 'q3@example.com',
                           tickets => pg_temp.tickets('vip', 2))).id AS q3
  FROM day d;
GRANT SELECT ON sold TO PUBLIC;
SELECT api.create_booking(pg_temp.id('big'), d.at_19, 'big' || n || '@example.com',
                          tickets => pg_temp.tickets('big_ticket', 1))
  FROM day d, generate_series(1, 12) n;
RESET ROLE;

-- Capacity. ------------------------------------------------------------------------------------------------------
SELECT pg_temp.act_as('manager_a');
CREATE TEMP TABLE r AS SELECT 'capacity' AS k,
  pg_temp.refusal(format($$ SELECT api.update_experience(%L, '{"capacity": 10}') $$, pg_temp.id('quiz'))) AS e;
GRANT SELECT, INSERT ON r TO PUBLIC;
SELECT is((SELECT e ->> 'code' FROM r WHERE k = 'capacity') || ' ' || (SELECT e ->> 'detail' FROM r WHERE k = 'capacity'),
          'PT409 bookings_affected', 'lowering capacity below what is sold is refused (PT409 bookings_affected)');
SELECT matches((SELECT e ->> 'message' FROM r WHERE k = 'capacity'),
               '^the change would affect 3 bookings: [A-Z2-9]{8} \(over capacity\), [A-Z2-9]{8} \(over capacity\), '
               '[A-Z2-9]{8} \(over capacity\)$', '… its message names each booking''s code and problem');
SELECT set_eq(format($$ SELECT (a ->> 'booking_id')::uuid, a ->> 'problem'
                          FROM jsonb_array_elements(%L::jsonb) a $$, (SELECT e ->> 'hint' FROM r WHERE k = 'capacity')),
              $$ SELECT unnest(ARRAY[q1, q2, q3]), 'over_capacity' FROM sold $$,
              '… and its hint is the list of affected bookings as JSON');
SELECT ok((SELECT bool_and(a ?& ARRAY['booking_id', 'confirmation_code', 'starts_at', 'status', 'party_size',
                                      'customer_name', 'customer_email', 'problem'])
             FROM jsonb_array_elements((SELECT (e ->> 'hint')::jsonb FROM r WHERE k = 'capacity')) a),
          '… each with its code, start, status, party and customer for staff to contact');
RESET ROLE;
SELECT is((SELECT capacity FROM app.experiences WHERE id = pg_temp.id('quiz')), 20,
          'a refused change writes nothing: the capacity is as it was');
SELECT is((SELECT s.capacity FROM app.slots s JOIN app.bookings b ON b.slot_id = s.id
            WHERE b.id = (SELECT q1 FROM sold)), 20, '… and so is the session''s');

SELECT pg_temp.act_as('manager_a');
CREATE TEMP TABLE forced AS
SELECT 'capacity' AS k, api.update_experience(pg_temp.id('quiz'), '{"capacity": 10}', force => true) AS a;
GRANT SELECT, INSERT ON forced TO PUBLIC;
SELECT is(jsonb_array_length((SELECT a -> 'affected' FROM forced WHERE k = 'capacity')), 3,
          'with force the change is made and the affected bookings are answered');
SELECT is((SELECT (a -> 'experience' ->> 'capacity')::int FROM forced WHERE k = 'capacity'), 10,
          '… with the experience as it is now');
RESET ROLE;
SELECT is((SELECT (s.capacity, s.taken)::text FROM app.slots s JOIN app.bookings b ON b.slot_id = s.id
            WHERE b.id = (SELECT q1 FROM sold)), '(17,17)',
          'with force the session keeps its bookings and is sold out (capacity = what it sold)');
SELECT is((SELECT count(*)::int FROM app.bookings b, sold WHERE b.id IN (q1, q2, q3) AND b.status = 'pending'), 3,
          '… nobody is moved or cancelled');
SELECT pg_temp.act_as('staff_a');
SELECT throws_ok(format($$ SELECT api.create_booking(%L, %L, 'late@example.com', tickets => %L) $$,
                        pg_temp.id('quiz'), (SELECT at_19 FROM day), pg_temp.tickets('standard', 1)),
                 'PT409', NULL, '… so the next buyer is told it is sold out');
SELECT is((SELECT remaining FROM api.check_availability(pg_temp.id('quiz'), (SELECT d + 1 FROM day),
                                                        (SELECT d + 1 FROM day))), 10,
          'another session of the experience offers the new capacity');
SELECT pg_temp.act_as('manager_a');
SELECT is(api.update_experience(pg_temp.id('quiz'), '{"name": "Quiz!"}') -> 'affected', '[]'::jsonb,
          'a later change is not refused for problems already accepted');

-- Ten codes at most in the message. ---------------------------------------------------------------------------------
INSERT INTO r SELECT 'many', pg_temp.refusal(format($$ SELECT api.update_experience(%L, '{"capacity": 1}') $$,
                                                    pg_temp.id('big')));
SELECT matches((SELECT e ->> 'message' FROM r WHERE k = 'many'),
               '^the change would affect 12 bookings: ([A-Z2-9]{8} \(over capacity\), ){9}[A-Z2-9]{8} \(over capacity\) and 2 more$',
               'the message names at most ten bookings, then how many more');
SELECT is(jsonb_array_length((SELECT (e ->> 'hint')::jsonb FROM r WHERE k = 'many')), 12,
          '… while the hint lists them all');

-- Ticket quota. --------------------------------------------------------------------------------------------------
INSERT INTO r SELECT 'quota', pg_temp.refusal(format($$ SELECT api.update_ticket_type(%L, '{"quota": 1}') $$,
                                                     pg_temp.id('vip')));
SELECT is((SELECT (e ->> 'hint')::jsonb -> 0 ->> 'problem' FROM r WHERE k = 'quota') || ' '
          || ((SELECT (e ->> 'hint')::jsonb -> 0 ->> 'booking_id' FROM r WHERE k = 'quota') = (SELECT q3::text FROM sold)),
          'over_quota true', 'a quota below what a session sold of it is refused, listing the booking that holds it');
INSERT INTO forced SELECT 'quota', api.update_ticket_type(pg_temp.id('vip'), '{"quota": 1}', force => true);
SELECT is((SELECT a -> 'ticket_type' ->> 'quota' FROM forced WHERE k = 'quota'), '1',
          'with force the quota is changed');
RESET ROLE;
SELECT is((SELECT (c.quota, c.taken)::text FROM app.slot_ticket_counts c JOIN app.bookings b ON b.slot_id = c.slot_id
            WHERE b.id = (SELECT q3 FROM sold) AND c.ticket_type_id = pg_temp.id('vip')), '(2,2)',
          '… and the session keeps room for the tickets it sold of it (sold out of that type)');

-- Duration into another booking's room. -----------------------------------------------------------------------------
SELECT pg_temp.act_as('manager_a');
INSERT INTO r SELECT 'duration', pg_temp.refusal(format($$ SELECT api.update_experience(%L, '{"duration_minutes": 90}') $$,
                                                        pg_temp.id('vault')));
SELECT is((SELECT e ->> 'detail' FROM r WHERE k = 'duration'), 'bookings_affected',
          'a longer duration that would put a room into two sessions at once is refused');
SELECT set_eq(format($$ SELECT (a ->> 'booking_id')::uuid, a ->> 'problem'
                          FROM jsonb_array_elements(%L::jsonb) a $$, (SELECT e ->> 'hint' FROM r WHERE k = 'duration')),
              $$ SELECT vault, 'room_conflict' FROM sold $$,
              '… listing only the booking whose longer session collides (room_conflict)');
INSERT INTO forced SELECT 'duration', api.update_experience(pg_temp.id('vault'), '{"duration_minutes": 90}',
                                                            force => true);
RESET ROLE;
SELECT is((SELECT (b.ends_at - b.starts_at)::text || ' ' || (br.during = tstzrange(b.starts_at, b.ends_at))::text
             FROM app.bookings b JOIN app.booking_resources br ON br.booking_id = b.id
            WHERE b.id = (SELECT vault FROM sold)), '01:00:00 true',
          'a longer duration that collides keeps the colliding booking''s claim (and its end)');
SELECT is((SELECT upper(br.during) - lower(br.during) FROM app.booking_resources br
            WHERE br.booking_id = (SELECT vault_next FROM sold)), interval '90 minutes',
          '… while a booking with room for it gets the new claim');
SELECT is((SELECT b.ends_at - b.starts_at FROM app.bookings b WHERE b.id = (SELECT vault_next FROM sold)),
          interval '60 minutes', '… while the booking itself keeps the times it was sold with (and its tickets)');
SELECT is((SELECT s.ends_at - s.starts_at FROM app.slots s JOIN app.bookings b ON b.slot_id = s.id
            WHERE b.id = (SELECT vault_next FROM sold)), interval '90 minutes', '… as does its session');
SELECT is((SELECT starts_at FROM app.bookings WHERE id = (SELECT vault FROM sold)), (SELECT at_19 FROM day),
          'sessions with bookings keep their time');
SELECT is((SELECT count(*)::int FROM app.booking_resources br, sold WHERE br.booking_id = sold.escape2
              AND br.during = tstzrange((SELECT at_19 FROM day) + interval '1 hour',
                                        (SELECT at_19 FROM day) + interval '2 hours')), 1,
          '… and the booking it would have collided with keeps its room');

-- Rooms. --------------------------------------------------------------------------------------------------------
SELECT pg_temp.act_as('manager_a');
SELECT is(api.set_experience_resources(pg_temp.id('escape2'), ARRAY[pg_temp.id('room2')]) -> 'affected', '[]'::jsonb,
          'a new free room for an experience is no problem for its bookings');
RESET ROLE;
SELECT is((SELECT array_agg(resource_id) FROM app.booking_resources WHERE booking_id = (SELECT escape2 FROM sold)),
          ARRAY[pg_temp.id('room2')], '… their claims move to the new room');
SELECT pg_temp.act_as('manager_a');
INSERT INTO r SELECT 'room', pg_temp.refusal(format($$ SELECT api.set_experience_resources(%L, %L) $$,
                                                    pg_temp.id('escape2'), ARRAY[pg_temp.id('vault_room')]));
SELECT is((SELECT e ->> 'detail' FROM r WHERE k = 'room'), NULL, '… and back to a room that is free then');
SELECT api.set_experience_resources(pg_temp.id('escape2'), ARRAY[pg_temp.id('room2')]);
SELECT api.set_experience_resources(pg_temp.id('vault'), ARRAY[pg_temp.id('vault_room'), pg_temp.id('room2')],
                                    force => true);
INSERT INTO r SELECT 'room_taken', pg_temp.refusal(format($$ SELECT api.update_experience(%L, '{"buffer_minutes": 30}') $$,
                                                          pg_temp.id('escape2')));
SELECT is((SELECT e ->> 'detail' FROM r WHERE k = 'room_taken'), NULL,
          'a buffer into no other session changes nothing for anyone');

-- Schedule. ------------------------------------------------------------------------------------------------------
INSERT INTO r SELECT 'schedule', pg_temp.refusal(format($$ SELECT api.set_weekly_schedule(%L, %L) $$,
  pg_temp.id('escape2'), (SELECT jsonb_agg(jsonb_build_object('weekday', d, 'start_time', '21:00'))
                            FROM generate_series(1, 7) d)));
SELECT set_eq(format($$ SELECT (a ->> 'booking_id')::uuid, a ->> 'problem'
                          FROM jsonb_array_elements(%L::jsonb) a $$, (SELECT e ->> 'hint' FROM r WHERE k = 'schedule')),
              $$ SELECT escape2, 'off_schedule' FROM sold $$,
              'a schedule without a booked start is refused, listing its bookings (off_schedule)');
SELECT is(jsonb_array_length(api.set_weekly_schedule(pg_temp.id('escape2'),
            (SELECT jsonb_agg(jsonb_build_object('weekday', d, 'start_time', '21:00')) FROM generate_series(1, 7) d),
            force => true) -> 'affected'), 1, 'with force the schedule is replaced and the booking reported');
RESET ROLE;
SELECT is((SELECT (starts_at = (SELECT at_19 FROM day) + interval '1 hour')::text || ' ' || status
             FROM app.bookings WHERE id = (SELECT escape2 FROM sold)), 'true pending',
          '… and the booking keeps its session');
SELECT is((SELECT count(*)::int FROM app.schedules WHERE experience_id = pg_temp.id('escape2')
              AND start_time = '21:00'), 7, '… the new rules replacing the old');

-- Opening hours and closures. ---------------------------------------------------------------------------------------
SELECT pg_temp.act_as('manager_a');
INSERT INTO r SELECT 'hours', pg_temp.refusal(format($$ SELECT api.set_venue_hours(%L, %L) $$, pg_temp.id('soho'),
  (SELECT jsonb_agg(jsonb_build_object('weekday', d, 'opens', '10:00', 'closes', '19:30')) FROM generate_series(1, 7) d)));
SELECT is((SELECT e ->> 'detail' FROM r WHERE k = 'hours'), 'bookings_affected',
          'opening hours that end before sold sessions do are refused');
SELECT ok((SELECT bool_and(a ->> 'problem' = 'outside_hours') FROM jsonb_array_elements((SELECT (e ->> 'hint')::jsonb FROM r WHERE k = 'hours')) a)
          AND (SELECT (e ->> 'hint')::jsonb @> jsonb_build_array(jsonb_build_object('booking_id', vault)) FROM r, sold WHERE k = 'hours'),
          '… listing the sessions outside them (outside_hours)');
SELECT is(api.set_venue_hours(pg_temp.id('soho'),
            (SELECT jsonb_agg(jsonb_build_object('weekday', d, 'opens', '09:00', 'closes', '24:00'))
               FROM generate_series(1, 7) d)) -> 'affected', '[]'::jsonb,
          'hours that hold every sold session are set without force');
SELECT throws_ok(format($$ SELECT api.set_venue_hours(%L, '[{"weekday": 1, "opens": "10:00", "closes": "12:00"},
                                                          {"weekday": 1, "opens": "11:00", "closes": "13:00"}]') $$,
                        pg_temp.id('soho')), 'PT400', 'two opening intervals of the same weekday overlap',
                 'overlapping hours are refused in words');
INSERT INTO r SELECT 'closure', pg_temp.refusal(format($$ SELECT api.add_venue_closure(%L, %L, %L, 'Flood') $$,
  pg_temp.id('soho'), (SELECT at_19 - interval '1 hour' FROM day), (SELECT at_19 + interval '30 minutes' FROM day)));
SELECT ok((SELECT (e ->> 'hint')::jsonb @> jsonb_build_array(jsonb_build_object('booking_id', vault, 'problem', 'closed'),
                                                             jsonb_build_object('booking_id', q1, 'problem', 'closed'))
             FROM r, sold WHERE k = 'closure'),
          'a closure over sold sessions is refused, listing them (closed)');
SELECT is((SELECT (a -> 'closure' ->> 'reason') || ' ' || jsonb_array_length(a -> 'affected')
             FROM (SELECT api.add_venue_closure(pg_temp.id('soho'), d.at_19 + interval '3 days',
                                                d.at_19 + interval '4 days', 'Holiday') AS a FROM day d) x),
          'Holiday 0', 'a closure over nothing sold is added without force');

-- A ticket type sold, a venue's zone. ------------------------------------------------------------------------------
INSERT INTO r SELECT 'ticket_type', pg_temp.refusal(format($$ SELECT api.archive_ticket_type(%L) $$, pg_temp.id('vip')));
SELECT ok((SELECT (e ->> 'hint')::jsonb @> jsonb_build_array(jsonb_build_object('booking_id', q3, 'problem', 'archived'))
             FROM r, sold WHERE k = 'ticket_type'),
          'archiving a ticket type sold for a future session is refused, listing who holds it');
INSERT INTO r SELECT 'zone', pg_temp.refusal(format($$ SELECT api.update_venue(%L, '{"timezone": "Europe/Paris"}') $$,
                                                    pg_temp.id('soho')));
SELECT ok((SELECT (e ->> 'hint')::jsonb @> jsonb_build_array(jsonb_build_object('booking_id', vault_next,
                                                                                'problem', 'off_schedule'))
             FROM r, sold WHERE k = 'zone'),
          'a new time zone keeps bookings at their instant, so those now off the local schedule are listed');

-- Archiving. -----------------------------------------------------------------------------------------------------
INSERT INTO r SELECT 'archive', pg_temp.refusal(format($$ SELECT api.archive_experience(%L) $$, pg_temp.id('escape2')));
SELECT is((SELECT (e ->> 'hint')::jsonb -> 0 ->> 'problem' FROM r WHERE k = 'archive'), 'archived',
          'archiving an experience with future bookings is refused (archived)');
SELECT is((SELECT a -> 'experience' ->> 'active' FROM (SELECT api.archive_experience(pg_temp.id('escape2'), true) a) x),
          'false', 'with force it is archived, and archived means inactive');
SELECT pg_temp.act_as('anon');
SELECT is((SELECT count(*)::int FROM api.widget_experiences(pg_temp.key('soho')) w WHERE w.experience_id = pg_temp.id('escape2')), 0,
          'an archived experience is not offered by the widget');
SELECT pg_temp.act_as('staff_a');
SELECT is((SELECT count(*)::int FROM api.check_availability(pg_temp.id('escape2'), (SELECT d FROM day),
                                                             (SELECT d + 2 FROM day))), 0,
          '… nor by availability');
SELECT throws_ok(format($$ SELECT api.create_booking(%L, %L, 'x@example.com', 2) $$, pg_temp.id('escape2'),
                        (SELECT at_19 + interval '2 days 2 hours' FROM day)), 'PT404', 'experience not found',
                 '… nor can it be booked');
RESET ROLE;
SELECT is((SELECT status::text FROM app.bookings WHERE id = (SELECT escape2 FROM sold)), 'pending',
          '… while its bookings keep their history');
SELECT pg_temp.act_as('admin_a');
SELECT is((SELECT count(*)::int FROM jsonb_array_elements(
             api.archive_venue(pg_temp.id('soho'), true) -> 'affected') a WHERE a ->> 'problem' = 'archived') >= 4,
          true, 'archiving a venue reports every future booking there (archived)');

SELECT * FROM finish();
ROLLBACK;
