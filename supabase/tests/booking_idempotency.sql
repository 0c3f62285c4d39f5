-- Idempotency keys are scoped to who used them and to what was asked: the same request with the same key is the
-- same booking; another request with that key is refused (PT422) and writes nothing; a key replayed by someone
-- else (another staff member, another venue's widget, another e-mail) never reveals the first customer's booking.
BEGIN;
\ir setup.psql
\ir fixtures.psql
SELECT pg_temp.shop();
SELECT plan(15);

SELECT pg_temp.act_as('anon');

CREATE TEMP TABLE first AS
SELECT * FROM api.widget_create_booking(pg_temp.key('soho'), pg_temp.id('vault'), (SELECT at_19 FROM day),
                                        'ada@example.com', 2, 'Ada', idempotency_key => 'guessable-1');
GRANT SELECT ON first TO PUBLIC;
SELECT is((SELECT id FROM api.widget_create_booking(pg_temp.key('soho'), pg_temp.id('vault'),
            (SELECT at_19 FROM day), 'Ada@Example.com ', 2, 'Ada', idempotency_key => 'guessable-1')),
          (SELECT id FROM first), 'the same request with the same key is the same booking (e-mail in any case)');
SELECT throws_ok(format($$ SELECT * FROM api.widget_create_booking(%L, %L, %L, 'ada@example.com', 3, 'Ada',
                            idempotency_key => 'guessable-1') $$,
                        pg_temp.key('soho'), pg_temp.id('vault'), (SELECT at_19 FROM day)),
                 'PT422', 'this idempotency key was already used for a different request',
                 'another request with the same key is refused');
SELECT throws_ok(format($$ SELECT * FROM api.widget_create_booking(%L, %L, %L, 'ada@example.com', 2, 'Ada Lovelace',
                            idempotency_key => 'guessable-1') $$,
                        pg_temp.key('soho'), pg_temp.id('vault'), (SELECT at_19 FROM day)),
                 'PT422', NULL, 'a different name is a different request too');

-- Someone else replaying the key: another e-mail at the same venue, or another venue's widget.
CREATE TEMP TABLE other_email AS
SELECT * FROM api.widget_create_booking(pg_temp.key('soho'), pg_temp.id('quiz'), (SELECT at_19 FROM day),
                                        'mallory@example.com', customer_name => 'Ada',
                                        tickets => pg_temp.tickets('standard', 1),
                                        idempotency_key => 'guessable-1');
GRANT SELECT ON other_email TO PUBLIC;
SELECT isnt((SELECT id FROM other_email), (SELECT id FROM first),
            'another e-mail with the same key gets a booking of its own');
SELECT isnt((SELECT confirmation_code FROM other_email), (SELECT confirmation_code FROM first),
            '… and never the first customer''s confirmation code');
CREATE TEMP TABLE other_venue AS
SELECT * FROM api.widget_create_booking(pg_temp.key('brooklyn'), pg_temp.id('subway'),
                                        (SELECT at_19_ny FROM day), 'ada@example.com', 2, 'Ada',
                                        idempotency_key => 'guessable-1');
GRANT SELECT ON other_venue TO PUBLIC;
SELECT isnt((SELECT id FROM other_venue), (SELECT id FROM first),
            'another venue''s widget with the same key and e-mail gets a booking of its own');
SELECT throws_ok(format($$ SELECT * FROM api.widget_create_booking(%L, %L, %L, 'mallory@example.com', 2,
                            idempotency_key => 'guessable-1') $$,
                        pg_temp.key('brooklyn'), pg_temp.id('vault'), (SELECT at_19 FROM day)),
                 'PT404', 'experience not found', 'a key cannot reach another venue''s booking either');
RESET ROLE;

-- Staff: the key belongs to the signed-in user.
SELECT pg_temp.act_as('staff_a');
CREATE TEMP TABLE tickets AS SELECT pg_temp.tickets('standard', 2) AS two, pg_temp.tickets('standard', 3) AS three;
CREATE TEMP TABLE by_staff AS
SELECT * FROM api.create_booking(pg_temp.id('quiz'), (SELECT at_19 FROM day), 'bob@example.com',
                                 tickets => (SELECT two FROM tickets), idempotency_key => 'guessable-1');
SELECT ok((SELECT id FROM by_staff) NOT IN ((SELECT id FROM first), (SELECT id FROM other_email)),
          'a staff member''s key is not a widget visitor''s');
SELECT is((SELECT id FROM api.create_booking(pg_temp.id('quiz'), (SELECT at_19 FROM day), 'bob@example.com',
                                             tickets => (SELECT two FROM tickets), idempotency_key => 'guessable-1')),
          (SELECT id FROM by_staff), 'the same staff member retrying gets the same booking');
SELECT throws_ok(format($$ SELECT * FROM api.create_booking(%L, %L, 'bob@example.com', tickets => %L,
                            idempotency_key => 'guessable-1') $$,
                        pg_temp.id('quiz'), (SELECT at_19 FROM day), (SELECT three FROM tickets)),
                 'PT422', NULL, 'the same staff member with the same key and other tickets is refused');
SELECT throws_ok(format($$ SELECT * FROM api.create_booking(%L, %L, 'bob@example.com', tickets => %L,
                            idempotency_key => 'guessable-1') $$,
                        pg_temp.id('quiz'), (SELECT at_19 FROM day) + interval '1 day', (SELECT two FROM tickets)),
                 'PT422', NULL, '… and so is another start');
RESET ROLE;
SELECT pg_temp.act_as('staff2_a');
SELECT isnt((SELECT id FROM api.create_booking(pg_temp.id('quiz'), (SELECT at_19 FROM day), 'bob@example.com',
                                               tickets => (SELECT two FROM tickets), idempotency_key => 'guessable-1')),
            (SELECT id FROM by_staff), 'another staff member''s same key is another booking');
RESET ROLE;

-- Nothing a refused request sent was written.
SELECT is((SELECT name FROM app.customers WHERE org_id = pg_temp.id('org_a') AND email_key = 'ada@example.com'),
          'Ada', 'a refused replay does not rename the customer');
SELECT is((SELECT party_size FROM app.bookings WHERE id = (SELECT id FROM first)), 2,
          'nor change the first booking');
SELECT is((SELECT count(*)::integer FROM app.bookings
            WHERE org_id = pg_temp.id('org_a') AND idempotency_key = 'guessable-1'), 5,
          'one booking per (who, key): two widget visitors, one at another venue, two staff members');

SELECT * FROM finish();
ROLLBACK;
