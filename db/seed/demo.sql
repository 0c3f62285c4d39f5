-- Demo data for ./scripts/dev (tessera seed --demo): one organization, Enigma Escapes, with a London and a
-- New York venue, escape rooms and a ticketed murder-mystery night, staff, customers, 180 days of bookings (90
-- days either side of today) and its money terms (VAT, price rules, promo codes). Deterministic (hash-based
-- choices), and run once: the CLI skips it when the organization exists. Rows go in through the same triggers as
-- any booking, so counters, claims and the audit log agree.

INSERT INTO auth.users (id, email, raw_app_meta_data) VALUES
  ('d0000000-0000-4000-8000-000000000001', 'olivia.owner@enigma.example', '{"provider": "email"}'),
  ('d0000000-0000-4000-8000-000000000002', 'max.manager@enigma.example', '{"provider": "email"}'),
  ('d0000000-0000-4000-8000-000000000003', 'sam.staff@enigma.example', '{"provider": "email"}');
INSERT INTO app.profiles (user_id, display_name) VALUES
  ('d0000000-0000-4000-8000-000000000001', 'Olivia Owner'),
  ('d0000000-0000-4000-8000-000000000002', 'Max Manager'),
  ('d0000000-0000-4000-8000-000000000003', 'Sam Staff');

INSERT INTO app.organizations (id, name, slug) VALUES
  ('d1000000-0000-4000-8000-000000000001', 'Enigma Escapes', 'enigma-escapes');
INSERT INTO app.memberships (org_id, user_id, role) VALUES
  ('d1000000-0000-4000-8000-000000000001', 'd0000000-0000-4000-8000-000000000001', 'owner'),
  ('d1000000-0000-4000-8000-000000000001', 'd0000000-0000-4000-8000-000000000002', 'manager'),
  ('d1000000-0000-4000-8000-000000000001', 'd0000000-0000-4000-8000-000000000003', 'staff');

INSERT INTO app.venues (org_id, id, name, timezone, address_line, city, postal_code, country_code) VALUES
  ('d1000000-0000-4000-8000-000000000001', 'd2000000-0000-4000-8000-000000000001', 'Enigma Soho', 'Europe/London',
   '12 Greek Street', 'London', 'W1D 4DJ', 'GB'),
  ('d1000000-0000-4000-8000-000000000001', 'd2000000-0000-4000-8000-000000000002', 'Enigma Brooklyn',
   'America/New_York', '88 Wythe Avenue', 'Brooklyn, NY', '11249', 'US');
INSERT INTO app.venue_hours (org_id, venue_id, weekday, opens, closes)
SELECT 'd1000000-0000-4000-8000-000000000001', v, d, o::time, c::time
  FROM generate_series(1, 7) d,
       (VALUES ('d2000000-0000-4000-8000-000000000001'::uuid, '10:00', '23:00'),
               ('d2000000-0000-4000-8000-000000000002'::uuid, '12:00', '24:00')) h(v, o, c);
INSERT INTO app.venue_closures (org_id, venue_id, during, reason) VALUES
  ('d1000000-0000-4000-8000-000000000001', 'd2000000-0000-4000-8000-000000000001',
   tstzrange(private.local_to_instant(make_date(extract(year FROM current_date)::int, 12, 25) + time '00:00',
                                      'Europe/London'),
             private.local_to_instant(make_date(extract(year FROM current_date)::int, 12, 27) + time '00:00',
                                      'Europe/London')), 'Christmas');

INSERT INTO app.resources (org_id, venue_id, id, kind, name) VALUES
  ('d1000000-0000-4000-8000-000000000001', 'd2000000-0000-4000-8000-000000000001',
   'd3000000-0000-4000-8000-000000000001', 'room', 'Vault room'),
  ('d1000000-0000-4000-8000-000000000001', 'd2000000-0000-4000-8000-000000000001',
   'd3000000-0000-4000-8000-000000000002', 'room', 'Laboratory'),
  ('d1000000-0000-4000-8000-000000000001', 'd2000000-0000-4000-8000-000000000002',
   'd3000000-0000-4000-8000-000000000003', 'room', 'Subway car'),
  ('d1000000-0000-4000-8000-000000000001', 'd2000000-0000-4000-8000-000000000002',
   'd3000000-0000-4000-8000-000000000004', 'room', 'Speakeasy hall');

