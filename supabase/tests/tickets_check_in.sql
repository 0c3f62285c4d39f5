-- Check-in at the door: every outcome of api.check_in, each with its own DETAIL code, and exactly one check-in row
-- per ticket whatever is scanned how often. Bookings are made confirmed directly (as the owner), in sessions placed
-- around now so that their tickets' windows (two hours before the start to the end) are open, not yet open or over.
BEGIN;
\ir setup.psql
SELECT plan(30);

\ir fixtures.psql
SELECT pg_temp.shop();
SELECT pg_temp.fresh('venue_b', 'game_b');
INSERT INTO app.venues (org_id, id, name, timezone) VALUES (pg_temp.id('org_b'), pg_temp.id('venue_b'), 'B', 'UTC');
INSERT INTO app.experiences (org_id, venue_id, id, kind, name, duration_minutes, max_party, currency)
VALUES (pg_temp.id('org_b'), pg_temp.id('venue_b'), pg_temp.id('game_b'), 'private_session', 'Game B', 60, 6, 'EUR');
INSERT INTO app.profiles (user_id, display_name) VALUES (pg_temp.id('staff_a'), 'Sam Door');

-- A confirmed booking named p_name of p_party in a new session of p_experience starting at p_starts.
CREATE FUNCTION pg_temp.booked(p_name text, p_experience text, p_starts timestamptz, p_party int)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  e app.experiences;
  slot uuid := gen_random_uuid();
  customer uuid := gen_random_uuid();
BEGIN
  PERFORM pg_temp.fresh(p_name);
  SELECT * INTO e FROM app.experiences WHERE id = pg_temp.id(p_experience);
  INSERT INTO app.slots (org_id, id, experience_id, starts_at, ends_at, capacity)
  VALUES (e.org_id, slot, e.id, p_starts, p_starts + make_interval(mins => e.duration_minutes), coalesce(e.capacity, 1));
  INSERT INTO app.customers (org_id, id, email, name)
  VALUES (e.org_id, customer, p_name || '.' || left(customer::text, 8) || '@example.com', 'Ada ' || p_name);
  INSERT INTO app.bookings (org_id, id, experience_id, slot_id, customer_id, status, party_size, places, starts_at,
                            ends_at, price_minor, currency, confirmation_code)
  VALUES (e.org_id, pg_temp.id(p_name), e.id, slot, customer, 'confirmed', p_party,
          CASE e.kind WHEN 'private_session' THEN 1 ELSE p_party END, p_starts,
          p_starts + make_interval(mins => e.duration_minutes), 0, e.currency, private.new_confirmation_code());
END
$$;

-- The payload of seat p_seat of booking p_booking, and the SQLSTATE, DETAIL and message of a statement (or 'ok').
CREATE FUNCTION pg_temp.payload(p_booking text, p_seat int DEFAULT 1) RETURNS text LANGUAGE sql AS $$
  SELECT private.ticket_payload(t) FROM app.tickets t
   WHERE t.booking_id = pg_temp.id(p_booking) AND t.seat_no = p_seat AND t.status = 'valid'
