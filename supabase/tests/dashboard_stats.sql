-- The dashboard's figures, trends and hourly distribution on a small fixed organization whose every number is
-- computed by hand below: a venue in Los Angeles and one in Riyadh, kept, cancelled and no-show bookings, full and
-- partial refunds, a scheduled start nobody booked, a week edge in each zone and the week Los Angeles leaves
-- daylight saving time (2026-11-01). The period ends at a fixed as_of, so the answers do not depend on today.
-- Beside it, org_b holds many more bookings and payments at the same instants, which must never show.
BEGIN;
\ir setup.psql
SELECT plan(28);
\ir fixtures.psql

SELECT pg_temp.fresh('la', 'riyadh', 'escape', 'tour', 'c1', 'c2', 'c3', 'c4', 'b_venue', 'b_event', 'b_customer',
                     'org_empty');
UPDATE app.org_settings SET currency = 'USD' WHERE org_id IN (pg_temp.id('org_a'), pg_temp.id('org_b'));
INSERT INTO app.venues (org_id, id, name, timezone) VALUES
  (pg_temp.id('org_a'), pg_temp.id('la'), 'Los Angeles', 'America/Los_Angeles'),
  (pg_temp.id('org_a'), pg_temp.id('riyadh'), 'Riyadh', 'Asia/Riyadh'),
  (pg_temp.id('org_b'), pg_temp.id('b_venue'), 'Big venue', 'Europe/London');
INSERT INTO app.experiences (org_id, venue_id, id, kind, name, duration_minutes, min_party, max_party, capacity,
                             currency) VALUES
  (pg_temp.id('org_a'), pg_temp.id('la'), pg_temp.id('escape'), 'private_session', 'Escape', 60, 1, 6, NULL, 'USD'),
  (pg_temp.id('org_a'), pg_temp.id('riyadh'), pg_temp.id('tour'), 'ticketed_event', 'Night tour', 60, 1, 10, 10,
   'USD'),
  (pg_temp.id('org_b'), pg_temp.id('b_venue'), pg_temp.id('b_event'), 'ticketed_event', 'Big event', 60, 1, 10,
   1000, 'USD');
-- One scheduled start nobody booked: Saturday 2026-11-14 at 10:00 in Los Angeles (18:00 UTC).
INSERT INTO app.schedules (org_id, experience_id, weekday, start_time, valid_from, valid_until)
VALUES (pg_temp.id('org_a'), pg_temp.id('escape'), 6, '10:00', '2026-11-14', '2026-11-14');
INSERT INTO app.customers (org_id, id, email)
SELECT pg_temp.id(CASE WHEN c = 'b_customer' THEN 'org_b' ELSE 'org_a' END), pg_temp.id(c), c || '@example.com'
  FROM unnest(ARRAY['c1', 'c2', 'c3', 'c4', 'b_customer']) c;

