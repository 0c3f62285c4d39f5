"""Outgoing webhooks against a real HTTP receiver on 127.0.0.1 that verifies every request the way a customer's
server would (standardwebhooks' Webhook(secret).verify(body, headers)): a booking made over the database leads to
exactly one signed delivery; a receiver answering 500 gets retries under one webhook-id until it answers 2xx; a
receiver that is down is retried with backoff and reached once it is up; 127.0.0.1 is refused at send time unless
the development allow-list lets it through, as is a name resolving to any non-public address, and the connection
goes to the address that was checked; the database refuses non-public URLs when an endpoint is saved; during a
secret rotation's overlap receivers on the old and on the new secret both verify the same delivery.

The receiver listens on 127.0.0.1, which the save-time rule refuses, so the tests write their endpoints as the
database's owner and let 127.0.0.1 through the send-time guard with the allow-list (Guard(allow_networks=...), what
TESSERA_WEBHOOKS_ALLOW_HOSTS=127.0.0.1 sets)."""

from __future__ import annotations

import http.server
import ipaddress
import json
import shutil
import ssl
import subprocess
import threading
import uuid

import httpx
import psycopg
import pytest
from psycopg.rows import dict_row
from standardwebhooks import Webhook

from api.outgoing.guard import Guard, Refused, is_public
from api.outgoing.sender import Settings, make_client, run_once
from tests.notify_support import confirmed_booking, free_port, make_org

LOCAL = Guard(allow_networks=("127.0.0.1/32",))


class Receiver:
    """An HTTP server on 127.0.0.1:port keeping every request (path, headers, body) and answering the statuses
    queued in `answers` (then 204). It can be started late, on a port chosen before, to play "the receiver is down"."""

    def __init__(self, port: int | None = None, tls: ssl.SSLContext | None = None) -> None:
        self.port = port or free_port()
        self.tls = tls
        self.requests: list[tuple[str, dict[str, str], bytes]] = []
        self.answers: list[int] = []
        self.lock = threading.Lock()
        self._server: http.server.ThreadingHTTPServer | None = None

    def start(self) -> Receiver:
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver.lock:
                    receiver.requests.append((self.path, dict(self.headers.items()), body))
                    status = receiver.answers.pop(0) if receiver.answers else 204
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        if self.tls is not None:
            self._server.socket = self.tls.wrap_socket(self._server.socket, server_side=True)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/tessera"


@pytest.fixture(scope="module")
def db(tessera_databases, pg_server) -> str:
    return pg_server.conninfo(tessera_databases.clone("webhooks_out"))


@pytest.fixture
def conn(db):
    with psycopg.connect(db, autocommit=True) as c:
        # Deliveries of earlier tests are out of the way: each test counts what it queued.
        c.execute("UPDATE app.webhook_deliveries SET status = 'dead', claimed_until = NULL "
                  "WHERE status IN ('queued', 'sending')")
        yield c


@pytest.fixture
def receiver():
    r = Receiver().start()
    yield r
    r.stop()


def endpoint(conn, org, url: str, events: tuple[str, ...] = ("booking.confirmed",)) -> tuple[uuid.UUID, str]:
    """An endpoint written as the owner (so past the save-time rule, which refuses 127.0.0.1): (id, secret)."""
    return conn.execute("INSERT INTO app.webhook_endpoints (org_id, url, event_types, secret) "
                        "VALUES (%s, %s, %s, private.webhook_secret()) RETURNING id, secret",
                        (org, url, list(events))).fetchone()


def queue(conn, org, ep, key: str | None = None) -> uuid.UUID:
    return conn.execute("INSERT INTO app.webhook_deliveries (org_id, endpoint_id, event_type, event_key, payload) "
                        "VALUES (%s, %s, 'booking.confirmed', %s, %s) RETURNING id",
                        (org, ep, key or f"test:{uuid.uuid4()}",
                         psycopg.types.json.Jsonb({"type": "booking.confirmed", "data": {"n": 1}}))).fetchone()[0]


