-- Check-in and waivers: where the experience requires a waiver at check-in, a ticket is let in only while its
-- booking has more signatures than tickets already let in (signatures are per participant, not per ticket);
-- without the setting, check-in ignores waivers.
BEGIN;
\ir setup.psql
SELECT plan(9);

\ir fixtures.psql
SELECT pg_temp.shop();
CREATE FUNCTION pg_temp.outcome(p_sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  detail text;
BEGIN
  EXECUTE p_sql;
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
  RETURN SQLSTATE || ' ' || coalesce(detail, '');
END
$$;
GRANT EXECUTE ON FUNCTION pg_temp.outcome(text) TO PUBLIC;
-- A confirmed booking named p_name of p_party starting in half an hour (its tickets' window is open).
CREATE FUNCTION pg_temp.booked(p_name text, p_experience text, p_party int) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  e app.experiences;
  starts timestamptz := date_trunc('minute', now()) + interval '30 minutes';
BEGIN
  PERFORM pg_temp.fresh(p_name);
  SELECT * INTO e FROM app.experiences WHERE id = pg_temp.id(p_experience);
  INSERT INTO app.slots (org_id, id, experience_id, starts_at, ends_at, capacity)
  VALUES (e.org_id, pg_temp.id(p_name), e.id, starts, starts + interval '1 hour', coalesce(e.capacity, 1));
  INSERT INTO app.customers (org_id, id, email, name)
  VALUES (e.org_id, pg_temp.id(p_name), p_name || '.' || left(pg_temp.id(p_name)::text, 8) || '@example.com', 'Ada');
  INSERT INTO app.bookings (org_id, id, experience_id, slot_id, customer_id, status, party_size, places, starts_at,
                            ends_at, price_minor, currency, confirmation_code)
  VALUES (e.org_id, pg_temp.id(p_name), e.id, pg_temp.id(p_name), pg_temp.id(p_name), 'confirmed', p_party,
          CASE e.kind WHEN 'private_session' THEN 1 ELSE p_party END, starts, starts + interval '1 hour', 0,
          e.currency, private.new_confirmation_code());
END
$$;
CREATE TEMP TABLE payloads (booking text, seat int, payload text);
GRANT SELECT ON payloads TO PUBLIC;
CREATE FUNCTION pg_temp.scan(p_booking text, p_seat int, p_nonce text) RETURNS text LANGUAGE sql AS $$
  SELECT pg_temp.outcome(format('SELECT api.check_in(%L, %L, %L)',
    (SELECT payload FROM payloads WHERE booking = p_booking AND seat = p_seat), p_nonce, pg_temp.id('soho')))
$$;
GRANT EXECUTE ON FUNCTION pg_temp.scan(text, int, text) TO PUBLIC;

SELECT pg_temp.act_as('manager_a');
CREATE TEMP TABLE t AS SELECT api.create_waiver_template(pg_temp.id('org_a'), 'Waiver', 'Release', 'At my own risk.') AS a;
GRANT SELECT ON t TO PUBLIC;
SELECT api.update_experience(pg_temp.id('vault'), jsonb_build_object('waiver_template_id', (SELECT a ->> 'id' FROM t),
                                                            'waiver_at_check_in', true));
SELECT api.update_experience(pg_temp.id('quiz'), jsonb_build_object('waiver_template_id', (SELECT a ->> 'id' FROM t)));
RESET ROLE;
SELECT pg_temp.booked('group', 'vault', 3);
SELECT pg_temp.booked('quizzers', 'quiz', 2);
INSERT INTO payloads SELECT f.name, t.seat_no, private.ticket_payload(t)
  FROM app.tickets t JOIN fx f ON f.id = t.booking_id WHERE t.status = 'valid';
CREATE FUNCTION pg_temp.sign(p_booking text, p_name text) RETURNS void LANGUAGE sql AS $$
  SELECT api.sign_waiver_at_venue(pg_temp.id(p_booking), p_name, '1990-01-01', p_name,
                                  (SELECT a -> 'versions' -> 0 ->> 'body_sha256' FROM t))
$$;
GRANT EXECUTE ON FUNCTION pg_temp.sign(text, text) TO PUBLIC;

SELECT pg_temp.act_as('staff_a');
SELECT is(pg_temp.scan('group', 1, 'n1'), 'PT409 waiver_missing',
          'check-in refuses a participant without a waiver when the experience requires it');
SELECT pg_temp.sign('group', 'Grace');
SELECT is(pg_temp.scan('group', 1, 'n1'), 'ok', 'one signature lets one participant in');
SELECT is(pg_temp.scan('group', 2, 'n2'), 'PT409 waiver_missing', 'but not a second');
SELECT is(pg_temp.scan('group', 1, 'n1'), 'ok', 'a scanner''s retry of the first is still answered');
SELECT pg_temp.sign('group', 'Alan');
SELECT is(pg_temp.scan('group', 3, 'n3'), 'ok', 'a second signature lets a second participant in, whichever ticket');
SELECT is(pg_temp.scan('group', 2, 'n2'), 'PT409 waiver_missing', 'and no third');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM app.check_ins c JOIN app.tickets t ON t.id = c.ticket_id
            WHERE t.booking_id = pg_temp.id('group')), 2, 'a refusal lets nobody in');

SELECT pg_temp.act_as('staff_a');
SELECT is(pg_temp.scan('quizzers', 1, 'q1') || ' ' || pg_temp.scan('quizzers', 2, 'q2'), 'ok ok',
          'check-in without the setting ignores waivers');
SELECT is(api.booking_waiver_status(pg_temp.id('quizzers')) ->> 'missing', '2',
          '(though the booking still misses two signatures)');

SELECT * FROM finish();
ROLLBACK;