-- A booking of p_places places (and a party of p_party) at p_at, in the session there (made on first use, capacity
-- one group or the event's places), confirmed and then moved to p_status; returns its id.
CREATE FUNCTION pg_temp.booked(p_code text, p_experience text, p_at timestamptz, p_customer text, p_party int,
                               p_places int, p_status app.booking_status) RETURNS uuid LANGUAGE plpgsql AS $$
DECLARE
  e app.experiences;
  slot uuid;
  made uuid;
BEGIN
  SELECT * INTO e FROM app.experiences WHERE id = pg_temp.id(p_experience);
  INSERT INTO app.slots (org_id, experience_id, starts_at, ends_at, capacity)
  VALUES (e.org_id, e.id, p_at, p_at + interval '1 hour', coalesce(e.capacity, 1))
  ON CONFLICT (experience_id, starts_at, org_id) DO NOTHING;
  SELECT id INTO slot FROM app.slots WHERE experience_id = e.id AND starts_at = p_at;
  INSERT INTO app.bookings (org_id, experience_id, slot_id, customer_id, status, party_size, places, starts_at,
                            ends_at, price_minor, currency, confirmation_code)
  VALUES (e.org_id, e.id, slot, pg_temp.id(p_customer), 'confirmed', p_party, p_places, p_at,
          p_at + interval '1 hour', 1000, 'USD', p_code)
  RETURNING id INTO made;
  IF p_status <> 'confirmed' THEN
    UPDATE app.bookings SET status = p_status WHERE id = made;
  END IF;
  RETURN made;
END
$$;

-- Money received for a booking at p_at (an order and one offline payment); returns the payment's id.
CREATE FUNCTION pg_temp.paid(p_booking uuid, p_minor bigint, p_at timestamptz) RETURNS uuid LANGUAGE plpgsql AS $$
DECLARE
  b app.bookings;
  o uuid;
  p uuid;
BEGIN
  SELECT * INTO b FROM app.bookings WHERE id = p_booking;
  INSERT INTO app.orders (org_id, booking_id, customer_id, currency, prices_include_vat, vat_rate_bp,
                          subtotal_minor, vat_minor, total_minor, expires_at)
  VALUES (b.org_id, b.id, b.customer_id, 'USD', true, 0, p_minor, 0, p_minor, p_at + interval '15 minutes')
  RETURNING id INTO o;
  INSERT INTO app.payments (org_id, order_id, provider, provider_ref, method, amount_minor, currency, received_at)
  VALUES (b.org_id, o, 'offline', 'receipt-' || gen_random_uuid(), 'cash', p_minor, 'USD', p_at)
  RETURNING id INTO p;
  RETURN p;
END
$$;

-- A refund of p_minor of a payment: succeeded at p_at, or still requested when p_at is null.
CREATE FUNCTION pg_temp.refunded(p_payment uuid, p_minor bigint, p_at timestamptz) RETURNS void LANGUAGE sql AS $$
  INSERT INTO app.refunds (org_id, order_id, payment_id, amount_minor, currency, kind, status, provider, settled_at)
  SELECT p.org_id, p.order_id, p.id, p_minor, 'USD', 'requested',
         CASE WHEN p_at IS NULL THEN 'requested' ELSE 'succeeded' END, 'offline', p_at
    FROM app.payments p WHERE p.id = p_payment
$$;

CREATE TEMP TABLE bk (name text PRIMARY KEY, id uuid);
-- The current period of 7 days up to 2026-11-16 12:00 UTC: from 2026-11-09 12:00 UTC.
INSERT INTO bk VALUES
  -- Los Angeles (UTC-8): sessions at 10:00 local.
  ('b1', pg_temp.booked('DSHAAAAB', 'escape', '2026-11-10 18:00+00', 'c1', 4, 1, 'completed')),
  ('b2', pg_temp.booked('DSHAAAAC', 'escape', '2026-11-11 18:00+00', 'c2', 2, 1, 'no_show')),
  ('b3', pg_temp.booked('DSHAAAAD', 'escape', '2026-11-12 18:00+00', 'c3', 3, 1, 'cancelled')),
  -- Sunday 2026-11-15 22:00 in Los Angeles, Monday 06:00 UTC.
  ('b9', pg_temp.booked('DSHAAAAK', 'escape', '2026-11-16 06:00+00', 'c2', 2, 1, 'confirmed')),
  -- Riyadh (UTC+3): Friday 19:00 local, and Monday 2026-11-16 00:30 local, still Sunday in UTC.
  ('b4', pg_temp.booked('DSHAAAAE', 'tour', '2026-11-13 16:00+00', 'c1', 3, 3, 'confirmed')),
  ('b5', pg_temp.booked('DSHAAAAF', 'tour', '2026-11-13 16:00+00', 'c4', 2, 2, 'confirmed')),
  ('b8', pg_temp.booked('DSHAAAAJ', 'tour', '2026-11-15 21:30+00', 'c4', 1, 1, 'confirmed')),
  -- The previous period, from 2026-11-02 12:00 UTC.
  ('b6', pg_temp.booked('DSHAAAAG', 'escape', '2026-11-05 18:00+00', 'c2', 5, 1, 'completed')),
  ('b7', pg_temp.booked('DSHAAAAH', 'tour', '2026-11-06 16:00+00', 'c3', 1, 1, 'cancelled')),
  -- Before both: Thursday 2026-10-29 10:00 PDT (17:00 UTC) and Sunday 2026-11-01 23:30 PST (Monday 07:30 UTC).
  ('b10', pg_temp.booked('DSHAAAAM', 'escape', '2026-10-29 17:00+00', 'c3', 2, 1, 'completed')),
  ('b11', pg_temp.booked('DSHAAAAN', 'escape', '2026-11-02 07:30+00', 'c3', 2, 1, 'completed'));

CREATE TEMP TABLE pay (name text PRIMARY KEY, id uuid);
INSERT INTO pay VALUES
  ('p1', pg_temp.paid((SELECT id FROM bk WHERE name = 'b1'), 10000, '2026-11-10 09:00+00')),
  -- Sunday 2026-11-08 13:00 in Riyadh: the previous period, and the Riyadh week of 2026-11-02.
  ('p4', pg_temp.paid((SELECT id FROM bk WHERE name = 'b4'), 4500, '2026-11-08 10:00+00')),
  ('p6', pg_temp.paid((SELECT id FROM bk WHERE name = 'b6'), 7000, '2026-10-20 10:00+00')),
  -- Monday 2026-11-16 00:30 in Riyadh.
  ('p8', pg_temp.paid((SELECT id FROM bk WHERE name = 'b8'), 1500, '2026-11-15 21:30+00'));
SELECT pg_temp.refunded((SELECT id FROM pay WHERE name = 'p1'), 2500, '2026-11-12 10:00+00');  -- partial
SELECT pg_temp.refunded((SELECT id FROM pay WHERE name = 'p1'), 500, NULL);                    -- not yet made
SELECT pg_temp.refunded((SELECT id FROM pay WHERE name = 'p4'), 4500, '2026-11-13 10:00+00');  -- in full, later

-- org_b, a hundred times busier at the same instants: 300 bookings, and a payment and refund in both periods.
INSERT INTO bk
SELECT 'big' || n, pg_temp.booked('DSHB' || translate(lpad(n::text, 4, '0'), '01', 'XY'), 'b_event',
                                  timestamptz '2026-11-10 18:00+00' + (n % 3) * interval '1 day', 'b_customer', 2,
                                  2, CASE WHEN n % 5 = 0 THEN 'cancelled' ELSE 'completed' END::app.booking_status)
  FROM generate_series(1, 300) n;
INSERT INTO pay VALUES
  ('big_now', pg_temp.paid((SELECT id FROM bk WHERE name = 'big1'), 999999, '2026-11-10 09:00+00')),
  ('big_before', pg_temp.paid((SELECT id FROM bk WHERE name = 'big2'), 888888, '2026-11-08 10:00+00'));
SELECT pg_temp.refunded((SELECT id FROM pay WHERE name = 'big_now'), 77777, '2026-11-12 10:00+00');

-- An organization with nothing in it yet, owned by owner_a.
INSERT INTO app.organizations (id, name, slug) VALUES (pg_temp.id('org_empty'), 'Empty', pg_temp.slug('org_empty'));
INSERT INTO app.memberships (org_id, user_id, role) VALUES (pg_temp.id('org_empty'), pg_temp.id('owner_a'), 'owner');

SELECT pg_temp.act_as('manager_a');

-- Current: kept b1, b2, b4, b5, b8, b9 (6 bookings; places 1+1+3+2+1+1 = 9; parties 4+2+3+2+1+2 = 14, 2.33 a
-- booking); offered: the six sessions (1+1+1+10+10+1) and the unbooked Saturday start = 25, so 9/25 = 0.36;
-- cancelled b3, no-show b2; customers c1 and c4 new, c2 returning (b6, completed before); money: p1 10000 and
-- p8 1500 received, refunds 2500 (p1, partial) and 4500 (p4, paid in the previous period), the requested 500 not
-- yet: net 11500 - 7000 = 4500.
SELECT is(api.get_dashboard_stats(pg_temp.id('org_a'), 7, as_of => '2026-11-16 12:00+00') -> 'current',
          jsonb_build_object('from', timestamptz '2026-11-09 12:00+00', 'to', timestamptz '2026-11-16 12:00+00',
                             'bookings', 6, 'places_booked', 9, 'average_party_size', 2.33, 'places_offered', 25,
                             'occupancy', 0.3600, 'cancellations', 1, 'no_shows', 1, 'new_customers', 2,
                             'returning_customers', 1,
                             'revenue', jsonb_build_object('received_minor', 11500, 'refunded_minor', 7000,
                                                           'net_minor', 4500)),
          'the current period: kept bookings by session start, occupancy of offered places, new and returning '
          'customers, money received net of the refunds that succeeded in it, nothing of org_b');

-- Previous: kept b6 (party 5) of the sessions b6 and b7 (1 + 10 places: 1/11 = 0.0909); b7 cancelled; c2 new then;
-- p4 4500 received, no refund yet.
SELECT is(api.get_dashboard_stats(pg_temp.id('org_a'), 7, as_of => '2026-11-16 12:00+00') -> 'previous',
          jsonb_build_object('from', timestamptz '2026-11-02 12:00+00', 'to', timestamptz '2026-11-09 12:00+00',
                             'bookings', 1, 'places_booked', 1, 'average_party_size', 5.00, 'places_offered', 11,
                             'occupancy', 0.0909, 'cancellations', 1, 'no_shows', 0, 'new_customers', 1,
                             'returning_customers', 0,
                             'revenue', jsonb_build_object('received_minor', 4500, 'refunded_minor', 0,
                                                           'net_minor', 4500)),
          'the previous period of the same length, for comparison');

SELECT is((SELECT jsonb_build_object('days', s -> 'days', 'currency', s -> 'currency', 'org_id', s ->> 'org_id')
             FROM api.get_dashboard_stats(pg_temp.id('org_a'), 7, as_of => '2026-11-16 12:00+00') s),
          jsonb_build_object('days', 7, 'currency', 'USD', 'org_id', pg_temp.id('org_a')),
          'the answer names the organization, its period length and its currency');

-- Riyadh alone: b4, b5, b8 (parties 3+2+1, places 6 of 20), c1 and c4 both new; p8 1500 received, the 4500 refund of
-- p4 paid back: net -3000.
SELECT is(api.get_dashboard_stats(pg_temp.id('org_a'), 7, pg_temp.id('riyadh'), '2026-11-16 12:00+00') -> 'current',
          jsonb_build_object('from', timestamptz '2026-11-09 12:00+00', 'to', timestamptz '2026-11-16 12:00+00',
                             'bookings', 3, 'places_booked', 6, 'average_party_size', 2.00, 'places_offered', 20,
                             'occupancy', 0.3000, 'cancellations', 0, 'no_shows', 0, 'new_customers', 2,
                             'returning_customers', 0,
                             'revenue', jsonb_build_object('received_minor', 1500, 'refunded_minor', 4500,
                                                           'net_minor', -3000)),
          'a venue filter counts that venue''s sessions and money only; a refund may make a period''s net negative');

SELECT is(api.get_dashboard_stats(pg_temp.id('org_a'), as_of => '2026-11-16 12:00+00') -> 'current' -> 'bookings',
          '9'::jsonb, 'days defaults to 30: from 2026-10-17 12:00 UTC, so b6, b10 and b11 count too');

SELECT pg_temp.act_as('staff_a');
SELECT is(((api.get_dashboard_stats(pg_temp.id('org_a'), 7, as_of => '2026-11-16 12:00+00') -> 'current')
             - 'revenue') || '{"revenue": null}',
          api.get_dashboard_stats(pg_temp.id('org_a'), 7, as_of => '2026-11-16 12:00+00') -> 'current',
          'staff read the counts, and revenue as null');
SELECT is(api.get_dashboard_stats(pg_temp.id('org_a'), 7, as_of => '2026-11-16 12:00+00') -> 'current'
            -> 'bookings', '6'::jsonb, 'staff read the same counts as managers');

-- Trends. At 2026-11-15 22:00 UTC it is already Monday 01:00 in Riyadh (the week of 2026-11-16 has begun there)
-- but Sunday 14:00 in Los Angeles: the newest week listed is 2026-11-16. b8 (Monday 00:30 in Riyadh) and p8 fall in
-- it; b9 (Sunday 22:00 in Los Angeles, Monday in UTC) in the week before; p4 (Sunday in Riyadh) in 2026-11-02.
SELECT pg_temp.act_as('manager_a');
SELECT results_eq(
  $$SELECT week_start, bookings, places, cancellations, received_minor, refunded_minor, net_minor, currency
      FROM api.get_booking_trends(pg_temp.id('org_a'), 3, '2026-11-15 22:00+00')$$,
  $$VALUES (date '2026-11-02', 1, 1, 1, 4500::bigint, 0::bigint, 4500::bigint, 'USD'),
           (date '2026-11-09', 5, 8, 1, 10000::bigint, 7000::bigint, 3000::bigint, 'USD'),
           (date '2026-11-16', 1, 1, 0, 1500::bigint, 0::bigint, 1500::bigint, 'USD')$$,
  'weekly trends: weeks start Monday at each venue''s own midnight (Riyadh''s Monday is Sunday in UTC, Los '
  'Angeles'' Sunday night is Monday in UTC), money by the venue-local week it moved in');

SELECT results_eq(
  $$SELECT week_start FROM api.get_booking_trends(pg_temp.id('org_a'), 3, '2026-11-15 07:00+00')$$,
  $$VALUES (date '2026-10-26'), (date '2026-11-02'), (date '2026-11-09')$$,
  'on Sunday in both zones the newest week is still the one that began on Monday 2026-11-09');

-- The week Los Angeles leaves daylight saving time (Sunday 2026-11-01): b10 (Thursday 10:00 PDT) and b11 (Sunday
-- 23:30 PST, already Monday in UTC) both fall in the week of 2026-10-26; weeks without anything are listed as zero
-- (p6, Tuesday 2026-10-20 in Los Angeles, is money of the week of 2026-10-19); a week is listed whole.
SELECT results_eq(
  $$SELECT week_start, bookings, places, cancellations, received_minor, refunded_minor, net_minor
      FROM api.get_booking_trends(pg_temp.id('org_a'), 5, '2026-11-09 12:00+00')$$,
  $$VALUES (date '2026-10-12', 0, 0, 0, 0::bigint, 0::bigint, 0::bigint),
           (date '2026-10-19', 0, 0, 0, 7000::bigint, 0::bigint, 7000::bigint),
           (date '2026-10-26', 2, 2, 0, 0::bigint, 0::bigint, 0::bigint),
           (date '2026-11-02', 1, 1, 1, 4500::bigint, 0::bigint, 4500::bigint),
           (date '2026-11-09', 5, 8, 1, 10000::bigint, 7000::bigint, 3000::bigint)$$,
  'a week of 169 hours (daylight saving time ends) keeps its Sunday night; empty weeks are zero-filled');

SELECT is((SELECT count(*)::int FROM api.get_booking_trends(pg_temp.id('org_a'))), 8, 'weeks defaults to 8');

SELECT pg_temp.act_as('staff_a');
SELECT results_eq(
  $$SELECT week_start, bookings, received_minor, refunded_minor, net_minor, currency
      FROM api.get_booking_trends(pg_temp.id('org_a'), 1, '2026-11-15 22:00+00')$$,
  $$VALUES (date '2026-11-16', 1, NULL::bigint, NULL::bigint, NULL::bigint, 'USD')$$,
  'staff read the weekly counts, with the money columns null');

-- Hourly: the current period's kept bookings by venue-local weekday and hour (in UTC, b8 would be Sunday 21:00 and
-- b9 Monday 06:00).
SELECT results_eq(
  $$SELECT weekday, hour, bookings FROM api.get_hourly_distribution(pg_temp.id('org_a'), 7, '2026-11-16 12:00+00')
     WHERE bookings > 0$$,
  $$VALUES (1, 0, 1), (2, 10, 1), (3, 10, 1), (5, 19, 2), (7, 22, 1)$$,
  'bookings by weekday and hour of the session''s start in its venue''s zone (Riyadh Monday 00:30, Los Angeles '
  'Sunday 22:00)');