def delivery(conn, delivery_id) -> dict:
    return conn.cursor(row_factory=dict_row).execute("SELECT * FROM app.webhook_deliveries WHERE id = %s",
                                                     (delivery_id,)).fetchone()


def attempts(conn, delivery_id) -> list[tuple]:
    return conn.execute("SELECT outcome, status_code FROM app.webhook_attempts WHERE delivery_id = %s "
                        "ORDER BY attempt", (delivery_id,)).fetchall()


def due_now(conn, delivery_id) -> None:
    # The backoff's wait, without waiting.
    conn.execute("UPDATE app.webhook_deliveries SET next_attempt_at = now() WHERE id = %s", (delivery_id,))


def send(conn, guard: Guard = LOCAL, **kw):
    return run_once(conn, Settings(name="test-sender", timeout_seconds=5), guard, **kw)


def test_a_booking_made_over_the_database_leads_to_exactly_one_signed_delivery(conn, receiver):
    org = make_org(conn)
    ep, secret = endpoint(conn, org, receiver.url)
    data = confirmed_booking(conn, org)  # staff book through api.create_booking: created and confirmed at once
    rows = conn.execute("SELECT id, event_type FROM app.webhook_deliveries WHERE endpoint_id = %s",
                        (ep,)).fetchall()
    assert [r[1] for r in rows] == ["booking.confirmed"]  # booking.created is not subscribed

    counts = send(conn)
    assert (counts.claimed, counts.delivered, counts.retried, counts.dead) == (1, 1, 0, 0)
    assert len(receiver.requests) == 1
    path, headers, body = receiver.requests[0]
    assert path == "/hooks/tessera"
    payload = Webhook(secret).verify(body, headers)  # raises unless signed with the endpoint's secret
    assert payload["type"] == "booking.confirmed"
    assert payload["org_id"] == str(org)
    assert payload["data"]["booking"]["id"] == data["booking"]["id"]
    assert payload["data"]["booking"]["status"] == "confirmed"
    d = delivery(conn, rows[0][0])
    assert headers["webhook-id"] == d["webhook_id"] and d["webhook_id"].startswith("msg_")
    assert headers["Content-Type"] == "application/json"
    with pytest.raises(Exception):  # noqa: B017 -- another secret does not verify
        Webhook("whsec_" + "A" * 43 + "=").verify(body, headers)
    assert d["status"] == "delivered" and d["attempts"] == 1
    assert attempts(conn, d["id"]) == [("delivered", 204)]

    assert send(conn).claimed == 0  # nothing more to send
    assert len(receiver.requests) == 1


def test_a_receiver_answering_500_gets_retries_under_one_webhook_id_until_it_answers_2xx(conn, receiver):
    org = make_org(conn)
    ep, secret = endpoint(conn, org, receiver.url)
    d = queue(conn, org, ep)
    receiver.answers = [500, 503]
    assert send(conn).retried == 1
    first = delivery(conn, d)
    assert first["status"] == "queued" and first["last_status_code"] == 500
    assert first["next_attempt_at"] > conn.execute("SELECT now() + interval '10 seconds'").fetchone()[0]
    assert send(conn).claimed == 0  # not due yet
    due_now(conn, d)
    assert send(conn).retried == 1
    due_now(conn, d)
    assert send(conn).delivered == 1
    assert attempts(conn, d) == [("retry", 500), ("retry", 503), ("delivered", 204)]
    assert len(receiver.requests) == 3
    assert len({h["webhook-id"] for _, h, _ in receiver.requests}) == 1  # the receiver deduplicates on it
    for _, headers, body in receiver.requests:
        Webhook(secret).verify(body, headers)
    assert conn.execute("SELECT consecutive_failures FROM app.webhook_endpoints WHERE id = %s",
                        (ep,)).fetchone()[0] == 0  # a success clears the count


