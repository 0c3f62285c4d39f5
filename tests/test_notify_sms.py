"""SMS through the providers' HTTP APIs, played by a local fake: Twilio for most numbers, Unifonic for Saudi ones;
a provider's 4xx is final, a 5xx is retried; a recipient that is not a phone number is dead at once."""

from __future__ import annotations

import base64

import psycopg
import pytest
from psycopg.rows import dict_row

from api.config import ConfigError, Secret, Sms
from api.notify.sms import SmsSender
from api.notify.worker import Settings, run_once
from tests.notify_support import DOMAIN, FakeSms, enqueue, make_org


@pytest.fixture(scope="module")
def db(tessera_databases, pg_server) -> str:
    return pg_server.conninfo(tessera_databases.clone("notify_sms"))


@pytest.fixture
def conn(db):
    with psycopg.connect(db, autocommit=True) as c:
        c.execute("UPDATE app.notifications_outbox SET status = 'dead', claimed_until = NULL "
                  "WHERE status IN ('queued', 'sending')")
        yield c


@pytest.fixture
def fake():
    provider = FakeSms()
    yield provider
    provider.close()


def sms(fake: FakeSms, twilio: bool = True, unifonic: bool = True) -> Sms:
    return Sms(twilio_account_sid="AC123" if twilio else None, twilio_auth_token=Secret("tok") if twilio else None,
               twilio_from="+15005550006" if twilio else None, twilio_api_base=fake.url,
               unifonic_app_sid=Secret("app-sid") if unifonic else None, unifonic_sender_id="ROOMS",
               unifonic_api_base=fake.url, timeout=5)


def deliver(conn, config: Sms):
    sender = SmsSender(config)
    try:
        return run_once(conn, {"sms": sender}, Settings(name="sms-worker", domain=DOMAIN))
    finally:
        sender.close()


def text_message(conn, org, number: str, n: int = 1):
    message = enqueue(conn, org, "payment_received", {"n": n}, channel="sms")
    conn.execute("UPDATE app.notifications_outbox SET recipient = %s WHERE id = %s", (number, message))
    return message


def row(conn, message) -> dict:
    return conn.cursor(row_factory=dict_row).execute("SELECT * FROM app.notifications_outbox WHERE id = %s",
                                                     (message,)).fetchone()


def test_a_number_goes_through_twilio_and_a_saudi_one_through_unifonic(conn, fake):
    org = make_org(conn)
    uk = text_message(conn, org, "+447700900123", 1)
    saudi = text_message(conn, org, "+966501234567", 2)
    counts = deliver(conn, sms(fake))
    assert (counts.claimed, counts.sent) == (2, 2)
    twilio, unifonic = sorted(fake.requests, key=lambda r: r["path"])
    assert twilio["path"] == "/2010-04-01/Accounts/AC123/Messages.json"
    assert twilio["form"] == {"To": "+447700900123", "From": "+15005550006", "Body": "Test Rooms: payment 1 received."}
    assert twilio["authorization"] == "Basic " + base64.b64encode(b"AC123:tok").decode()
    assert unifonic["path"] == "/rest/SMS/messages"
    assert unifonic["form"] == {"AppSid": "app-sid", "Recipient": "966501234567", "SenderID": "ROOMS",
                                "Body": "Test Rooms: payment 2 received.", "responseType": "JSON",
                                "CorrelationID": str(saudi)}
    assert row(conn, uk)["provider_message_id"].startswith("SM") and row(conn, saudi)["provider_message_id"] == "2"
    assert row(conn, uk)["status"] == row(conn, saudi)["status"] == "sent"


def test_without_unifonic_saudi_numbers_go_through_twilio_too(conn, fake):
    org = make_org(conn)
    text_message(conn, org, "+966501234567")
    assert deliver(conn, sms(fake, unifonic=False)).sent == 1
    assert fake.requests[0]["path"].startswith("/2010-04-01/")


def test_a_refusal_is_final_a_provider_error_is_retried_and_a_non_number_is_dead(conn, fake):
    org = make_org(conn)
    refused = text_message(conn, org, "+447700900124")
    fake.refuse = (400, '{"code": 21211, "message": "The \'To\' number is not a valid phone number."}')
    assert deliver(conn, sms(fake)).dead == 1
    assert row(conn, refused)["status"] == "dead" and "21211" in row(conn, refused)["last_error"]
    later = text_message(conn, org, "+447700900125")
    fake.refuse = (503, "unavailable")
    assert deliver(conn, sms(fake)).retried == 1
    assert row(conn, later)["status"] == "queued" and row(conn, later)["attempts"] == 1
    fake.refuse = (200, '{"success": false, "message": "Invalid recipient", "errorCode": "ER-05"}')
    saudi = text_message(conn, org, "+966501234568")
    conn.execute("UPDATE app.notifications_outbox SET next_attempt_at = 'infinity' WHERE id = %s", (later,))
    assert deliver(conn, sms(fake)).dead == 1
    assert "ER-05" in row(conn, saudi)["last_error"]
    fake.refuse = None
    nonsense = text_message(conn, org, "call me maybe")
    assert deliver(conn, sms(fake)).dead == 1 and len(fake.requests) == 3
    assert "not a phone number" in row(conn, nonsense)["last_error"]


def test_twilio_settings_go_together():
    with pytest.raises(ConfigError, match="go together"):
        Sms.from_env({"TESSERA_TWILIO_ACCOUNT_SID": "AC1"})
    assert not Sms.from_env({}).offered
    assert Sms.from_env({"TESSERA_UNIFONIC_APP_SID": "x"}).offered
