"""Many real connections racing for the same places: the database sells each place once, whatever the timing."""

from __future__ import annotations

import json
import threading
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest

from tests.helpers import COUNTER_DRIFT

CLIENTS = 50
ORG = "0000000a-0000-4000-8000-000000000000"
STAFF = "00000000-0000-4000-8000-0000000000a4"
QUIZ = "a3000000-0000-4000-8000-000000000003"
VAULT = "a3000000-0000-4000-8000-000000000001"
STANDARD = "a5000000-0000-4000-8000-000000000001"

FIXTURE = f"""
INSERT INTO auth.users (id, email) VALUES ('{STAFF}', 'staff@a.example');
INSERT INTO app.organizations (id, name, slug) VALUES ('{ORG}', 'Org A', 'org-a');
INSERT INTO app.memberships (org_id, user_id, role) VALUES ('{ORG}', '{STAFF}', 'staff');
INSERT INTO app.venues (org_id, id, name, timezone)
  VALUES ('{ORG}', 'a1000000-0000-4000-8000-000000000001', 'Venue', 'Europe/London');
INSERT INTO app.resources (org_id, venue_id, id, kind, name)
  VALUES ('{ORG}', 'a1000000-0000-4000-8000-000000000001', 'a2000000-0000-4000-8000-000000000001', 'room', 'Room');
INSERT INTO app.experiences (org_id, venue_id, id, kind, name, duration_minutes, max_party, capacity, currency)
VALUES ('{ORG}', 'a1000000-0000-4000-8000-000000000001', '{VAULT}', 'private_session', 'Vault', 60, 6, NULL, 'GBP'),
       ('{ORG}', 'a1000000-0000-4000-8000-000000000001', '{QUIZ}', 'ticketed_event', 'Quiz', 120, 10, 20, 'GBP');
INSERT INTO app.experience_resources (org_id, venue_id, experience_id, resource_id)
  VALUES ('{ORG}', 'a1000000-0000-4000-8000-000000000001', '{VAULT}', 'a2000000-0000-4000-8000-000000000001');
INSERT INTO app.price_tiers (org_id, experience_id, min_party, max_party, price_minor)
  VALUES ('{ORG}', '{VAULT}', 1, 6, 2000);
INSERT INTO app.ticket_types (org_id, experience_id, id, name, price_minor)
  VALUES ('{ORG}', '{QUIZ}', '{STANDARD}', 'Standard', 1000);
INSERT INTO app.schedules (org_id, experience_id, weekday, start_time, valid_from)
SELECT '{ORG}', e, d, '19:00', current_date FROM generate_series(1, 7) d, unnest(ARRAY['{VAULT}', '{QUIZ}']::uuid[]) e;
"""


@pytest.fixture
def shop(tessera_databases, pg_server) -> tuple[str, str]:
    """A fresh clone with the fixture, and the start of the session everyone races for (in 10 days)."""
    conninfo = pg_server.conninfo(tessera_databases.clone("races"))
    with psycopg.connect(conninfo) as conn:
        conn.execute(FIXTURE)
        starts = conn.execute(
            "SELECT private.local_to_instant((current_date + 10) + time '19:00', 'Europe/London')").fetchone()[0]
    return conninfo, starts.isoformat()


def as_staff(conninfo: str) -> psycopg.Connection:
    conn = psycopg.connect(conninfo, autocommit=True)
    conn.execute("SELECT set_config('role', 'authenticated', false), set_config('request.jwt.claims', %s, false)",
                 (json.dumps({"role": "authenticated", "sub": STAFF}),))
    return conn


def as_anon(conninfo: str) -> psycopg.Connection:
    conn = psycopg.connect(conninfo, autocommit=True)
    conn.execute("SELECT set_config('role', 'anon', false), set_config('request.jwt.claims', %s, false)",
                 (json.dumps({"role": "anon"}),))
    return conn


