"""`tessera seed --scale N`: N bookings over 100 organizations, for benchmarks; deterministic from --seed.

Each organization gets one venue (in one of eight time zones), two escape rooms with eight daily starts each, a
ticketed event with one nightly session of 60 places, opening hours and a closure, a staff user and 2,000 customers.
Bookings fill the private starts one by one (60 %) and the event sessions in rotation (40 %), across a window of
days centred on today that is as long as they need. Rows are written in bulk with the booking triggers paused, then
the counters and room claims are derived in one pass each and checked, so a million bookings take minutes, not
hours. Every choice (party size, status, customer) comes from a hash of the seed and the row, never from random().
"""

from __future__ import annotations

import math
import sys
import time

from tessera.errors import Refusal
from tessera.project import Project
from tessera.server import current_server

ORGS = 100
# Ten times the largest benchmark the project runs (a million bookings): beyond it the seed takes hours and the
# seeded days run past any window the benchmarks read.
MAX_BOOKINGS = 10_000_000
ZONES = ("Europe/London", "America/New_York", "Asia/Riyadh", "Australia/Lord_Howe", "Asia/Tokyo",
         "America/Los_Angeles", "Europe/Berlin", "America/Sao_Paulo")
PRIVATE_STARTS = 8  # a day, per room
EVENT_CAPACITY = 60