SELECT is((SELECT count(*)::int FROM api.get_hourly_distribution(pg_temp.id('org_a'), 7, '2026-11-16 12:00+00')),
          168, 'every weekday and hour is listed, zero-filled');
-- Over the daylight saving change: b10 at 10:00 PDT (17:00 UTC) and b6 at 10:00 PST (18:00 UTC) share the cell
-- Thursday 10:00; b11 is Sunday 23:00.
SELECT results_eq(
  $$SELECT weekday, hour, bookings FROM api.get_hourly_distribution(pg_temp.id('org_a'), 14, '2026-11-09 12:00+00')
     WHERE bookings > 0$$,
  $$VALUES (4, 10, 2), (7, 23, 1)$$,
  'the same local hour before and after the clocks change is one hour of the distribution');

-- The empty organization: zeros, and null where a ratio has nothing to divide.
SELECT pg_temp.act_as('owner_a');
SELECT is((api.get_dashboard_stats(pg_temp.id('org_empty'), 7, as_of => '2026-11-16 12:00+00') -> 'current')
            - 'from' - 'to',
          '{"bookings": 0, "places_booked": 0, "average_party_size": null, "places_offered": 0, "occupancy": null,
            "cancellations": 0, "no_shows": 0, "new_customers": 0, "returning_customers": 0,
            "revenue": {"received_minor": 0, "refunded_minor": 0, "net_minor": 0}}'::jsonb,
          'an empty organization has zero bookings and money, and no average or occupancy');
