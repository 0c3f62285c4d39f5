"""Customer segments under concurrency, with real connections: fifty refreshes of one organization at once run one
after the other and agree; bookings never wait on a refresh; and bookings of different customers never wait on
each other (while one customer's own bookings do, as the negative control shows)."""

from __future__ import annotations

import json
from collections import Counter

import psycopg
import pytest

from tests.test_booking_races import CLIENTS, FIXTURE, ORG, QUIZ, STANDARD, as_staff, race

MANAGER = "00000000-0000-4000-8000-0000000000a5"
# A quiz night holds 20: booking n goes to the session (10 + n // 10) days from now.
BOOK = ("SELECT id FROM api.create_booking(%s, private.local_to_instant((current_date + 10 + %s / 10) + time '19:00',"
        " 'Europe/London'), %s, tickets => %s)")
ONE_TICKET = json.dumps([{"ticket_type_id": STANDARD, "quantity": 1}])


@pytest.fixture
def shop(tessera_databases, pg_server) -> str:
    """A fresh clone with the booking races' shop, a manager, and forty customers with a confirmed booking each."""
    conninfo = pg_server.conninfo(tessera_databases.clone("segments_races"))
    with psycopg.connect(conninfo) as conn:
        conn.execute(FIXTURE)
        conn.execute("INSERT INTO auth.users (id, email) VALUES (%s, 'manager@a.example')", (MANAGER,))
        conn.execute("INSERT INTO app.memberships (org_id, user_id, role) VALUES (%s, %s, 'manager')", (ORG, MANAGER))
    with as_staff(conninfo) as conn:
        for i in range(40):
            booking = conn.execute(BOOK, (QUIZ, i, f"early{i}@example.com", ONE_TICKET)).fetchone()[0]
            confirm(conn, booking)
    return conninfo


def confirm(conn: psycopg.Connection, booking) -> None:
    if conn.execute("SELECT status FROM app.bookings WHERE id = %s", (booking,)).fetchone()[0] == "pending":
        conn.execute("SELECT api.confirm_booking(%s)", (booking,))


def book_within_2s(conninfo: str, email: str, n: int) -> str:
    """Book and confirm one ticket for `email` (session n, see BOOK) in one transaction, as staff, failing with
    55P03 instead of waiting more than 2 s for a lock; 'ok' or the SQLSTATE."""
    conn = as_staff(conninfo)
    try:
        conn.execute("SET lock_timeout = '2s'")
        conn.execute("BEGIN")
        booking = conn.execute(BOOK, (QUIZ, n, email, ONE_TICKET)).fetchone()[0]
        confirm(conn, booking)
        conn.execute("COMMIT")
        return "ok"
    except psycopg.Error as exc:
        return exc.sqlstate
    finally:
        conn.close()


def as_manager(conninfo: str) -> psycopg.Connection:
    conn = psycopg.connect(conninfo, autocommit=True)
    conn.execute("SELECT set_config('role', 'authenticated', false), set_config('request.jwt.claims', %s, false)",
                 (json.dumps({"role": "authenticated", "sub": MANAGER}),))
    return conn


def segments(conninfo: str) -> list[tuple]:
    with psycopg.connect(conninfo) as conn:
        return conn.execute("SELECT customer_id, recency_score, frequency_score, monetary_score, segment, label"
                            " FROM app.customer_segments WHERE org_id = %s ORDER BY customer_id", (ORG,)).fetchall()


def test_fifty_refreshes_of_one_organization_at_once_all_succeed_and_agree(shop):
    conninfo = shop
    results = race(conninfo, "SELECT api.refresh_customer_segments(%s)::jsonb ->> 'customers'", lambda i: (ORG,),
                   connect=as_manager)
    assert Counter(kind for kind, _ in results) == {"ok": CLIENTS}, results
    assert {row[0] for _, row in results} == {"40"}, "every refresh labelled the forty customers"
    after_race = segments(conninfo)
    assert len(after_race) == 40
    with as_manager(conninfo) as conn:
        again = conn.execute("SELECT api.refresh_customer_segments(%s)", (ORG,)).fetchone()[0]
    assert again["changed"] == 0, "the racing refreshes left exactly what one more refresh computes"
    assert segments(conninfo) == after_race
    with psycopg.connect(conninfo) as conn:
        assert conn.execute("SELECT count(*) FROM app.customer_segment_runs WHERE org_id = %s",
                            (ORG,)).fetchone()[0] == 1


def test_bookings_never_wait_on_a_refresh_in_progress(shop):
    conninfo = shop
    with as_manager(conninfo) as refresher:
        refresher.execute("BEGIN")
        refresher.execute("SELECT api.refresh_customer_segments(%s)", (ORG,))  # holds its locks until COMMIT
        outcomes = Counter(book_within_2s(conninfo, f"early{i}@example.com", 50 + i) for i in range(10))
        refresher.execute("COMMIT")
    assert outcomes == {"ok": 10}, outcomes
    with psycopg.connect(conninfo) as conn:
        counts = conn.execute("SELECT count(*) FILTER (WHERE booking_count = 2) FROM app.customers"
                              " WHERE org_id = %s", (ORG,)).fetchone()[0]
    assert counts == 10, "each of the ten customers now has two visits"


def test_bookings_of_different_customers_never_wait_on_each_other(shop):
    conninfo = shop
    with as_staff(conninfo) as holder:
        holder.execute("BEGIN")
        booking = holder.execute(BOOK, (QUIZ, 100, "early0@example.com", ONE_TICKET)).fetchone()[0]
        confirm(holder, booking)  # early0's row is now locked until this transaction ends

        others = Counter(book_within_2s(conninfo, f"early{i}@example.com", 110 + i) for i in range(1, 11))
        same = book_within_2s(conninfo, "early0@example.com", 130)
        holder.execute("COMMIT")
    assert others == {"ok": 10}, others
    assert same == "55P03", "the same customer's booking does wait on the first (the control: the test can fail)"