INSERT INTO app.experiences (org_id, venue_id, id, kind, name, description, duration_minutes, buffer_minutes,
                             min_party, max_party, capacity, pricing_mode, currency, late_refund_percent)
VALUES
  ('d1000000-0000-4000-8000-000000000001', 'd2000000-0000-4000-8000-000000000001',
   'd4000000-0000-4000-8000-000000000001', 'private_session', 'The Vault',
   'Break into the bank''s vault before the alarm resets. 60 minutes.', 60, 15, 2, 6, NULL, 'per_person', 'GBP', 50),
  ('d1000000-0000-4000-8000-000000000001', 'd2000000-0000-4000-8000-000000000001',
   'd4000000-0000-4000-8000-000000000002', 'private_session', 'Laboratory 13',
   'Find the antidote in a sealed lab. 75 minutes, for bigger teams.', 75, 15, 3, 8, NULL, 'per_group', 'GBP', 50),
  ('d1000000-0000-4000-8000-000000000001', 'd2000000-0000-4000-8000-000000000002',
   'd4000000-0000-4000-8000-000000000003', 'private_session', 'Last Train',
   'A night train that never stops. 60 minutes.', 60, 15, 2, 6, NULL, 'per_person', 'USD', 50),
  ('d1000000-0000-4000-8000-000000000001', 'd2000000-0000-4000-8000-000000000002',
   'd4000000-0000-4000-8000-000000000004', 'ticketed_event', 'Murder at the Speakeasy',
   'An immersive murder-mystery evening. Two hours, drinks included.', 120, 30, 1, 8, 40, 'per_person', 'USD', 0);
INSERT INTO app.experience_resources (org_id, venue_id, experience_id, resource_id)
SELECT e.org_id, e.venue_id, e.id, r.id
  FROM app.experiences e JOIN app.resources r
    ON (e.id, r.id) IN (('d4000000-0000-4000-8000-000000000001'::uuid, 'd3000000-0000-4000-8000-000000000001'::uuid),
                        ('d4000000-0000-4000-8000-000000000002', 'd3000000-0000-4000-8000-000000000002'),
                        ('d4000000-0000-4000-8000-000000000003', 'd3000000-0000-4000-8000-000000000003'));
INSERT INTO app.price_tiers (org_id, experience_id, min_party, max_party, price_minor) VALUES
  ('d1000000-0000-4000-8000-000000000001', 'd4000000-0000-4000-8000-000000000001', 2, 3, 3200),
  ('d1000000-0000-4000-8000-000000000001', 'd4000000-0000-4000-8000-000000000001', 4, 6, 2600),
  ('d1000000-0000-4000-8000-000000000001', 'd4000000-0000-4000-8000-000000000002', 3, 8, 14500),
  ('d1000000-0000-4000-8000-000000000001', 'd4000000-0000-4000-8000-000000000003', 2, 6, 3800);
INSERT INTO app.ticket_types (org_id, experience_id, id, name, price_minor, quota, per_order_max) VALUES
  ('d1000000-0000-4000-8000-000000000001', 'd4000000-0000-4000-8000-000000000004',
   'd5000000-0000-4000-8000-000000000001', 'General admission', 6500, NULL, 8),
  ('d1000000-0000-4000-8000-000000000001', 'd4000000-0000-4000-8000-000000000004',
   'd5000000-0000-4000-8000-000000000002', 'Detective package (front table)', 9500, 8, 4);

-- Escape rooms every 90 minutes through the day; the murder mystery on Fridays and Saturdays at 19:30.
INSERT INTO app.schedules (org_id, experience_id, weekday, start_time, valid_from)
SELECT 'd1000000-0000-4000-8000-000000000001'::uuid, e, d, t, current_date - 90
  FROM generate_series(1, 7) d,
       (SELECT 'd4000000-0000-4000-8000-000000000001'::uuid AS e, s AS t
          FROM unnest(ARRAY['10:00', '11:30', '13:00', '14:30', '16:00', '17:30', '19:00', '20:30']::time[]) s
        UNION ALL
        SELECT 'd4000000-0000-4000-8000-000000000002', s
          FROM unnest(ARRAY['10:30', '12:15', '14:00', '15:45', '17:30', '19:15']::time[]) s
        UNION ALL
        SELECT 'd4000000-0000-4000-8000-000000000003', s
          FROM unnest(ARRAY['12:00', '13:30', '15:00', '16:30', '18:00', '19:30', '21:00']::time[]) s) x
