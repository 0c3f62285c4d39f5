-- Idempotency keys are scoped to who used them and to what was asked: the same request with the same key is the
-- same booking; another request with that key is refused (PT422) and writes nothing; a key replayed by someone
-- else (another staff member, another venue's widget, another e-mail) never reveals the first customer's booking.
BEGIN;
\ir setup.psql
\ir shop.psql
SELECT plan(15);

SELECT set_config('request.jwt.claims', '{"role":"anon"}', true);
SET LOCAL ROLE anon;

CREATE TEMP TABLE first AS
SELECT * FROM api.widget_create_booking((SELECT key FROM shop), (SELECT vault FROM shop), (SELECT at_19 FROM shop),
                                        'ada@example.com', 2, 'Ada', idempotency_key => 'guessable-1');
GRANT SELECT ON first TO PUBLIC;
SELECT is((SELECT id FROM api.widget_create_booking((SELECT key FROM shop), (SELECT vault FROM shop),
            (SELECT at_19 FROM shop), 'Ada@Example.com ', 2, 'Ada', idempotency_key => 'guessable-1')),
          (SELECT id FROM first), 'the same request with the same key is the same booking (e-mail in any case)');
SELECT throws_ok(format($$ SELECT * FROM api.widget_create_booking(%L, %L, %L, 'ada@example.com', 3, 'Ada',
                            idempotency_key => 'guessable-1') $$,
                        (SELECT key FROM shop), (SELECT vault FROM shop), (SELECT at_19 FROM shop)),
                 'PT422', 'this idempotency key was already used for a different request',
                 'another request with the same key is refused');
SELECT throws_ok(format($$ SELECT * FROM api.widget_create_booking(%L, %L, %L, 'ada@example.com', 2, 'Ada Lovelace',
                            idempotency_key => 'guessable-1') $$,
                        (SELECT key FROM shop), (SELECT vault FROM shop), (SELECT at_19 FROM shop)),
                 'PT422', NULL, 'a different name is a different request too');

-- Someone else replaying the key: another e-mail at the same venue, or another venue's widget.
CREATE TEMP TABLE other_email AS
SELECT * FROM api.widget_create_booking((SELECT key FROM shop), (SELECT quiz FROM shop), (SELECT at_19 FROM shop),
                                        'mallory@example.com', customer_name => 'Ada',
                                        tickets => jsonb_build_array(jsonb_build_object(
                                          'ticket_type_id', (SELECT standard FROM shop), 'quantity', 1)),
                                        idempotency_key => 'guessable-1');
GRANT SELECT ON other_email TO PUBLIC;
SELECT isnt((SELECT id FROM other_email), (SELECT id FROM first),
            'another e-mail with the same key gets a booking of its own');
SELECT isnt((SELECT confirmation_code FROM other_email), (SELECT confirmation_code FROM first),
            '… and never the first customer''s confirmation code');
CREATE TEMP TABLE other_venue AS
SELECT * FROM api.widget_create_booking((SELECT key2 FROM shop), (SELECT subway FROM shop),
                                        (SELECT at_19_ny FROM shop), 'ada@example.com', 2, 'Ada',
                                        idempotency_key => 'guessable-1');
GRANT SELECT ON other_venue TO PUBLIC;
SELECT isnt((SELECT id FROM other_venue), (SELECT id FROM first),
            'another venue''s widget with the same key and e-mail gets a booking of its own');
SELECT throws_ok(format($$ SELECT * FROM api.widget_create_booking(%L, %L, %L, 'mallory@example.com', 2,
                            idempotency_key => 'guessable-1') $$,
                        (SELECT key2 FROM shop), (SELECT vault FROM shop), (SELECT at_19 FROM shop)),
                 'PT404', 'experience not found', 'a key cannot reach another venue''s booking either');
RESET ROLE;

-- Staff: the key belongs to the signed-in user.
SELECT set_config('request.jwt.claims', json_build_object('role', 'authenticated', 'sub', staff)::text, true)
  FROM shop;
SET LOCAL ROLE authenticated;
CREATE TEMP TABLE tickets AS
SELECT jsonb_build_array(jsonb_build_object('ticket_type_id', standard, 'quantity', 2)) AS two,
       jsonb_build_array(jsonb_build_object('ticket_type_id', standard, 'quantity', 3)) AS three FROM shop;
CREATE TEMP TABLE by_staff AS
SELECT * FROM api.create_booking((SELECT quiz FROM shop), (SELECT at_19 FROM shop), 'bob@example.com',
                                 tickets => (SELECT two FROM tickets), idempotency_key => 'guessable-1');
SELECT ok((SELECT id FROM by_staff) NOT IN ((SELECT id FROM first), (SELECT id FROM other_email)),
          'a staff member''s key is not a widget visitor''s');
SELECT is((SELECT id FROM api.create_booking((SELECT quiz FROM shop), (SELECT at_19 FROM shop), 'bob@example.com',
                                             tickets => (SELECT two FROM tickets), idempotency_key => 'guessable-1')),
          (SELECT id FROM by_staff), 'the same staff member retrying gets the same booking');
SELECT throws_ok(format($$ SELECT * FROM api.create_booking(%L, %L, 'bob@example.com', tickets => %L,
                            idempotency_key => 'guessable-1') $$,
                        (SELECT quiz FROM shop), (SELECT at_19 FROM shop), (SELECT three FROM tickets)),
                 'PT422', NULL, 'the same staff member with the same key and other tickets is refused');
SELECT throws_ok(format($$ SELECT * FROM api.create_booking(%L, %L, 'bob@example.com', tickets => %L,
                            idempotency_key => 'guessable-1') $$,
                        (SELECT quiz FROM shop), (SELECT at_19 FROM shop) + interval '1 day', (SELECT two FROM tickets)),
                 'PT422', NULL, '… and so is another start');
RESET ROLE;
SELECT set_config('request.jwt.claims', json_build_object('role', 'authenticated', 'sub', staff2)::text, true)
  FROM shop;
SET LOCAL ROLE authenticated;
SELECT isnt((SELECT id FROM api.create_booking((SELECT quiz FROM shop), (SELECT at_19 FROM shop), 'bob@example.com',
                                               tickets => (SELECT two FROM tickets), idempotency_key => 'guessable-1')),
            (SELECT id FROM by_staff), 'another staff member''s same key is another booking');
RESET ROLE;

-- Nothing a refused request sent was written.
SELECT is((SELECT name FROM app.customers WHERE org_id = (SELECT org FROM shop) AND email_key = 'ada@example.com'),
          'Ada', 'a refused replay does not rename the customer');
SELECT is((SELECT party_size FROM app.bookings WHERE id = (SELECT id FROM first)), 2,
          'nor change the first booking');
SELECT is((SELECT count(*)::integer FROM app.bookings
            WHERE org_id = (SELECT org FROM shop) AND idempotency_key = 'guessable-1'), 5,
          'one booking per (who, key): two widget visitors, one at another venue, two staff members');

SELECT * FROM finish();
ROLLBACK;