def test_a_receiver_answering_410_gone_is_disabled_at_once_and_its_other_deliveries_wait(conn, receiver):
    org = make_org(conn)
    ep, _ = endpoint(conn, org, receiver.url)
    gone, waiting = queue(conn, org, ep), queue(conn, org, ep)
    receiver.answers = [410]
    counts = send(conn)  # one claim takes both: the second is given back, not sent, once the first says 410
    assert (counts.claimed, counts.dead, counts.left) == (2, 1, 1) and attempts(conn, gone) == [("dead", 410)]
    row = conn.execute("SELECT enabled, disabled_reason FROM app.webhook_endpoints WHERE id = %s", (ep,)).fetchone()
    assert row == (False, "the receiver answered 410 Gone: it wants no more deliveries")
    assert delivery(conn, waiting)["status"] == "queued" and attempts(conn, waiting) == []  # held, should an admin
    # enable the endpoint again
    assert send(conn).claimed == 0 and len(receiver.requests) == 1


def test_a_receiver_that_is_down_is_retried_with_backoff_and_reached_once_it_is_up(conn):
    down = Receiver()  # its port chosen, nothing listening yet
    org = make_org(conn)
    ep, secret = endpoint(conn, org, down.url)
    d = queue(conn, org, ep)
    counts = send(conn)
    assert (counts.claimed, counts.retried) == (1, 1)
    row = delivery(conn, d)
    assert row["status"] == "queued" and row["last_status_code"] is None
    assert "could not connect" in row["last_error"]
    assert row["next_attempt_at"] > conn.execute("SELECT now() + interval '10 seconds'").fetchone()[0]
    failures = conn.execute("SELECT consecutive_failures FROM app.webhook_endpoints WHERE id = %s", (ep,)).fetchone()
    assert failures[0] == 1
    down.start()
    try:
        due_now(conn, d)
        assert send(conn).delivered == 1
        assert len(down.requests) == 1
        Webhook(secret).verify(down.requests[0][2], down.requests[0][1])
    finally:
        down.stop()
    assert attempts(conn, d) == [("retry", None), ("delivered", 204)]


def test_without_the_allow_list_127_0_0_1_is_refused_at_send_time(conn, receiver):
    org = make_org(conn)
    ep, _ = endpoint(conn, org, receiver.url)
    d = queue(conn, org, ep)
    counts = send(conn, Guard.from_env({}))  # production: nothing allowed beyond public addresses
    assert (counts.claimed, counts.dead) == (1, 1)
    assert receiver.requests == []
    row = delivery(conn, d)
    assert row["status"] == "dead"
    assert "refused before sending" in row["last_error"] and "not a public address" in row["last_error"]
    # The development setting is what lets it through.
    assert Guard.from_env({"TESSERA_WEBHOOKS_ALLOW_HOSTS": "127.0.0.1"}).vet(receiver.url)[2] == ["127.0.0.1"]


def test_a_name_resolving_to_any_non_public_address_is_refused_and_the_connection_is_pinned(conn, receiver):
    org = make_org(conn)
    ep, _ = endpoint(conn, org, f"http://receiver.example.com:{receiver.port}/in")
    d = queue(conn, org, ep)
    calls: list[str] = []

    def rebinding(host: str, port: int) -> list[str]:
        calls.append(host)
        return ["93.184.215.14", "10.0.0.7"]  # one public answer does not make up for a private one

    assert send(conn, resolve=rebinding).dead == 1
    assert "10.0.0.7" in delivery(conn, d)["last_error"]
    assert receiver.requests == []

    # Allowed (the name resolves to the local receiver here): the request goes to the address that was checked,
    # resolved once, with the endpoint's own Host header.
    d2 = queue(conn, org, ep)
    calls.clear()
    assert send(conn, resolve=lambda host, port: calls.append(host) or ["127.0.0.1"]).delivered == 1
    assert calls == ["receiver.example.com"]
    assert receiver.requests[0][1]["Host"] == f"receiver.example.com:{receiver.port}"
    assert delivery(conn, d2)["status"] == "delivered"


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "169.254.169.254", "172.16.5.4", "192.168.0.1",
                                     "100.64.0.1", "0.0.0.0", "224.0.0.1", "::1", "::", "fe80::1", "fd12::1",
                                     "ff02::1", "::ffff:127.0.0.1", "::ffff:169.254.169.254", "2001:db8::1"])
