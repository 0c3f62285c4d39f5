"""Customers racing for a promo code's last uses over real connections: the counters' CHECKs hand out each use once,
whatever the timing, and a use an order gives back (its hold ran out) can be taken again."""

from __future__ import annotations

import json
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest

ORG = "0000000b-0000-4000-8000-000000000000"
MANAGER = "00000000-0000-4000-8000-0000000000b4"
VENUE = "b1000000-0000-4000-8000-000000000001"
QUIZ = "b3000000-0000-4000-8000-000000000003"
STANDARD = "b5000000-0000-4000-8000-000000000001"
KEY = "wk_promo_races_key"

FIXTURE = f"""
INSERT INTO auth.users (id, email) VALUES ('{MANAGER}', 'manager@b.example');
INSERT INTO app.organizations (id, name, slug) VALUES ('{ORG}', 'Org B', 'org-b');
INSERT INTO app.memberships (org_id, user_id, role) VALUES ('{ORG}', '{MANAGER}', 'manager');
INSERT INTO app.venues (org_id, id, name, timezone, embed_key) VALUES ('{ORG}', '{VENUE}', 'Riyadh', 'Asia/Riyadh',
                                                                       '{KEY}');
INSERT INTO app.experiences (org_id, venue_id, id, kind, name, duration_minutes, max_party, capacity, currency)
VALUES ('{ORG}', '{VENUE}', '{QUIZ}', 'ticketed_event', 'Quiz', 120, 10, 200, 'SAR');
INSERT INTO app.ticket_types (org_id, experience_id, id, name, price_minor, per_order_max)
  VALUES ('{ORG}', '{QUIZ}', '{STANDARD}', 'Standard', 10000, 10);
INSERT INTO app.schedules (org_id, experience_id, weekday, start_time, valid_from)
SELECT '{ORG}', '{QUIZ}', d, '19:00', current_date FROM generate_series(1, 7) d;
UPDATE app.org_settings SET currency = 'SAR', vat_rate_bp = 1500, prices_include_vat = true WHERE org_id = '{ORG}';
"""
TICKET = json.dumps([{"ticket_type_id": STANDARD, "quantity": 1}])
ORDER = "SELECT api.create_order(%s, %s, embed_key => %s, customer_email => %s)"


def connect_as(conninfo: str, claims: dict) -> psycopg.Connection:
    conn = psycopg.connect(conninfo, autocommit=True)
    conn.execute("SELECT set_config('role', %s, false), set_config('request.jwt.claims', %s, false)",
                 (claims["role"], json.dumps(claims)))
    return conn


def as_manager(conninfo: str) -> psycopg.Connection:
    return connect_as(conninfo, {"role": "authenticated", "sub": MANAGER})


def as_anon(conninfo: str) -> psycopg.Connection:
    return connect_as(conninfo, {"role": "anon"})


@pytest.fixture
def shop(tessera_databases, pg_server) -> tuple[str, str]:
    """A fresh clone with the fixture, and a session in 10 days that every racer has booked a place in."""
    conninfo = pg_server.conninfo(tessera_databases.clone("promo_races"))
    with psycopg.connect(conninfo) as conn:
        conn.execute(FIXTURE)
        starts = conn.execute(
            "SELECT private.local_to_instant((current_date + 10) + time '19:00', 'Asia/Riyadh')").fetchone()[0]
    return conninfo, starts.isoformat()


def book(conninfo: str, starts: str, emails: list[str]) -> list[str]:
    """One held booking per e-mail, made through the widget as a visitor would."""
    with as_anon(conninfo) as conn:
        return [str(conn.execute("SELECT id FROM api.widget_create_booking(%s, %s, %s, %s, tickets => %s)",
                                 (KEY, QUIZ, starts, email, TICKET)).fetchone()[0]) for email in emails]


def make_code(conninfo: str, code: str, **limits: int) -> None:
    with as_manager(conninfo) as conn:
        conn.execute("SELECT api.create_promo_code(%s, %s, percent_off => 20, max_uses => %s,"
                     " max_uses_per_customer => %s)", (ORG, code, limits.get("max_uses"),
                                                        limits.get("max_uses_per_customer")))


