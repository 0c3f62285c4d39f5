"""Many real connections racing over one customer's points and one order's money: the balance never goes below zero,
and an event delivered many times at once is applied once."""

from __future__ import annotations

import json
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest

CLIENTS = 40
ORG = "0000000b-0000-4000-8000-000000000000"
STAFF = "00000000-0000-4000-8000-0000000000b4"
VENUE = "b1000000-0000-4000-8000-000000000001"
VAULT = "b3000000-0000-4000-8000-000000000001"
CUSTOMER = "b6000000-0000-4000-8000-000000000001"

FIXTURE = f"""
INSERT INTO auth.users (id, email) VALUES ('{STAFF}', 'staff@b.example');
INSERT INTO app.organizations (id, name, slug) VALUES ('{ORG}', 'Org B', 'org-b');
UPDATE app.org_settings SET currency = 'GBP', loyalty_points_per_major = 10 WHERE org_id = '{ORG}';
INSERT INTO app.memberships (org_id, user_id, role) VALUES ('{ORG}', '{STAFF}', 'staff');
INSERT INTO app.venues (org_id, id, name, timezone) VALUES ('{ORG}', '{VENUE}', 'Venue', 'Europe/London');
INSERT INTO app.experiences (org_id, venue_id, id, kind, name, duration_minutes, max_party, capacity, currency)
VALUES ('{ORG}', '{VENUE}', '{VAULT}', 'ticketed_event', 'Quiz', 60, 10, 100, 'GBP');
INSERT INTO app.customers (org_id, id, email) VALUES ('{ORG}', '{CUSTOMER}', 'ada@example.com');
INSERT INTO app.slots (org_id, id, experience_id, starts_at, ends_at, capacity)
VALUES ('{ORG}', 'b7000000-0000-4000-8000-000000000001', '{VAULT}', now() + interval '10 days',
        now() + interval '10 days 1 hour', 100);
"""

# One pending booking and order of 5000 per racer (the orders a customer redeems points on).
ORDERS = f"""
WITH b AS (
  INSERT INTO app.bookings (org_id, experience_id, slot_id, customer_id, status, party_size, places, starts_at,
                            ends_at, price_minor, currency, hold_expires_at, confirmation_code)
  SELECT '{ORG}', '{VAULT}', s.id, '{CUSTOMER}', 'pending', 1, 1, s.starts_at, s.ends_at, 5000, 'GBP',
         now() + interval '1 hour', private.new_confirmation_code()
    FROM app.slots s, generate_series(1, %s) WHERE s.experience_id = '{VAULT}'
  RETURNING *)
INSERT INTO app.orders (org_id, booking_id, customer_id, currency, prices_include_vat, vat_rate_bp, subtotal_minor,
                        vat_minor, total_minor, expires_at)
SELECT org_id, id, customer_id, 'GBP', true, 0, 5000, 0, 5000, hold_expires_at FROM b
RETURNING id
"""


@pytest.fixture
def shop(tessera_databases, pg_server) -> tuple[str, list[str]]:
    """A fresh clone with the fixture, a customer holding 500 points, and one order per racer."""
    conninfo = pg_server.conninfo(tessera_databases.clone("loyalty_races"))
    with psycopg.connect(conninfo) as conn:
        conn.execute(FIXTURE)
        orders = [str(row[0]) for row in conn.execute(ORDERS % CLIENTS).fetchall()]
        conn.execute("SELECT private.loyalty_change(%s, %s, 500)", (ORG, CUSTOMER))
    return conninfo, orders


def race(conninfo: str, sql: str, params_for) -> list[tuple[str, object]]:
    """Run `sql` once per client on its own connection, all released at once; ('ok', row) or (sqlstate, message)."""
    connections = [psycopg.connect(conninfo, autocommit=True) for _ in range(CLIENTS)]
    gate = threading.Barrier(CLIENTS)

    def client(i: int):
        gate.wait()
        try:
            return "ok", connections[i].execute(sql, params_for(i)).fetchone()
        except psycopg.Error as exc:
            return exc.sqlstate, exc.diag.message_primary

    try:
        with ThreadPoolExecutor(CLIENTS) as pool:
            return list(pool.map(client, range(CLIENTS)))
    finally:
        for conn in connections:
            conn.close()


def balance_and_ledger(conninfo: str) -> tuple[int, int]:
    with psycopg.connect(conninfo) as conn:
        balance = conn.execute("SELECT balance FROM app.loyalty_accounts WHERE customer_id = %s",
                               (CUSTOMER,)).fetchone()[0]
        ledger = conn.execute("SELECT coalesce(sum(points), 0) FROM app.loyalty_ledger WHERE customer_id = %s",
                              (CUSTOMER,)).fetchone()[0]
    return balance, ledger


def test_forty_redemptions_of_30_points_from_500_leave_20_and_never_overdraw(shop):
    conninfo, orders = shop
    results = race(conninfo, "SELECT private.loyalty_debit(%s, %s, 30, %s)", lambda i: (ORG, CUSTOMER, orders[i]))
    outcomes = Counter(kind for kind, _ in results)
    assert outcomes == {"ok": 16, "PT409": CLIENTS - 16}, results
    assert all(row[0] >= 0 for kind, row in results if kind == "ok"), "no debit answered a negative balance"
    assert balance_and_ledger(conninfo) == (500 - 16 * 30, 500 - 16 * 30 - 500), "balance = 500 less 16 redemptions"


def test_forty_retries_of_one_redemption_debit_once(shop):
    conninfo, orders = shop
    results = race(conninfo, "SELECT private.loyalty_debit(%s, %s, 120, %s)", lambda i: (ORG, CUSTOMER, orders[0]))
    assert {kind for kind, _ in results} == {"ok"}, results
    assert {row[0] for _, row in results} == {380}, "every retry answers the balance after one debit"
    assert balance_and_ledger(conninfo)[0] == 380


def test_one_payment_event_delivered_forty_times_at_once_is_applied_once(shop):
    conninfo, orders = shop
    event = json.dumps({"id": "evt_race", "type": "checkout.session.completed", "data": {"object": {
        "id": "cs_race", "payment_status": "paid", "payment_intent": "pi_race", "amount_total": 5000,
        "currency": "gbp", "metadata": {"order_id": orders[0]}}}})
    results = race(conninfo, "SELECT api.apply_payment_event('stripe', %s::jsonb) ->> 'duplicate'", lambda i: (event,))
    assert Counter(row[0] for _, row in results) == {"false": 1, "true": CLIENTS - 1}, results
    with psycopg.connect(conninfo) as conn:
        assert conn.execute("SELECT count(*), sum(amount_minor) FROM app.payments WHERE order_id = %s",
                            (orders[0],)).fetchone() == (1, 5000)
        assert conn.execute("SELECT status::text, paid_minor FROM app.orders WHERE id = %s",
                            (orders[0],)).fetchone() == ("paid", 5000)
    assert balance_and_ledger(conninfo)[0] == 500 + 500, "the order's 500 points are earned once"