def test_non_public_addresses_are_refused(address):
    assert not is_public(ipaddress.ip_address(address))
    with pytest.raises(Refused):
        Guard().vet(f"https://[{address}]/" if ":" in address else f"https://{address}/")


def test_public_addresses_pass_and_urls_with_credentials_or_localhost_do_not():
    assert is_public(ipaddress.ip_address("93.184.215.14"))
    assert is_public(ipaddress.ip_address("2606:4700::6810:85e5"))
    for url in ("https://user:pw@hooks.example.com/", "https://localhost/", "https://api.localhost/",
                "ftp://hooks.example.com/"):
        with pytest.raises(Refused):
            Guard().vet(url, resolve=lambda host, port: ["93.184.215.14"])


def test_save_time_validation_refuses_non_public_urls(conn):
    org = make_org(conn)
    admin = conn.execute("INSERT INTO auth.users (email) VALUES (%s) RETURNING id",
                         (f"admin-{uuid.uuid4().hex[:8]}@example.com",)).fetchone()[0]
    conn.execute("INSERT INTO app.memberships (org_id, user_id, role) VALUES (%s, %s, 'admin')", (org, admin))

    def create(url: str):
        with conn.transaction():
            conn.execute("SELECT set_config('request.jwt.claims', %s, true), set_config('role', 'authenticated', true)",
                         (json.dumps({"role": "authenticated", "sub": str(admin)}),))
            return conn.execute("SELECT api.create_webhook_endpoint(%s, %s, '{booking.created}')",
                                (org, url)).fetchone()[0]

    for url in ("https://127.0.0.1/hook", "https://10.0.0.5/hook", "http://169.254.169.254/latest/meta-data",
                "https://[::1]/hook", "https://localhost/hook", "https://[::ffff:10.0.0.1]/"):
        with pytest.raises(psycopg.Error) as refused:
            create(url)
        assert refused.value.sqlstate == "PT400", url
    made = create("https://hooks.example.com/tessera")
    assert made["secret"].startswith("whsec_") and made["url"] == "https://hooks.example.com/tessera"


def test_tessera_worker_once_sends_due_webhooks_beside_the_outbox(db, conn, receiver):
    from tests.helpers import ROOT, run_tessera

    org = make_org(conn)
    ep, secret = endpoint(conn, org, receiver.url)
    d = queue(conn, org, ep)
    run = run_tessera("worker", "--once", cwd=ROOT, env={"DATABASE_URL": db, "TESSERA_SMTP_PORT": str(free_port()),
                                                         "TESSERA_WEBHOOKS_ALLOW_HOSTS": "127.0.0.1"})
    assert run.code == 0, run.err
    assert json.loads(run.out)["webhooks"]["delivered"] == 1
    assert delivery(conn, d)["status"] == "delivered"
    Webhook(secret).verify(receiver.requests[0][2], receiver.requests[0][1])

    d2 = queue(conn, org, ep)
    run = run_tessera("worker", "--once", "--no-webhooks", cwd=ROOT,
                      env={"DATABASE_URL": db, "TESSERA_SMTP_PORT": str(free_port())})
    assert run.code == 0, run.err
    assert json.loads(run.out)["webhooks"]["claimed"] == 0
    assert delivery(conn, d2)["status"] == "queued"


def rotate(conn, org, ep, overlap_hours: int) -> str:
    """api.rotate_webhook_secret as the organization's owner (a fresh member): the new secret."""
    owner = conn.execute("INSERT INTO auth.users (email) VALUES (%s) RETURNING id",
                         (f"owner-{uuid.uuid4().hex[:8]}@example.com",)).fetchone()[0]
    conn.execute("INSERT INTO app.memberships (org_id, user_id, role) VALUES (%s, %s, 'owner')", (org, owner))
    with conn.transaction():
        conn.execute("SELECT set_config('request.jwt.claims', %s, true), set_config('role', 'authenticated', true)",
                     (json.dumps({"role": "authenticated", "sub": str(owner)}),))
        made = conn.execute("SELECT api.rotate_webhook_secret(%s, %s, %s)", (org, ep, overlap_hours)).fetchone()[0]
        conn.execute("RESET ROLE")
    return made["secret"]