SELECT is(api.get_dashboard_stats(pg_temp.id('org_empty'), 7) -> 'currency', 'null'::jsonb,
          'an organization that has not chosen its currency answers it as null');
SELECT results_eq(
  $$SELECT bookings, net_minor FROM api.get_booking_trends(pg_temp.id('org_empty'), 2, '2026-11-16 12:00+00')$$,
  $$VALUES (0, 0::bigint), (0, 0::bigint)$$, 'an empty organization''s weeks are listed, with zeros');
SELECT is((SELECT sum(bookings)::int FROM api.get_hourly_distribution(pg_temp.id('org_empty'))), 0,
          'an empty organization''s hours are all zero');

-- org_b: its own numbers, none of org_a's (its 300 bookings: n % 5 = 0 cancelled, 60; 240 completed).
SELECT pg_temp.act_as('admin_b');
SELECT is(api.get_dashboard_stats(pg_temp.id('org_b'), 7, as_of => '2026-11-16 12:00+00') -> 'current'
            -> 'revenue',
          '{"received_minor": 999999, "refunded_minor": 77777, "net_minor": 922222}'::jsonb,
          'the big organization''s money is its own');
SELECT is((SELECT sum(bookings)::int FROM api.get_booking_trends(pg_temp.id('org_b'), 3, '2026-11-15 22:00+00')), 240,
          'the big organization''s trends count its own bookings only');
