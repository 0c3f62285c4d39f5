-- A customer without an account fetches their tickets with the confirmation code and e-mail of their booking; any
-- wrong pair answers as an unknown code does (HTTP 404, PT404), and failures are counted per code and per e-mail
-- so that guessing stops after ten an hour, for right and wrong pairs alike.
BEGIN;
\ir setup.psql
SELECT plan(18);

\ir fixtures.psql
SELECT pg_temp.shop();
UPDATE app.experiences SET requires_payment = false WHERE id = pg_temp.id('quiz');
SELECT pg_temp.act_as('staff_a');
CREATE TEMP TABLE b AS SELECT * FROM api.create_booking(pg_temp.id('quiz'), (SELECT at_19 FROM day),
  'Eve.Lookup@Example.com', tickets => pg_temp.tickets('standard', 2));
CREATE TEMP TABLE pending AS SELECT * FROM api.create_booking(pg_temp.id('vault'), (SELECT at_19 FROM day),
  'eve.lookup@example.com', party_size => 2);
RESET ROLE;
GRANT SELECT ON b, pending TO PUBLIC;
CREATE TEMP TABLE unknown AS SELECT 'ZZ' || left((SELECT confirmation_code FROM b), 6) AS code
 WHERE NOT EXISTS (SELECT FROM app.bookings WHERE confirmation_code = 'ZZ' || left((SELECT confirmation_code FROM b), 6));
GRANT SELECT ON unknown TO PUBLIC;
-- The answer, and the response status it set.
CREATE FUNCTION pg_temp.lookup(p_code text, p_email text) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
  answer jsonb;
BEGIN
  PERFORM set_config('response.status', '', true);
  answer := api.get_tickets(p_code, p_email);
  RETURN jsonb_build_object('status', nullif(current_setting('response.status', true), ''), 'answer', answer);
END
$$;
GRANT EXECUTE ON FUNCTION pg_temp.lookup(text, text) TO PUBLIC;

SELECT pg_temp.act_as('anon');
CREATE TEMP TABLE found AS SELECT pg_temp.lookup(lower((SELECT confirmation_code FROM b)), ' EVE.lookup@example.COM ') AS r;
SELECT is((SELECT r ->> 'status' FROM found), NULL, 'anon finds the booking with its code and e-mail, in any case');
SELECT is((SELECT jsonb_array_length(r -> 'answer') FROM found), 1, 'one booking');
SELECT is((SELECT jsonb_array_length(r -> 'answer' -> 0 -> 'tickets') FROM found), 2, 'with its two tickets');
SELECT is((SELECT r -> 'answer' -> 0 -> 'tickets' -> 0 ->> 'ticket_type' FROM found), 'Standard', 'named by type');
SELECT matches((SELECT r -> 'answer' -> 0 -> 'tickets' -> 1 ->> 'payload' FROM found), '^[A-Za-z0-9_-]{79}$',
               'each with its payload');
SELECT is(api.ticket_payload((SELECT (r -> 'answer' -> 0 -> 'tickets' -> 1 ->> 'id')::uuid FROM found)),
          (SELECT r -> 'answer' -> 0 -> 'tickets' -> 1 ->> 'payload' FROM found),
          'ticket_payload gives the same payload by ticket id');
SELECT throws_ok($$SELECT api.ticket_payload(gen_random_uuid())$$, 'PT404', 'ticket not found',
                 'an unknown ticket id is not found');
SELECT is(pg_temp.lookup((SELECT confirmation_code FROM pending), 'eve.lookup@example.com') -> 'answer' -> 0 -> 'tickets',
          '[]'::jsonb, 'a pending booking is found, without tickets yet');

CREATE TEMP TABLE wrong AS
SELECT pg_temp.lookup((SELECT confirmation_code FROM b), 'mallory@example.com') AS wrong_email,
       pg_temp.lookup((SELECT code FROM unknown), 'eve.lookup@example.com') AS unknown_code;
SELECT is((SELECT wrong_email FROM wrong),
          '{"status": "404", "answer": {"code": "PT404", "message": "booking not found: check the confirmation code and e-mail", "details": null, "hint": null}}'::jsonb,
          'a wrong e-mail is answered 404 PT404');
SELECT is((SELECT unknown_code FROM wrong), (SELECT wrong_email FROM wrong), 'exactly as an unknown code is');
SELECT throws_ok($$SELECT api.get_tickets(NULL, 'eve@example.com')$$, 'PT400', NULL, 'a code is required');
SELECT throws_ok($$SELECT api.get_tickets('ABCDEFGH', 'not an address')$$, 'PT400', NULL, 'an e-mail must be one');

-- Ten failures for the code (one was counted above): then even the right pair waits.
SELECT pg_temp.lookup((SELECT confirmation_code FROM b), 'guess' || n || '@example.com') FROM generate_series(1, 8) n;
SELECT is(pg_temp.lookup((SELECT confirmation_code FROM b), 'guess9@example.com') ->> 'status', '404',
          'the tenth failure for a code is still a plain not-found');
SELECT throws_ok($$SELECT api.get_tickets((SELECT confirmation_code FROM b), 'eve.lookup@example.com')$$, 'PT429',
                 'too many failed attempts for this booking or e-mail: try again in an hour',
                 'after ten failures for a code in an hour, the right pair is refused too');
-- And ten for an e-mail (one counted above, with the unknown code), across codes that do or do not exist.
SELECT pg_temp.lookup('QQQQQQ' || n, 'eve.lookup@example.com') FROM generate_series(10, 18) n;
SELECT throws_ok($$SELECT api.get_tickets((SELECT confirmation_code FROM pending), 'EVE.lookup@example.com')$$,
                 'PT429', NULL, 'after ten failures for an e-mail, its right pairs are refused too (in any case)');
RESET ROLE;
SELECT is((SELECT failures FROM app.ticket_lookup_failures
            WHERE subject = 'email ' || encode(sha256(convert_to('eve.lookup@example.com', 'UTF8')), 'hex')
              AND hour = date_trunc('hour', now())), 10, 'failures are counted by the e-mail''s hash');
SELECT is((SELECT count(*)::int FROM app.ticket_lookup_failures WHERE subject LIKE '%@%'), 0,
          'no e-mail address is stored');
SELECT is((SELECT count(*)::int FROM audit.log WHERE table_name = 'app.ticket_lookup_failures'), 0,
          'failed lookups are bookkeeping, not audited');

SELECT * FROM finish();
ROLLBACK;
