"""A real SMTP server for the delivery tests (aiosmtpd on 127.0.0.1), and an organization to send from.

The server keeps every message it accepted, parsed, so a test reads what a customer would receive and counts by
Message-ID. It can be stopped and started again on the same port, to play "the mail server is down".
"""

from __future__ import annotations

import email
import json
import threading
import uuid
from email.message import EmailMessage
from email.policy import default

import psycopg
from aiosmtpd.controller import Controller
from tessera.localdb import free_port

DOMAIN = "rooms.example"
MAIL_FROM = f"Test Rooms <bookings@{DOMAIN}>"


class _Handler:
    def __init__(self, inbox: Inbox) -> None:
        self.inbox = inbox

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=default)
        with self.inbox.lock:
            self.inbox.messages.append(message)
        return "250 OK"


class Inbox:
    """An SMTP server on 127.0.0.1:port and what it received."""

    def __init__(self) -> None:
        self.port = free_port()
        self.messages: list[EmailMessage] = []
        self.lock = threading.Lock()
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def ids(self) -> list[str]:
        with self.lock:
            return [str(m["Message-ID"]) for m in self.messages]

    def environment(self) -> dict[str, str]:
        return {"TESSERA_SMTP_HOST": "127.0.0.1", "TESSERA_SMTP_PORT": str(self.port), "TESSERA_MAIL_FROM": MAIL_FROM}


def message_id(outbox_id: object) -> str:
    return f"<{outbox_id}@{DOMAIN}>"


TEMPLATES = [
    ("booking_confirmed", "email", "en", "Booked: {{ experience.name }} at {{ booking.starts_at | time }}",
     "<p>See you {{ booking.starts_at | datetime('short') }}</p>"
     "{% for t in tickets %}<img src=\"cid:{{ t.cid }}\" alt=\"ticket {{ t.seat_no }}\">{% endfor %}",
     "See you {{ booking.starts_at | datetime('short') }} at {{ venue.name }}."),
    ("payment_received", "email", "en", "Payment {{ n }} to {{ org.name }}", "<p>Paid {{ n }}</p>",
     "Paid {{ n }}"),
    ("payment_received", "in_app", "en", "Paid {{ n }}", None, "Your payment {{ n }} arrived."),
    ("refund_issued", "email", "en", "Refund {{ nope }}", "<p>{{ nope }}</p>", "{{ nope }}"),
    ("payment_received", "sms", "en", None, None, "{{ org.name }}: payment {{ n }} received."),
]


def make_org(conn: psycopg.Connection) -> uuid.UUID:
    """An organization with the test's templates (the default templates are another area's) and its currency."""
    org = conn.execute("INSERT INTO app.organizations (name, slug) VALUES ('Test Rooms', %s) RETURNING id",
                       (f"test-rooms-{uuid.uuid4().hex[:8]}",)).fetchone()[0]
    conn.execute("UPDATE app.org_settings SET currency = 'GBP' WHERE org_id = %s", (org,))
    with conn.cursor() as cur:
        cur.executemany("INSERT INTO app.notification_templates (org_id, kind, channel, locale, subject, html, body)"
                        " VALUES (%s, %s, %s, %s, %s, %s, %s)", [(org, *t) for t in TEMPLATES])
    return org


def enqueue(conn: psycopg.Connection, org: uuid.UUID, kind: str, data: dict, channel: str = "email",
            user_id: object = None) -> uuid.UUID:
    return conn.execute(
        "SELECT private.enqueue_notification(%s, %s, 'ada@example.com', %s, %s, p_channel => %s, p_user_id => %s)",
        (org, kind, psycopg.types.json.Jsonb(data), f"test:{uuid.uuid4()}", channel, user_id)).fetchone()[0]


