"""Tickets over HTTP: a customer fetches their tickets with code and e-mail (anon), the service draws each ticket's
QR code as PNG and SVG from the payload the database signed, and staff scan it at the door. Unknown, revoked and
malformed ids, and wrong code/e-mail pairs, are PostgREST-shaped 404s."""

from __future__ import annotations

import io
import uuid

import httpx
import psycopg
import pytest
import segno

from api.tickets import render
from tests.api_support import STAFF, token

EMAIL = "Guest.Tickets@Example.com"


@pytest.fixture(scope="module")
def booked(rpc_db, api) -> dict:
    """A venue of its own (STAFF its staff) with a ticketed event that needs no payment, and a confirmed booking of
    three tickets starting in 30 minutes (so its tickets scan now)."""
    slug = f"tickets-{uuid.uuid4().hex[:12]}"
    with psycopg.connect(rpc_db, autocommit=True) as conn:
        row = conn.execute("""
            WITH org AS (INSERT INTO app.organizations (name, slug) VALUES ('Ticket Rooms', %s) RETURNING id),
                 m AS (INSERT INTO app.memberships (org_id, user_id, role) SELECT id, %s, 'staff' FROM org),
                 v AS (INSERT INTO app.venues (org_id, name, timezone) SELECT id, 'Soho', 'Europe/London' FROM org
                       RETURNING org_id, id),
                 e AS (INSERT INTO app.experiences (org_id, venue_id, kind, name, duration_minutes, max_party,
                                                    capacity, currency, requires_payment)
                       SELECT org_id, id, 'ticketed_event', 'Quiz night', 120, 10, 20, 'GBP', false FROM v
                       RETURNING org_id, id),
                 s AS (INSERT INTO app.slots (org_id, experience_id, starts_at, ends_at, capacity)
                       SELECT org_id, id, date_trunc('minute', now()) + interval '30 minutes',
                              date_trunc('minute', now()) + interval '150 minutes', 20 FROM e
                       RETURNING org_id, id, experience_id, starts_at, ends_at),
                 c AS (INSERT INTO app.customers (org_id, email) SELECT org_id, %s FROM org, v LIMIT 1
                       RETURNING org_id, id),
                 b AS (INSERT INTO app.bookings (org_id, experience_id, slot_id, customer_id, status, party_size,
                                                 places, starts_at, ends_at, price_minor, currency, confirmation_code)
                       SELECT s.org_id, s.experience_id, s.id, c.id, 'confirmed', 3, 3, s.starts_at, s.ends_at, 0,
                              'GBP', private.new_confirmation_code() FROM s, c
                       RETURNING id, confirmation_code)
            SELECT (SELECT id FROM b)::text, (SELECT confirmation_code FROM b), (SELECT id FROM v)::text""",
                           (slug, STAFF, EMAIL)).fetchone()
    return {"booking": row[0], "code": row[1], "venue": row[2]}


def lookup(api, code: str, email: str) -> httpx.Response:
    return api.rpc("get_tickets", {"confirmation_code": code, "email": email},
                   headers={"Authorization": f"Bearer {token(role='anon')}"})


def test_a_customer_fetches_tickets_and_their_qr_codes(api, booked):
    found = lookup(api, booked["code"].lower(), EMAIL.upper())
    assert found.status_code == 200, found.text
    [booking] = found.json()
    assert (booking["confirmation_code"], booking["party_size"], len(booking["tickets"])) == (booked["code"], 3, 3)
    for ticket in booking["tickets"]:
        png = httpx.get(f"{api.url}/tickets/{ticket['id']}.png", timeout=30)
        assert png.status_code == 200 and png.headers["content-type"] == "image/png"
        assert png.content.startswith(b"\x89PNG\r\n\x1a\n") and png.headers["cache-control"] == "no-store"
        svg = httpx.get(f"{api.url}/tickets/{ticket['id']}.svg", timeout=30)
        assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
        assert svg.text.startswith("<svg") and "<path" in svg.text
        # The image is exactly the QR code of the payload get_tickets answered: the payload round-trips.
        assert svg.content == render(ticket["payload"], "svg") and png.content == render(ticket["payload"], "png")
        # A parameter the route does not read is refused, never silently ignored.
        sized = httpx.get(f"{api.url}/tickets/{ticket['id']}.png?size=99999", timeout=30)
        assert sized.status_code == 400 and sized.json()["details"] == "unexpected_parameter"