def race(conninfo: str, sql: str, params_for, connect=as_staff) -> list[tuple[str, object]]:
    """Run `sql` once per client, all released at the same instant; each result is ('ok', row) or (sqlstate, msg)."""
    connections = [connect(conninfo) for _ in range(CLIENTS)]
    gate = threading.Barrier(CLIENTS)

    def client(i: int):
        conn = connections[i]
        gate.wait()
        try:
            return "ok", conn.execute(sql, params_for(i)).fetchone()
        except psycopg.Error as exc:
            return exc.sqlstate, exc.diag.message_primary

    try:
        with ThreadPoolExecutor(CLIENTS) as pool:
            return list(pool.map(client, range(CLIENTS)))
    finally:
        for conn in connections:
            conn.close()


def check_counters(conninfo: str) -> None:
    with psycopg.connect(conninfo) as conn:
        assert conn.execute(COUNTER_DRIFT).fetchall() == [], "every counter equals the sum of its live bookings"


def test_fifty_clients_race_for_the_last_five_places_and_exactly_five_win(shop):
    conninfo, starts = shop
    with as_staff(conninfo) as conn:  # fill 15 of the 20 places first
        for i in range(3):
            conn.execute("SELECT api.create_booking(%s, %s, %s, tickets => %s)",
                         (QUIZ, starts, f"early{i}@example.com",
                          json.dumps([{"ticket_type_id": STANDARD, "quantity": 5}])))
    results = race(
        conninfo,
        "SELECT id FROM api.create_booking(%s, %s, %s, tickets => %s)",
        lambda i: (QUIZ, starts, f"racer{i}@example.com", json.dumps([{"ticket_type_id": STANDARD, "quantity": 1}])),
    )
    outcomes = Counter(kind for kind, _ in results)
    assert outcomes == {"ok": 5, "PT409": CLIENTS - 5}, results
    with psycopg.connect(conninfo) as conn:
        taken, capacity = conn.execute("SELECT taken, capacity FROM app.slots WHERE experience_id = %s",
                                       (QUIZ,)).fetchone()
        booked = conn.execute("SELECT sum(places) FROM app.bookings WHERE experience_id = %s", (QUIZ,)).fetchone()[0]
    assert (taken, capacity, booked) == (20, 20, 20)
    check_counters(conninfo)


def test_fifty_clients_race_for_one_private_room_and_exactly_one_wins(shop):
    conninfo, starts = shop
    results = race(
        conninfo,
        "SELECT id FROM api.create_booking(%s, %s, %s, 4)",
        lambda i: (VAULT, starts, f"group{i}@example.com"),
    )
    outcomes = Counter(kind for kind, _ in results)
    assert outcomes == {"ok": 1, "PT409": CLIENTS - 1}, results
    with psycopg.connect(conninfo) as conn:
        assert conn.execute("SELECT count(*) FROM app.bookings WHERE experience_id = %s", (VAULT,)).fetchone()[0] == 1
        assert conn.execute("SELECT count(*) FROM app.booking_resources").fetchone()[0] == 1
    check_counters(conninfo)


def test_fifty_retries_with_one_idempotency_key_make_one_booking(shop):
    conninfo, starts = shop
    key = f"checkout-{uuid.uuid4()}"
    results = race(
        conninfo,
        "SELECT id FROM api.create_booking(%s, %s, %s, 4, idempotency_key => %s)",
        lambda i: (VAULT, starts, "same.customer@example.com", key),
    )
    assert {kind for kind, _ in results} == {"ok"}, results
    assert len({row[0] for _, row in results}) == 1, "every retry got the same booking"
    with psycopg.connect(conninfo) as conn:
        assert conn.execute("SELECT count(*) FROM app.bookings WHERE idempotency_key = %s", (key,)).fetchone()[0] == 1
        assert conn.execute("SELECT count(*) FROM app.customers").fetchone()[0] == 1
    check_counters(conninfo)


def widget_key(conninfo: str) -> str:
    with psycopg.connect(conninfo) as conn:
        return conn.execute("SELECT embed_key FROM app.venues WHERE id = 'a1000000-0000-4000-8000-000000000001'"
                            ).fetchone()[0]


