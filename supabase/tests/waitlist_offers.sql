-- Offers of freed places: a cancellation offers them to the first waiting entries that fit, in order of arrival
-- (an entry too big is passed over for a later smaller one and keeps its place); an offer is a held booking that
-- counts against capacity, with one waitlist_offer message; an offer that runs out expires its entry and passes
-- its places on; more capacity is offered too; nothing is ever sold or offered beyond capacity.
BEGIN;
\ir setup.psql
SELECT plan(30);
\ir fixtures.psql
SELECT pg_temp.shop();

-- The quiz at 19:00 in ten days, sold out by three bookings of staff's (10, 6 and 4 places).
SELECT pg_temp.act_as('staff_a');
CREATE TEMP TABLE sold AS
SELECT n, (SELECT id FROM api.create_booking(pg_temp.id('quiz'), (SELECT at_19 FROM day), n || '@buyers.example',
                                             tickets => pg_temp.tickets('standard', places))) AS booking_id
  FROM (VALUES ('ten', 10), ('six', 6), ('four', 4)) v(n, places);
RESET ROLE;
GRANT SELECT ON sold TO PUBLIC;

-- Five entries, in this order: big (7), pair (2), trio (3), solo (1), late (2).
SELECT pg_temp.act_as('anon');
CREATE TEMP TABLE tokens AS
SELECT who, api.join_waitlist(pg_temp.key('soho'), pg_temp.id('quiz'), (SELECT at_19 FROM day), party, who,
                              who || '@wait.example', consent => true) ->> 'token' AS token, ord
  FROM (VALUES ('big', 7, 1), ('pair', 2, 2), ('trio', 3, 3), ('solo', 1, 4), ('late', 2, 5)) v(who, party, ord);
RESET ROLE;
-- One transaction makes them all at one now(): their order of arrival is set apart here.
UPDATE app.waitlist_entries w SET created_at = now() - make_interval(mins => 10 - t.ord)
  FROM tokens t WHERE w.email = t.who || '@wait.example';

CREATE FUNCTION pg_temp.status(p_who text) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT w.status FROM app.waitlist_entries w WHERE w.email = p_who || '@wait.example'
$$;
CREATE FUNCTION pg_temp.taken() RETURNS int LANGUAGE sql STABLE AS $$
  SELECT s.taken FROM app.slots s WHERE s.experience_id = pg_temp.id('quiz') AND s.starts_at = (SELECT at_19 FROM day)
$$;
CREATE FUNCTION pg_temp.statuses() RETURNS text LANGUAGE sql STABLE AS $$
  SELECT string_agg(split_part(w.email, '@', 1) || ':' || w.status, ' ' ORDER BY w.created_at)
    FROM app.waitlist_entries w WHERE w.email LIKE '%@wait.example'
$$;

SELECT is(pg_temp.statuses(), 'big:waiting pair:waiting trio:waiting solo:waiting late:waiting',
          'five entries wait for the sold-out session');

-- The four places are cancelled: big (7) does not fit; pair (2) does, then trio (3) does not, solo (1) does.
SELECT pg_temp.act_as('staff_a');
SELECT lives_ok(format($$ SELECT api.cancel_booking(%L) $$, (SELECT booking_id FROM sold WHERE n = 'four')),
                'staff cancel a booking of four places');
RESET ROLE;
SELECT is(pg_temp.statuses(), 'big:waiting pair:offered trio:waiting solo:offered late:waiting',
          'first fit in order: the entry too big is passed over, the first that fit (pair, then solo) get offers');
SELECT is(pg_temp.taken(), 19, 'the offers hold their places: 3 of the 4 freed, one left for nobody that fits');
SELECT is((SELECT row(b.status, b.places, b.party_size, b.hold_expires_at = w.offer_expires_at,
                      w.offer_expires_at = now() + interval '30 minutes', w.offers)::text
             FROM app.waitlist_entries w JOIN app.bookings b ON b.id = w.booking_id
            WHERE w.email = 'pair@wait.example'),
          row('pending', 2, 2, true, true, 1)::text,
          'an offer is a pending booking for the party, held for the default 30 minutes, offer number 1');
