"""Managing the catalogue over HTTP as the back office does: an event built through the api alone, then a change
that would break what is sold refused the way PostgREST answers an error (409, code/message/details/hint, the
affected bookings as JSON in the hint for the screen to list), and made with force."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta

import psycopg
import pytest

from tests.api_support import STAFF, token

HEADERS = {"Authorization": f"Bearer {token(sub=STAFF)}", "Accept-Profile": "api", "Content-Profile": "api"}


def call(api, name: str, body: dict):
    return api.rpc(name, body, headers=HEADERS)


@pytest.fixture(scope="module")
def event(api, rpc_db) -> dict:
    """An organization of its own that STAFF administers, with a ticketed event made through the api and sold."""
    with psycopg.connect(rpc_db, autocommit=True) as conn:
        org = conn.execute("""
            WITH org AS (INSERT INTO app.organizations (name, slug) VALUES ('Impact Rooms', %s) RETURNING id),
                 m AS (INSERT INTO app.memberships (org_id, user_id, role) SELECT id, %s, 'admin' FROM org)
            SELECT id::text FROM org""", (f"impact-{uuid.uuid4().hex[:12]}", STAFF)).fetchone()[0]
    venue = call(api, "create_venue", {"org_id": org, "name": "Soho", "timezone": "Europe/London"}).json()
    quiz = call(api, "create_experience", {"venue_id": venue["id"], "kind": "ticketed_event", "name": "Quiz night",
                                           "duration_minutes": 120, "max_party": 10, "capacity": 10,
                                           "currency": "GBP"}).json()
    ticket = call(api, "create_ticket_type", {"experience_id": quiz["id"], "name": "Standard",
                                              "price_minor": 1000}).json()
    schedule = call(api, "set_weekly_schedule", {"experience_id": quiz["id"],
                                                 "rules": [{"weekday": d, "start_time": "19:00"} for d in range(1, 8)]})
    assert schedule.status_code == 200, schedule.text
    day = (date.today() + timedelta(days=10)).isoformat()
    start = call(api, "check_availability", {"experience_id": quiz["id"], "from_date": day, "to_date": day}).json()
    booked = call(api, "create_booking", {"experience_id": quiz["id"], "starts_at": start[0]["starts_at"],
                                          "customer_email": "ada@example.com", "customer_name": "Ada",
                                          "tickets": [{"ticket_type_id": ticket["id"], "quantity": 6}]})
    assert booked.status_code == 200, booked.text
    return {"org": org, "quiz": quiz["id"], "booking": booked.json()}


def test_lowering_capacity_below_what_is_sold_is_a_postgrest_shaped_409_listing_the_bookings(api, event):
    refused = call(api, "update_experience", {"experience_id": event["quiz"], "changes": {"capacity": 4}})
    assert refused.status_code == 409, refused.text
    body = refused.json()
    assert set(body) == {"code", "message", "details", "hint"}
    assert (body["code"], body["details"]) == ("PT409", "bookings_affected")
    code = event["booking"]["confirmation_code"]
    assert body["message"] == f"the change would affect 1 booking: {code} (over capacity)"
    affected = json.loads(body["hint"])
    assert [(a["booking_id"], a["confirmation_code"], a["party_size"], a["customer_email"], a["problem"])
            for a in affected] == [(event["booking"]["id"], code, 6, "ada@example.com", "over_capacity")]
    catalogue = call(api, "get_catalogue", {"org_id": event["org"]}).json()
    assert catalogue["venues"][0]["experiences"][0]["capacity"] == 10, "a refused change writes nothing"


def test_with_force_the_change_is_made_and_the_bookings_are_answered(api, event):
    forced = call(api, "update_experience", {"experience_id": event["quiz"], "changes": {"capacity": 4},
                                             "force": True})
    assert forced.status_code == 200, forced.text
    answer = forced.json()
    assert answer["experience"]["capacity"] == 4
    assert [a["problem"] for a in answer["affected"]] == ["over_capacity"]


def test_a_key_that_may_not_change_is_a_400_naming_it(api, event):
    refused = call(api, "update_experience", {"experience_id": event["quiz"], "changes": {"kind": "private_session"}})
    assert refused.status_code == 400
    body = refused.json()
    assert body["message"].startswith("changes may not set 'kind'; the fields that change are name, ")
    assert "duration_minutes" in body["hint"].split(", ")
