-- Minors are judged by the database, never by the signer: a participant younger than the venue's age of majority
-- on the session's date, in the venue's zone, is a minor, and signs with a guardian's name and signature; an
-- adult signs alone. The table holds the rule too: a minor's row without a guardian cannot exist.
BEGIN;
\ir setup.psql
SELECT plan(13);

\ir fixtures.psql
SELECT pg_temp.fresh('riyadh', 'london', 'desert', 'thames', 'late_riyadh', 'late_london', 'teens');
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

INSERT INTO app.venues (org_id, id, name, timezone) VALUES
  (pg_temp.id('org_a'), pg_temp.id('riyadh'), 'Riyadh', 'Asia/Riyadh'),
  (pg_temp.id('org_a'), pg_temp.id('london'), 'London', 'Europe/London');
INSERT INTO app.experiences (org_id, venue_id, id, kind, name, duration_minutes, max_party, currency) VALUES
  (pg_temp.id('org_a'), pg_temp.id('riyadh'), pg_temp.id('desert'), 'private_session', 'Desert', 60, 6, 'SAR'),
  (pg_temp.id('org_a'), pg_temp.id('london'), pg_temp.id('thames'), 'private_session', 'Thames', 60, 6, 'SAR');
SELECT pg_temp.act_as('manager_a');
CREATE TEMP TABLE t AS SELECT api.create_waiver_template(pg_temp.id('org_a'), 'Waiver', 'Release', 'At my own risk.') AS a;
SELECT api.update_experience(e, jsonb_build_object('waiver_template_id', (SELECT a ->> 'id' FROM t))) FROM unnest(ARRAY[pg_temp.id('desert'),
  pg_temp.id('thames')]) e;
RESET ROLE;
GRANT SELECT ON t TO PUBLIC;

-- One instant, 22:30 UTC thirty days on: 01:30 the next day in Riyadh (UTC+3), still the same day in London.
CREATE TEMP TABLE session AS
SELECT date_trunc('day', now() AT TIME ZONE 'UTC') + interval '30 days 22 hours 30 minutes' AS utc_wall;
CREATE TEMP TABLE instant AS SELECT utc_wall AT TIME ZONE 'UTC' AS at, (utc_wall + interval '1 day')::date AS riyadh_day
  FROM session;
GRANT SELECT ON instant TO PUBLIC;
CREATE FUNCTION pg_temp.booked(p_name text, p_experience text, p_starts timestamptz) RETURNS void LANGUAGE sql AS $$
  INSERT INTO app.slots (org_id, id, experience_id, starts_at, ends_at, capacity)
  VALUES (pg_temp.id('org_a'), pg_temp.id(p_name), pg_temp.id(p_experience), p_starts, p_starts + interval '1 hour', 1);
  INSERT INTO app.customers (org_id, id, email, name)
  VALUES (pg_temp.id('org_a'), pg_temp.id(p_name), p_name || '.' || left(pg_temp.id(p_name)::text, 8) || '@example.com',
          'Family');
  INSERT INTO app.bookings (org_id, id, experience_id, slot_id, customer_id, status, party_size, places, starts_at,
                            ends_at, price_minor, currency, confirmation_code)
  VALUES (pg_temp.id('org_a'), pg_temp.id(p_name), pg_temp.id(p_experience), pg_temp.id(p_name), pg_temp.id(p_name),
          'confirmed', 6, 1, p_starts, p_starts + interval '1 hour', 0, 'SAR', private.new_confirmation_code());
$$;
SELECT pg_temp.booked('late_riyadh', 'desert', (SELECT at FROM instant));
SELECT pg_temp.booked('late_london', 'thames', (SELECT at FROM instant));
SELECT pg_temp.booked('teens', 'thames', (SELECT at FROM instant) - interval '3 hours');

-- A signature at the venue by staff: p_booking, born p_born, with a guardian or not; the outcome.
CREATE FUNCTION pg_temp.sign(p_booking text, p_born date, p_guardian text DEFAULT NULL) RETURNS text
LANGUAGE sql AS $$
  SELECT pg_temp.outcome(format(
    $f$SELECT api.sign_waiver_at_venue(%L, 'Sam Young', %L, 'Sam Young', %L, %L, %L)$f$,
    pg_temp.id(p_booking), p_born, (SELECT a -> 'versions' -> 0 ->> 'body_sha256' FROM t), p_guardian, p_guardian))