def test_during_a_rotation_s_overlap_receivers_on_the_old_and_the_new_secret_both_verify_then_only_the_new(
        conn, receiver):
    org = make_org(conn)
    ep, old = endpoint(conn, org, receiver.url)
    new = rotate(conn, org, ep, 24)
    assert new != old and new.startswith("whsec_")

    queue(conn, org, ep)
    assert send(conn).delivered == 1
    _, headers, body = receiver.requests[-1]
    assert len(headers["webhook-signature"].split(" ")) == 2  # one signature under each secret
    assert Webhook(old).verify(body, headers) == Webhook(new).verify(body, headers)  # the same delivery, both ways

    conn.execute("UPDATE app.webhook_endpoints SET previous_secret_until = now() - interval '1 second' "
                 "WHERE id = %s", (ep,))  # the 24 hours are over
    queue(conn, org, ep)
    assert send(conn).delivered == 1
    _, headers, body = receiver.requests[-1]
    assert len(headers["webhook-signature"].split(" ")) == 1
    Webhook(new).verify(body, headers)
    with pytest.raises(Exception):  # noqa: B017 -- the old secret signs no more
        Webhook(old).verify(body, headers)

    newest = rotate(conn, org, ep, 0)  # no overlap: the new secret signs alone at once
    queue(conn, org, ep)
    assert send(conn).delivered == 1
    _, headers, body = receiver.requests[-1]
    Webhook(newest).verify(body, headers)
    with pytest.raises(Exception):  # noqa: B017
        Webhook(new).verify(body, headers)


def test_a_claim_skips_deliveries_another_sender_holds_without_waiting(db, conn, receiver):
    org = make_org(conn)
    ep, _ = endpoint(conn, org, receiver.url)
    held, free = queue(conn, org, ep), queue(conn, org, ep)
    with psycopg.connect(db) as other:  # another sender's claim, still open
        other.execute("SELECT 1 FROM app.webhook_deliveries WHERE id = %s FOR UPDATE", (held,))
        conn.execute("SET lock_timeout = '2s'")
        counts = send(conn)
        conn.execute("RESET lock_timeout")
        assert (counts.claimed, counts.delivered) == (1, 1)
        assert delivery(conn, free)["status"] == "delivered"
        assert delivery(conn, held)["status"] == "queued"
    assert send(conn).delivered == 1
    assert delivery(conn, held)["status"] == "delivered"


def test_over_http_the_owner_registers_an_endpoint_once_shown_its_secret_and_staff_may_not(api, rpc_db):
    from tests.api_support import OWNER, STAFF, token

    with psycopg.connect(rpc_db, autocommit=True) as c:
        org = str(c.execute("SELECT id FROM app.organizations WHERE slug = 'rpc-rooms'").fetchone()[0])
    owner = {"Authorization": f"Bearer {token(sub=OWNER)}"}
    staff = {"Authorization": f"Bearer {token(sub=STAFF)}"}
    made = api.rpc("create_webhook_endpoint", {"org_id": org, "url": "https://crm.example.com/hooks",
                                               "event_types": ["booking.confirmed", "refund.created"]}, headers=owner)
    assert made.status_code == 200, made.text
    assert made.json()["secret"].startswith("whsec_")
    listed = api.rpc("list_webhook_endpoints", {"org_id": org}, headers=owner)
    assert listed.status_code == 200, listed.text
    mine = [e for e in listed.json() if e["id"] == made.json()["id"]]
    assert mine and "secret" not in mine[0] and mine[0]["event_types"] == ["booking.confirmed", "refund.created"]
    bad = api.rpc("create_webhook_endpoint", {"org_id": org, "url": "http://169.254.169.254/latest/meta-data",
                                              "event_types": ["booking.created"]}, headers=owner)
    assert bad.status_code == 400 and bad.json()["code"] == "PT400", bad.text
    assert "non-public address" in bad.json()["message"]
    refused = api.rpc("list_webhook_endpoints", {"org_id": org}, headers=staff)
    assert refused.status_code == 403, refused.text
    gone = api.rpc("delete_webhook_endpoint", {"org_id": org, "endpoint_id": made.json()["id"]}, headers=owner)
    assert gone.status_code in (200, 204), gone.text