# One organization's catalogue, customers and bookings; parameters: seed, org number, days, private and event
# bookings for this organization.
_ORG_SQL = """
WITH params AS (
  SELECT %(seed)s::int AS seed, %(k)s::int AS k, %(days)s::int AS days, %(private)s::int AS n_private,
         %(events)s::int AS n_events, md5('scale-org-' || %(k)s)::uuid AS org,
         md5('scale-venue-' || %(k)s)::uuid AS venue, %(tz)s::text AS tz
), org AS (
  INSERT INTO app.organizations (id, name, slug)
  SELECT org, 'Scale org ' || k, 'scale-' || lpad(k::text, 4, '0') FROM params RETURNING id
), staff AS (
  INSERT INTO auth.users (id, email)
  SELECT md5('scale-staff-' || k)::uuid, 'staff' || k || '@scale.example' FROM params RETURNING id
)
SELECT (SELECT count(*) FROM org) + (SELECT count(*) FROM staff);

INSERT INTO app.memberships (org_id, user_id, role)
SELECT md5('scale-org-' || %(k)s)::uuid, md5('scale-staff-' || %(k)s)::uuid, 'manager';

INSERT INTO app.venues (org_id, id, name, timezone)
VALUES (md5('scale-org-' || %(k)s)::uuid, md5('scale-venue-' || %(k)s)::uuid, 'Venue ' || %(k)s, %(tz)s);

-- Open 09:00 to 23:00 every day, and closed for maintenance on the morning of the second Monday from today, so
-- that availability has hours and closures to honour, as at a real venue.
INSERT INTO app.venue_hours (org_id, venue_id, weekday, opens, closes)
SELECT md5('scale-org-' || %(k)s)::uuid, md5('scale-venue-' || %(k)s)::uuid, d, time '09:00', time '23:00'
  FROM generate_series(1, 7) d;

INSERT INTO app.venue_closures (org_id, venue_id, during, reason)
SELECT md5('scale-org-' || %(k)s)::uuid, md5('scale-venue-' || %(k)s)::uuid,
       tstzrange(monday::timestamp AT TIME ZONE %(tz)s, (monday + time '13:00') AT TIME ZONE %(tz)s), 'Maintenance'
  FROM (SELECT current_date + 7 + (8 - extract(isodow FROM current_date)::int) %% 7 AS monday) m;

INSERT INTO app.resources (org_id, venue_id, id, kind, name)
SELECT md5('scale-org-' || %(k)s)::uuid, md5('scale-venue-' || %(k)s)::uuid,
       md5('scale-room-' || %(k)s || '-' || r)::uuid, 'room', 'Room ' || r
  FROM generate_series(0, 1) r;

INSERT INTO app.experiences (org_id, venue_id, id, kind, name, duration_minutes, buffer_minutes, min_party, max_party,
                             capacity, currency, max_advance)
SELECT md5('scale-org-' || %(k)s)::uuid, md5('scale-venue-' || %(k)s)::uuid,
       md5('scale-exp-' || %(k)s || '-' || x)::uuid,
       CASE WHEN x < 2 THEN 'private_session' ELSE 'ticketed_event' END::app.experience_kind,
       CASE WHEN x < 2 THEN 'Room game ' || x ELSE 'Night event' END, 60, CASE WHEN x < 2 THEN 15 ELSE 0 END,
       CASE WHEN x < 2 THEN 2 ELSE 1 END, 6, CASE WHEN x < 2 THEN NULL ELSE %(capacity)s END, 'EUR',
       make_interval(days => %(days)s + 400)
  FROM generate_series(0, 2) x;

INSERT INTO app.experience_resources (org_id, venue_id, experience_id, resource_id)
SELECT md5('scale-org-' || %(k)s)::uuid, md5('scale-venue-' || %(k)s)::uuid,
       md5('scale-exp-' || %(k)s || '-' || r)::uuid, md5('scale-room-' || %(k)s || '-' || r)::uuid
  FROM generate_series(0, 1) r;

INSERT INTO app.price_tiers (org_id, experience_id, min_party, max_party, price_minor)
SELECT md5('scale-org-' || %(k)s)::uuid, md5('scale-exp-' || %(k)s || '-' || r)::uuid, 2, 6, 2500
  FROM generate_series(0, 1) r;

INSERT INTO app.ticket_types (org_id, experience_id, id, name, price_minor)
VALUES (md5('scale-org-' || %(k)s)::uuid, md5('scale-exp-' || %(k)s || '-2')::uuid,
        md5('scale-ticket-' || %(k)s)::uuid, 'Entry', 1500);

INSERT INTO app.schedules (org_id, experience_id, weekday, start_time, valid_from)
SELECT md5('scale-org-' || %(k)s)::uuid, md5('scale-exp-' || %(k)s || '-' || x)::uuid, d,
       CASE WHEN x < 2 THEN time '10:00' + make_interval(mins => 90 * s) ELSE time '19:30' END,
       current_date - %(days)s / 2
  FROM generate_series(0, 2) x, generate_series(1, 7) d,
       generate_series(0, %(starts)s - 1) s
 WHERE x < 2 OR s = 0;

INSERT INTO app.customers (org_id, id, email)
SELECT md5('scale-org-' || %(k)s)::uuid, md5('scale-customer-' || %(k)s || '-' || c)::uuid,
       'customer' || c || '.org' || %(k)s || '@scale.example'
  FROM generate_series(0, 1999) c;

-- Slots: private starts in order (room, then day, then hour), one event session a day.
INSERT INTO app.slots (org_id, experience_id, id, starts_at, ends_at, capacity)
SELECT md5('scale-org-' || %(k)s)::uuid, md5('scale-exp-' || %(k)s || '-' || r)::uuid,
       md5('scale-slot-' || %(k)s || '-' || r || '-' || t)::uuid, at, at + interval '60 minutes', 1
  FROM generate_series(0, 1) r, generate_series(0, %(private_slots)s - 1) t,
       LATERAL (SELECT private.local_to_instant((current_date - %(days)s / 2 + t / %(starts)s)
                                                + time '10:00' + make_interval(mins => 90 * (t %% %(starts)s)),
                                                %(tz)s) AS at) i
UNION ALL
SELECT md5('scale-org-' || %(k)s)::uuid, md5('scale-exp-' || %(k)s || '-2')::uuid,
       md5('scale-slot-' || %(k)s || '-2-' || t)::uuid, at, at + interval '60 minutes', %(capacity)s
  FROM generate_series(0, %(days)s - 1) t,
       LATERAL (SELECT private.local_to_instant((current_date - %(days)s / 2 + t) + time '19:30', %(tz)s) AS at) i;

-- Bookings: b < n_private fill the private slots alternately between the two rooms; the rest rotate over the
-- event's sessions with 1 to 3 places. h is the row's hash, from the seed.
INSERT INTO app.bookings (org_id, id, experience_id, slot_id, customer_id, status, party_size, places, starts_at,
                          ends_at, price_minor, currency, hold_expires_at, confirmation_code, created_at, updated_at)
SELECT s.org_id, md5('scale-booking-' || %(k)s || '-' || b)::uuid, s.experience_id, s.id,
       md5('scale-customer-' || %(k)s || '-' || (h %% 2000))::uuid,
       (CASE WHEN s.starts_at < now() THEN
               CASE WHEN h %% 100 < 5 THEN 'cancelled' WHEN h %% 100 < 10 THEN 'no_show' ELSE 'completed' END
             ELSE CASE WHEN h %% 100 < 10 THEN 'cancelled' WHEN h %% 100 < 15 THEN 'pending' ELSE 'confirmed' END
        END)::app.booking_status,
       party, CASE WHEN b < %(private)s THEN 1 ELSE party END, s.starts_at, s.ends_at,
       CASE WHEN b < %(private)s THEN 2500 * party ELSE 1500 * party END, 'EUR',
       CASE WHEN s.starts_at >= now() AND h %% 100 BETWEEN 10 AND 14 THEN now() + interval '1 day' END,
       code.code, s.starts_at - interval '3 days', s.starts_at - interval '3 days'
  FROM generate_series(0, %(private)s + %(events)s - 1) b,
       -- A distinct confirmation code per booking of an organization: its number in base 31, in code letters.
       LATERAL (SELECT string_agg(substr('ABCDEFGHJKMNPQRSTUVWXYZ23456789', ((b / (31 ^ i)::bigint) %% 31)::int + 1, 1),
                                  '' ORDER BY i DESC) AS code
                  FROM generate_series(0, 7) i) code,
       LATERAL (SELECT ('x' || substr(md5(%(seed)s || '-' || %(k)s || '-' || b), 1, 7))::bit(28)::int AS h) hh,
       LATERAL (SELECT CASE WHEN b < %(private)s THEN 2 + h %% 5 ELSE 1 + h %% 3 END AS party) p,
       LATERAL (SELECT * FROM app.slots s0 WHERE s0.id = CASE
         WHEN b < %(private)s THEN md5('scale-slot-' || %(k)s || '-' || (b %% 2) || '-' || (b / 2))::uuid
         ELSE md5('scale-slot-' || %(k)s || '-2-' || ((b - %(private)s) %% %(days)s))::uuid END) s;
"""

