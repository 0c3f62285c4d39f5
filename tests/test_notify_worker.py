"""The delivery worker against a real SMTP server (aiosmtpd on 127.0.0.1), reading what it received: a message
goes out once, rendered in the venue's zone, with the tickets' QR codes for a booking confirmation; a mail server
that is down leaves messages queued with backoff, and they go out once it is back; a template that cannot render
is dead at once; in-app messages are recorded for the inbox; concurrent claims skip each other's rows; two workers
and a killed one over 1,000 messages lose none, and send twice only what the killed one was sending."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import threading
import time
from collections import Counter

import psycopg
import pytest
from psycopg.rows import dict_row

from api.config import Mail
from api.notify.smtp import SmtpSender, qr_png
from api.notify.worker import Counts, Settings, run, run_once
from tests.helpers import ROOT, TESSERA
from tests.notify_support import DOMAIN, MAIL_FROM, Inbox, confirmed_booking, enqueue, make_org, message_id


@pytest.fixture(scope="module")
def db(tessera_databases, pg_server) -> str:
    return pg_server.conninfo(tessera_databases.clone("notify_worker"))


@pytest.fixture
def conn(db):
    with psycopg.connect(db, autocommit=True) as c:
        yield c


@pytest.fixture
def org(conn):
    # Messages of earlier tests are out of the way: each test counts what it queued.
    conn.execute("UPDATE app.notifications_outbox SET status = 'dead', claimed_until = NULL "
                 "WHERE status IN ('queued', 'sending')")
    return make_org(conn)


@pytest.fixture
def inbox():
    box = Inbox()
    box.start()
    yield box
    box.stop()


def mail(box: Inbox) -> Mail:
    return Mail(smtp_host="127.0.0.1", smtp_port=box.port, mail_from=MAIL_FROM, smtp_timeout=5)


def settings(name: str = "test-worker", **kw) -> Settings:
    return Settings(name=name, domain=DOMAIN, **kw)


def deliver(conn, box: Inbox, name: str = "test-worker") -> Counts:
    sender = SmtpSender(mail(box))
    try:
        return run_once(conn, {"email": sender}, settings(name))
    finally:
        sender.close()


def outbox(conn, message) -> dict:
    return conn.cursor(row_factory=dict_row).execute(
        "SELECT * FROM app.notifications_outbox WHERE id = %s", (message,)).fetchone()


def test_a_confirmation_is_delivered_once_in_the_venue_zone_with_its_tickets_as_inline_qr_codes(conn, org, inbox):
    data = confirmed_booking(conn, org, places=2)
    message = enqueue(conn, org, "booking_confirmed", data)
    counts = deliver(conn, inbox)
    assert (counts.claimed, counts.sent, counts.retried, counts.dead) == (1, 1, 0, 0)
    assert deliver(conn, inbox).claimed == 0, "a sent message is not taken again"
    assert inbox.ids() == [message_id(message)]
    received = inbox.messages[0]
    assert received["From"] == MAIL_FROM and received["To"] == "ada@example.com"
    assert received["Subject"] == "Booked: Quiz night at 7:00\u202fPM", "the session's time at the venue (19:00 in NY)"
    text = received.get_body(("plain",)).get_content()
    assert "at Brooklyn" in text and "7:00\u202fPM" in text
    html = received.get_body(("html",))
    images = [p for p in received.walk() if p.get_content_type() == "image/png"]
    assert len(images) == 2, "one QR code per ticket"
    with psycopg.connect(conn.info.dsn) as c:
        tickets = c.execute("SELECT id, private.ticket_payload(t) FROM app.tickets t WHERE booking_id = %s "
                            "AND status = 'valid' ORDER BY seat_no", (data["booking"]["id"],)).fetchall()
    cids = {str(p["Content-ID"]).strip("<>") for p in images}
    assert cids == {f"ticket-{t}@{DOMAIN}" for t, _ in tickets}
    assert all(f'src="cid:{cid}"' in html.get_content() for cid in cids), "the HTML body shows each inline"
    by_cid = {str(p["Content-ID"]).strip("<>"): p.get_content() for p in images}
    for ticket, payload in tickets:
        assert by_cid[f"ticket-{ticket}@{DOMAIN}"] == qr_png(payload), "each image is its ticket's signed payload"
    row = outbox(conn, message)
    assert row["status"] == "sent" and row["provider_message_id"] == message_id(message) and row["attempts"] == 1


def test_with_the_mail_server_down_messages_wait_with_backoff_and_go_out_once_it_is_back(conn, org, inbox):
    messages = [enqueue(conn, org, "payment_received", {"n": i}) for i in range(3)]
    inbox.stop()
    before = conn.execute("SELECT now()").fetchone()[0]
    counts = deliver(conn, inbox)
    assert (counts.claimed, counts.retried, counts.sent, counts.dead) == (3, 3, 0, 0)
    for m in messages:
        row = outbox(conn, m)
        assert row["status"] == "queued" and row["attempts"] == 1
        assert "cannot reach the SMTP server" in row["last_error"]
        assert before <= row["next_attempt_at"] <= before + dt.timedelta(seconds=31), "backoff: at most 30 s at first"
    attempts = conn.execute("SELECT count(*) FROM app.notification_attempts WHERE message_id = ANY(%s) "
                            "AND outcome = 'retry'", (messages,)).fetchone()[0]
    assert attempts == 3, "each failed attempt is recorded"
    inbox.start()
    # Not due yet (unless the jitter drew nothing): the test moves the clock instead of sleeping.
    conn.execute("UPDATE app.notifications_outbox SET next_attempt_at = now() WHERE id = ANY(%s)", (messages,))
    counts = deliver(conn, inbox)
    assert (counts.claimed, counts.sent) == (3, 3)
    assert deliver(conn, inbox).claimed == 0
    assert sorted(inbox.ids()) == sorted(message_id(m) for m in messages), "each once, once the server is back"
    assert {str(m["Subject"]) for m in inbox.messages} == {f"Payment {i} to Test Rooms" for i in range(3)}
    assert all(outbox(conn, m)["attempts"] == 2 for m in messages)


def test_a_template_that_cannot_render_is_dead_at_once_and_staff_can_retry_it(conn, org, inbox):
    message = enqueue(conn, org, "refund_issued", {})
    counts = deliver(conn, inbox)
    assert (counts.claimed, counts.dead, counts.sent) == (1, 1, 0)
    row = outbox(conn, message)
    assert row["status"] == "dead" and "nope" in row["last_error"] and row["attempts"] == 1
    assert inbox.ids() == []
    # A kind with no template at all: Tessera's default is taken away for the while.
    defaults = conn.execute("DELETE FROM app.default_templates WHERE kind = 'invitation' AND channel = 'email'"
                            " RETURNING kind, channel, locale, subject, html, body").fetchall()
    try:
        no_template = enqueue(conn, org, "invitation", {})
        assert deliver(conn, inbox).dead == 1
        assert "no email template for invitation" in outbox(conn, no_template)["last_error"]
    finally:
        with conn.cursor() as cur:
            cur.executemany("INSERT INTO app.default_templates (kind, channel, locale, subject, html, body)"
                            " VALUES (%s, %s, %s, %s, %s, %s)", defaults)


def test_in_app_messages_are_recorded_with_their_rendered_text(conn, org, inbox):
    user = conn.execute("INSERT INTO auth.users (email) VALUES (%s) RETURNING id",
                        (f"inapp-{os.getpid()}-{time.time_ns()}@example.com",)).fetchone()[0]
    message = enqueue(conn, org, "payment_received", {"n": 7}, channel="in_app", user_id=user)
    assert deliver(conn, inbox).sent == 1
    row = outbox(conn, message)
    assert (row["status"], row["rendered_subject"], row["rendered_body"]) == ("sent", "Paid 7",
                                                                              "Your payment 7 arrived.")
    assert inbox.ids() == [], "nothing goes to the mail server"


def test_a_claim_skips_rows_another_transaction_holds_without_waiting(db, conn, org):
    held, free = (enqueue(conn, org, "payment_received", {"n": i}) for i in range(2))
    with psycopg.connect(db) as other:
        other.execute("SELECT 1 FROM app.notifications_outbox WHERE id = %s FOR UPDATE", (held,))
        conn.execute("SET statement_timeout = '5s'")
        started = time.monotonic()
        got = [r[0] for r in conn.execute("SELECT id FROM private.claim_messages('w', 100, '1 minute')").fetchall()]
        assert time.monotonic() - started < 2, "the claim did not wait for the lock"
        other.rollback()
    assert free in got and held not in got
    assert outbox(conn, held)["status"] == "queued"


def _spawn_worker(db: str, box: Inbox) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": db, **box.environment()}
    return subprocess.Popen([TESSERA, "worker", "--batch", "20", "--lease", "5", "--poll", "0.1"], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_two_workers_and_a_killed_one_lose_nothing_and_repeat_only_the_interrupted_send(db, conn, org, inbox):
    total = 1000
    conn.execute("""
        SELECT private.enqueue_notification(%s, 'payment_received', 'ada@example.com', jsonb_build_object('n', i),
                                            'bulk:' || gen_random_uuid())
          FROM generate_series(1, %s) i""", (org, total))
    queued = {r[0] for r in conn.execute("SELECT id FROM app.notifications_outbox WHERE org_id = %s", (org,))}
    assert len(queued) == total
    victim = _spawn_worker(db, inbox)
    stop = threading.Event()
    results: list[Counts] = []

    def loop(i: int) -> None:
        results.append(run(lambda: psycopg.connect(db, autocommit=True),
                           lambda: {"email": SmtpSender(mail(inbox))},
                           settings(f"survivor-{i}", batch=20, lease_seconds=30, poll_seconds=0.1), stop))

    try:
        deadline = time.monotonic() + 60
        while len(inbox.ids()) < 50 and time.monotonic() < deadline:  # the victim alone, first
            time.sleep(0.02)
        survivors = [threading.Thread(target=loop, args=(i,)) for i in range(2)]
        for t in survivors:
            t.start()
        while len(inbox.ids()) < 300 and time.monotonic() < deadline:
            time.sleep(0.01)
        os.kill(victim.pid, signal.SIGKILL)  # mid-run: it holds a claim and may be inside an SMTP transaction
        victim.wait()
        # What it held when it died (its leases have 5 s to run): exactly these are taken again as interrupted.
        held = {message_id(r[0]) for r in conn.execute(
            "SELECT id FROM app.notifications_outbox WHERE org_id = %s AND status <> 'sent' AND claimed_by LIKE %s",
            (org, f"%:{victim.pid}:%"))}
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            left = conn.execute("SELECT count(*) FROM app.notifications_outbox WHERE org_id = %s "
                                "AND status <> 'sent'", (org,)).fetchone()[0]
            if left == 0:
                break
            time.sleep(0.2)
    finally:
        stop.set()
        for t in survivors:
            t.join()
        if victim.poll() is None:
            victim.kill()
    assert left == 0, f"{left} message(s) never sent"
    seen = Counter(inbox.ids())
    assert set(seen) == {message_id(m) for m in queued}, "every message reached the SMTP server: none lost"
    # Taken again after a lease ran out: what the killed worker held when it died, and what it held earlier if a
    # loaded machine stalled it past its 5 s lease (its claim is then taken from it alive). Never a survivor's.
    lost = conn.execute(
        "SELECT a.message_id, a.worker, a.started_at FROM app.notification_attempts a WHERE a.org_id = %s "
        "AND a.outcome = 'retry' AND a.error LIKE '%%lease ran out%%'", (org,)).fetchall()
    interrupted = {message_id(r[0]) for r in lost}
    assert held <= interrupted, "every message the killed worker held was taken again"
    assert all(f":{victim.pid}:" in r[1] for r in lost), "only the killed (or stalled) worker's leases ran out"
    duplicated = {m for m, n in seen.items() if n > 1}
    assert duplicated <= interrupted, "only a message whose send was interrupted may arrive twice"
    claims_lost = {(r[1], r[2]) for r in lost}
    assert len(duplicated) <= len(claims_lost) and max(seen.values()) <= 2, \
        "one loop sends one message at a time: at most one repeat per lease that ran out"
    by_survivors = conn.execute("SELECT count(*) FROM app.notification_attempts WHERE org_id = %s "
                                "AND outcome = 'sent' AND worker LIKE 'survivor-%%'", (org,)).fetchone()[0]
    assert sum(r.sent for r in results) == by_survivors > 0
    assert all(r.lost == 0 for r in results), "no survivor reported a message another worker had taken"


@pytest.mark.parametrize(("env", "expected"), [
    ({"TESSERA_SMTP_PORT": "smtp"}, "TESSERA_SMTP_PORT='smtp' is not a TCP port"),
    ({"TESSERA_SMTP_USER": "u"}, "TESSERA_SMTP_USER and TESSERA_SMTP_PASSWORD go together"),
    ({"TESSERA_SMTP_HOST": "mail.example.com", "TESSERA_SMTP_USER": "u", "TESSERA_SMTP_PASSWORD": "p"},
     "without TESSERA_SMTP_STARTTLS=1"),
    ({"TESSERA_MAIL_FROM": "nobody"}, "TESSERA_MAIL_FROM='nobody' is not an address"),
    ({}, "cannot connect to postgresql://nobody@127.0.0.1:1/nothing"),
])
def test_the_worker_refuses_a_bad_configuration_or_database_in_one_line(env, expected):
    from tests.helpers import run_tessera

    run = run_tessera("worker", "--once", cwd=ROOT,
                      env={"DATABASE_URL": "postgresql://nobody@127.0.0.1:1/nothing", **env})
    assert run.code == 2 and run.out == "", run
    assert run.err.startswith("tessera: ") and run.err.count("\n") == 1 and expected in run.err, run.err


def test_tessera_worker_once_delivers_and_prints_its_counts(db, conn, org, inbox):
    import json

    from tests.helpers import run_tessera

    message = enqueue(conn, org, "payment_received", {"n": 1})
    run = run_tessera("worker", "--once", "--concurrency", "2", cwd=ROOT, env={"DATABASE_URL": db,
                                                                                **inbox.environment()})
    assert run.code == 0, run.err
    counts = json.loads(run.out)
    assert (counts["claimed"], counts["sent"], counts["dead"], len(counts["workers"])) == (1, 1, 0, 2)
    assert inbox.ids() == [message_id(message)]


def test_a_message_with_an_unsubscribe_link_carries_rfc_8058_headers(conn, org, inbox):
    url = "https://rooms.example/unsubscribe?t=signed"
    message = enqueue(conn, org, "payment_received", {"n": 2, "unsubscribe_url": url})
    plain = enqueue(conn, org, "payment_received", {"n": 3})
    assert deliver(conn, inbox).sent == 2
    by_id = {str(m["Message-ID"]): m for m in inbox.messages}
    assert by_id[message_id(message)]["List-Unsubscribe"] == f"<{url}>"
    assert by_id[message_id(message)]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert by_id[message_id(plain)]["List-Unsubscribe"] is None


def test_a_recipient_that_cannot_be_an_e_mail_header_is_dead_and_the_others_still_go(conn, org, inbox):
    bad = enqueue(conn, org, "payment_received", {"n": 1})
    conn.execute("UPDATE app.notifications_outbox SET recipient = E'ada@example.com\\r\\nBcc: eve@example.com' "
                 "WHERE id = %s", (bad,))
    good = enqueue(conn, org, "payment_received", {"n": 2})
    counts = deliver(conn, inbox)
    assert (counts.dead, counts.sent) == (1, 1)
    assert outbox(conn, bad)["status"] == "dead" and inbox.ids() == [message_id(good)]


def test_a_stopping_worker_gives_back_what_it_has_not_tried(conn, org, inbox):
    messages = [enqueue(conn, org, "payment_received", {"n": i}) for i in range(3)]
    stop = threading.Event()

    class StopAfterOne(SmtpSender):
        def send(self, message):
            outcome = super().send(message)
            stop.set()  # SIGTERM arrives while the first message is being sent
            return outcome

    sender = StopAfterOne(mail(inbox))
    try:
        counts = run_once(conn, {"email": sender}, settings(), stop)
    finally:
        sender.close()
    assert (counts.claimed, counts.sent, counts.left) == (3, 1, 2)
    rows = [outbox(conn, m) for m in messages]
    assert sorted(r["status"] for r in rows) == ["queued", "queued", "sent"]
    assert all(r["attempts"] == 0 and r["claimed_until"] is None for r in rows if r["status"] == "queued")
    assert deliver(conn, inbox).sent == 2, "given back due at once"
    assert sorted(inbox.ids()) == sorted(message_id(m) for m in messages)