def test_the_qr_code_holds_a_payload_small_enough_for_a_phone_screen(api, booked):
    [booking] = lookup(api, booked["code"], EMAIL).json()
    payload = booking["tickets"][0]["payload"]
    qr = segno.make(payload, error="m", micro=False)
    assert len(payload) == 79 and qr.version <= 6
    out = io.StringIO()
    qr.save(out, kind="txt", border=0)
    assert out.getvalue().count("\n") == qr.symbol_size(border=0)[1]


@pytest.mark.parametrize("path", ["{uuid}.png", "{uuid}.svg", "not-a-uuid.png"])
def test_an_unknown_ticket_is_a_postgrest_404(api, path):
    answer = httpx.get(f"{api.url}/tickets/{path.format(uuid=uuid.uuid4())}", timeout=30)
    assert answer.status_code == 404
    assert answer.json() == {"code": "PT404", "message": "ticket not found", "details": None, "hint": None}


def test_another_kind_of_image_is_no_such_path(api):
    answer = httpx.get(f"{api.url}/tickets/{uuid.uuid4()}.gif", timeout=30)
    assert answer.status_code == 404 and answer.json()["code"] == "PGRST125"


def test_a_wrong_pair_answers_exactly_as_an_unknown_code(api, booked):
    wrong_email = lookup(api, booked["code"], "someone.else@example.com")
    unknown_code = lookup(api, "ZZZZZZZ" + ("2" if booked["code"][-1] != "2" else "3"), EMAIL)
    assert wrong_email.status_code == unknown_code.status_code == 404
    assert wrong_email.json() == unknown_code.json() == {
        "code": "PT404", "message": "booking not found: check the confirmation code and e-mail",
        "details": None, "hint": None}


def test_staff_scan_a_ticket_once_and_a_revoked_ticket_stops_rendering(api, rpc_db, booked):
    [booking] = lookup(api, booked["code"], EMAIL).json()
    ticket = booking["tickets"][0]
    staff = {"Authorization": f"Bearer {token(sub=STAFF)}"}
    scan = {"payload": ticket["payload"], "scanner_nonce": "door-1", "venue_id": booked["venue"]}
    first = api.rpc("check_in", scan, headers=staff)
    assert first.status_code == 200 and first.json()["outcome"] == "checked_in", first.text
    assert api.rpc("check_in", scan, headers=staff).json() == first.json()
    again = api.rpc("check_in", scan | {"scanner_nonce": "door-2"}, headers=staff)
    assert again.status_code == 409 and again.json()["details"] == "already_checked_in"
    assert again.json()["message"].startswith("already checked in at ")
    tampered = ticket["payload"][:-1] + ("Q" if ticket["payload"][-1] == "A" else "A")  # a bit of the MAC flipped
    forged = api.rpc("check_in", scan | {"payload": tampered}, headers=staff)
    assert forged.status_code == 400 and forged.json()["details"] == "forged"

    with psycopg.connect(rpc_db, autocommit=True) as conn:
        conn.execute("UPDATE app.bookings SET status = 'cancelled' WHERE id = %s", (booked["booking"],))
    gone = httpx.get(f"{api.url}/tickets/{ticket['id']}.svg", timeout=30)
    assert gone.status_code == 404 and gone.json()["code"] == "PT404"
    revoked = api.rpc("check_in", scan | {"scanner_nonce": "door-3",
                                          "payload": booking["tickets"][1]["payload"]}, headers=staff)
    assert revoked.status_code == 409 and revoked.json()["details"] == "revoked"
