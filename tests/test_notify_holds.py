"""`tessera worker` expires run-out holds on every pass: a pending booking whose hold has ended is marked expired
by the worker (nobody else touching its session), and its customer's booking_expired e-mail goes out on the next
pass, at the real SMTP server."""

from __future__ import annotations

import json

import psycopg
import pytest

from tests.helpers import ROOT, run_tessera
from tests.notify_support import Inbox, make_org, staff_booking


@pytest.fixture
def db(tessera_databases, pg_server) -> str:
    return pg_server.conninfo(tessera_databases.clone("notify_holds"))


def test_the_worker_expires_a_run_out_hold_and_its_customer_hears_of_it(db):
    inbox = Inbox()
    inbox.start()
    try:
        with psycopg.connect(db, autocommit=True) as conn:
            org = make_org(conn)
            booking, *_, status, _event, _venue = staff_booking(conn, org, paid=True)
            assert status == "pending"
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