def staff_booking(conn: psycopg.Connection, org: uuid.UUID, places: int = 2, paid: bool = False) -> tuple:
    """A ticketed event at a New York venue, ten days ahead, booked by staff for bob@example.com: confirmed at once
    when it needs no payment (its tickets issued), else pending with its places held. Answers the booking's id,
    code, start, end, party size and status, the event's id and the venue's."""
    staff = conn.execute("INSERT INTO auth.users (email) VALUES (%s) RETURNING id",
                         (f"staff-{uuid.uuid4().hex[:8]}@example.com",)).fetchone()[0]
    conn.execute("INSERT INTO app.memberships (org_id, user_id, role) VALUES (%s, %s, 'staff')", (org, staff))
    venue = conn.execute("INSERT INTO app.venues (org_id, name, timezone) VALUES (%s, 'Brooklyn', "
                         "'America/New_York') RETURNING id", (org,)).fetchone()[0]
    event = conn.execute(
        "INSERT INTO app.experiences (org_id, venue_id, kind, name, duration_minutes, min_party, max_party, capacity,"
        " currency, requires_payment) VALUES (%s, %s, 'ticketed_event', 'Quiz night', 120, 1, 10, 20, 'GBP', %s)"
        " RETURNING id", (org, venue, paid)).fetchone()[0]
    ticket_type = conn.execute("INSERT INTO app.ticket_types (org_id, experience_id, name, price_minor) "
                               "VALUES (%s, %s, 'Standard', 1000) RETURNING id", (org, event)).fetchone()[0]
    conn.execute("INSERT INTO app.schedules (org_id, experience_id, weekday, start_time, valid_from) "
                 "SELECT %s, %s, d, '19:00', current_date FROM generate_series(1, 7) d", (org, event))
    with conn.transaction():
        conn.execute("SELECT set_config('request.jwt.claims', %s, true), set_config('role', 'authenticated', true)",
                     (json.dumps({"role": "authenticated", "sub": str(staff)}),))
        row = conn.execute(
            "SELECT b.id, b.confirmation_code, b.starts_at, b.ends_at, b.party_size, b.status::text"
            "  FROM api.create_booking(%s, private.local_to_instant((current_date + 10) + time '19:00',"
            " 'America/New_York'), 'bob@example.com', tickets => %s) b",
            (event, psycopg.types.json.Jsonb([{"ticket_type_id": str(ticket_type), "quantity": places}]))).fetchone()
        conn.execute("RESET ROLE")
    return (*row, event, venue)


def confirmed_booking(conn: psycopg.Connection, org: uuid.UUID, places: int = 2) -> dict:
    """A staff_booking that needs no payment: the booking's row as the messages area puts it in a message's data."""
    booking_id, code, starts_at, ends_at, party_size, status, event, venue = staff_booking(conn, org, places)
    # The booking queued its own confirmation (db/functions/notify_events.sql): set aside, since the tests queue
    # the message they count.
    conn.execute("UPDATE app.notifications_outbox SET status = 'skipped', last_error = 'set aside by the test'"
                 " WHERE data -> 'booking' ->> 'id' = %s AND status = 'queued'", (str(booking_id),))
    return {"timezone": "America/New_York",
            "booking": {"id": str(booking_id), "code": code, "starts_at": starts_at.isoformat(),
                        "ends_at": ends_at.isoformat(), "party_size": party_size, "status": status},
            "experience": {"id": str(event), "name": "Quiz night"},
            "venue": {"id": str(venue), "name": "Brooklyn", "timezone": "America/New_York"},
            "customer": {"name": "Bob"}, "org": {"name": "Test Rooms"}}


class FakeSms:
    """Twilio's and Unifonic's send endpoints on 127.0.0.1, answering as they do and keeping what they were sent.
    `refuse` makes the next answers an error: (status, body)."""

    def __init__(self) -> None:
        import http.server
        import urllib.parse

        fake = self
        self.requests: list[dict] = []
        self.refuse: tuple[int, str] | None = None

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                fake.requests.append({"path": self.path, "form": form,
                                      "authorization": self.headers.get("Authorization")})
                if fake.refuse is not None:
                    status, body = fake.refuse
                elif self.path.startswith("/2010-04-01/Accounts/"):
                    status, body = 201, json.dumps({"sid": f"SM{uuid.uuid4().hex}", "status": "queued"})
                else:
                    status, body = 200, json.dumps({"success": True, "message": "", "errorCode": "ER-00",
                                                    "data": {"MessageID": len(fake.requests), "Status": "Sent"}})
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
