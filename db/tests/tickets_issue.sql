-- Tickets follow their booking whichever path moves it: issued when it becomes confirmed (one per attendee place,
-- a ticketed booking's seats taking its ticket types), revoked when it is cancelled, rejected or expired, issued
-- anew when it moves to another session. Signing: the payload's exact layout, a tampered byte, key rotation (old
-- tickets still verify) and retirement (they are re-signed, old payloads no longer verify).
BEGIN;
\ir setup.psql
SELECT plan(34);

\ir fixtures.psql
SELECT pg_temp.shop();
UPDATE app.experiences SET requires_payment = false WHERE id = pg_temp.id('quiz');
CREATE TEMP TABLE b (name text PRIMARY KEY, id uuid);
GRANT ALL ON b TO PUBLIC;
CREATE FUNCTION pg_temp.valid(p_booking text) RETURNS int LANGUAGE sql AS $$
  SELECT count(*)::int FROM app.tickets t JOIN pg_temp.b ON b.id = t.booking_id
   WHERE b.name = p_booking AND t.status = 'valid'
$$;
CREATE FUNCTION pg_temp.bid(p_booking text) RETURNS uuid LANGUAGE sql AS $$
  SELECT id FROM pg_temp.b WHERE name = p_booking
$$;
GRANT EXECUTE ON FUNCTION pg_temp.bid(text) TO PUBLIC;

SELECT pg_temp.act_as('staff_a');
INSERT INTO b SELECT 'vault', id FROM api.create_booking(pg_temp.id('vault'), (SELECT at_19 FROM day),
                                                         'ada@example.com', party_size => 4);
INSERT INTO b SELECT 'quiz', id FROM api.create_booking(pg_temp.id('quiz'), (SELECT at_19 FROM day),
  'bob@example.com', tickets => pg_temp.tickets('standard', 2) || pg_temp.tickets('vip', 1));
INSERT INTO b SELECT 'rejected', id FROM api.create_booking(pg_temp.id('subway'), (SELECT at_19_ny FROM day),
                                                            'cy@example.com', party_size => 2);
INSERT INTO b SELECT 'expired', id FROM api.create_booking(pg_temp.id('vault'), (SELECT at_19 FROM day) + interval '1 day',
                                                           'di@example.com', party_size => 2);
RESET ROLE;

SELECT is(pg_temp.valid('vault'), 0, 'a pending booking has no tickets');
SELECT is(pg_temp.valid('quiz'), 3, 'a booking confirmed at once gets one ticket per ticket bought');
SELECT is((SELECT array_agg(tt.name ORDER BY t.seat_no) FROM app.tickets t JOIN app.ticket_types tt
             ON tt.id = t.ticket_type_id WHERE t.booking_id = pg_temp.bid('quiz')),
          (SELECT array_agg(n ORDER BY n) FROM (VALUES ('Standard'), ('Standard'), ('VIP')) v(n))::text[],
          'and each seat its ticket type');
SELECT pg_temp.act_as('staff_a');
SELECT lives_ok($$SELECT api.confirm_booking(pg_temp.bid('vault'))$$, 'staff confirm the vault booking');
RESET ROLE;
SELECT is(pg_temp.valid('vault'), 4, 'confirming gives a private session one ticket per person');
SELECT is((SELECT array_agg(seat_no ORDER BY seat_no) FROM app.tickets WHERE booking_id = pg_temp.bid('vault')),
          ARRAY[1, 2, 3, 4], 'seats 1 to 4');
SELECT is((SELECT count(DISTINCT (slot_id, venue_id, valid_from, valid_until))::int FROM app.tickets
            WHERE booking_id = pg_temp.bid('vault')
              AND slot_id = (SELECT slot_id FROM app.bookings WHERE id = pg_temp.bid('vault'))
              AND venue_id = pg_temp.id('soho')), 1, 'all for its session at its venue');
SELECT is(private.issue_tickets((SELECT x FROM app.bookings x WHERE id = pg_temp.bid('vault'))), 0,
          'issuing again issues nothing');

-- Moves that revoke, and the move that re-issues.
SELECT pg_temp.act_as('staff_a');
SELECT lives_ok($$SELECT api.reschedule_booking(pg_temp.bid('vault'), (SELECT at_19 FROM day) + interval '2 days')$$,
                'staff move the confirmed vault booking two days on');
RESET ROLE;
SELECT is(pg_temp.valid('vault'), 4, 'a rescheduled booking has as many valid tickets');
SELECT is((SELECT count(*)::int FROM app.tickets WHERE booking_id = pg_temp.bid('vault') AND status = 'revoked'), 4,
          'the old ones revoked');
SELECT is((SELECT count(*)::int FROM app.tickets t JOIN app.bookings x ON x.id = t.booking_id
            WHERE x.id = pg_temp.bid('vault') AND t.status = 'valid' AND t.slot_id = x.slot_id), 4,
          'the new ones for the new session');
SELECT pg_temp.act_as('staff_a');
SELECT lives_ok($$SELECT api.cancel_booking(pg_temp.bid('quiz'))$$, 'staff cancel the quiz booking');
SELECT lives_ok($$SELECT api.confirm_booking(pg_temp.bid('rejected'))$$, 'and confirm the subway booking');
SELECT lives_ok($$SELECT api.mark_no_show(pg_temp.bid('rejected'))$$, 'which becomes a no-show');
RESET ROLE;
SELECT is(pg_temp.valid('quiz'), 0, 'a cancelled booking''s tickets are revoked');
SELECT is(pg_temp.valid('rejected'), 2, 'a no-show keeps its tickets');
UPDATE app.bookings SET hold_expires_at = now() - interval '1 minute' WHERE id = pg_temp.bid('expired');
SELECT pg_temp.act_as('staff_a');
SELECT api.expire_holds();
RESET ROLE;
SELECT is((SELECT status::text FROM app.bookings WHERE id = pg_temp.bid('expired')), 'expired',
          'a run-out hold expires (it had no tickets to revoke)');

