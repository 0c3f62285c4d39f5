-- A waitlist offer is an event: when freed places are offered to a waiting entry, one waitlist.offered delivery
-- per subscribed endpoint, naming the entry and the held booking, once per offer.
BEGIN;
\ir setup.psql
SELECT plan(3);
\ir fixtures.psql
SELECT pg_temp.shop();
SELECT pg_temp.fresh('ep');
INSERT INTO app.webhook_endpoints (org_id, id, url, event_types, secret)
VALUES (pg_temp.id('org_a'), pg_temp.id('ep'), 'https://a.example.com/', '{waitlist.offered}', private.webhook_secret());

SELECT pg_temp.act_as('staff_a');
CREATE TEMP TABLE sold AS
SELECT n, (SELECT id FROM api.create_booking(pg_temp.id('quiz'), (SELECT at_19 FROM day), n || '@buyers.example',
                                             tickets => pg_temp.tickets('standard', 10))) AS booking_id
  FROM (VALUES ('one'), ('two')) v(n);
GRANT SELECT ON sold TO PUBLIC;
SELECT pg_temp.act_as('anon');
SELECT api.join_waitlist(pg_temp.key('soho'), pg_temp.id('quiz'), (SELECT at_19 FROM day), 2, 'Pat',
                         'pat@wait.example', consent => true);
SELECT pg_temp.act_as('staff_a');
SELECT api.cancel_booking((SELECT booking_id FROM sold WHERE n = 'one'));
RESET ROLE;

SELECT is((SELECT count(*)::int FROM app.webhook_deliveries WHERE endpoint_id = pg_temp.id('ep')), 1,
          'the offer: one waitlist.offered delivery');
SELECT is((SELECT payload -> 'data' -> 'waitlist_entry' ->> 'booking_id' FROM app.webhook_deliveries
            WHERE endpoint_id = pg_temp.id('ep')),
          (SELECT booking_id::text FROM app.waitlist_entries WHERE email = 'pat@wait.example'),
          'naming the booking that holds the places');
SELECT is((SELECT payload -> 'data' -> 'waitlist_entry' ->> 'offer_number' FROM app.webhook_deliveries
            WHERE endpoint_id = pg_temp.id('ep')), '1', 'and the offer''s number');

SELECT * FROM finish();
ROLLBACK;
