"""Reminders end to end through `tessera worker`: nothing is written when a booking is confirmed; once a booking's
reminder time has come, a worker pass queues its reminder (private.queue_due_reminders) and the next pass sends it,
exactly once, to the real SMTP server, with the session's time at the venue. A booking confirmed after its reminder
time gets none: its reminder is skipped (told_after_due) and no e-mail goes."""

from __future__ import annotations

import json

import psycopg
import pytest

from tests.helpers import ROOT, run_tessera
from tests.notify_support import Inbox, make_org, staff_booking


@pytest.fixture
def db(tessera_databases, pg_server) -> str:
    return pg_server.conninfo(tessera_databases.clone("notify_reminders"))


def reminders(conn: psycopg.Connection, booking) -> list[tuple]:
    return conn.execute("SELECT status, last_error FROM app.notifications_outbox"
                        " WHERE kind = 'session_reminder' AND data -> 'booking' ->> 'id' = %s",
                        (str(booking),)).fetchall()


def test_a_due_reminder_is_queued_by_a_worker_pass_and_sent_once_by_the_next(db):
    inbox = Inbox()
    inbox.start()
    try:
        with psycopg.connect(db, autocommit=True) as conn:
            org = make_org(conn)
            early, *_ = staff_booking(conn, org)   # ten days ahead at 19:00 in New York, confirmed now
            late, *_ = staff_booking(conn, org)
            assert reminders(conn, early) == [] and reminders(conn, late) == [], "no reminder at confirmation"
            # A lead of 12 days puts both reminder times two days ago. The early booking was confirmed before that
            # (its confirmation moved back three weeks), the late one after it.
            conn.execute("INSERT INTO app.org_settings (org_id, reminder_lead) VALUES (%s, interval '12 days')"
                         " ON CONFLICT (org_id) DO UPDATE SET reminder_lead = EXCLUDED.reminder_lead", (org,))
            conn.execute("UPDATE app.notifications_outbox SET created_at = created_at - interval '21 days'"
                         " WHERE kind = 'booking_confirmed' AND data -> 'booking' ->> 'id' = %s", (str(early),))
        env = {"DATABASE_URL": db, **inbox.environment()}
        first = run_tessera("worker", "--once", cwd=ROOT, env=env)
        assert first.code == 0, first.err
        assert json.loads(first.out)["reminders_queued"] >= 2
        with psycopg.connect(db) as conn:
            assert reminders(conn, early) == [("queued", None)]
            assert reminders(conn, late) == [("queued", None)]
        second = run_tessera("worker", "--once", cwd=ROOT, env=env)
        assert second.code == 0, second.err
        with psycopg.connect(db) as conn:
            assert reminders(conn, early) == [("sent", None)]
            assert reminders(conn, late) == [("skipped", "told_after_due")], \
                "confirmed after its reminder time: the confirmation said it all"
        sent = [m for m in inbox.messages if str(m["Subject"]).startswith("Reminder: Quiz night")]
        assert len(sent) == 1, [str(m["Subject"]) for m in inbox.messages]
        assert "7:00\u202fPM" in sent[0].get_body(("plain",)).get_content(), "19:00 at the venue, in New York"
        third = run_tessera("worker", "--once", cwd=ROOT, env=env)
        assert third.code == 0, third.err
        assert json.loads(third.out)["reminders_queued"] == 0, "each booking and start has one reminder, ever"
        assert len([m for m in inbox.messages if str(m["Subject"]).startswith("Reminder:")]) == 1
    finally:
        inbox.stop()
