"""Twenty scanners at one door scan the same ticket at the same instant, on real connections: one check-in row,
one success (or, when the winner's nonce was shared by several scanners, a success for each of them: retries of one
scan), and every other scanner is told the ticket is already checked in."""

from __future__ import annotations

import json
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest

SCANNERS = 20
SHARED = 4  # scanners 0..3 send the same nonce, as one scanner retrying would
ORG = "0000000b-0000-4000-8000-000000000000"
STAFF = "00000000-0000-4000-8000-0000000000b4"
VENUE = "b1000000-0000-4000-8000-000000000001"

FIXTURE = f"""
INSERT INTO auth.users (id, email) VALUES ('{STAFF}', 'door@b.example');
INSERT INTO app.organizations (id, name, slug) VALUES ('{ORG}', 'Org B', 'org-b');
INSERT INTO app.memberships (org_id, user_id, role) VALUES ('{ORG}', '{STAFF}', 'staff');
INSERT INTO app.profiles (user_id, display_name) VALUES ('{STAFF}', 'Door Staff');
INSERT INTO app.venues (org_id, id, name, timezone) VALUES ('{ORG}', '{VENUE}', 'Venue', 'Europe/London');
WITH e AS (INSERT INTO app.experiences (org_id, venue_id, kind, name, duration_minutes, max_party, capacity, currency)
           VALUES ('{ORG}', '{VENUE}', 'ticketed_event', 'Gig', 120, 10, 500, 'GBP') RETURNING org_id, id),
     s AS (INSERT INTO app.slots (org_id, experience_id, starts_at, ends_at, capacity)
           SELECT org_id, id, now() + interval '10 minutes', now() + interval '130 minutes', 500 FROM e
           RETURNING org_id, id, experience_id, starts_at, ends_at),
     c AS (INSERT INTO app.customers (org_id, email) VALUES ('{ORG}', 'fan@example.com') RETURNING id)
INSERT INTO app.bookings (org_id, experience_id, slot_id, customer_id, status, party_size, places, starts_at, ends_at,
                          price_minor, currency, confirmation_code)
SELECT s.org_id, s.experience_id, s.id, c.id, 'confirmed', 1, 1, s.starts_at, s.ends_at, 0, 'GBP', 'RACERACE'
  FROM s, c;
"""


@pytest.fixture
def ticket(tessera_databases, pg_server) -> tuple[str, str, str]:
    """A fresh clone with one confirmed booking of one ticket that scans now: the conninfo, payload and ticket id."""
    conninfo = pg_server.conninfo(tessera_databases.clone("ticket_races"))
    with psycopg.connect(conninfo) as conn:
        conn.execute(FIXTURE)
        payload, ticket_id = conn.execute("SELECT private.ticket_payload(t), t.id::text FROM app.tickets t").fetchone()
    return conninfo, payload, ticket_id


def as_staff(conninfo: str) -> psycopg.Connection:
    conn = psycopg.connect(conninfo, autocommit=True)
    conn.execute("SELECT set_config('role', 'authenticated', false), set_config('request.jwt.claims', %s, false)",
                 (json.dumps({"role": "authenticated", "sub": STAFF}),))
    return conn


def test_twenty_scanners_at_once_check_a_ticket_in_once(ticket):
    conninfo, payload, ticket_id = ticket
    nonces = ["scan-0" if i < SHARED else f"scan-{i}" for i in range(SCANNERS)]
    connections = [as_staff(conninfo) for _ in range(SCANNERS)]
    gate = threading.Barrier(SCANNERS)

    def scanner(i: int) -> tuple[str, object]:
        gate.wait()
        try:
            return "ok", connections[i].execute("SELECT api.check_in(%s, %s, %s)",
                                                (payload, nonces[i], VENUE)).fetchone()[0]
        except psycopg.Error as exc:
            return exc.diag.message_detail, exc.diag.message_primary

    try:
        with ThreadPoolExecutor(SCANNERS) as pool:
            results = list(pool.map(scanner, range(SCANNERS)))
    finally:
        for conn in connections:
            conn.close()

    with psycopg.connect(conninfo) as conn:
        rows = conn.execute("SELECT scanner_nonce FROM app.check_ins WHERE ticket_id = %s", (ticket_id,)).fetchall()
    assert len(rows) == 1, rows
    winner = rows[0][0]
    outcomes = Counter(kind for kind, _ in results)
    won = [i for i, (kind, _) in enumerate(results) if kind == "ok"]
    assert {nonces[i] for i in won} == {winner}, results
    assert outcomes == Counter({"ok": nonces.count(winner), "already_checked_in": SCANNERS - nonces.count(winner)})
    assert len({json.dumps(results[i][1], sort_keys=True) for i in won}) == 1, "same-nonce successes answer alike"
    assert all(message.endswith("by Door Staff") for kind, message in results if kind != "ok")
