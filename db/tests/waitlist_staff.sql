-- Staff and the waitlist: list_waitlist shows a session's entries in order with their place in the queue, to staff
-- of its organization only; cancel_waitlist_entry takes one off, withdrawing its offer so the places pass on; the
-- holds of offers not taken are known as such (private.is_waitlist_hold), so they are not announced as bookings.
BEGIN;
\ir setup.psql
SELECT plan(12);
\ir fixtures.psql
SELECT pg_temp.shop();

-- The quiz sold out by two bookings (18 and 2 places); three entries of two.
SELECT pg_temp.act_as('staff_a');
CREATE TEMP TABLE sold AS
SELECT n, (SELECT id FROM api.create_booking(pg_temp.id('quiz'), (SELECT at_19 FROM day), n || '@buyers.example',
                                             tickets => pg_temp.tickets('standard', places))) AS booking_id
  FROM (VALUES ('a', 10), ('b', 8), ('c', 2)) v(n, places);
RESET ROLE;
SELECT pg_temp.act_as('anon');
CREATE TEMP TABLE tokens AS
SELECT who, api.join_waitlist(pg_temp.key('soho'), pg_temp.id('quiz'), (SELECT at_19 FROM day), 2, who,
                              who || '@wait.example', consent => true) ->> 'token' AS token, ord
  FROM (VALUES ('first', 1), ('second', 2), ('third', 3)) v(who, ord);
RESET ROLE;
UPDATE app.waitlist_entries w SET created_at = now() - make_interval(mins => 10 - t.ord)
  FROM tokens t WHERE w.email = t.who || '@wait.example';

CREATE TEMP TABLE entry_ids AS SELECT email, id FROM app.waitlist_entries WHERE email LIKE '%@wait.example';
GRANT SELECT ON entry_ids TO PUBLIC;

CREATE FUNCTION pg_temp.queue() RETURNS text LANGUAGE sql AS $$
  SELECT string_agg(split_part(customer_email, '@', 1) || ':' || status || coalesce(':' || queue_position, ''), ' '
                    ORDER BY created_at)
    FROM api.list_waitlist(pg_temp.id('quiz'), (SELECT at_19 FROM day))
$$;
GRANT EXECUTE ON FUNCTION pg_temp.queue() TO PUBLIC;

SELECT pg_temp.act_as('staff_a');
SELECT is(pg_temp.queue(), 'first:waiting:1 second:waiting:2 third:waiting:3',
          'staff see the session''s entries in order, with their place in the queue');
SELECT is((SELECT customer_name || ' ' || party_size FROM api.list_waitlist(pg_temp.id('quiz'),
                                                                            (SELECT at_19 FROM day))
            WHERE customer_email = 'first@wait.example'), 'first 2', 'with their contact and party');
SELECT lives_ok(format($$ SELECT api.cancel_booking(%L) $$, (SELECT booking_id FROM sold WHERE n = 'c')),
                'two places are cancelled');
SELECT is(pg_temp.queue(), 'first:offered second:waiting:1 third:waiting:2',
          'the first is offered them; the others move up the queue');
RESET ROLE;
SELECT pg_temp.act_as('admin_b');
SELECT is(pg_temp.queue(), NULL, 'another organization''s admin sees no entry');
SELECT throws_ok(format($$ SELECT api.cancel_waitlist_entry(%L) $$,
                        (SELECT id FROM entry_ids WHERE email = 'first@wait.example')),
                 'PT404', NULL, 'and cannot cancel one');
RESET ROLE;
SELECT pg_temp.act_as('anon');
SELECT throws_ok($$ SELECT * FROM api.list_waitlist(gen_random_uuid(), now()) $$, '42501', NULL,
                 'the public cannot list a waitlist');
RESET ROLE;

CREATE TEMP TABLE first_hold AS SELECT booking_id FROM app.waitlist_entries WHERE email = 'first@wait.example';
SELECT ok(private.is_waitlist_hold((SELECT booking_id FROM first_hold)), 'an offer''s hold is a waitlist hold');
SELECT pg_temp.act_as('staff_a');
SELECT is(api.cancel_waitlist_entry((SELECT id FROM entry_ids WHERE email = 'first@wait.example')),
          'cancelled', 'staff take an offered entry off');
SELECT is(pg_temp.queue(), 'first:cancelled second:offered third:waiting:1',
          'its offer is withdrawn and passes to the next entry');
SELECT throws_ok(format($$ SELECT api.cancel_waitlist_entry(%L) $$,
                        (SELECT id FROM entry_ids WHERE email = 'first@wait.example')),
                 'PT409', NULL, 'an entry is cancelled once');
RESET ROLE;
SELECT is((SELECT row(b.status, private.is_waitlist_hold(b.id))::text FROM app.bookings b
            WHERE b.id = (SELECT booking_id FROM first_hold)),
          row('cancelled', true)::text, 'the withdrawn hold is cancelled, and still known as a waitlist hold');

SELECT * FROM finish();
ROLLBACK;
