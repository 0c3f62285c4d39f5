"""Waivers over HTTP: a participant signs a booking's waiver through the proxy as anon, with the booking's code and
e-mail; the signature records the SHA-256 of the exact text shown (computed here from the UTF-8 text, as a browser
would), the client's address as the proxy saw it (never what the client claims) and its user agent. Refusals are
PostgREST-shaped."""

from __future__ import annotations

import hashlib
import uuid

import httpx
import psycopg
import pytest

from tests.api_support import OWNER, STAFF, token

EMAIL = "Family.Waiver@Example.com"
BODY = "Je participe à mes propres risques — casques obligatoires ✓\n"
ANON = {"Authorization": f"Bearer {token(role='anon')}"}


@pytest.fixture(scope="module")
def booked(rpc_db, api) -> dict:
    """An organization of its own (OWNER its owner, STAFF its staff) with a private session and a confirmed booking
    of three people in two days; its waiver made and required over HTTP by the owner."""
    slug = f"waivers-{uuid.uuid4().hex[:12]}"
    with psycopg.connect(rpc_db, autocommit=True) as conn:
        row = conn.execute("""
            WITH org AS (INSERT INTO app.organizations (name, slug) VALUES ('Waiver Rooms', %s) RETURNING id),
                 m AS (INSERT INTO app.memberships (org_id, user_id, role)
                       SELECT id, %s::uuid, 'owner'::app.member_role FROM org
                       UNION ALL SELECT id, %s::uuid, 'staff' FROM org),
                 v AS (INSERT INTO app.venues (org_id, name, timezone) SELECT id, 'Riyadh', 'Asia/Riyadh' FROM org
                       RETURNING org_id, id),
                 e AS (INSERT INTO app.experiences (org_id, venue_id, kind, name, duration_minutes, max_party,
                                                    currency)
                       SELECT org_id, id, 'private_session', 'Desert', 60, 6, 'SAR' FROM v RETURNING org_id, id),
                 s AS (INSERT INTO app.slots (org_id, experience_id, starts_at, ends_at, capacity)
                       SELECT org_id, id, date_trunc('hour', now()) + interval '2 days',
                              date_trunc('hour', now()) + interval '2 days 1 hour', 1 FROM e
                       RETURNING org_id, id, experience_id, starts_at, ends_at),
                 c AS (INSERT INTO app.customers (org_id, email) SELECT id, %s FROM org RETURNING org_id, id),
                 b AS (INSERT INTO app.bookings (org_id, experience_id, slot_id, customer_id, status, party_size,
                                                 places, starts_at, ends_at, price_minor, currency, confirmation_code)
                       SELECT s.org_id, s.experience_id, s.id, c.id, 'confirmed', 3, 1, s.starts_at, s.ends_at, 0,
                              'SAR', private.new_confirmation_code() FROM s, c
                       RETURNING id, confirmation_code)
            SELECT (SELECT id FROM org)::text, (SELECT id FROM e)::text, (SELECT id FROM b)::text,
                   (SELECT confirmation_code FROM b)""", (slug, OWNER, STAFF, EMAIL)).fetchone()
    owner = {"Authorization": f"Bearer {token(sub=OWNER)}"}
    made = api.rpc("create_waiver_template", {"org_id": row[0], "name": "Desert waiver", "title": "Release",
                                              "body": BODY}, headers=owner)
    assert made.status_code == 200, made.text
    required = api.rpc("update_experience", {"experience_id": row[1], "changes": {
        "waiver_template_id": made.json()["id"], "waiver_at_check_in": True}}, headers=owner)
    assert required.status_code == 200, required.text
    return {"org": row[0], "template": made.json()["id"], "booking": row[2], "code": row[3], "owner": owner}


def signing(booked: dict, **changes) -> dict:
    return {"confirmation_code": booked["code"].lower(), "email": EMAIL.upper(), "full_name": "Layla Hassan",
            "date_of_birth": "1991-03-04", "signature": "Layla Hassan",
            "text_sha256": hashlib.sha256(BODY.encode()).hexdigest()} | changes


