"""`tessera worker` expires run-out holds on every pass: a pending booking whose hold has ended is marked expired
by the worker (nobody else touching its session), and its customer's booking_expired e-mail goes out on the next
pass, at the real SMTP server."""

from __future__ import annotations

import json
import uuid

import psycopg
import pytest

from tests.helpers import ROOT, run_tessera
from tests.notify_support import Inbox, make_org


@pytest.fixture
def db(tessera_databases, pg_server) -> str:
    return pg_server.conninfo(tessera_databases.clone("notify_holds"))


def held_booking(conn: psycopg.Connection, org: uuid.UUID) -> uuid.UUID:
    """A paid experience booked by staff: pending, its places held until it is paid."""
    staff = conn.execute("INSERT INTO auth.users (email) VALUES (%s) RETURNING id",
                         (f"staff-{uuid.uuid4().hex[:8]}@example.com",)).fetchone()[0]
    conn.execute("INSERT INTO app.memberships (org_id, user_id, role) VALUES (%s, %s, 'staff')", (org, staff))
    venue = conn.execute("INSERT INTO app.venues (org_id, name, timezone) VALUES (%s, 'Soho', 'Europe/London')"
                         " RETURNING id", (org,)).fetchone()[0]
    event = conn.execute(
        "INSERT INTO app.experiences (org_id, venue_id, kind, name, duration_minutes, min_party, max_party, capacity,"
        " currency) VALUES (%s, %s, 'ticketed_event', 'Quiz night', 120, 1, 10, 20, 'GBP') RETURNING id",
        (org, venue)).fetchone()[0]
    ticket_type = conn.execute("INSERT INTO app.ticket_types (org_id, experience_id, name, price_minor) "
                               "VALUES (%s, %s, 'Standard', 1000) RETURNING id", (org, event)).fetchone()[0]
    conn.execute("INSERT INTO app.schedules (org_id, experience_id, weekday, start_time, valid_from) "
                 "SELECT %s, %s, d, '19:00', current_date FROM generate_series(1, 7) d", (org, event))
    with conn.transaction():
        conn.execute("SELECT set_config('request.jwt.claims', %s, true), set_config('role', 'authenticated', true)",
                     (json.dumps({"role": "authenticated", "sub": str(staff)}),))
        booking, status = conn.execute(
            "SELECT b.id, b.status::text FROM api.create_booking(%s, private.local_to_instant((current_date + 10)"
            " + time '19:00', 'Europe/London'), 'bob@example.com', tickets => %s) b",
            (event, psycopg.types.json.Jsonb([{"ticket_type_id": str(ticket_type), "quantity": 2}]))).fetchone()
        conn.execute("RESET ROLE")
    assert status == "pending"
    return booking


def test_the_worker_expires_a_run_out_hold_and_its_customer_hears_of_it(db):
    inbox = Inbox()
    inbox.start()
    try:
        with psycopg.connect(db, autocommit=True) as conn:
            org = make_org(conn)
            booking = held_booking(conn, org)
            conn.execute("UPDATE app.bookings SET hold_expires_at = now() - interval '1 minute' WHERE id = %s",
                         (booking,))
        env = {"DATABASE_URL": db, **inbox.environment()}
        first = run_tessera("worker", "--once", cwd=ROOT, env=env)
        assert first.code == 0, first.err
        assert json.loads(first.out)["holds_expired"] == 1
        second = run_tessera("worker", "--once", cwd=ROOT, env=env)
        assert second.code == 0, second.err
        with psycopg.connect(db) as conn:
            status = conn.execute("SELECT status::text FROM app.bookings WHERE id = %s", (booking,)).fetchone()[0]
            kinds = conn.execute("SELECT kind, status FROM app.notifications_outbox"
                                 " WHERE data -> 'booking' ->> 'id' = %s ORDER BY kind", (str(booking),)).fetchall()
        assert status == "expired"
        assert kinds == [("booking_expired", "sent")]
        mails = [m for m in inbox.messages if m["To"] and "bob@example.com" in str(m["To"])]
        assert len(mails) == 1
        third = run_tessera("worker", "--once", cwd=ROOT, env=env)
        assert json.loads(third.out)["holds_expired"] == 0 and len(inbox.messages) == 1
    finally:
        inbox.stop()
