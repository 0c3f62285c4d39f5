"""Check-ins per second through the HTTP service, for `tessera bench payments` (which prints it with the rest).

`check_ins(admin, url, secret)` makes an organization of its own with a session starting now and confirmed bookings
of `tickets` places in all (their tickets issued by the bookings trigger, as any confirmation issues them), then
`scanners` concurrent clients scan every ticket once over HTTP (POST /rest/v1/rpc/check_in as a staff member, one
keep-alive connection each: tessera.bench_http), and checks that every ticket was let in exactly once. The
organization is deleted afterwards (its audit log rows stay).
"""

from __future__ import annotations

import asyncio
import json
import uuid

import psycopg

from tessera.bench import percentile
from tessera.bench_http import request_bytes, send_all
from tessera.tokens import mint

PER_BOOKING = 100

SHOP = """
WITH org AS (INSERT INTO app.organizations (id, name, slug) VALUES (%(org)s, 'Bench doors', %(slug)s) RETURNING id),
     u AS (INSERT INTO auth.users (id, email) VALUES (%(staff)s, %(email)s)),
     m AS (INSERT INTO app.memberships (org_id, user_id, role) SELECT id, %(staff)s, 'staff' FROM org),
     v AS (INSERT INTO app.venues (org_id, id, name, timezone) SELECT id, %(venue)s, 'Door', 'UTC' FROM org
           RETURNING org_id, id),
     e AS (INSERT INTO app.experiences (org_id, venue_id, kind, name, duration_minutes, max_party, capacity, currency)
           SELECT org_id, id, 'ticketed_event', 'Bench gig', 240, 1000, %(tickets)s, 'GBP' FROM v
           RETURNING org_id, id)
INSERT INTO app.slots (org_id, id, experience_id, starts_at, ends_at, capacity)
SELECT org_id, %(slot)s, id, now() + interval '30 minutes', now() + interval '270 minutes', %(tickets)s FROM e
"""

BOOKINGS = """
WITH c AS (INSERT INTO app.customers (org_id, email)
           SELECT %(org)s, 'fan' || n || '@bench.example' FROM generate_series(1, %(bookings)s) n RETURNING id)
INSERT INTO app.bookings (org_id, experience_id, slot_id, customer_id, status, party_size, places, starts_at,
                          ends_at, price_minor, currency, confirmation_code)
SELECT s.org_id, s.experience_id, s.id, c.id, 'confirmed', %(per)s, %(per)s, s.starts_at, s.ends_at, 0, 'GBP',
       private.new_confirmation_code()
  FROM app.slots s, c WHERE s.id = %(slot)s
"""


def _scan(url: str, token: str, venue: str, payloads: list[str], scanners: int) -> tuple[float, list[float], int]:
    """Every payload scanned once by one of `scanners` clients: the seconds, the latencies (ms), how many were 200."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    requests = [request_bytes(url, "/rest/v1/rpc/check_in", json.dumps(
                    {"payload": payload, "scanner_nonce": f"bench-{n}", "venue_id": venue}).encode(), headers)
                for n, payload in enumerate(payloads)]
    seconds, answers = asyncio.run(send_all(url, requests, scanners))
    return seconds, [a.ms for a in answers], sum(a.status == 200 for a in answers)


def check_ins(admin_conninfo: str, url: str, secret: str, tickets: int = 2000, scanners: int = 8) -> dict:
    """Scan `tickets` tickets (rounded up to whole bookings of 100) with `scanners` concurrent HTTP clients."""
    bookings = -(-tickets // PER_BOOKING)
    ids = {"org": str(uuid.uuid4()), "staff": str(uuid.uuid4()), "venue": str(uuid.uuid4()),
           "slot": str(uuid.uuid4())}
    with psycopg.connect(admin_conninfo, autocommit=True) as conn:
        conn.execute(SHOP, ids | {"slug": f"bench-{ids['org'][:8]}", "email": f"door-{ids['staff'][:8]}@bench.example",
                                  "tickets": bookings * PER_BOOKING})
        conn.execute(BOOKINGS, ids | {"bookings": bookings, "per": PER_BOOKING})
        payloads = [row[0] for row in conn.execute(
            "SELECT private.ticket_payload(t) FROM app.tickets t WHERE t.org_id = %s", (ids["org"],))]
        try:
            token = mint(secret, "authenticated", sub=ids["staff"], ttl=3600)
            seconds, latencies, ok = _scan(url, token, ids["venue"], payloads, scanners)
            rows = conn.execute("SELECT count(*), count(DISTINCT ticket_id) FROM app.check_ins WHERE org_id = %s",
                                (ids["org"],)).fetchone()
        finally:
            # Bookings first: a customer's bookings hold it (no cascade), and their tickets go with them.
            conn.execute("DELETE FROM app.bookings WHERE org_id = %s", (ids["org"],))
            conn.execute("DELETE FROM app.organizations WHERE id = %s", (ids["org"],))
            conn.execute("DELETE FROM auth.users WHERE id = %s", (ids["staff"],))
    return {"tickets": len(payloads), "scanners": scanners, "seconds": round(seconds, 3),
            "check_ins_per_second": round(len(payloads) / seconds, 1),
            "p50_ms": round(percentile(latencies, 50), 2), "p95_ms": round(percentile(latencies, 95), 2),
            "answered_200": ok, "exactly_once": ok == len(payloads) == rows[0] == rows[1]}
