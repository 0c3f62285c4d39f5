-- Signing a booking's waiver, per participant: online without an account (the confirmation code and e-mail are the
-- capability, rate limited with get_tickets' counters) or at the venue on a staff device. A signature keeps the
-- SHA-256 of the exact text signed, which must be the current version's; the client's IP and user agent come from
-- the request; a booking has at most one signature per participant; staff read who signed and who is missing.
BEGIN;
\ir setup.psql
SELECT plan(42);

\ir fixtures.psql
SELECT pg_temp.shop();
SELECT pg_temp.fresh('family', 'walk_in', 'cancelled', 'no_waiver', 'unknown');
CREATE FUNCTION pg_temp.outcome(p_sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  detail text;
BEGIN
  EXECUTE p_sql;
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
  RETURN SQLSTATE || ' ' || coalesce(detail, '');
END
$$;
GRANT EXECUTE ON FUNCTION pg_temp.outcome(text) TO PUBLIC;
-- A booking named p_name of p_party people of p_experience at 19:00 London ten days on (and p_later days), for
-- p_name@example.com.
CREATE FUNCTION pg_temp.booked(p_name text, p_experience text, p_party int, p_later int)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  e app.experiences;
  customer uuid := gen_random_uuid();
  starts timestamptz := (SELECT at_19 FROM day) + make_interval(days => p_later);
BEGIN
  SELECT * INTO e FROM app.experiences WHERE id = pg_temp.id(p_experience);
  INSERT INTO app.slots (org_id, id, experience_id, starts_at, ends_at, capacity)
  VALUES (e.org_id, pg_temp.id(p_name), e.id, starts, starts + interval '1 hour', coalesce(e.capacity, 1));
  INSERT INTO app.customers (org_id, id, email, name)
  VALUES (e.org_id, customer, p_name || '.' || left(pg_temp.id(p_name)::text, 8) || '@example.com', 'Ada ' || p_name);
  INSERT INTO app.bookings (org_id, id, experience_id, slot_id, customer_id, status, party_size, places, starts_at,
                            ends_at, price_minor, currency, confirmation_code, hold_expires_at)
  VALUES (e.org_id, pg_temp.id(p_name), e.id, pg_temp.id(p_name), customer, 'confirmed', p_party,
          CASE e.kind WHEN 'private_session' THEN 1 ELSE p_party END, starts, starts + interval '1 hour', 0,
          e.currency, private.new_confirmation_code(), now() + interval '15 minutes');
END
$$;
-- The answer of a call by code and e-mail, and the response status it set.
CREATE FUNCTION pg_temp.answered(p_sql text) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  answer jsonb;
BEGIN
  PERFORM set_config('response.status', '', true);
  EXECUTE p_sql INTO answer;
  RETURN jsonb_build_object('status', nullif(current_setting('response.status', true), ''), 'answer', answer);
END
$$;
GRANT EXECUTE ON FUNCTION pg_temp.answered(text) TO PUBLIC;

SELECT pg_temp.act_as('manager_a');
CREATE TEMP TABLE t AS SELECT api.create_waiver_template(pg_temp.id('org_a'), 'Vault waiver', 'Release',
                                                         'Version one: I play at my own risk.') AS answer;
SELECT api.update_experience(pg_temp.id('vault'), jsonb_build_object('waiver_template_id', (SELECT answer ->> 'id' FROM t),
                                                            'waiver_at_check_in', true));
RESET ROLE;
SELECT pg_temp.booked('family', 'vault', 3, 0);
SELECT pg_temp.booked('walk_in', 'vault', 2, 1);
SELECT pg_temp.booked('cancelled', 'vault', 2, 2);
UPDATE app.bookings SET status = 'cancelled' WHERE id = pg_temp.id('cancelled');
SELECT pg_temp.booked('no_waiver', 'subway', 2, 0);
-- code and e-mail of each booking, readable by anon
CREATE TEMP TABLE pair AS
SELECT f.name, b.confirmation_code AS code, c.email
  FROM fx f JOIN app.bookings b ON b.id = f.id JOIN app.customers c ON c.id = b.customer_id;
INSERT INTO pair SELECT 'unknown', 'ZZ' || left(code, 6), email FROM pair WHERE name = 'family'
   AND NOT EXISTS (SELECT FROM app.bookings WHERE confirmation_code = 'ZZ' || left((SELECT code FROM pair WHERE name = 'family'), 6));
GRANT SELECT ON pair TO PUBLIC;
CREATE FUNCTION pg_temp.sign_call(p_booking text, p_name text, p_sha text, p_email text DEFAULT NULL)
RETURNS text LANGUAGE sql STABLE AS $f$
  SELECT format($$SELECT api.sign_waiver(%L, %L, %L, '1990-05-17', %L, %L)$$,
                lower(code), coalesce(p_email, upper(email)), p_name, p_name, p_sha)
    FROM pair WHERE name = p_booking
$f$;
GRANT EXECUTE ON FUNCTION pg_temp.sign_call(text, text, text, text) TO PUBLIC;
CREATE TEMP TABLE v1 AS SELECT answer -> 'versions' -> 0 AS v FROM t;
GRANT SELECT ON v1, t TO PUBLIC;

-- Online, as anon.
SELECT pg_temp.act_as('anon');
CREATE TEMP TABLE shown AS
SELECT pg_temp.answered(format($$SELECT api.get_waiver(%L, %L)$$, lower(code), ' ' || upper(email) || ' ')) AS r
  FROM pair WHERE name = 'family';
SELECT is((SELECT r ->> 'status' FROM shown), NULL, 'anon finds the waiver with the code and e-mail, in any case');
SELECT is((SELECT r -> 'answer' -> 'waiver' ->> 'body' FROM shown), 'Version one: I play at my own risk.',
          'the answer is the text to sign');
SELECT is((SELECT r -> 'answer' -> 'waiver' ->> 'body_sha256' FROM shown), (SELECT v ->> 'body_sha256' FROM v1),
          'with its SHA-256');
SELECT is((SELECT (r -> 'answer' ->> 'places')::int || ' ' || (r -> 'answer' ->> 'signed') || ' ' ||
                  (r -> 'answer' ->> 'missing') FROM shown), '3 0 3', 'and the places, signed and missing');

SELECT set_config('request.headers', '{"x-forwarded-for": "203.0.113.7, 10.0.0.1", "user-agent": "WaiverTest/1.0"}',
                  true);
CREATE TEMP TABLE signed1 AS
SELECT pg_temp.answered(pg_temp.sign_call('family', 'Grace Hopper', (SELECT v ->> 'body_sha256' FROM v1))) AS r;
SELECT is((SELECT r -> 'answer' ->> 'signed_via' FROM signed1), 'online', 'anon signs online');
SELECT is((SELECT (r -> 'answer' ->> 'signed')::int FROM signed1), 1, 'one place signed');
SELECT is((SELECT (r -> 'answer' ->> 'missing')::int FROM signed1), 2, 'two missing');
SELECT is((SELECT (r -> 'answer' ->> 'minor')::boolean FROM signed1), false, 'an adult is no minor');
SELECT set_config('request.headers', '', true);
SELECT is((SELECT r -> 'answer' -> 'participant_name' FROM shown), NULL, 'the waiver names nobody');

RESET ROLE;
CREATE TEMP TABLE sig1 AS SELECT * FROM app.waiver_signatures WHERE booking_id = pg_temp.id('family');
SELECT is((SELECT text_sha256 FROM sig1),
          encode(sha256(convert_to('Version one: I play at my own risk.', 'UTF8')), 'hex'),
          'the signature keeps the SHA-256 of the text signed');
SELECT is((SELECT version_id FROM sig1), (SELECT (v ->> 'id')::uuid FROM v1), 'and the version it is of');
SELECT is((SELECT host(client_ip) FROM sig1), '203.0.113.7', 'the client''s IP from the request, as the audit log reads it');
SELECT is((SELECT user_agent FROM sig1), 'WaiverTest/1.0', 'and its user agent');
SELECT is((SELECT participant_name || ' / ' || signature || ' / ' || date_of_birth FROM sig1),
          'Grace Hopper / Grace Hopper / 1990-05-17', 'the participant, their typed signature and date of birth');
SELECT ok((SELECT signed_at = now() AND collected_by IS NULL FROM sig1), 'signed now, collected by nobody');
SELECT is(pg_temp.outcome(format($$UPDATE app.waiver_signatures SET participant_name = 'X' WHERE id = %L$$,
                                 (SELECT id FROM sig1))),
          'PT409 illegal_transition', 'a signature is kept as it was signed');
SELECT is(pg_temp.outcome(format($$DELETE FROM app.waiver_signatures WHERE id = %L$$, (SELECT id FROM sig1))),
          'PT409 illegal_transition', 'and never deleted');

-- a signer who saw old wording is refused
SELECT pg_temp.act_as('manager_a');
CREATE TEMP TABLE v2 AS
SELECT api.create_waiver_version((SELECT (answer ->> 'id')::uuid FROM t), 'Release', 'Version two: helmets on.') AS v;
GRANT SELECT ON v2 TO PUBLIC;
SELECT pg_temp.act_as('anon');
SELECT is(pg_temp.outcome(pg_temp.sign_call('family', 'Alan Turing', (SELECT v ->> 'body_sha256' FROM v1))),
          'PT409 waiver_changed', 'a signer who saw old wording is refused');
SELECT is(pg_temp.outcome(pg_temp.sign_call('family', 'Alan Turing', repeat('0', 64))),
          'PT409 waiver_changed', 'as is a hash of any other text');
SELECT is((SELECT r -> 'answer' -> 'waiver' ->> 'version'
             FROM (SELECT pg_temp.answered(format($$SELECT api.get_waiver(%L, %L)$$, code, email)) FROM pair
                    WHERE name = 'family') a(r)), '2', 'the waiver shown is now version 2');
SELECT is(pg_temp.outcome(pg_temp.sign_call('family', 'Alan Turing', (SELECT v ->> 'body_sha256' FROM v2))),
          'ok', 'which is signed with its own hash');

-- more signatures than places are refused
SELECT is(pg_temp.outcome(pg_temp.sign_call('family', 'Katherine Johnson', (SELECT v ->> 'body_sha256' FROM v2))),
          'ok', 'the third of three participants signs');
SELECT is(pg_temp.outcome(pg_temp.sign_call('family', 'Mallory', (SELECT v ->> 'body_sha256' FROM v2))),
          'PT409 all_signed', 'more signatures than places are refused');

-- Refusals that say what to fix.
SELECT is(pg_temp.outcome(format($$SELECT api.sign_waiver(%L, %L, NULL, '1990-05-17', 'X', %L)$$,
                                 (SELECT code FROM pair WHERE name = 'walk_in'),
                                 (SELECT email FROM pair WHERE name = 'walk_in'), (SELECT v ->> 'body_sha256' FROM v2))),
          'PT400 required', 'a full name is required');
SELECT is(pg_temp.outcome(format($$SELECT api.sign_waiver(%L, %L, 'X', '1990-05-17', 'X', 'ABC')$$,
                                 (SELECT code FROM pair WHERE name = 'walk_in'),
                                 (SELECT email FROM pair WHERE name = 'walk_in'))),
          'PT400 invalid', 'a hash must be 64 hex digits');
SELECT is(pg_temp.outcome(pg_temp.sign_call('cancelled', 'X', (SELECT v ->> 'body_sha256' FROM v2))),
          'PT409 booking_closed', 'a cancelled booking is not signed for');
SELECT is(pg_temp.outcome(pg_temp.sign_call('no_waiver', 'X', (SELECT v ->> 'body_sha256' FROM v2))),
          'PT409 no_waiver', 'nor one whose experience asks for no waiver');
SELECT is((SELECT r -> 'answer' -> 'waiver'
             FROM (SELECT pg_temp.answered(format($$SELECT api.get_waiver(%L, %L)$$, code, email)) FROM pair
                    WHERE name = 'no_waiver') a(r)), 'null'::jsonb, 'whose waiver is shown as none');

-- At the venue, on a staff device.
SELECT pg_temp.act_as('staff_a');
SELECT set_config('request.headers', '{"x-forwarded-for": "198.51.100.4", "user-agent": "FrontDesk/2"}', true);
CREATE TEMP TABLE at_venue AS
SELECT api.sign_waiver_at_venue(pg_temp.id('walk_in'), 'Edsger Dijkstra', '1985-01-02', 'E. Dijkstra',
                                (SELECT v ->> 'body_sha256' FROM v2)) AS r;
SELECT set_config('request.headers', '', true);
SELECT is((SELECT r ->> 'signed_via' FROM at_venue), 'venue', 'staff collect a signature at the venue');
RESET ROLE;
SELECT is((SELECT collected_by FROM app.waiver_signatures WHERE booking_id = pg_temp.id('walk_in')),
          pg_temp.id('staff_a'), 'collected by the staff member');
SELECT is((SELECT host(client_ip) || ' ' || user_agent FROM app.waiver_signatures
            WHERE booking_id = pg_temp.id('walk_in')), '198.51.100.4 FrontDesk/2', 'from the staff device');
SELECT pg_temp.act_as('admin_b');
SELECT is(pg_temp.outcome(format($$SELECT api.sign_waiver_at_venue(%L, 'X', '1985-01-02', 'X', %L)$$,
                                 pg_temp.id('walk_in'), (SELECT v ->> 'body_sha256' FROM v2))),
          'PT404 ', 'another organization''s staff do not find the booking');

-- Who signed, who is missing.
SELECT pg_temp.act_as('staff_a');
CREATE TEMP TABLE status AS SELECT api.booking_waiver_status(pg_temp.id('family')) AS s;
SELECT is((SELECT s -> 'signed' FROM status) @? '$[*] ? (@.participant_name == "Grace Hopper" && @.version == 1)',
          true, 'the status lists who signed, and which version');
SELECT is((SELECT jsonb_array_length(s -> 'signed') || ' of ' || (s ->> 'places') || ', ' || (s ->> 'missing')
                  || ' missing' FROM status), '3 of 3, 0 missing', 'and how many are missing');
SELECT is((SELECT (s ->> 'required')::boolean AND (s ->> 'at_check_in')::boolean FROM status), true,
          'and whether the experience requires it at check-in');
SELECT pg_temp.act_as('admin_b');
SELECT is(pg_temp.outcome(format($$SELECT api.booking_waiver_status(%L)$$, pg_temp.id('family'))), 'PT404 ',
          'another organization sees no status');

-- a wrong code and e-mail pair reveals nothing and is rate limited
SELECT pg_temp.act_as('anon');
CREATE TEMP TABLE wrong AS
SELECT pg_temp.answered(format($$SELECT api.get_waiver(%L, 'mallory@example.com')$$,
                               (SELECT code FROM pair WHERE name = 'walk_in'))) AS wrong_email,
       pg_temp.answered(format($$SELECT api.get_waiver(%L, %L)$$, (SELECT code FROM pair WHERE name = 'unknown'),
                               (SELECT email FROM pair WHERE name = 'walk_in'))) AS unknown_code,
       pg_temp.answered(pg_temp.sign_call('walk_in', 'Mallory', (SELECT v ->> 'body_sha256' FROM v2),
                                          'mallory@example.com')) AS wrong_sign;
SELECT is((SELECT wrong_email FROM wrong),
          '{"status": "404", "answer": {"code": "PT404", "message": "booking not found: check the confirmation code and e-mail", "details": null, "hint": null}}'::jsonb,
          'a wrong e-mail is answered 404 PT404');
SELECT is((SELECT unknown_code FROM wrong), (SELECT wrong_email FROM wrong), 'exactly as an unknown code is');
SELECT is((SELECT wrong_sign FROM wrong), (SELECT wrong_email FROM wrong), 'and signing with a wrong pair');
-- Two failures counted for walk_in's code above; eight wrong ticket lookups make ten: the limit is one.
SELECT api.get_tickets((SELECT code FROM pair WHERE name = 'walk_in'), 'guess' || n || '@example.com')
  FROM generate_series(1, 8) n;
SELECT is(pg_temp.outcome(format($$SELECT api.get_waiver(%L, %L)$$, (SELECT code FROM pair WHERE name = 'walk_in'),
                                 (SELECT email FROM pair WHERE name = 'walk_in'))),
          'PT429 rate_limited', 'after ten failures with get_waiver, sign_waiver or get_tickets, even the right pair waits');
SELECT is(pg_temp.outcome(pg_temp.sign_call('walk_in', 'Ada', (SELECT v ->> 'body_sha256' FROM v2))),
          'PT429 rate_limited', 'for signing too');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM app.waiver_signatures WHERE booking_id = pg_temp.id('walk_in')), 1,
          'nothing was signed by the wrong pairs');

SELECT * FROM finish();
ROLLBACK;