$$;
CREATE FUNCTION pg_temp.outcome(p_sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  detail text;
BEGIN
  EXECUTE p_sql;
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
  RETURN SQLSTATE || ' ' || coalesce(detail, '') || ': ' || SQLERRM;
END
$$;
GRANT EXECUTE ON FUNCTION pg_temp.outcome(text) TO PUBLIC;
CREATE FUNCTION pg_temp.scan(p_payload text, p_nonce text, p_venue text DEFAULT 'soho', p_slot uuid DEFAULT NULL)
RETURNS text LANGUAGE sql AS $$
  SELECT pg_temp.outcome(format('SELECT api.check_in(%L, %L, %L, %L)', p_payload, p_nonce, pg_temp.id(p_venue), p_slot))
$$;
GRANT EXECUTE ON FUNCTION pg_temp.scan(text, text, text, uuid) TO PUBLIC;

SELECT pg_temp.booked('tonight', 'vault', now() + interval '30 minutes', 3);
SELECT pg_temp.booked('later', 'quiz', now() + interval '5 hours', 1);
SELECT pg_temp.booked('over', 'quiz', now() - interval '3 hours', 1);
SELECT pg_temp.booked('gone', 'quiz', now() + interval '10 minutes', 2);
SELECT pg_temp.booked('other_org', 'game_b', now() + interval '30 minutes', 2);
CREATE TEMP TABLE p AS
SELECT pg_temp.payload('tonight') AS tonight, pg_temp.payload('tonight', 2) AS tonight2,
       pg_temp.payload('later') AS later, pg_temp.payload('over') AS over, pg_temp.payload('gone') AS gone,
       pg_temp.payload('other_org') AS other_org,
       (SELECT slot_id FROM app.bookings WHERE id = pg_temp.id('tonight')) AS tonight_slot,
       (SELECT slot_id FROM app.bookings WHERE id = pg_temp.id('later')) AS later_slot;
GRANT SELECT ON p TO PUBLIC;
UPDATE app.bookings SET status = 'cancelled' WHERE id = pg_temp.id('gone');
CREATE TEMP TABLE answers (nonce text, answer jsonb);
GRANT ALL ON answers TO PUBLIC;

SELECT pg_temp.act_as('staff_a');
INSERT INTO answers SELECT 'n1', api.check_in((SELECT tonight FROM p), 'n1', pg_temp.id('soho'));
SELECT is((SELECT answer ->> 'outcome' FROM answers), 'checked_in', 'a valid ticket at its venue in its window is let in');
SELECT is((SELECT (answer -> 'booking' ->> 'party_size')::int FROM answers), 3, 'the answer carries the booking''s party');
SELECT is((SELECT answer -> 'booking' ->> 'customer_name' FROM answers), 'Ada tonight', 'and the customer''s name');
SELECT is(api.check_in((SELECT tonight FROM p), 'n1', pg_temp.id('soho')), (SELECT answer FROM answers),
          'the scanner''s retry with the same nonce gets the same answer');
SELECT matches(pg_temp.scan((SELECT tonight FROM p), 'n2'),
               '^PT409 already_checked_in: already checked in at \d\d:\d\d on \d{4}-\d\d-\d\d by Sam Door$',
               'another scan is told when (venue-local) and by whom it was checked in');
SELECT is(pg_temp.scan((SELECT tonight FROM p), 'n1', 'brooklyn'), 'ok',
          'a same-nonce retry answers as the first scan did');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM app.check_ins WHERE ticket_id IN
             (SELECT id FROM app.tickets WHERE booking_id = pg_temp.id('tonight'))), 1,
          'three scans of one ticket wrote one check-in');
SELECT is((SELECT to_char(checked_in_at AT TIME ZONE 'Europe/London', 'HH24:MI "on" YYYY-MM-DD')
             FROM app.check_ins WHERE ticket_id IN (SELECT id FROM app.tickets WHERE booking_id = pg_temp.id('tonight'))),
          substring(pg_temp.scan((SELECT tonight FROM p), 'n3') FROM 'at (.*) by'),
          'the time said is the venue''s wall clock');
SELECT pg_temp.act_as('staff_a');
SELECT is(pg_temp.scan((SELECT tonight2 FROM p), 'n4', 'soho', (SELECT tonight_slot FROM p)), 'ok',
          'each place has its own ticket, let in once in its session');

-- Forged: whatever was changed, and whoever's ticket it is.
SELECT is(left(pg_temp.scan('hello', 'f1'), 11), 'PT400 forge', 'garbage is forged');
SELECT is(left(pg_temp.scan(repeat('A', 79), 'f2'), 11), 'PT400 forge', 'a well-formed payload of nothing is forged');
SELECT is(left(pg_temp.scan(left((SELECT later FROM p), 78) ||
                            CASE right((SELECT later FROM p), 1) WHEN 'A' THEN 'Q' ELSE 'A' END, 'f3'), 11),
          'PT400 forge', 'a tampered MAC byte is forged');