# One statement at a time: a query with parameters is a single statement for the server.
_ORG_STATEMENTS = [part.strip() for part in _ORG_SQL.split(";\n\n") if part.strip()]

_DERIVE_SQL = """
UPDATE app.slots s SET taken = l.places
  FROM (SELECT slot_id, sum(places)::int AS places FROM app.bookings
         WHERE org_id IN (SELECT id FROM app.organizations WHERE slug LIKE 'scale-%')
           AND private.booking_is_live(status) GROUP BY slot_id) l
 WHERE s.id = l.slot_id;
INSERT INTO app.booking_tickets (org_id, booking_id, ticket_type_id, quantity, price_minor)
SELECT b.org_id, b.id, md5('scale-ticket-' || substr(o.slug, 7)::int)::uuid, b.places, 1500
  FROM app.bookings b JOIN app.organizations o ON o.id = b.org_id JOIN app.experiences e ON e.id = b.experience_id
 WHERE o.slug LIKE 'scale-%' AND e.kind = 'ticketed_event';
INSERT INTO app.booking_resources (org_id, booking_id, resource_id, during, held_until)
SELECT b.org_id, b.id, er.resource_id, tstzrange(b.starts_at, b.ends_at + interval '15 minutes'),
       CASE WHEN b.status = 'pending' THEN b.hold_expires_at END
  FROM app.bookings b JOIN app.experience_resources er ON er.experience_id = b.experience_id
 WHERE b.org_id IN (SELECT id FROM app.organizations WHERE slug LIKE 'scale-%')
   AND private.booking_is_live(b.status);
INSERT INTO app.org_settings (org_id, currency, vat_rate_bp, prices_include_vat)
SELECT id, 'EUR', 2000, true FROM app.organizations WHERE slug LIKE 'scale-%'
ON CONFLICT (org_id) DO UPDATE SET currency = 'EUR', vat_rate_bp = 2000, prices_include_vat = true;
-- Money: every booking that stood, or was cancelled after paying, was paid in full by card when it was made (never
-- later than an hour ago), prices including 20 % VAT; a cancelled one was refunded in full a day later (or an
-- hour ago). The figures the money triggers keep (customers' value) are derived below, as the counters are.
INSERT INTO app.orders (org_id, id, booking_id, customer_id, status, currency, prices_include_vat, vat_rate_bp,
                        subtotal_minor, discount_minor, vat_minor, total_minor, paid_minor, refunded_minor,
                        refund_requested_minor, expires_at, paid_at, created_at, updated_at)
SELECT b.org_id, md5('scale-order-' || b.id)::uuid, b.id, b.customer_id,
       (CASE WHEN b.status = 'cancelled' THEN 'refunded' ELSE 'paid' END)::app.order_status, 'EUR', true, 2000,
       b.price_minor, 0, round(b.price_minor * 2000 / 12000.0)::bigint, b.price_minor, b.price_minor,
       CASE WHEN b.status = 'cancelled' THEN b.price_minor ELSE 0 END,
       CASE WHEN b.status = 'cancelled' THEN b.price_minor ELSE 0 END,
       t.at + interval '15 minutes', t.at, t.at, t.at
  FROM app.bookings b, LATERAL (SELECT least(b.created_at, now() - interval '1 hour') AS at) t
 WHERE b.org_id IN (SELECT id FROM app.organizations WHERE slug LIKE 'scale-%')
   AND b.status IN ('confirmed', 'completed', 'no_show', 'cancelled') AND b.price_minor > 0;
INSERT INTO app.payments (org_id, id, order_id, provider, provider_ref, method, amount_minor, currency, received_at)
SELECT o.org_id, md5('scale-payment-' || o.id)::uuid, o.id, 'offline', 'scale-' || o.id, 'card', o.paid_minor,
       o.currency, o.paid_at
  FROM app.orders o WHERE o.org_id IN (SELECT id FROM app.organizations WHERE slug LIKE 'scale-%');
INSERT INTO app.refunds (org_id, order_id, payment_id, amount_minor, currency, kind, status, provider, created_at,
                         settled_at)
SELECT o.org_id, o.id, md5('scale-payment-' || o.id)::uuid, o.refunded_minor, o.currency, 'cancellation',
       'succeeded', 'offline', t.at, t.at
  FROM app.orders o, LATERAL (SELECT least(o.paid_at + interval '1 day', now() - interval '1 hour') AS at) t
 WHERE o.org_id IN (SELECT id FROM app.organizations WHERE slug LIKE 'scale-%') AND o.refunded_minor > 0;
UPDATE app.customers c SET lifetime_value_minor = v.kept, paid_orders = v.paid
  FROM (SELECT customer_id, sum(paid_minor - refunded_minor)::bigint AS kept,
               (count(*) FILTER (WHERE refunded_minor < paid_minor))::int AS paid
          FROM app.orders WHERE org_id IN (SELECT id FROM app.organizations WHERE slug LIKE 'scale-%')
         GROUP BY customer_id) v
 WHERE c.id = v.customer_id;
UPDATE app.customers c SET booking_count = v.n, first_visit_at = v.first_at, last_visit_at = v.last_at
  FROM (SELECT customer_id, count(*)::int AS n, min(starts_at) AS first_at, max(starts_at) AS last_at
          FROM app.bookings WHERE org_id IN (SELECT id FROM app.organizations WHERE slug LIKE 'scale-%')
           AND status IN ('confirmed', 'completed') GROUP BY customer_id) v
 WHERE c.id = v.customer_id;
"""

