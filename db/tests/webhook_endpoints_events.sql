-- Events become deliveries in the transaction that records them: one per enabled endpoint of the organization
-- subscribed to the event's type (none for a disabled endpoint, one subscribed to other types, or another
-- organization's), each with its own webhook id and the payload {type, timestamp, org_id, data}; an event repeated
-- (the same key) writes nothing more; a rolled-back booking leaves no delivery.
BEGIN;
\ir setup.psql
SELECT plan(14);
\ir fixtures.psql
SELECT pg_temp.shop();
SELECT pg_temp.fresh('both', 'created_only', 'cancel_only', 'off', 'other_org');
INSERT INTO app.webhook_endpoints (org_id, id, url, event_types, secret) VALUES
  (pg_temp.id('org_a'), pg_temp.id('both'), 'https://a.example.com/', '{booking.created,booking.cancelled}', private.webhook_secret()),
  (pg_temp.id('org_a'), pg_temp.id('created_only'), 'https://b.example.com/', '{booking.created}', private.webhook_secret()),
  (pg_temp.id('org_a'), pg_temp.id('cancel_only'), 'https://c.example.com/', '{booking.cancelled}', private.webhook_secret()),
  (pg_temp.id('org_b'), pg_temp.id('other_org'), 'https://d.example.com/', '{booking.created}', private.webhook_secret());
INSERT INTO app.webhook_endpoints (org_id, id, url, event_types, secret, enabled, disabled_at) VALUES
  (pg_temp.id('org_a'), pg_temp.id('off'), 'https://e.example.com/', '{booking.created}', private.webhook_secret(), false, now());

CREATE FUNCTION pg_temp.deliveries(p_endpoint text, p_type text) RETURNS int LANGUAGE sql AS $$
  SELECT count(*)::int FROM app.webhook_deliveries WHERE endpoint_id = pg_temp.id(p_endpoint) AND event_type = p_type
$$;

SELECT pg_temp.act_as('staff_a');
CREATE TEMP TABLE b AS SELECT id FROM api.create_booking(pg_temp.id('vault'), (SELECT at_19 FROM day),
  'ada@example.com', party_size => 2);
GRANT SELECT ON b TO PUBLIC;
RESET ROLE;

SELECT is(pg_temp.deliveries('both', 'booking.created'), 1, 'a booking made: one delivery to an endpoint subscribed to booking.created');
SELECT is(pg_temp.deliveries('created_only', 'booking.created'), 1, 'and one to the other subscribed endpoint');
SELECT is(pg_temp.deliveries('cancel_only', 'booking.created'), 0, 'none to an endpoint subscribed to other types');
SELECT is(pg_temp.deliveries('off', 'booking.created'), 0, 'none to a disabled endpoint');
SELECT is(pg_temp.deliveries('other_org', 'booking.created'), 0, 'none to another organization''s endpoint');
SELECT is((SELECT payload -> 'data' -> 'booking' ->> 'id' FROM app.webhook_deliveries
            WHERE endpoint_id = pg_temp.id('both')), (SELECT id::text FROM b), 'the payload carries the booking');
SELECT is((SELECT payload ->> 'type' FROM app.webhook_deliveries WHERE endpoint_id = pg_temp.id('both')),
          'booking.created', 'and its type');
SELECT is((SELECT count(DISTINCT webhook_id)::int FROM app.webhook_deliveries
            WHERE endpoint_id IN (pg_temp.id('both'), pg_temp.id('created_only'))), 2,
          'each delivery has its own webhook id');
SELECT is(private.webhook_emit(pg_temp.id('org_a'), 'booking.created', 'booking.created:' || (SELECT id FROM b), '{}'),
          0, 'the same event again writes nothing (deduplicated by its key)');

SELECT pg_temp.act_as('staff_a');
SELECT api.cancel_booking((SELECT id FROM b), 'test');
RESET ROLE;
SELECT is(pg_temp.deliveries('both', 'booking.cancelled'), 1, 'a cancellation: one booking.cancelled delivery');
SELECT is(pg_temp.deliveries('cancel_only', 'booking.cancelled'), 1, 'to each endpoint subscribed to it');
SELECT is(pg_temp.deliveries('created_only', 'booking.cancelled'), 0, 'and to no other');
SELECT is((SELECT status FROM app.webhook_deliveries WHERE endpoint_id = pg_temp.id('both')
            AND event_type = 'booking.cancelled'), 'queued', 'queued, due now');

SAVEPOINT before_booking;
SELECT pg_temp.act_as('staff_a');
SELECT id FROM api.create_booking(pg_temp.id('vault'), (SELECT at_19 FROM day) + interval '1 day', 'bo@example.com',
                                  party_size => 2);
RESET ROLE;
ROLLBACK TO SAVEPOINT before_booking;
SELECT is(pg_temp.deliveries('created_only', 'booking.created'), 1, 'a booking rolled back leaves no delivery');

SELECT * FROM finish();
ROLLBACK;
