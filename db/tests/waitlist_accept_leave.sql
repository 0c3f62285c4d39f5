-- Accepting an offer turns its hold into the customer's booking the way a widget booking goes on (pending to pay
-- with create_order; confirmed at once when nothing is paid); leaving stops waiting and declines an offer, passing
-- its places on; a token opens only its own entry, and only with the key of its venue: another organization's
-- key, a guessed token, or a token at another venue does nothing.
BEGIN;
\ir setup.psql
SELECT plan(24);
\ir fixtures.psql
SELECT pg_temp.shop();

CREATE FUNCTION pg_temp.refusal(p_sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  detail text;
BEGIN
  EXECUTE p_sql;
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
  RETURN SQLSTATE || ' ' || coalesce(nullif(detail, ''), '-');
END
$$;
GRANT EXECUTE ON FUNCTION pg_temp.refusal(text) TO PUBLIC;
CREATE FUNCTION pg_temp.status(p_who text) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT w.status FROM app.waitlist_entries w WHERE w.email = p_who || '@wait.example'
$$;
GRANT EXECUTE ON FUNCTION pg_temp.status(text) TO PUBLIC;

-- Another organization's venue with a key of its own.
SELECT pg_temp.fresh('venue_b');
INSERT INTO app.venues (org_id, id, name, timezone, embed_key)
VALUES (pg_temp.id('org_b'), pg_temp.id('venue_b'), 'B venue', 'Europe/London', pg_temp.key('venue_b'));

-- The quiz sold out (20 places, two bookings), three entries of two: first, second, third.
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
  FROM (VALUES ('first', 1), ('second', 2), ('third', 3), ('fourth', 4)) v(who, ord);
RESET ROLE;
GRANT SELECT ON tokens TO PUBLIC;
UPDATE app.waitlist_entries w SET created_at = now() - make_interval(mins => 10 - t.ord)
  FROM tokens t WHERE w.email = t.who || '@wait.example';

-- Before any offer: there is nothing to accept.
SELECT pg_temp.act_as('anon');
SELECT is(pg_temp.refusal(format($$ SELECT api.accept_waitlist_offer(%L, %L) $$, pg_temp.key('soho'),
                                 (SELECT token FROM tokens WHERE who = 'first'))),
          'PT409 illegal_transition', 'a waiting entry has no offer to accept');
RESET ROLE;

-- Two places free: first is offered.
SELECT pg_temp.act_as('staff_a');
SELECT lives_ok(format($$ SELECT api.cancel_booking(%L) $$, (SELECT booking_id FROM sold WHERE n = 'c')),
                'two places are cancelled');
RESET ROLE;
CREATE TEMP TABLE offer AS
SELECT o.data ->> 'token' AS token, (o.data -> 'booking' ->> 'id')::uuid AS booking_id
  FROM app.notifications_outbox o WHERE o.kind = 'waitlist_offer' AND o.recipient = 'first@wait.example';
GRANT SELECT ON offer TO PUBLIC;
SELECT is(pg_temp.status('first'), 'offered', 'the first entry is offered the places');

-- Nothing opens it but its own tokens with its venue's key.
SELECT pg_temp.act_as('anon');
SELECT is(pg_temp.refusal(format($$ SELECT api.accept_waitlist_offer(%L, %L) $$, pg_temp.key('venue_b'),
                                 (SELECT token FROM offer))),
          'PT404 -', 'another organization''s key with the offer''s token finds nothing');
SELECT is(pg_temp.refusal(format($$ SELECT api.leave_waitlist(%L, %L) $$, pg_temp.key('venue_b'),
                                 (SELECT token FROM tokens WHERE who = 'second'))),
          'PT404 -', 'nor does it let anyone leave');
SELECT is(pg_temp.refusal(format($$ SELECT api.accept_waitlist_offer(%L, %L) $$, pg_temp.key('brooklyn'),
                                 (SELECT token FROM offer))),
          'PT404 -', 'another venue''s key of the same organization neither');
SELECT is(pg_temp.refusal(format($$ SELECT api.accept_waitlist_offer(%L, 'wlo_guessed') $$, pg_temp.key('soho'))),
          'PT404 -', 'a guessed token finds nothing');
SELECT is(pg_temp.refusal(format($$ SELECT api.leave_waitlist(%L, NULL) $$, pg_temp.key('soho'))),
          'PT400 required', 'a token is required');
SELECT is(pg_temp.refusal(format($$ SELECT api.leave_waitlist(%L, %L) $$, pg_temp.key('soho'), repeat('t', 101))),
          'PT400 out_of_range', 'a token over 100 characters is refused');
RESET ROLE;
SELECT is(pg_temp.status('first') || ' ' || pg_temp.status('second'), 'offered waiting',
          'the refused calls changed nothing');

-- Accepting: the quiz is paid for, so the booking stays pending with the widget's hold, and is paid the usual way.
SELECT pg_temp.act_as('anon');
CREATE TEMP TABLE accepted AS
SELECT * FROM api.accept_waitlist_offer(pg_temp.key('soho'), (SELECT token FROM offer));
RESET ROLE;
SELECT is((SELECT row(a.id = (SELECT booking_id FROM offer), a.status, a.party_size, a.places,
                      a.hold_expires_at >= now() + interval '15 minutes')::text FROM accepted a),
          row(true, 'pending', 2, 2, true)::text,
          'accepting answers the held booking as widget_create_booking would, with at least the widget''s hold');
SELECT is(pg_temp.status('first'), 'booked', 'the entry is booked');
SELECT is((SELECT w.offer_token_hash FROM app.waitlist_entries w WHERE w.email = 'first@wait.example'), NULL,
          'the offer''s token is spent');
SELECT pg_temp.act_as('anon');
SELECT lives_ok(format($$ SELECT api.create_order(%L, embed_key => %L, customer_email => 'first@wait.example') $$,
                       (SELECT booking_id FROM offer), pg_temp.key('soho')),
                'the booking is paid for as any widget booking: create_order with the key and the e-mail');
SELECT is(pg_temp.refusal(format($$ SELECT api.accept_waitlist_offer(%L, %L) $$, pg_temp.key('soho'),
                                 (SELECT token FROM tokens WHERE who = 'first'))),
          'PT409 illegal_transition', 'an offer is accepted once');
SELECT is(pg_temp.refusal(format($$ SELECT api.leave_waitlist(%L, %L) $$, pg_temp.key('soho'),
                                 (SELECT token FROM tokens WHERE who = 'first'))),
          'PT409 illegal_transition', 'a booked entry does not leave: its booking is cancelled instead');

-- Leaving while waiting.
SELECT is((SELECT api.leave_waitlist(pg_temp.key('soho'), (SELECT token FROM tokens WHERE who = 'second')) ->> 'status'),
          'left', 'a waiting entry leaves');
SELECT is(pg_temp.refusal(format($$ SELECT api.leave_waitlist(%L, %L) $$, pg_temp.key('soho'),
                                 (SELECT token FROM tokens WHERE who = 'second'))),
          'PT409 illegal_transition', 'and only once');
RESET ROLE;

-- Ten places free: third and fourth are offered; third leaves with its offer, declining it.
SELECT pg_temp.act_as('staff_a');
SELECT lives_ok(format($$ SELECT api.cancel_booking(%L, 'moved') $$, (SELECT booking_id FROM sold WHERE n = 'a')),
                'ten places are cancelled');
RESET ROLE;
SELECT is(pg_temp.status('third') || ' ' || pg_temp.status('fourth'), 'offered offered',
          'the waiting entries are offered what fits');
SELECT pg_temp.act_as('anon');
SELECT is((SELECT api.leave_waitlist(pg_temp.key('soho'), (SELECT token FROM tokens WHERE who = 'third')) ->> 'status'),
          'left', 'an offered entry leaves with its entry token');
RESET ROLE;
SELECT is((SELECT b.status::text FROM app.bookings b JOIN app.notifications_outbox o
             ON (o.data -> 'booking' ->> 'id')::uuid = b.id WHERE o.recipient = 'third@wait.example'),
          'cancelled', 'its hold is cancelled, the places given back');

-- An offer that ran out cannot be accepted.
UPDATE app.bookings b SET hold_expires_at = now() - interval '1 second'
  FROM app.waitlist_entries w WHERE w.booking_id = b.id AND w.email = 'fourth@wait.example';
SELECT pg_temp.act_as('anon');
SELECT is(pg_temp.refusal(format($$ SELECT api.accept_waitlist_offer(%L, %L) $$, pg_temp.key('soho'),
                                 (SELECT token FROM tokens WHERE who = 'fourth'))),
          'PT409 offer_expired', 'an offer that ran out is refused (PT409 offer_expired)');
RESET ROLE;

-- With nothing to pay, accepting confirms at once.
UPDATE app.experiences SET requires_payment = false WHERE id = pg_temp.id('quiz');
UPDATE app.bookings b SET hold_expires_at = now() + interval '5 minutes'
  FROM app.waitlist_entries w WHERE w.booking_id = b.id AND w.email = 'fourth@wait.example';
SELECT pg_temp.act_as('anon');
SELECT is((SELECT status::text FROM api.accept_waitlist_offer(pg_temp.key('soho'),
                                                             (SELECT token FROM tokens WHERE who = 'fourth'))),
          'confirmed', 'an offer of a free experience is confirmed when accepted');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