_TABLES = ("organizations", "memberships", "venues", "resources", "experiences", "experience_resources",
           "price_tiers", "ticket_types", "schedules", "customers", "slots", "bookings", "booking_tickets",
           "booking_resources", "org_settings", "orders", "payments", "refunds")


def _bar(done: int, total: int, started: float) -> None:
    width = 30
    filled = width * done // total
    rate = done / max(time.monotonic() - started, 1e-6)
    sys.stderr.write(f"\rseeding [{'#' * filled}{' ' * (width - filled)}] {done}/{total} organizations "
                     f"({rate:.1f}/s)")
    sys.stderr.flush()


def scale(project: Project, bookings: int, seed: int) -> int:
    """Seed `bookings` (ORGS to MAX_BOOKINGS: the CLI's parser holds it there) from `seed`."""
    server = current_server(project)
    per_org = math.ceil(bookings / ORGS)
    n_private = (per_org * 6) // 10
    n_events = per_org - n_private
    private_slots = math.ceil(n_private / 2)  # per room
    days = max(math.ceil(private_slots / PRIVATE_STARTS), math.ceil(n_events * 3 / EVENT_CAPACITY), 1) + 1
    started = time.monotonic()
    with server.connect() as conn:
        if conn.execute("SELECT to_regclass('app.bookings')").fetchone()[0] is None:
            raise Refusal("the plan is not deployed here; run `tessera db deploy` first")
        if conn.execute("SELECT 1 FROM app.organizations WHERE slug = 'scale-0001'").fetchone():
            raise Refusal("scale data is already here; seed a fresh database (DATABASE_URL) to seed again")
        # Bulk load: the per-row triggers (counters, claims, audit) are paused and their work done in one pass
        # afterwards; the owner's ALTER is part of this transaction, so a failure leaves nothing paused.
        for table in _TABLES:
            conn.execute(f"ALTER TABLE app.{table} DISABLE TRIGGER USER")
        remaining = bookings
        for k in range(1, ORGS + 1):
            share = min(per_org, remaining)
            remaining -= share
            private = min(n_private, share)
            params = {
                "seed": seed, "k": k, "days": days, "private": private, "events": share - private,
                "tz": ZONES[k % len(ZONES)], "capacity": EVENT_CAPACITY, "starts": PRIVATE_STARTS,
                "private_slots": private_slots,
            }
            for statement in _ORG_STATEMENTS:
                conn.execute(statement, params)
            if k in (1, 3, 10, 30):
                # Fresh statistics as the tables grow, so foreign-key checks and lookups keep using indexes.
                conn.execute("ANALYZE app.slots, app.bookings, app.customers, app.experiences, app.organizations")
            _bar(k, ORGS, started)
        sys.stderr.write("\n")
        conn.execute(_DERIVE_SQL)
        for table in _TABLES:
            conn.execute(f"ALTER TABLE app.{table} ENABLE TRIGGER USER")
        drift = conn.execute("""
            SELECT count(*) FROM app.slots s
              LEFT JOIN (SELECT slot_id, sum(places) AS places FROM app.bookings
                          WHERE private.booking_is_live(status) GROUP BY slot_id) l ON l.slot_id = s.id
             WHERE s.taken <> coalesce(l.places, 0)""").fetchone()[0]
        if drift:
            raise Refusal(f"{drift} slot counters disagree with their bookings; nothing was kept")
        total = conn.execute("SELECT count(*) FROM app.bookings b JOIN app.organizations o ON o.id = b.org_id "
                             "WHERE o.slug LIKE 'scale-%'").fetchone()[0]
        conn.commit()
    with server.connect(autocommit=True) as conn:
        conn.execute("ANALYZE")
    print(f'{{"seeded_bookings": {total}, "organizations": {ORGS}, "days": {days}, "seed": {seed}, '
          f'"seconds": {time.monotonic() - started:.1f}}}')
    return 0