WIDGET_BOOKING = """SELECT id FROM api.widget_create_booking(%s, %s, %s, %s, customer_name => %s,
                                                                    tickets => %s, idempotency_key => %s)"""


def test_fifty_widget_retries_with_one_key_make_one_booking(shop):
    conninfo, starts = shop
    key, tickets = widget_key(conninfo), json.dumps([{"ticket_type_id": STANDARD, "quantity": 2}])
    results = race(conninfo, WIDGET_BOOKING,
                   lambda i: (key, QUIZ, starts, "visitor@example.com", "Vi", tickets, "retry-me"), connect=as_anon)
    assert {kind for kind, _ in results} == {"ok"}, results
    assert len({row[0] for _, row in results}) == 1, "every retry got the same booking"
    check_counters(conninfo)


def test_fifty_visitors_with_one_key_never_get_each_others_booking(shop):
    conninfo, starts = shop
    key, tickets = widget_key(conninfo), json.dumps([{"ticket_type_id": STANDARD, "quantity": 1}])
    results = race(conninfo, WIDGET_BOOKING,
                   lambda i: (key, QUIZ, starts, f"visitor{i}@example.com", "Vi", tickets, "guessed"), connect=as_anon)
    outcomes = Counter(kind for kind, _ in results)
    assert outcomes == {"ok": 20, "PT409": CLIENTS - 20}, results
    assert len({row[0] for kind, row in results if kind == "ok"}) == 20, "each winner got a booking of its own"
    check_counters(conninfo)


def test_one_key_sent_with_fifty_different_requests_makes_one_booking(shop):
    conninfo, starts = shop
    key, tickets = widget_key(conninfo), json.dumps([{"ticket_type_id": STANDARD, "quantity": 1}])
    results = race(conninfo, WIDGET_BOOKING,
                   lambda i: (key, QUIZ, starts, "visitor@example.com", f"name {i}", tickets, "reused"),
                   connect=as_anon)
    outcomes = Counter(kind for kind, _ in results)
    assert outcomes == {"ok": 1, "PT422": CLIENTS - 1}, results
    with psycopg.connect(conninfo) as conn:
        assert conn.execute("SELECT count(*) FROM app.bookings WHERE idempotency_key = 'reused'").fetchone()[0] == 1
    check_counters(conninfo)


def test_a_session_created_while_its_capacity_changes_takes_the_new_capacity(shop):
    conninfo, starts = shop
    with psycopg.connect(conninfo) as change, as_staff(conninfo) as booker:
        # The change is made (as the database's owner: the roles are not what this pins) and left uncommitted.
        change.execute("UPDATE app.experiences SET capacity = 12 WHERE id = %s", (QUIZ,))
        change.execute("UPDATE app.slots SET capacity = 12 WHERE experience_id = %s", (QUIZ,))
        pid = booker.info.backend_pid
        with ThreadPoolExecutor(1) as pool:
            booked = pool.submit(booker.execute, "SELECT id FROM api.create_booking(%s, %s, %s, tickets => %s)",
                                 (QUIZ, starts, "first@example.com",
                                  json.dumps([{"ticket_type_id": STANDARD, "quantity": 1}])))
            # The booking creating the session waits for the change, on the experience's row.
            with psycopg.connect(conninfo, autocommit=True) as watch:
                for _ in range(200):
                    waiting = watch.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s",
                                            (pid,)).fetchone()
                    if booked.done() or waiting == ("Lock",):
                        break
                    threading.Event().wait(0.05)
            assert not booked.done() and waiting == ("Lock",), "the new session did not wait for the change"
            change.commit()
            booked.result()
    with psycopg.connect(conninfo) as conn:
        assert conn.execute("SELECT capacity FROM app.slots WHERE experience_id = %s AND starts_at = %s",
                            (QUIZ, starts)).fetchone() == (12,)