SELECT is((SELECT c.email FROM app.waitlist_entries w JOIN app.bookings b ON b.id = w.booking_id
             JOIN app.customers c ON c.id = b.customer_id WHERE w.email = 'pair@wait.example'),
          'pair@wait.example', 'the held booking is the waiting customer''s');
SELECT is((SELECT count(*)::int FROM app.notifications_outbox o
            WHERE o.kind = 'waitlist_offer' AND o.org_id = pg_temp.id('org_a')), 2, 'one message per offer');
SELECT is((SELECT row(o.recipient, o.channel, o.dedupe_key)::text
             FROM app.notifications_outbox o JOIN app.waitlist_entries w ON w.email = o.recipient
            WHERE o.kind = 'waitlist_offer' AND w.email = 'pair@wait.example'),
          (SELECT row('pair@wait.example', 'email', 'waitlist_offer:' || w.id || ':1')::text
             FROM app.waitlist_entries w WHERE w.email = 'pair@wait.example'),
          'the offer message goes by e-mail to the entry, keyed by entry and offer number');
SELECT is((SELECT row(o.data -> 'booking' ->> 'id' = w.booking_id::text, o.data ->> 'timezone',
                      o.data -> 'experience' ->> 'name', o.data -> 'venue' ->> 'name', o.data -> 'customer' ->> 'name',
                      o.data -> 'org' ->> 'name', o.data ->> 'currency',
                      (o.data -> 'offer' ->> 'expires_at')::timestamptz = w.offer_expires_at,
                      sha256(convert_to(o.data ->> 'token', 'UTF8')) = w.offer_token_hash)::text
             FROM app.notifications_outbox o JOIN app.waitlist_entries w ON w.email = o.recipient
            WHERE o.kind = 'waitlist_offer' AND w.email = 'pair@wait.example'),
          row(true, 'Europe/London', 'Quiz night', 'Soho', 'pair', 'Org A', 'GBP', true, true)::text,
          'its data: the booking, experience, venue, customer, organization, the offer''s expiry and its accept token');
SELECT is((SELECT private.waitlist_offer_unwanted(o) FROM app.notifications_outbox o
            WHERE o.kind = 'waitlist_offer' AND o.recipient = 'pair@wait.example'), NULL,
          'while the offer is open its message is wanted');
SELECT is((SELECT count(*)::int FROM audit.log l
            WHERE l.table_name = 'app.notifications_outbox' AND l.org_id = pg_temp.id('org_a')
              AND l.new_values -> 'data' ? 'token'), 0, 'the accept token stays out of the audit log');

-- A cancellation of six: big (7) still does not fit 1 + 6 = 7? it does: 7 free.
SELECT pg_temp.act_as('staff_a');
SELECT lives_ok(format($$ SELECT api.cancel_booking(%L) $$, (SELECT booking_id FROM sold WHERE n = 'six')),
                'staff cancel the booking of six');
RESET ROLE;
SELECT is(pg_temp.statuses(), 'big:offered pair:offered trio:waiting solo:offered late:waiting',
          'the first entry gets its offer once enough is free (1 left + 6 freed = its 7)');
SELECT is(pg_temp.taken(), 20, 'sold out again, offers included');

-- The pair's offer runs out: its entry expires and the places pass on (trio 3 does not fit 2; late 2 does).
UPDATE app.bookings b SET hold_expires_at = now() - interval '1 second'
  FROM app.waitlist_entries w WHERE w.booking_id = b.id AND w.email = 'pair@wait.example';
SELECT is(pg_temp.taken(), 20, 'a run-out hold still shows in the counter until it is marked expired');
SELECT pg_temp.act_as('service_role');
SELECT is(api.expire_holds(), 1, 'the tidy-up marks the run-out offer expired');
RESET ROLE;
SELECT is(pg_temp.statuses(), 'big:offered pair:expired trio:waiting solo:offered late:offered',
          'the entry whose offer ran out has expired; its places went to the next entry that fits');
