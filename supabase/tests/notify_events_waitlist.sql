-- The messages of a waitlist offer: the offer's message carries exactly the keys of waitlist_offer's sample (so its
-- templates, checked with the sample, render it), and the hold it makes is the waitlist's to announce: an offer
-- that runs out queues no booking_expired, while an accepted one is the customer's booking, confirmed as any other.
BEGIN;
\ir setup.psql
SELECT plan(4);
\ir fixtures.psql
SELECT pg_temp.shop();
CREATE FUNCTION pg_temp.paths(p jsonb, p_prefix text DEFAULT '') RETURNS SETOF text LANGUAGE sql IMMUTABLE AS $$
  SELECT p_prefix || e.key FROM jsonb_each(p) e
  UNION ALL
  SELECT pg_temp.paths(e.value, p_prefix || e.key || '.') FROM jsonb_each(p) e WHERE jsonb_typeof(e.value) = 'object'
$$;

-- The quiz sold out (20 places: 10, 6 and 4), two waiting, then four places cancelled: both get offers.
SELECT pg_temp.act_as('staff_a');
CREATE TEMP TABLE sold AS
SELECT n, (SELECT id FROM api.create_booking(pg_temp.id('quiz'), (SELECT at_19 FROM day), n || '@buyers.example',
                                             tickets => pg_temp.tickets('standard', places))) AS booking_id
  FROM (VALUES ('ten', 10), ('six', 6), ('four', 4)) v(n, places);
RESET ROLE;
GRANT SELECT ON sold TO PUBLIC;
SELECT pg_temp.act_as('anon');
CREATE TEMP TABLE tokens AS
SELECT who, api.join_waitlist(pg_temp.key('soho'), pg_temp.id('quiz'), (SELECT at_19 FROM day), 2, who,
                              who || '@wait.example', consent => true) ->> 'token' AS token
  FROM (VALUES ('pair'), ('duo')) v(who);
RESET ROLE;
SELECT pg_temp.act_as('staff_a');
SELECT api.cancel_booking((SELECT booking_id FROM sold WHERE n = 'four'));
RESET ROLE;

SELECT is((SELECT array_agg(p ORDER BY p) FROM app.notifications_outbox o, pg_temp.paths(o.data) p
            WHERE o.kind = 'waitlist_offer' AND o.recipient = 'pair@wait.example'),
          (SELECT array_agg(p ORDER BY p) FROM app.notification_kinds k, pg_temp.paths(k.sample_data) p
            WHERE k.kind = 'waitlist_offer'),
          'an offer''s message has exactly the keys of waitlist_offer''s sample');

-- pair's offer runs out: its hold expires without a booking_expired message.
UPDATE app.waitlist_entries SET offer_expires_at = now() - interval '1 minute' WHERE email = 'pair@wait.example';
UPDATE app.bookings SET hold_expires_at = now() - interval '1 minute'
 WHERE id = (SELECT booking_id FROM app.waitlist_entries WHERE email = 'pair@wait.example');
SELECT pg_temp.act_as('staff_a');
SELECT api.expire_holds();
RESET ROLE;
SELECT is((SELECT status::text FROM app.bookings
            WHERE id = (SELECT booking_id FROM app.waitlist_entries WHERE email = 'pair@wait.example')),
          'expired', 'the hold of the offer not taken expired');
SELECT is((SELECT count(*)::int FROM app.notifications_outbox
            WHERE kind IN ('booking_expired', 'booking_cancelled') AND recipient = 'pair@wait.example'), 0,
          'and its customer hears no booking_expired: the offer was the waitlist''s to announce');
SELECT is((SELECT private.message_wanted(o) FROM app.notifications_outbox o
            WHERE o.kind = 'waitlist_offer' AND o.recipient = 'pair@wait.example'), 'offer_ended',
          'a waitlist_offer whose offer ended is skipped when due (offer_ended)');

SELECT * FROM finish();
ROLLBACK;