def test_a_participant_signs_as_anon_and_the_signature_records_text_address_and_agent(api, rpc_db, booked):
    shown = api.rpc("get_waiver", {"confirmation_code": booked["code"], "email": EMAIL}, headers=ANON)
    assert shown.status_code == 200, shown.text
    waiver = shown.json()["waiver"]
    assert waiver["body"] == BODY and waiver["body_sha256"] == hashlib.sha256(BODY.encode()).hexdigest()
    # The client claims another address: the proxy does not trust it (TRUST_FORWARDED is off) and records its peer.
    signed = api.rpc("sign_waiver", signing(booked),
                     headers=ANON | {"User-Agent": "WaiverKiosk/3.1", "X-Forwarded-For": "203.0.113.99"})
    assert signed.status_code == 200, signed.text
    answer = signed.json()
    assert (answer["signed_via"], answer["minor"], answer["signed"], answer["missing"]) == ("online", False, 1, 2)
    with psycopg.connect(rpc_db) as conn:
        row = conn.execute("SELECT host(client_ip), user_agent, text_sha256, participant_name, date_of_birth::text"
                           "  FROM app.waiver_signatures WHERE id = %s", (answer["signature_id"],)).fetchone()
    assert row == ("127.0.0.1", "WaiverKiosk/3.1", hashlib.sha256(BODY.encode()).hexdigest(), "Layla Hassan",
                   "1991-03-04")
    status = api.rpc("booking_waiver_status", {"booking_id": booked["booking"]},
                     headers={"Authorization": f"Bearer {token(sub=STAFF)}"})
    assert status.status_code == 200, status.text
    assert [s["participant_name"] for s in status.json()["signed"]] == ["Layla Hassan"]


def test_refusals_are_postgrest_shaped(api, booked):
    stale = api.rpc("sign_waiver", signing(booked, text_sha256=hashlib.sha256(b"older wording").hexdigest()),
                    headers=ANON)
    assert stale.status_code == 409 and stale.json()["details"] == "waiver_changed", stale.text
    assert set(stale.json()) == {"code", "message", "details", "hint"}
    minor = api.rpc("sign_waiver", signing(booked, full_name="Omar", signature="Omar", date_of_birth="2015-06-01"),
                    headers=ANON)
    assert minor.status_code == 400 and minor.json()["details"] == "guardian_required", minor.text
    unsent = api.rpc("sign_waiver", signing(booked, date_of_birth="not a date"), headers=ANON)
    assert unsent.status_code == 400 and unsent.json()["code"] == "22007", unsent.text


def test_a_wrong_pair_answers_as_get_tickets_does(api, booked):
    wrong = api.rpc("sign_waiver", signing(booked, email="someone.else@example.com"), headers=ANON)
    tickets = api.rpc("get_tickets", {"confirmation_code": booked["code"], "email": "someone.else@example.com"},
                      headers=ANON)
    assert wrong.status_code == tickets.status_code == 404
    assert wrong.json() == tickets.json() == {
        "code": "PT404", "message": "booking not found: check the confirmation code and e-mail", "details": None,
        "hint": None}


def test_a_signed_version_is_refused_an_edit_over_http(api, booked):
    [template] = api.rpc("list_waiver_templates", {"org_id": booked["org"]}, headers=booked["owner"]).json()
    version = template["versions"][0]
    edit = api.rpc("update_waiver_version", {"version_id": version["id"], "changes": {"body": "Other words"}},
                   headers=booked["owner"])
    assert edit.status_code == 409 and edit.json()["details"] == "waiver_signed", edit.text


def test_an_anonymous_caller_cannot_manage_waivers(api, booked):
    refused = httpx.post(f"{api.url}/rest/v1/rpc/list_waiver_templates", json={"org_id": str(uuid.uuid4())},
                         headers=ANON, timeout=30)
    assert refused.status_code in (401, 403) and set(refused.json()) == {"code", "message", "details", "hint"}