$$;
GRANT EXECUTE ON FUNCTION pg_temp.sign(text, date, text) TO PUBLIC;
CREATE FUNCTION pg_temp.last_minor(p_booking text) RETURNS boolean LANGUAGE sql AS $$
  SELECT minor FROM app.waiver_signatures WHERE booking_id = pg_temp.id(p_booking) ORDER BY signed_at DESC, id
   LIMIT 1
$$;

SELECT pg_temp.act_as('staff_a');
-- age is judged on the session's date in the venue's zone
SELECT is(pg_temp.sign('late_riyadh', ((SELECT riyadh_day FROM instant) - interval '18 years')::date), 'ok',
          'age is judged on the session''s date in the venue''s zone: an 18th birthday that is the session day in '
          'Riyadh (though not yet in UTC) signs alone');
RESET ROLE;
SELECT is(pg_temp.last_minor('late_riyadh'), false, 'and is recorded as an adult');
SELECT pg_temp.act_as('staff_a');
SELECT is(pg_temp.sign('late_london', ((SELECT riyadh_day FROM instant) - interval '18 years')::date),
          'PT400 guardian_required', 'the same birthday and instant in London, where it is the day before, is a minor''s');

-- a participant under the venue's age of majority needs a guardian
SELECT is(pg_temp.sign('teens', (current_date - interval '15 years')::date), 'PT400 guardian_required',
          'a participant under the venue''s age of majority needs a guardian');
SELECT is(pg_temp.sign('teens', (current_date - interval '15 years')::date, 'Pat Parent'), 'ok',
          'with a guardian''s name and signature they sign');
RESET ROLE;
SELECT is(pg_temp.last_minor('teens'), true, 'recorded as a minor');
SELECT is((SELECT guardian_name || ' / ' || guardian_signature FROM app.waiver_signatures
            WHERE booking_id = pg_temp.id('teens') AND minor), 'Pat Parent / Pat Parent', 'with the guardian');
SELECT pg_temp.act_as('staff_a');
SELECT is(pg_temp.sign('teens', (current_date - interval '40 years')::date, 'Pat Parent'), 'ok',
          'an adult may send a guardian');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM app.waiver_signatures
            WHERE booking_id = pg_temp.id('teens') AND NOT minor AND guardian_name IS NULL), 1,
          'whom the signature leaves out');

-- The venue decides the age.
UPDATE app.venues SET age_of_majority = 21 WHERE id = pg_temp.id('london');
SELECT pg_temp.act_as('staff_a');
SELECT is(pg_temp.sign('teens', (current_date - interval '19 years')::date), 'PT400 guardian_required',
          'at a venue whose age of majority is 21, a 19-year-old is a minor');
SELECT is(pg_temp.outcome($$SELECT api.sign_waiver_at_venue(gen_random_uuid(), 'X', '1850-01-01', 'X', 'x')$$),
          'PT400 out_of_range', 'nor before 1900');
RESET ROLE;
SELECT throws_ok(format($$INSERT INTO app.waiver_signatures (org_id, booking_id, version_id, participant_name,
                            date_of_birth, minor, signature, text_sha256, signed_via)
                          SELECT %L, %L, v.id, 'X', current_date - interval '15 years', false, 'X', v.body_sha256,
                                 'online'
                            FROM app.waiver_versions v WHERE v.template_id = %L$$,
                        pg_temp.id('org_a'), pg_temp.id('teens'), (SELECT a ->> 'id' FROM t)),
                 'PT400', NULL, 'a row claiming a minor is an adult is judged by the same rule, whoever inserts it');
SELECT throws_ok($$ALTER TABLE app.waiver_signatures DISABLE TRIGGER waiver_signatures_guard;
                   UPDATE app.waiver_signatures SET minor = true, guardian_name = NULL
                    WHERE booking_id = pg_temp.id('teens') AND NOT minor$$,
                 '23514', NULL, 'and with the triggers off, a minor without a guardian breaks the table''s CHECK');

SELECT * FROM finish();
ROLLBACK;
