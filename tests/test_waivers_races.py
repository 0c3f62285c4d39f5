"""Real connections racing over one booking's waivers: signers for its last places, and scanners letting its
participants in on the signatures there are. The database counts each under a lock on the booking, so neither a
place nor a signature is used twice, whatever the timing."""

from __future__ import annotations

import hashlib
import json
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest

CLIENTS = 20
ORG = "0000000b-0000-4000-8000-000000000000"
STAFF = "00000000-0000-4000-8000-0000000000b4"
VENUE = "b1000000-0000-4000-8000-000000000001"
VAULT = "b3000000-0000-4000-8000-000000000001"
TEMPLATE = "b6000000-0000-4000-8000-000000000001"
BODY = "I take part at my own risk."
SHA = hashlib.sha256(BODY.encode()).hexdigest()
EMAIL = "racing.family@example.com"

FIXTURE = f"""
INSERT INTO auth.users (id, email) VALUES ('{STAFF}', 'staff@b.example');
INSERT INTO app.organizations (id, name, slug) VALUES ('{ORG}', 'Org B', 'org-b-waivers');
INSERT INTO app.memberships (org_id, user_id, role) VALUES ('{ORG}', '{STAFF}', 'staff');
INSERT INTO app.venues (org_id, id, name, timezone) VALUES ('{ORG}', '{VENUE}', 'Venue', 'Europe/London');
INSERT INTO app.waiver_templates (org_id, id, name) VALUES ('{ORG}', '{TEMPLATE}', 'Waiver');
INSERT INTO app.waiver_versions (org_id, template_id, version, title, body)
  VALUES ('{ORG}', '{TEMPLATE}', 1, 'Release', '{BODY}');
INSERT INTO app.experiences (org_id, venue_id, id, kind, name, duration_minutes, max_party, currency,
                             waiver_template_id, waiver_at_check_in)
  VALUES ('{ORG}', '{VENUE}', '{VAULT}', 'private_session', 'Vault', 60, 20, 'GBP', '{TEMPLATE}', true);
"""


def booking(conninfo: str, party: int) -> tuple[str, str]:
    """A confirmed booking of `party` people starting in 30 minutes (its tickets scan now): its id and code."""
    with psycopg.connect(conninfo) as conn:
        return conn.execute("""
            WITH s AS (INSERT INTO app.slots (org_id, experience_id, starts_at, ends_at, capacity)
                       VALUES (%(org)s, %(exp)s, date_trunc('minute', now()) + interval '30 minutes',
                               date_trunc('minute', now()) + interval '90 minutes', 1)
                       RETURNING id, starts_at, ends_at),
                 c AS (INSERT INTO app.customers (org_id, email) VALUES (%(org)s, %(email)s) RETURNING id)
            INSERT INTO app.bookings (org_id, experience_id, slot_id, customer_id, status, party_size, places,
                                      starts_at, ends_at, price_minor, currency, confirmation_code)
            SELECT %(org)s, %(exp)s, s.id, c.id, 'confirmed', %(party)s, 1, s.starts_at, s.ends_at, 0, 'GBP',
                   private.new_confirmation_code() FROM s, c
            RETURNING id::text, confirmation_code""",
                            {"org": ORG, "exp": VAULT, "email": EMAIL, "party": party}).fetchone()


@pytest.fixture
def clone(tessera_databases, pg_server) -> str:
    conninfo = pg_server.conninfo(tessera_databases.clone("waiver-races"))
    with psycopg.connect(conninfo) as conn:
        conn.execute(FIXTURE)
    return conninfo


def connect_as(conninfo: str, claims: dict) -> psycopg.Connection:
    conn = psycopg.connect(conninfo, autocommit=True)
    conn.execute("SELECT set_config('role', %s, false), set_config('request.jwt.claims', %s, false)",
                 (claims["role"], json.dumps(claims)))
    return conn


def race(conninfo: str, claims: dict, sql: str, params_for) -> list[tuple[str, object]]:
    """Run `sql` once per client, all released at one instant; each result is ('ok', row) or (sqlstate, detail)."""
    connections = [connect_as(conninfo, claims) for _ in range(CLIENTS)]
    gate = threading.Barrier(CLIENTS)

    def client(i: int):
        gate.wait()
        try:
            return "ok", connections[i].execute(sql, params_for(i)).fetchone()
        except psycopg.Error as exc:
            return exc.sqlstate, exc.diag.message_detail

    try:
        with ThreadPoolExecutor(CLIENTS) as pool:
            return list(pool.map(client, range(CLIENTS)))
    finally:
        for conn in connections:
            conn.close()


def test_twenty_signers_for_a_party_of_four_make_four_signatures(clone):
    booking_id, code = booking(clone, 4)
    results = race(clone, {"role": "anon"},
                   "SELECT api.sign_waiver(%s, %s, %s, '1990-01-01', %s, %s)",
                   lambda i: (code, EMAIL, f"Signer {i}", f"Signer {i}", SHA))
    assert Counter(kind if kind == "ok" else f"{kind} {detail}" for kind, detail in results) == {
        "ok": 4, "PT409 all_signed": CLIENTS - 4}, results
    with psycopg.connect(clone) as conn:
        assert conn.execute("SELECT count(*) FROM app.waiver_signatures WHERE booking_id = %s",
                            (booking_id,)).fetchone()[0] == 4


def test_scanners_at_once_let_in_as_many_participants_as_signed(clone):
    booking_id, _ = booking(clone, CLIENTS)
    with connect_as(clone, {"role": "authenticated", "sub": STAFF}) as staff:
        for name in ("Ada", "Grace", "Alan"):
            staff.execute("SELECT api.sign_waiver_at_venue(%s, %s, '1990-01-01', %s, %s)",
                          (booking_id, name, name, SHA))
    with psycopg.connect(clone) as conn:
        payloads = [row[0] for row in conn.execute(
            "SELECT private.ticket_payload(t) FROM app.tickets t WHERE booking_id = %s ORDER BY seat_no",
            (booking_id,))]
    results = race(clone, {"role": "authenticated", "sub": STAFF},
                   "SELECT api.check_in(%s, %s, %s)", lambda i: (payloads[i], f"door-{i}", VENUE))
    assert Counter(kind if kind == "ok" else f"{kind} {detail}" for kind, detail in results) == {
        "ok": 3, "PT409 waiver_missing": CLIENTS - 3}, results