def test_over_http_rotation_refuses_overlaps_out_of_range_and_an_admin_ends_one_early(api, rpc_db):
    from tests.api_support import OWNER, STAFF, token

    with psycopg.connect(rpc_db, autocommit=True) as c:
        org = str(c.execute("SELECT id FROM app.organizations WHERE slug = 'rpc-rooms'").fetchone()[0])
    owner = {"Authorization": f"Bearer {token(sub=OWNER)}"}
    made = api.rpc("create_webhook_endpoint", {"org_id": org, "url": "https://crm.example.com/rotating",
                                               "event_types": ["booking.confirmed"]}, headers=owner)
    assert made.status_code == 200, made.text
    ep = made.json()["id"]
    for overlap in (169, -1, 2**31, 10**20, "a day", 1.5, None):
        bad = api.rpc("rotate_webhook_secret", {"org_id": org, "endpoint_id": ep, "overlap_hours": overlap},
                      headers=owner)
        assert bad.status_code == 400, (overlap, bad.status_code, bad.text)  # never a 500
    with psycopg.connect(rpc_db) as c:
        assert c.execute("SELECT secret, previous_secret FROM app.webhook_endpoints WHERE id = %s",
                         (ep,)).fetchone() == (made.json()["secret"], None)  # nothing changed
    rotated = api.rpc("rotate_webhook_secret", {"org_id": org, "endpoint_id": ep}, headers=owner)
    assert rotated.status_code == 200, rotated.text
    assert rotated.json()["previous_secret_until"] is not None and "previous_secret" not in rotated.json()
    staff = api.rpc("end_webhook_secret_overlap", {"org_id": org, "endpoint_id": ep},
                    headers={"Authorization": f"Bearer {token(sub=STAFF)}"})
    assert staff.status_code == 403, staff.text
    ended = api.rpc("end_webhook_secret_overlap", {"org_id": org, "endpoint_id": ep}, headers=owner)
    assert ended.status_code == 200, ended.text
    assert ended.json()["previous_secret_until"] is None and "secret" not in ended.json()
    api.rpc("delete_webhook_endpoint", {"org_id": org, "endpoint_id": ep}, headers=owner)


def test_a_name_that_does_not_resolve_is_retried_not_dead(conn):
    org = make_org(conn)
    ep, _ = endpoint(conn, org, "https://gone.example.com/hook")
    d = queue(conn, org, ep)

    def nxdomain(host: str, port: int) -> list[str]:
        raise OSError("Name or service not known")

    assert send(conn, resolve=nxdomain).retried == 1
    assert "does not resolve" in delivery(conn, d)["last_error"]


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl to make a certificate")
def test_over_https_the_pinned_connection_checks_the_certificate_against_the_endpoint_name(conn, tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "1", "-subj", "/CN=receiver.example.com",
                    "-addext", "subjectAltName=DNS:receiver.example.com"], check=True, capture_output=True)
    server_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_tls.load_cert_chain(cert, key)
    tls = Receiver(tls=server_tls).start()
    try:
        org = make_org(conn)
        ep, secret = endpoint(conn, org, f"https://receiver.example.com:{tls.port}/in")
        d = queue(conn, org, ep)
        trusted = ssl.create_default_context(cafile=str(cert))
        settings = Settings(name="test-sender", timeout_seconds=5)
        with make_client(settings) as default, httpx.Client(verify=trusted, follow_redirects=False,
                                                            trust_env=False) as client:
            counts = run_once(conn, settings, LOCAL, client=client, resolve=lambda host, port: ["127.0.0.1"])
            assert counts.delivered == 1, delivery(conn, d)["last_error"]
            _, headers, body = tls.requests[0]
            assert headers["Host"] == f"receiver.example.com:{tls.port}"
            Webhook(secret).verify(body, headers)
            # A certificate the sender does not trust is a failure, retried.
            d2 = queue(conn, org, ep)
            assert run_once(conn, settings, LOCAL, client=default, resolve=lambda h, p: ["127.0.0.1"]).retried == 1
            assert "CERTIFICATE_VERIFY_FAILED" in delivery(conn, d2)["last_error"]
    finally:
        tls.stop()