UNION ALL
SELECT 'd1000000-0000-4000-8000-000000000001', 'd4000000-0000-4000-8000-000000000004', d, '19:30', current_date - 90
  FROM generate_series(5, 6) d;

-- 400 customers.
INSERT INTO app.customers (org_id, id, email, name, phone)
SELECT 'd1000000-0000-4000-8000-000000000001', md5('demo-customer-' || n)::uuid,
       lower(f) || '.' || lower(l) || n || '@example.com', f || ' ' || l, '+44 20 7946 ' || lpad((n % 10000)::text, 4, '0')
  FROM generate_series(1, 400) n,
       LATERAL (SELECT (ARRAY['Ada', 'Grace', 'Alan', 'Katherine', 'Linus', 'Margaret', 'Tim', 'Barbara', 'Dennis',
                              'Frances', 'Ken', 'Radia', 'Guido', 'Hedy', 'Edsger', 'Shafi'])[1 + n % 16] AS f,
                       (ARRAY['Lovelace', 'Hopper', 'Turing', 'Johnson', 'Torvalds', 'Hamilton', 'Berners-Lee',
                              'Liskov', 'Ritchie', 'Allen', 'Thompson', 'Perlman', 'Rossum', 'Lamarr',
                              'Dijkstra', 'Goldwasser', 'Knuth'])[1 + (n * 7) % 17] AS l) names;

-- Bookings: each start in the last and next 90 days is booked with a probability that rises in the evening and
-- at weekends, by a hash of the start (same data every time). Past sessions end completed, a few no-shows and
-- cancellations; future ones are confirmed, with a few pending holds and cancellations.
CREATE TEMP TABLE demo_starts ON COMMIT DROP AS
SELECT o.*, e.id AS experience_id, e.kind, e.min_party, e.max_party, e.capacity, e.currency,
       ('x' || substr(md5(e.id::text || o.starts_at::text), 1, 7))::bit(28)::int AS h
  FROM app.experiences e,
       LATERAL private.schedule_occurrences(e.id, current_date - 90, current_date + 90) o
 WHERE e.org_id = 'd1000000-0000-4000-8000-000000000001';

INSERT INTO app.slots (org_id, experience_id, starts_at, ends_at, capacity)
SELECT 'd1000000-0000-4000-8000-000000000001', experience_id, starts_at, ends_at, coalesce(capacity, 1)
  FROM demo_starts
 WHERE abs(h % 100) < CASE WHEN extract(hour FROM local_start) >= 17 OR extract(isodow FROM local_start) >= 6
                           THEN 80 ELSE 45 END;

INSERT INTO app.bookings (org_id, experience_id, slot_id, customer_id, status, party_size, places, starts_at,
                          ends_at, price_minor, currency, hold_expires_at, confirmation_code, created_at)
SELECT s.org_id, s.experience_id, s.id, md5('demo-customer-' || (1 + abs(d.h + k) % 400))::uuid,
       CASE WHEN s.starts_at > now() AND abs(d.h + k) % 20 = 0 AND s.starts_at < now() + interval '7 days'
            THEN 'pending' ELSE 'confirmed' END::app.booking_status,
       p.party, CASE WHEN d.kind = 'private_session' THEN 1 ELSE p.party END,
       s.starts_at, s.ends_at,
       CASE WHEN d.kind = 'ticketed_event' THEN 6500 * p.party
            ELSE coalesce((SELECT CASE e.pricing_mode WHEN 'per_person' THEN t.price_minor * p.party ELSE t.price_minor END
                             FROM app.price_tiers t JOIN app.experiences e ON e.id = t.experience_id
                            WHERE t.experience_id = s.experience_id AND p.party BETWEEN t.min_party AND t.max_party),
                          0) END,
       d.currency,
       CASE WHEN s.starts_at > now() AND abs(d.h + k) % 20 = 0 AND s.starts_at < now() + interval '7 days'
            THEN now() + interval '15 minutes' END,
       private.new_confirmation_code(),
       s.starts_at - make_interval(days => 1 + abs(d.h + k) % 20)
  FROM app.slots s
  JOIN demo_starts d ON d.experience_id = s.experience_id AND d.starts_at = s.starts_at
 CROSS JOIN LATERAL generate_series(1, CASE WHEN d.kind = 'ticketed_event' THEN 4 + abs(d.h) % 7 ELSE 1 END) k
 CROSS JOIN LATERAL (SELECT CASE WHEN d.kind = 'ticketed_event' THEN 1 + abs(d.h + k) % 3
                                 ELSE d.min_party + abs(d.h) % (d.max_party - d.min_party + 1) END AS party) p
 WHERE s.org_id = 'd1000000-0000-4000-8000-000000000001';