SELECT is(left(pg_temp.scan(left((SELECT later FROM p), 40) ||
                            CASE substr((SELECT later FROM p), 41, 1) WHEN 'A' THEN 'B' ELSE 'A' END ||
                            substr((SELECT later FROM p), 42), 'f4'), 11),
          'PT400 forge', 'a tampered slot byte is forged');
SELECT is(left(pg_temp.scan('AQAC' || substr((SELECT later FROM p), 5), 'f5'), 11), 'PT400 forge',
          'an unknown key id is forged');
SELECT is(left(pg_temp.scan('Ag' || substr((SELECT later FROM p), 3), 'f6'), 11), 'PT400 forge',
          'an unknown version is forged');
SELECT is(pg_temp.scan((SELECT other_org FROM p), 'f7', 'venue_b'),
          pg_temp.scan(left((SELECT later FROM p), 78) ||
                       CASE right((SELECT later FROM p), 1) WHEN 'A' THEN 'Q' ELSE 'A' END, 'f7', 'venue_b'),
          'another organization''s genuine ticket looks exactly as forged as a forgery');
SELECT pg_temp.act_as('outsider');
SELECT is(left(pg_temp.scan((SELECT tonight2 FROM p), 'f8'), 11), 'PT400 forge',
          'to a signed-in outsider every ticket looks forged');
SELECT pg_temp.act_as('anon');
SELECT is(left(pg_temp.scan((SELECT tonight2 FROM p), 'f9'), 5), '42501', 'anon cannot scan');
SELECT pg_temp.act_as('admin_b');
SELECT is(pg_temp.scan((SELECT other_org FROM p), 'b1', 'venue_b'), 'ok', 'org B''s staff let org B''s ticket in');

-- The other refusals, each with its code.
SELECT pg_temp.act_as('manager_a');
SELECT is(left(pg_temp.scan((SELECT gone FROM p), 'r1'), 13), 'PT409 revoked', 'a cancelled booking''s ticket is revoked');
SELECT is(left(pg_temp.scan((SELECT later FROM p), 'v1', 'brooklyn'), 17), 'PT409 wrong_venue',
          'another venue''s door refuses it');
SELECT is(left(pg_temp.scan((SELECT later FROM p), 's1', 'soho', (SELECT tonight_slot FROM p)), 19),
          'PT409 wrong_session', 'another session''s scanner refuses it');
SELECT matches(pg_temp.scan((SELECT later FROM p), 'w1', 'soho', (SELECT later_slot FROM p)),
               '^PT409 outside_window: this ticket is valid from ', 'too early is outside its window');
SELECT is(left(pg_temp.scan((SELECT over FROM p), 'w2'), 20), 'PT409 outside_window', 'so is too late');
SELECT is(left(pg_temp.scan((SELECT later FROM p), repeat('n', 201)), 18), 'PT400 out_of_range',
          'a nonce over 200 characters is refused');
SELECT is(left(pg_temp.outcome(format('SELECT api.check_in(%L, %L, NULL)', (SELECT later FROM p), 'x')), 14),
          'PT400 required', 'a scan names its venue');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM app.check_ins c JOIN app.tickets t ON t.id = c.ticket_id
            WHERE t.booking_id IN (pg_temp.id('later'), pg_temp.id('over'), pg_temp.id('gone'))), 0,
          'no refused scan wrote a check-in');

-- Validity of a ticket's window and its guard.
SELECT is((SELECT valid_from FROM app.tickets WHERE booking_id = pg_temp.id('later')),
          date_trunc('minute', (SELECT starts_at FROM app.bookings WHERE id = pg_temp.id('later')) - interval '2 hours'),
          'a ticket opens two hours before its session (to the minute)');
SELECT throws_ok($$UPDATE app.tickets SET status = 'valid', revoked_at = NULL
                    WHERE booking_id = pg_temp.id('gone')$$, 'PT409', 'a revoked ticket stays revoked',
                 'revocation is forward only');
SELECT throws_ok($$UPDATE app.tickets SET venue_id = pg_temp.id('brooklyn') WHERE booking_id = pg_temp.id('later')$$,
                 'PT409', 'a ticket keeps what it was issued for', 'a ticket keeps its venue');

SELECT * FROM finish();
ROLLBACK;
