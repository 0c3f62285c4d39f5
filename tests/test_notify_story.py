"""The issue's story end to end, with Tessera's default templates: a widget booking paid through the fake Stripe
leads to exactly one confirmation e-mail at a real SMTP server (aiosmtpd on 127.0.0.1), with the right subject, the
session's time at the venue and a QR code per ticket; its cancellation to exactly one cancellation e-mail; the
session's reminder waits for its time, and a cancelled booking gets none."""

from __future__ import annotations

import httpx
import psycopg
import pytest

from api.config import Mail
from api.notify.smtp import SmtpSender
from api.notify.worker import Settings, run_once
from tests.api_support import token
from tests.notify_support import DOMAIN, MAIL_FROM, Inbox
from tests.payments_support import make_shop, new_order, pay_page, payments_service, rpc, state

MANAGER = "00000000-0000-4000-8000-0000000000d1"


@pytest.fixture(scope="module")
def db(tessera_databases, pg_server) -> str:
    name = tessera_databases.clone("notify_story")
    with pg_server.connect(name, autocommit=True) as conn:
        conn.execute("INSERT INTO auth.users (id, email) VALUES (%s, 'manager@story.example')", (MANAGER,))
    return pg_server.conninfo(name)


@pytest.fixture(scope="module")
def world(db, tmp_path_factory):
    with payments_service(db, tmp_path_factory.mktemp("story"), REFUND_SWEEP_SECONDS="3600") as (api, fakes):
        yield api, fakes


@pytest.fixture
def inbox():
    box = Inbox()
    box.start()
    yield box
    box.stop()


def deliver(db: str, box: Inbox) -> None:
    sender = SmtpSender(Mail(smtp_host="127.0.0.1", smtp_port=box.port, mail_from=MAIL_FROM, smtp_timeout=5))
    try:
        with psycopg.connect(db, autocommit=True) as conn:
            run_once(conn, {"email": sender}, Settings(name="story-worker", domain=DOMAIN))
    finally:
        sender.close()


def reminders(db: str, booking_id: str) -> list[tuple]:
    with psycopg.connect(db) as conn:
        return conn.execute("SELECT status FROM app.notifications_outbox"
                            " WHERE kind = 'session_reminder' AND data -> 'booking' ->> 'id' = %s",
                            (booking_id,)).fetchall()


def to(box: Inbox, email: str, subject_start: str) -> list:
    return [m for m in box.messages if m["To"] == email and str(m["Subject"]).startswith(subject_start)]


def test_a_paid_widget_booking_is_confirmed_once_by_email_and_its_cancellation_once(world, db, inbox):
    api, fakes = world
    shop = make_shop(db, MANAGER)
    order = new_order(api, shop, tickets=2, day=None)
    page = pay_page(api, order)
    paid = httpx.post(f"{fakes.stripe.url}/_control/checkout/sessions/{page['provider_ref']}/pay", json={}).json()
    assert paid["delivered"] == [200]
    assert state(db, order["id"])["booking"] == "confirmed"

    deliver(db, inbox)
    deliver(db, inbox)  # a second pass sends nothing again
    confirmations = to(inbox, order["email"], "Booking confirmed: Quiz night")
    assert len(confirmations) == 1, [str(m["Subject"]) for m in inbox.messages]
    mail = confirmations[0]
    text = mail.get_body(("plain",)).get_content()
    assert "7:00\u202fPM" in text, "19:00 at the venue, in London"
    assert order["booking"]["confirmation_code"] in text
    images = [p for p in mail.walk() if p.get_content_type() == "image/png"]
    assert len(images) == 2, "one QR code per ticket"
    html = mail.get_body(("html",)).get_content()
    assert all(f'src="cid:{str(p["Content-ID"]).strip("<>")}"' in html for p in images), "shown inline"
    assert len(to(inbox, order["email"], "Payment received")) == 1, "and one receipt"
    assert reminders(db, order["booking"]["id"]) == [], "the reminder waits for its time: none is queued yet"

    cancelled = rpc(api, "cancel_booking", {"booking_id": order["booking"]["id"], "reason": "Storm warning"},
                    bearer=token(sub=MANAGER))
    assert cancelled.status_code == 200, cancelled.text
    deliver(db, inbox)
    deliver(db, inbox)
    cancellations = to(inbox, order["email"], "Booking cancelled: Quiz night")
    assert len(cancellations) == 1, [str(m["Subject"]) for m in inbox.messages]
    assert "Reason: Storm warning" in cancellations[0].get_body(("plain",)).get_content()
    assert len(to(inbox, order["email"], "Booking confirmed")) == 1, "still one confirmation"
    with psycopg.connect(db) as conn:  # the worker's sweep, as of the day before the session
        conn.execute("SELECT private.queue_due_reminders(b.starts_at - interval '1 day')"
                     "  FROM app.bookings b WHERE b.id = %s", (order["booking"]["id"],))
    assert reminders(db, order["booking"]["id"]) == [], "a cancelled booking gets no reminder"