INSERT INTO app.booking_tickets (org_id, booking_id, ticket_type_id, quantity, price_minor)
SELECT b.org_id, b.id, 'd5000000-0000-4000-8000-000000000001', b.party_size, 6500
  FROM app.bookings b WHERE b.experience_id = 'd4000000-0000-4000-8000-000000000004';

UPDATE app.bookings b
   SET status = CASE WHEN abs(('x' || substr(md5(b.id::text), 1, 7))::bit(28)::int) % 100 < 6 THEN 'cancelled'
                     WHEN b.starts_at < now() AND abs(('x' || substr(md5(b.id::text), 9, 7))::bit(28)::int) % 100 < 5
                     THEN 'no_show'
                     WHEN b.starts_at < now() THEN 'completed'
                     ELSE b.status END::app.booking_status,
       cancel_reason = CASE WHEN abs(('x' || substr(md5(b.id::text), 1, 7))::bit(28)::int) % 100 < 6
                            THEN 'Customer changed plans' END
 WHERE b.org_id = 'd1000000-0000-4000-8000-000000000001' AND b.status = 'confirmed'
   AND (b.starts_at < now() OR abs(('x' || substr(md5(b.id::text), 1, 7))::bit(28)::int) % 100 < 6);

-- The demo's bookings were never announced to anyone: the messages their rows queued (confirmations, reminders,
-- cancellations of coming sessions) are marked skipped, so a worker started on the demo sends nothing until
-- someone books.
UPDATE app.notifications_outbox SET status = 'skipped', last_error = 'demo data: never announced'
 WHERE org_id = 'd1000000-0000-4000-8000-000000000001' AND status = 'queued';

-- Money terms: prices include UK VAT at 20 %; the organization sells in pounds (Soho) and dollars (Brooklyn), so
-- it has not chosen one currency (each experience keeps its own). A point per pound or dollar paid, worth 10 pence
-- or cents; cancellations refunded in full up to 48 hours ahead, half after that, unless an experience says
-- otherwise.
UPDATE app.org_settings
   SET vat_rate_bp = 2000, prices_include_vat = true, vat_number = 'GB 123 4567 89', loyalty_points_per_major = 1,
       loyalty_point_value_minor = 10, full_refund_before = '48 hours', late_refund_percent = 50
 WHERE org_id = 'd1000000-0000-4000-8000-000000000001';

-- Prices that depend on when: The Vault 10 % cheaper booked two weeks ahead; Last Train 20 % off on weekday
-- afternoons (Brooklyn time).
INSERT INTO app.price_rules (org_id, experience_id, id, name, kind, min_lead, weekdays, starts_from, starts_until,
                             percent_off) VALUES
  ('d1000000-0000-4000-8000-000000000001', 'd4000000-0000-4000-8000-000000000001',
   'd6000000-0000-4000-8000-000000000001', 'Early bird', 'early_bird', '14 days', NULL, NULL, NULL, 10),
  ('d1000000-0000-4000-8000-000000000001', 'd4000000-0000-4000-8000-000000000003',
   'd6000000-0000-4000-8000-000000000002', 'Weekday matinee', 'time_based', NULL, '{1,2,3,4,5}', '12:00', '17:00',
   20);

-- Promo codes: WELCOME10 (10 % off anything, 100 uses, once per customer) and VAULT5 (5 pounds off The Vault).
INSERT INTO app.promo_codes (org_id, id, code, percent_off, amount_off_minor, currency, max_uses,
                             max_uses_per_customer) VALUES
  ('d1000000-0000-4000-8000-000000000001', 'd7000000-0000-4000-8000-000000000001', 'WELCOME10', 10, NULL, NULL, 100,
   1),
  ('d1000000-0000-4000-8000-000000000001', 'd7000000-0000-4000-8000-000000000002', 'VAULT5', NULL, 500, 'GBP', NULL,
   NULL);
INSERT INTO app.promo_code_experiences (org_id, promo_code_id, experience_id) VALUES
  ('d1000000-0000-4000-8000-000000000001', 'd7000000-0000-4000-8000-000000000002',
   'd4000000-0000-4000-8000-000000000001');