def test_the_20th_failure_disables_the_endpoint_and_its_admins_message_renders_with_the_default_templates(conn):
    from api.notify.worker import Settings as WorkerSettings
    from api.notify.worker import run_once as deliver_messages

    down = Receiver()  # nothing listening
    org = make_org(conn)
    conn.execute("DELETE FROM app.notification_templates WHERE org_id = %s", (org,))  # Tessera's defaults
    admin = conn.execute("INSERT INTO auth.users (email) VALUES (%s) RETURNING id",
                         (f"admin-{uuid.uuid4().hex[:8]}@example.com",)).fetchone()[0]
    conn.execute("INSERT INTO app.memberships (org_id, user_id, role) VALUES (%s, %s, 'admin')", (org, admin))
    ep, _ = endpoint(conn, org, down.url)
    conn.execute("UPDATE app.webhook_endpoints SET consecutive_failures = 19, failing_since = now() WHERE id = %s",
                 (ep,))
    queue(conn, org, ep)
    assert send(conn).retried == 1
    row = conn.execute("SELECT enabled, disabled_reason FROM app.webhook_endpoints WHERE id = %s", (ep,)).fetchone()
    assert row[0] is False and row[1].startswith("failed 20 times in a row")
    counts = deliver_messages(conn, {}, WorkerSettings(name="test-inbox"))  # in-app only: no mail sender given
    assert counts.dead == 0, conn.execute("SELECT last_error FROM app.notifications_outbox WHERE user_id = %s",
                                          (admin,)).fetchall()
    title, body = conn.execute("SELECT rendered_subject, rendered_body FROM app.notifications_outbox WHERE user_id = %s"
                               " AND channel = 'in_app' AND kind = 'webhook_endpoint_disabled'", (admin,)).fetchone()
    assert title == "Webhook endpoint disabled" and down.url in body and "20" in body


def test_two_senders_side_by_side_deliver_every_delivery_exactly_once(db, conn, receiver):
    from collections import Counter

    org = make_org(conn)
    ep, _ = endpoint(conn, org, receiver.url)
    conn.execute("INSERT INTO app.webhook_deliveries (org_id, endpoint_id, event_type, event_key, payload) "
                 "SELECT %s, %s, 'booking.confirmed', 'race:' || i, jsonb_build_object('n', i) "
                 "FROM generate_series(1, 200) i", (org, ep))
    totals: list[int] = []

    def sender(name: str) -> None:
        with psycopg.connect(db, autocommit=True) as c:
            delivered = 0
            while True:
                counts = run_once(c, Settings(name=name, batch=7, timeout_seconds=5), LOCAL)
                delivered += counts.delivered
                if counts.claimed == 0:
                    break
            totals.append(delivered)

    threads = [threading.Thread(target=sender, args=(f"racer-{i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    ids = Counter(h["webhook-id"] for _, h, _ in receiver.requests)
    assert len(ids) == 200 and set(ids.values()) == {1}, "each delivery reached the receiver exactly once"
    assert sum(totals) == 200
    assert conn.execute("SELECT count(*) FROM app.webhook_deliveries WHERE endpoint_id = %s AND status = 'delivered'",
                        (ep,)).fetchone()[0] == 200
