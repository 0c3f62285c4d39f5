"""One-click unsubscribe end to end: a manager queues a marketing campaign over HTTP, the worker sends it through a
real SMTP server (aiosmtpd) with RFC 8058's List-Unsubscribe (the https link, signed at send time and stored
nowhere) and List-Unsubscribe-Post headers; POSTing List-Unsubscribe=One-Click to that link on the running service,
without credentials, opts the customer out (200, no redirect, idempotent), so the next campaign reaches only the
other customer; a GET only shows a button, and a forged or altered link is 400 in PostgREST's shape."""

from __future__ import annotations

import base64
import re
import urllib.parse
import uuid

import httpx
import psycopg
import pytest

from api.config import Mail
from api.notify.smtp import SmtpSender
from api.notify.unsubscribe import Links, Subject, derive_key, sign, verify
from api.notify.worker import Settings, run_once
from tests.api_support import SECRET, login_conninfo, serve, token
from tests.notify_support import DOMAIN, MAIL_FROM, Inbox, make_org

PUBLIC = "https://book.rooms.example"
TEMPLATE = ("{{ campaign.subject }}",
            "<p>{{ campaign.body }}</p><p><a href=\"{{ unsubscribe_url }}\">Unsubscribe</a></p>",
            "{{ campaign.body }}\n\nUnsubscribe: {{ unsubscribe_url }}")


@pytest.fixture(scope="module")
def db(tessera_databases, pg_server) -> str:
    return pg_server.conninfo(tessera_databases.clone("notify_unsubscribe"))


@pytest.fixture(scope="module")
def service(db, tmp_path_factory):
    with serve(login_conninfo(db), tmp_path_factory.mktemp("unsubscribe"), public_url=PUBLIC) as running:
        yield running


@pytest.fixture
def conn(db):
    with psycopg.connect(db, autocommit=True) as c:
        yield c


@pytest.fixture
def inbox():
    box = Inbox()
    box.start()
    yield box
    box.stop()


@pytest.fixture
def shop(conn) -> dict:
    org = make_org(conn)
    conn.execute("INSERT INTO app.notification_templates (org_id, kind, channel, locale, subject, html, body) "
                 "VALUES (%s, 'marketing', 'email', 'en', %s, %s, %s)", (org, *TEMPLATE))
    manager = conn.execute("INSERT INTO auth.users (email) VALUES (%s) RETURNING id",
                           (f"manager-{uuid.uuid4().hex[:8]}@rooms.example",)).fetchone()[0]
    conn.execute("INSERT INTO app.memberships (org_id, user_id, role) VALUES (%s, %s, 'manager')", (org, manager))
    customers = {}
    for name, consent in (("ada", True), ("bob", True), ("cy", False)):
        email = f"{name}-{uuid.uuid4().hex[:8]}@example.com"
        customers[name] = (conn.execute(
            "INSERT INTO app.customers (org_id, email, name, marketing_consent, marketing_consent_at,"
            " marketing_consent_source) VALUES (%s, %s, %s, %s, CASE WHEN %s THEN now() - interval '1 day' END,"
            " CASE WHEN %s THEN 'widget' END) RETURNING id", (org, email, name.title(), consent, consent, consent)
        ).fetchone()[0], email)
    return {"org": org, "manager": manager, "customers": customers}


def deliver(conn, box: Inbox) -> None:
    links = Links.from_env({"TESSERA_JWT_SECRET": SECRET, "TESSERA_PUBLIC_URL": PUBLIC})
    sender = SmtpSender(Mail(smtp_host="127.0.0.1", smtp_port=box.port, mail_from=MAIL_FROM, smtp_timeout=5))
    try:
        run_once(conn, {"email": sender}, Settings(name=f"unsubscribe-{uuid.uuid4().hex[:6]}", domain=DOMAIN,
                                                   links=links))
    finally:
        sender.close()


def campaign(service, shop, subject: str) -> dict:
    answer = service.rpc("queue_marketing_message", {"org_id": str(shop["org"]), "subject": subject,
                                                     "body": "Two new rooms open on Friday."},
                         headers={"Authorization": f"Bearer {token(sub=str(shop['manager']))}"})
    assert answer.status_code == 200, answer.text
    return answer.json()


def local(service, link: str) -> str:
    """The link as the running service answers it (the public https origin is the proxy's, not this test's)."""
    parts = urllib.parse.urlsplit(link)
    return f"{service.url}{parts.path}?{parts.query}"


def refused(conn, shop, name: str) -> str | None:
    return conn.execute("SELECT private.marketing_refused(%s, %s, NULL, 'email')",
                        (shop["org"], shop["customers"][name][0])).fetchone()[0]


ONE_CLICK = {"content": b"List-Unsubscribe=One-Click", "headers": {"Content-Type": "application/x-www-form-urlencoded"}}