def race(conninfo: str, calls: list[tuple]) -> list[tuple[str, object]]:
    """Every call on its own connection, all released at once; each result is ('ok', row) or (sqlstate, detail)."""
    connections = [as_anon(conninfo) for _ in calls]
    gate = threading.Barrier(len(calls))

    def client(i: int):
        gate.wait()
        try:
            return "ok", connections[i].execute(ORDER, calls[i]).fetchone()[0]
        except psycopg.Error as exc:
            return exc.sqlstate, exc.diag.message_detail

    try:
        with ThreadPoolExecutor(len(calls)) as pool:
            return list(pool.map(client, range(len(calls))))
    finally:
        for conn in connections:
            conn.close()


def counters(conninfo: str, code: str) -> tuple[int, int, int]:
    """The code's counter, its unreleased redemptions and the live orders discounted by it, which must agree."""
    with psycopg.connect(conninfo) as conn:
        return conn.execute("""
            SELECT p.uses,
                   (SELECT count(*)::int FROM app.promo_redemptions r
                     WHERE r.promo_code_id = p.id AND r.released_at IS NULL),
                   (SELECT count(*)::int FROM app.promo_redemptions r JOIN app.orders o ON o.id = r.order_id
                     WHERE r.promo_code_id = p.id AND o.status = 'pending' AND o.discount_minor > 0)
              FROM app.promo_codes p WHERE p.org_id = %s AND p.code = %s""", (ORG, code)).fetchone()


def outcomes(results: list[tuple[str, object]]) -> Counter:
    return Counter(f"{kind} {detail}" if kind != "ok" else "ok" for kind, detail in results)


def order_calls(bookings: list[str], emails: list[str], code: str) -> list[tuple]:
    return [(booking, code, KEY, email) for booking, email in zip(bookings, emails, strict=True)]


def test_thirty_customers_race_for_ten_uses_and_exactly_ten_orders_get_the_code(shop):
    conninfo, starts = shop
    emails = [f"racer{i}@example.com" for i in range(30)]
    bookings = book(conninfo, starts, emails)
    make_code(conninfo, "LAUNCH", max_uses=10)
    results = race(conninfo, order_calls(bookings, emails, "launch"))
    assert outcomes(results) == {"ok": 10, "PT409 promo_used_up": 20}, results
    assert all(order["discount_minor"] == 2000 and order["promo_code"] == "LAUNCH"
               for kind, order in results if kind == "ok")
    assert counters(conninfo, "LAUNCH") == (10, 10, 10)
    with psycopg.connect(conninfo) as conn:
        assert conn.execute("SELECT count(*) FROM app.orders WHERE org_id = %s", (ORG,)).fetchone()[0] == 10, (
            "a refused order wrote nothing")


def test_one_customer_racing_with_ten_bookings_gets_the_code_exactly_three_times(shop):
    conninfo, starts = shop
    emails = ["same.customer@example.com"] * 10
    bookings = book(conninfo, starts, emails)
    make_code(conninfo, "THRICE", max_uses_per_customer=3)
    results = race(conninfo, order_calls(bookings, emails, "THRICE"))
    assert outcomes(results) == {"ok": 3, "PT409 promo_customer_limit_reached": 7}, results
    with psycopg.connect(conninfo) as conn:
        assert conn.execute("SELECT uses, max_uses FROM app.promo_customer_uses").fetchall() == [(3, 3)]
    assert counters(conninfo, "THRICE") == (3, 3, 3)


def test_uses_given_back_by_run_out_orders_are_won_again_by_exactly_as_many_racers(shop):
    conninfo, starts = shop
    emails = [f"first{i}@example.com" for i in range(10)]
    make_code(conninfo, "AGAIN", max_uses=10)
    first = race(conninfo, order_calls(book(conninfo, starts, emails), emails, "AGAIN"))
    assert outcomes(first) == {"ok": 10}, first
    # Four winners' holds run out; expiring them gives their uses back, once, however often it runs.
    with psycopg.connect(conninfo) as conn:
        conn.execute("UPDATE app.bookings SET hold_expires_at = now() - interval '1 second'"
                     " WHERE id IN (SELECT booking_id FROM app.orders WHERE org_id = %s ORDER BY id LIMIT 4)", (ORG,))
    for _ in range(2):
        with as_manager(conninfo) as conn:
            conn.execute("SELECT api.expire_holds()")
    assert counters(conninfo, "AGAIN") == (6, 6, 6)
    emails = [f"second{i}@example.com" for i in range(20)]
    second = race(conninfo, order_calls(book(conninfo, starts, emails), emails, "AGAIN"))
    assert outcomes(second) == {"ok": 4, "PT409 promo_used_up": 16}, second
    assert counters(conninfo, "AGAIN") == (10, 10, 10)