SELECT results_eq(
  $$SELECT week_start, received_minor, refunded_minor
      FROM api.get_booking_trends(pg_temp.id('org_b'), 3, '2026-11-15 22:00+00')$$,
  $$VALUES (date '2026-10-26', 0::bigint, 0::bigint), (date '2026-11-02', 888888::bigint, 0::bigint),
           (date '2026-11-09', 999999::bigint, 77777::bigint)$$,
  'an organization whose venues share one zone has its money by the weeks of that zone (Sunday 2026-11-08 in '
  'London is the week of 2026-11-02)');

-- Who may read.
SELECT throws_ok($$SELECT api.get_dashboard_stats(pg_temp.id('org_a'))$$, 'PT404', 'organization not found',
                 'a member of another organization gets not found');
SELECT throws_ok($$SELECT * FROM api.get_booking_trends(pg_temp.id('org_a'))$$, 'PT404', 'organization not found',
                 'trends of another organization: not found');
SELECT throws_ok($$SELECT * FROM api.get_hourly_distribution(pg_temp.id('org_a'))$$, 'PT404',
                 'organization not found', 'hours of another organization: not found');
SELECT pg_temp.act_as('manager_a');
SELECT throws_ok($$SELECT api.get_dashboard_stats(pg_temp.id('org_a'), venue_id => pg_temp.id('b_venue'))$$,
                 'PT404', 'venue not found', 'a venue of another organization is not found');
SELECT pg_temp.act_as('anon');
SELECT throws_ok($$SELECT api.get_dashboard_stats(pg_temp.id('org_a'))$$, '42501', NULL,
                 'anon may not call the dashboard');
SELECT pg_temp.act_as('manager_a');
SELECT throws_ok($$SELECT api.get_dashboard_stats(pg_temp.id('org_a'), 0)$$, 'PT400',
                 'days must be a whole number from 1 to 366, not 0', 'days is 1 to 366');

SELECT * FROM finish();
ROLLBACK;