SELECT is((SELECT row(b.status, w.offer_token_hash, w.ended_at IS NOT NULL, private.is_waitlist_hold(b.id))::text
             FROM app.waitlist_entries w JOIN app.bookings b ON b.id = w.booking_id
            WHERE w.email = 'pair@wait.example'),
          row('expired', NULL::bytea, true, true)::text,
          'an expired entry holds nothing: its last hold (kept as history, a waitlist hold) expired, its token spent');
SELECT is(pg_temp.taken(), 20, 'never above capacity');
SELECT is((SELECT private.waitlist_offer_unwanted(o) FROM app.notifications_outbox o
            WHERE o.kind = 'waitlist_offer' AND o.recipient = 'pair@wait.example'), 'offer_ended',
          'once it ran out, a message of it still queued is not worth sending (private.message_wanted may ask)');

-- A booking attempt also ends run-out holds first, offering their places to the waitlist before the newcomer;
-- a place no waiting entry fits (trio needs 3) is the newcomer's.
UPDATE app.bookings b SET hold_expires_at = now() - interval '1 second'
  FROM app.waitlist_entries w WHERE w.booking_id = b.id AND w.email = 'solo@wait.example';
SELECT pg_temp.act_as('anon');
SELECT lives_ok(format($$ SELECT api.widget_create_booking(%L, %L, %L, 'newcomer@example.com',
                                                           tickets => pg_temp.tickets('standard', 1)) $$,
                       pg_temp.key('soho'), pg_temp.id('quiz'), (SELECT at_19 FROM day)),
                'a newcomer books the place no waiting entry fits');
RESET ROLE;
SELECT is(pg_temp.statuses(), 'big:offered pair:expired trio:waiting solo:expired late:offered',
          'the run-out offer expired on the way');
SELECT pg_temp.act_as('anon');
SELECT throws_ok(format($$ SELECT api.widget_create_booking(%L, %L, %L, 'second@example.com',
                                                            tickets => pg_temp.tickets('standard', 1)) $$,
                        pg_temp.key('soho'), pg_temp.id('quiz'), (SELECT at_19 FROM day)),
                 'PT409', NULL, 'the next newcomer finds it full');
RESET ROLE;

-- More capacity: the new places are offered (trio 3 of 3 new).
UPDATE app.slots s SET capacity = 23
 WHERE s.experience_id = pg_temp.id('quiz') AND s.starts_at = (SELECT at_19 FROM day);
SELECT is(pg_temp.statuses(), 'big:offered pair:expired trio:offered solo:expired late:offered',
          'raised capacity is offered to the waiting entries');
SELECT is(pg_temp.taken(), 23, 'the new capacity is held by the offer');

-- The organization's offer time.
SELECT pg_temp.act_as('admin_a');
SELECT is(api.set_waitlist_offer_ttl(pg_temp.id('org_a'), interval '2 hours'), interval '2 hours',
          'an admin sets how long offers hold');
SELECT throws_ok(format($$ SELECT api.set_waitlist_offer_ttl(%L, interval '1 minute') $$, pg_temp.id('org_a')),
                 'PT400', NULL, 'an offer time under 5 minutes is refused');
RESET ROLE;
SELECT pg_temp.act_as('staff_a');
SELECT throws_ok(format($$ SELECT api.set_waitlist_offer_ttl(%L, interval '1 hour') $$, pg_temp.id('org_a')),
                 'PT404', NULL, 'staff may not set it');
RESET ROLE;
SELECT pg_temp.act_as('staff_a');
SELECT lives_ok(format($$ SELECT api.cancel_booking(%L) $$, (SELECT booking_id FROM sold WHERE n = 'ten')),
                'ten more places free');
RESET ROLE;
SELECT is((SELECT row(w.status, w.offers)::text FROM app.waitlist_entries w WHERE w.email = 'pair@wait.example'),
          row('expired', 1)::text, 'an expired entry gets no second offer');

SELECT * FROM finish();
ROLLBACK;