def test_a_campaign_carries_a_signed_one_click_link_that_unsubscribes_on_post_only(service, conn, shop, inbox):
    first = campaign(service, shop, "Spring rooms")
    assert (first["recipients"], first["queued"]) == (2, 2), "only the customers who opted in"
    deliver(conn, inbox)
    by_to = {str(m["To"]): m for m in inbox.messages}
    ada_email, bob_email = shop["customers"]["ada"][1], shop["customers"]["bob"][1]
    assert set(by_to) == {ada_email, bob_email}
    mail = by_to[ada_email]
    assert str(mail["Subject"]) == "Spring rooms"
    header = str(mail["List-Unsubscribe"])
    assert re.fullmatch(r"<https://book\.rooms\.example/unsubscribe\?t=[A-Za-z0-9_-]{88}>", header), header
    assert str(mail["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
    link = header[1:-1]
    assert link in mail.get_body(("plain",)).get_content(), "the template shows the same link"
    tok = link.rsplit("t=", 1)[1]
    assert verify(derive_key(SECRET), tok) == Subject(shop["org"], shop["customers"]["ada"][0], "email")
    assert str(by_to[bob_email]["List-Unsubscribe"]) != header, "each customer has a link of their own"
    stored = conn.execute("SELECT count(*) FROM app.notifications_outbox WHERE data::text LIKE %s",
                          (f"%{tok}%",)).fetchone()[0]
    logged = conn.execute("SELECT count(*) FROM audit.log WHERE row_to_json(log)::text LIKE %s",
                          (f"%{tok}%",)).fetchone()[0]
    assert (stored, logged) == (0, 0), "the token is made at send time and stored nowhere"

    # A mail scanner's GET shows a page and unsubscribes nobody.
    page = httpx.get(local(service, link), follow_redirects=False, timeout=30)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert 'method="post"' in page.text and 'name="List-Unsubscribe" value="One-Click"' in page.text
    assert page.headers["cache-control"] == "no-store"
    assert refused(conn, shop, "ada") is None

    # The mail client's one-click POST: no credentials, no cookies; 200, never a redirect.
    posted = httpx.post(local(service, link), follow_redirects=False, timeout=30, **ONE_CLICK)
    assert posted.status_code == 200, posted.text
    assert posted.json()["unsubscribed"] is True and posted.json()["changed"] is True
    assert refused(conn, shop, "ada") == "opted_out"
    again = httpx.post(local(service, link), follow_redirects=False, timeout=30, **ONE_CLICK)
    assert again.status_code == 200 and again.json()["changed"] is False, "idempotent"
    browser = httpx.post(local(service, link), content=b"List-Unsubscribe=One-Click", timeout=30,
                         headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html"})
    assert browser.status_code == 200 and "Unsubscribed" in browser.text, "the page's button lands on a page"
    assert conn.execute("SELECT source FROM app.message_preferences WHERE customer_id = %s",
                        (shop["customers"]["ada"][0],)).fetchone()[0] == "unsubscribe_link"

    # The next campaign reaches only Bob.
    inbox.messages.clear()
    second = campaign(service, shop, "Summer rooms")
    assert (second["recipients"], second["queued"]) == (1, 1)
    deliver(conn, inbox)
    assert [str(m["To"]) for m in inbox.messages] == [bob_email]


def test_a_forged_or_altered_link_is_400_and_changes_nothing(service, conn, shop):
    subject = Subject(shop["org"], shop["customers"]["bob"][0], "email")
    forged = sign(derive_key("another-secret-that-is-long-enough-for-this"), subject)
    genuine = sign(derive_key(SECRET), subject)
    altered = genuine[:-2] + ("AA" if genuine[-2:] != "AA" else "BB")
    for bad in (forged, altered, "nonsense", genuine + "x", ""):
        for method in ("GET", "POST"):
            answer = httpx.request(method, f"{service.url}/unsubscribe?t={bad}", follow_redirects=False, timeout=30,
                                   **(ONE_CLICK if method == "POST" else {}))
            assert answer.status_code == 400, (bad, method, answer.text)
            body = answer.json()
            assert set(body) == {"code", "message", "details", "hint"} and body["code"] == "PT400"
            assert body["details"] == "invalid_token"
    no_body = httpx.post(f"{service.url}/unsubscribe?t={genuine}", timeout=30)
    assert no_body.status_code == 400 and no_body.json()["details"] == "one_click_required"
    assert refused(conn, shop, "bob") is None, "bob still gets marketing"


def test_the_links_key_is_derived_or_dedicated_and_a_token_opens_only_what_it_was_signed_for():
    from api.config import ConfigError

    derived = Links.from_env({"TESSERA_JWT_SECRET": SECRET})
    assert derived.key.reveal() == derive_key(SECRET).hex() != SECRET.encode().hex(), "never the JWT key itself"
    own = Links.from_env({"TESSERA_JWT_SECRET": SECRET, "TESSERA_UNSUBSCRIBE_SECRET": "u" * 40,
                          "TESSERA_PUBLIC_URL": "https://book.example/"})
    assert own.key != derived.key and own.public_url == "https://book.example"
    assert "u" * 40 not in repr(own), "the key never shows"
    for env in ({"TESSERA_JWT_SECRET": SECRET, "TESSERA_UNSUBSCRIBE_SECRET": "short"}, {},
                {"TESSERA_JWT_SECRET": SECRET, "TESSERA_PUBLIC_URL": "ftp://x"}):
        with pytest.raises(ConfigError):
            Links.from_env(env)
    subject = Subject(uuid.uuid4(), uuid.uuid4(), "sms")
    tok = derived.token(subject)
    assert len(tok) == 88 and derived.verify(tok) == subject
    assert own.verify(tok).reason == "bad_signature", "another key's token is refused"
    raw = bytearray(base64.urlsafe_b64decode(tok + "=="))
    raw[33] = 1  # the channel byte: sms -> email
    swapped = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    assert derived.verify(swapped).reason == "bad_signature", "the channel is signed too"
    assert derived.url(subject) == f"http://127.0.0.1:8000/unsubscribe?t={tok}"
