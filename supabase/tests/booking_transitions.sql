-- Every status transition: the allowed ones move, every other one is refused with PT409 and changes nothing.
-- pending -> confirmed | cancelled | rejected | expired; confirmed -> completed | cancelled | no_show.
BEGIN;
\ir setup.psql
SELECT plan(44);

\ir fixtures.psql
SELECT pg_temp.fresh('venue', 'talk', 'slot', 'customer');
INSERT INTO app.venues (org_id, id, name, timezone) VALUES
  (pg_temp.id('org_a'), pg_temp.id('venue'), 'Venue', 'UTC');
INSERT INTO app.experiences (org_id, venue_id, id, kind, name, duration_minutes, max_party, capacity, currency) VALUES
  (pg_temp.id('org_a'), pg_temp.id('venue'), pg_temp.id('talk'), 'ticketed_event', 'Talk', 60, 10, 1000, 'EUR');
INSERT INTO app.slots (org_id, experience_id, id, starts_at, ends_at, capacity) VALUES
  (pg_temp.id('org_a'), pg_temp.id('talk'),
   pg_temp.id('slot'), now() + interval '7 days', now() + interval '7 days 1 hour', 1000);
INSERT INTO app.customers (org_id, id, email) VALUES
  (pg_temp.id('org_a'), pg_temp.id('customer'), 'c@example.com');

-- A fresh booking brought to a status along allowed moves only.
CREATE FUNCTION pg_temp.booking_in(p_status app.booking_status) RETURNS uuid LANGUAGE plpgsql AS $$
DECLARE
  b uuid;
BEGIN
  INSERT INTO app.bookings (org_id, experience_id, slot_id, customer_id, status, party_size, places, starts_at,
                            ends_at, price_minor, currency, hold_expires_at, confirmation_code)
  SELECT org_id, experience_id, id, pg_temp.id('customer'),
         CASE WHEN p_status IN ('confirmed', 'completed', 'no_show') THEN 'confirmed' ELSE 'pending' END::app.booking_status,
         1, 1, starts_at, ends_at, 1000, 'EUR', now() + interval '15 minutes', private.new_confirmation_code()
    FROM app.slots WHERE id = pg_temp.id('slot')
  RETURNING id INTO b;
  IF p_status NOT IN ('pending', 'confirmed') THEN
    UPDATE app.bookings SET status = p_status WHERE id = b;
  END IF;
  RETURN b;
END
$$;

CREATE FUNCTION pg_temp.transitions() RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
  f app.booking_status;
  t app.booking_status;
  b uuid;
  allowed boolean;
BEGIN
  FOR f IN SELECT unnest(enum_range(NULL::app.booking_status)) LOOP
    FOR t IN SELECT unnest(enum_range(NULL::app.booking_status)) LOOP
      CONTINUE WHEN f = t;
      b := pg_temp.booking_in(f);
      allowed := (f = 'pending' AND t IN ('confirmed', 'cancelled', 'rejected', 'expired'))
              OR (f = 'confirmed' AND t IN ('completed', 'cancelled', 'no_show'));
      IF allowed THEN
        RETURN NEXT lives_ok(format('UPDATE app.bookings SET status = %L WHERE id = %L', t, b),
                             format('%s -> %s is allowed', f, t));
      ELSE
        RETURN NEXT throws_ok(format('UPDATE app.bookings SET status = %L WHERE id = %L', t, b), 'PT409',
                              NULL, format('%s -> %s is refused', f, t));
      END IF;
    END LOOP;
  END LOOP;
END
$$;

SELECT * FROM pg_temp.transitions();

-- Counters follow: only live bookings (pending, confirmed, completed, no_show) hold places.
SELECT is((SELECT taken FROM app.slots WHERE id = pg_temp.id('slot')),
          (SELECT count(*)::int FROM app.bookings
            WHERE slot_id = pg_temp.id('slot') AND status IN ('pending', 'confirmed', 'completed', 'no_show')),
          'the slot counter equals the places live bookings hold after every transition');
SELECT throws_ok($$ INSERT INTO app.bookings (org_id, experience_id, slot_id, customer_id, status, party_size, places,
                    starts_at, ends_at, price_minor, currency, confirmation_code)
                    SELECT org_id, experience_id, id, pg_temp.id('customer'), 'completed', 1, 1,
                           starts_at, ends_at, 0, 'EUR', 'AAAAAAAA' FROM app.slots
                     WHERE id = pg_temp.id('slot') $$, 'PT400', NULL,
                 'a booking cannot be born completed');

SELECT * FROM finish();
ROLLBACK;