-- Signing.
CREATE TEMP TABLE t1 AS SELECT t.*, private.ticket_payload(t) AS payload, private.ticket_bytes(t) AS bytes
  FROM app.tickets t WHERE t.booking_id = pg_temp.bid('vault') AND t.status = 'valid' AND t.seat_no = 1;
GRANT SELECT ON t1 TO PUBLIC;
CREATE FUNCTION pg_temp.scan(p_payload text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  detail text;
BEGIN
  PERFORM api.check_in(p_payload, 'nonce', pg_temp.id('soho'));
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
  RETURN SQLSTATE || ' ' || detail;
END
$$;
GRANT EXECUTE ON FUNCTION pg_temp.scan(text) TO PUBLIC;
SELECT is((SELECT length(payload) FROM t1), 79, 'a payload is 79 characters');
SELECT matches((SELECT payload FROM t1), '^[A-Za-z0-9_-]{79}$', 'of base64url');
SELECT is((SELECT substr(bytes, 1, 43) FROM t1),
          (SELECT '\x01'::bytea || substr(int4send(kid::int), 3, 2) || uuid_send(id) || uuid_send(slot_id)
                  || int4send((extract(epoch FROM valid_from) / 60)::int)
                  || int4send((extract(epoch FROM valid_until) / 60)::int) FROM t1),
          'version, kid, ticket id, slot id, window in minutes, as documented');
SELECT is((SELECT substr(bytes, 44) FROM t1),
          (SELECT substr(extensions.hmac(substr(bytes, 1, 43), k.secret, 'sha256'), 1, 16)
             FROM t1 JOIN app.ticket_keys k ON (k.org_id, k.kid) = (t1.org_id, t1.kid)),
          'then the first 16 bytes of HMAC-SHA256 over them with the organization''s key');

SELECT pg_temp.act_as('admin_a');
SELECT is((api.rotate_ticket_key(pg_temp.id('org_a')) ->> 'kid')::int, (SELECT kid + 1 FROM t1),
          'an admin rotates to a new key');
RESET ROLE;
SELECT is((SELECT private.ticket_payload(t) FROM app.tickets t WHERE t.id = (SELECT id FROM t1)),
          (SELECT payload FROM t1), 'a ticket signed before keeps its payload');
SELECT is((SELECT count(*)::int FROM audit.log WHERE table_name = 'app.ticket_keys' AND org_id = pg_temp.id('org_a')
             AND new_values ? 'kid'), 2, 'the audit log records both keys'' making');
SELECT is((SELECT count(*)::int FROM audit.log WHERE table_name = 'app.ticket_keys'
             AND (old_values ? 'secret' OR new_values ? 'secret')), 0, 'but never a secret');
SELECT pg_temp.act_as('staff_a');
SELECT is(pg_temp.scan((SELECT payload FROM t1)), 'PT409 outside_window',
          'and still verifies (it is refused only for being twelve days early)');
SELECT throws_ok($$SELECT api.rotate_ticket_key(pg_temp.id('org_a'))$$, 'PT403', NULL, 'staff cannot rotate keys');
SELECT pg_temp.act_as('admin_b');
SELECT throws_ok($$SELECT api.rotate_ticket_key(pg_temp.id('org_a'))$$, 'PT404', NULL,
                 'to another organization''s admin it does not exist');
RESET ROLE;
CREATE TEMP TABLE old_key AS SELECT count(*)::int AS valid FROM app.tickets
 WHERE org_id = pg_temp.id('org_a') AND status = 'valid' AND kid = (SELECT kid FROM t1);
GRANT SELECT ON old_key TO PUBLIC;
SELECT pg_temp.act_as('admin_a');
SELECT is((api.retire_ticket_key(pg_temp.id('org_a'), (SELECT kid FROM t1)) ->> 'tickets_resigned')::int,
          (SELECT valid FROM old_key), 'retiring the old key re-signs its valid tickets');
RESET ROLE;
SELECT isnt((SELECT private.ticket_payload(t) FROM app.tickets t WHERE t.id = (SELECT id FROM t1)),
            (SELECT payload FROM t1), 'so a retired key''s payloads change');
CREATE TEMP TABLE resigned AS SELECT private.ticket_payload(t) AS payload FROM app.tickets t
 WHERE t.id = (SELECT id FROM t1);
GRANT SELECT ON resigned TO PUBLIC;
SELECT pg_temp.act_as('staff_a');
SELECT is(pg_temp.scan((SELECT payload FROM t1)), 'PT400 forged', 'and a payload signed with it is forged');
SELECT is(pg_temp.scan((SELECT payload FROM resigned)),
          'PT409 outside_window', 'while the re-signed one verifies');
SELECT pg_temp.act_as('admin_a');
SELECT throws_ok($$SELECT api.retire_ticket_key(pg_temp.id('org_a'), (SELECT kid + 1 FROM t1))$$, 'PT409', NULL,
                 'the current key cannot be retired');

SELECT * FROM finish();
ROLLBACK;
