"""`tessera worker` keeps finished messages TESSERA_WORKER_KEEP_DAYS (90) days: a pass deletes the sent ones older
than that, with their attempts, and leaves recent ones and ones still waiting; 0 keeps every message but still
forgets webhook secrets whose rotation overlap is over; a bad value is one line and exit 2."""

from __future__ import annotations

import json

import psycopg
import pytest

from tests.helpers import ROOT, run_tessera
from tests.notify_support import Inbox, make_org


@pytest.fixture
def db(tessera_databases, pg_server) -> str:
    return pg_server.conninfo(tessera_databases.clone("notify_retention"))


def message(conn, org, status: str, age: str) -> str:
    return str(conn.execute("""
        INSERT INTO app.notifications_outbox (org_id, kind, recipient, channel, template, dedupe_key, status,
                                              created_at, next_attempt_at, sent_at)
        SELECT %s, 'payment_received', 'ada@example.com', 'email', 'payment_received', gen_random_uuid()::text,
               %s, now() - %s::interval, now() - %s::interval,
               CASE WHEN %s = 'sent' THEN now() - %s::interval END
        RETURNING id""", (org, status, age, age, status, age)).fetchone()[0])


def test_a_pass_deletes_finished_messages_past_the_keep_period_and_nothing_else(db):
    inbox = Inbox()
    inbox.start()
    try:
        with psycopg.connect(db, autocommit=True) as conn:
            org = make_org(conn)
            old, recent = message(conn, org, "sent", "100 days"), message(conn, org, "sent", "10 days")
            waiting = message(conn, org, "queued", "100 days")
            conn.execute("UPDATE app.notifications_outbox SET next_attempt_at = now() + interval '1 day' "
                         "WHERE id = %s", (waiting,))  # not due: the pass leaves it queued
            # An endpoint whose rotation overlap ended an hour ago, its old secret still stored.
            conn.execute("INSERT INTO app.webhook_endpoints (org_id, url, event_types, secret, previous_secret, "
                         "previous_secret_until) VALUES (%s, 'https://hooks.example.com/r', '{booking.created}', "
                         "private.webhook_secret(), private.webhook_secret(), now() - interval '1 hour')", (org,))
        env = {"DATABASE_URL": db, **inbox.environment()}
        kept = run_tessera("worker", "--once", cwd=ROOT, env={**env, "TESSERA_WORKER_KEEP_DAYS": "0"})
        assert kept.code == 0, kept.err
        # Keeping every message still forgets the secret that signs nothing any more.
        assert json.loads(kept.out)["purged"] == {"messages": 0, "deliveries": 0, "expired_secrets": 1}
        done = run_tessera("worker", "--once", cwd=ROOT, env=env)
        assert done.code == 0, done.err
        assert json.loads(done.out)["purged"]["messages"] >= 1
        with psycopg.connect(db) as conn:
            left = {r[0] for r in conn.execute("SELECT id::text FROM app.notifications_outbox WHERE id = ANY (%s)",
                                               ([old, recent, waiting],))}
        assert left == {recent, waiting}
        bad = run_tessera("worker", "--once", cwd=ROOT, env={**env, "TESSERA_WORKER_KEEP_DAYS": "forever"})
        assert bad.code == 2 and "TESSERA_WORKER_KEEP_DAYS='forever'" in bad.err and "Traceback" not in bad.err
    finally:
        inbox.stop()
