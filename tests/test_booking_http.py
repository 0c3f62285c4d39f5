"""Booking over HTTP with supabase-py: the public widget as a booking page uses it with the anon key (a ticketed
event booked from the answers alone; the attacks an anonymous visitor can make answered with 4xx at once: unbounded
times, negative parties, a replayed idempotency key), and staff getting the same answer and errors in words."""

from __future__ import annotations

import time
import uuid
from datetime import date, timedelta

import psycopg
import pytest
from postgrest.exceptions import APIError
from supabase import ClientOptions, create_client

from tests.api_support import STAFF, token


@pytest.fixture(scope="module")
def venue(rpc_db) -> dict:
    """A venue of its own with a ticketed event every evening, STAFF its staff; its embed key and a day."""
    slug = f"widget-{uuid.uuid4().hex[:12]}"
    with psycopg.connect(rpc_db, autocommit=True) as conn:
        row = conn.execute("""
            WITH org AS (INSERT INTO app.organizations (name, slug) VALUES ('Widget Rooms', %s) RETURNING id),
                 m AS (INSERT INTO app.memberships (org_id, user_id, role) SELECT id, %s, 'staff' FROM org),
                 v AS (INSERT INTO app.venues (org_id, name, timezone) SELECT id, 'Soho', 'Europe/London' FROM org
                       RETURNING org_id, id, embed_key),
                 e AS (INSERT INTO app.experiences (org_id, venue_id, kind, name, duration_minutes, max_party,
                                                    capacity, currency)
                       SELECT org_id, id, 'ticketed_event', 'Quiz night', 120, 10, 20, 'GBP' FROM v
                       RETURNING org_id, id),
                 t AS (INSERT INTO app.ticket_types (org_id, experience_id, name, price_minor)
                       SELECT org_id, id, n, p FROM e, (VALUES ('Standard', 1000), ('VIP', 3000)) x(n, p)),
                 s AS (INSERT INTO app.schedules (org_id, experience_id, weekday, start_time, valid_from)
                       SELECT org_id, id, d, '19:00', current_date FROM e, generate_series(1, 7) d)
            SELECT (SELECT embed_key FROM v), (SELECT id FROM e)::text""", (slug, STAFF)).fetchone()
    return {"key": row[0], "event": row[1], "day": (date.today() + timedelta(days=10)).isoformat()}


@pytest.fixture(scope="module")
def visitor(api):
    return create_client(api.url, token(role="anon"), options=ClientOptions(schema="api"))


def test_a_visitor_books_a_ticketed_event_from_the_widgets_answers_alone(visitor, venue):
    offer = visitor.rpc("widget_experiences", {"embed_key": venue["key"]}).execute().data
    event = next(e for e in offer if e["kind"] == "ticketed_event")
    tickets = visitor.rpc("widget_ticket_types", {"embed_key": venue["key"],
                                                  "experience_id": event["experience_id"]}).execute().data
    assert [(t["name"], t["price_minor"], t["currency"]) for t in tickets] == [("Standard", 1000, "GBP"),
                                                                              ("VIP", 3000, "GBP")]
    starts = visitor.rpc("widget_availability", {"embed_key": venue["key"], "experience_id": event["experience_id"],
                                                 "from_date": venue["day"], "to_date": venue["day"],
                                                 "party_size": 3}).execute().data
    booked = visitor.rpc("widget_create_booking", {
        "embed_key": venue["key"], "experience_id": event["experience_id"], "starts_at": starts[0]["starts_at"],
        "customer_email": "fan@example.com",
        "tickets": [{"ticket_type_id": t["ticket_type_id"], "quantity": 2 if t["name"] == "Standard" else 1}
                    for t in tickets]}).execute().data
    assert (booked["status"], booked["price_minor"], booked["currency"]) == ("pending", 5000, "GBP")


@pytest.mark.parametrize("starts_at", ["infinity", "-infinity", "0001-01-01T00:00:00Z", "9999-12-31T00:00:00Z"])
def test_an_unbounded_start_is_refused_at_once(visitor, venue, starts_at):
    began = time.monotonic()
    with pytest.raises(APIError) as refused:
        visitor.rpc("widget_create_booking", {"embed_key": venue["key"], "experience_id": venue["event"],
                                              "starts_at": starts_at, "customer_email": "x@example.com",
                                              "party_size": 1}).execute()
    assert refused.value.code == "PT400" and "starts_at" in refused.value.message
    assert time.monotonic() - began < 2


@pytest.mark.parametrize("party_size", [-1, 0, 1_000_000])
def test_a_party_out_of_range_is_refused_not_priced(visitor, venue, party_size):
    with pytest.raises(APIError) as refused:
        visitor.rpc("widget_availability", {"embed_key": venue["key"], "experience_id": venue["event"],
                                            "from_date": venue["day"], "to_date": venue["day"],
                                            "party_size": party_size}).execute()
    assert refused.value.code == "PT400" and "party_size" in refused.value.message


def test_a_replayed_idempotency_key_never_returns_another_visitors_booking(visitor, venue):
    tickets = visitor.rpc("widget_ticket_types", {"embed_key": venue["key"]}).execute().data
    starts_at = visitor.rpc("widget_availability", {"embed_key": venue["key"], "experience_id": venue["event"],
                                                    "from_date": venue["day"], "to_date": venue["day"]}
                            ).execute().data[0]["starts_at"]

    def book(email: str, quantity: int) -> dict:
        return visitor.rpc("widget_create_booking", {
            "embed_key": venue["key"], "experience_id": venue["event"], "starts_at": starts_at,
            "customer_email": email, "idempotency_key": "checkout-1",
            "tickets": [{"ticket_type_id": tickets[0]["ticket_type_id"], "quantity": quantity}]}).execute().data

    first = book("ada@example.com", 1)
    assert book("ada@example.com", 1)["id"] == first["id"]
    other = book("mallory@example.com", 1)
    assert other["id"] != first["id"] and other["confirmation_code"] != first["confirmation_code"]
    with pytest.raises(APIError) as reused:
        book("ada@example.com", 2)
    assert reused.value.code == "PT422"


@pytest.fixture(scope="module")
def staff(api):
    client = create_client(api.url, token(role="anon"), options=ClientOptions(schema="api"))
    client.postgrest.auth(token(sub=STAFF))
    return client


def test_staff_and_the_widget_get_one_booking_answer(staff, visitor, venue):
    tickets = [{"ticket_type_id": visitor.rpc("widget_ticket_types", {"embed_key": venue["key"]}).execute()
                .data[0]["ticket_type_id"], "quantity": 1}]
    common = {"experience_id": venue["event"], "starts_at": _start(visitor, venue), "tickets": tickets}
    by_staff = staff.rpc("create_booking", {**common, "customer_email": "desk@example.com"}).execute().data
    by_widget = visitor.rpc("widget_create_booking", {**common, "embed_key": venue["key"],
                                                      "customer_email": "web@example.com"}).execute().data
    assert isinstance(by_staff, dict) and isinstance(by_widget, dict)
    assert sorted(by_staff) == sorted(by_widget)


def test_cancelling_twice_is_409_and_keeps_the_first_reason(staff, visitor, venue):
    tickets = [{"ticket_type_id": visitor.rpc("widget_ticket_types", {"embed_key": venue["key"]}).execute()
                .data[0]["ticket_type_id"], "quantity": 1}]
    booking = staff.rpc("create_booking", {"experience_id": venue["event"], "starts_at": _start(visitor, venue),
                                           "customer_email": "twice@example.com", "tickets": tickets}).execute().data
    staff.rpc("cancel_booking", {"booking_id": booking["id"], "reason": "double booked"}).execute()
    with pytest.raises(APIError) as again:
        staff.rpc("cancel_booking", {"booking_id": booking["id"]}).execute()
    assert again.value.code == "PT409"
    assert staff.rpc("get_booking", {"booking_id": booking["id"]}).execute().data["cancel_reason"] == "double booked"


def test_a_wrong_status_is_told_the_statuses_not_a_type_name(staff):
    with pytest.raises(APIError) as wrong:
        staff.rpc("batch_update_booking_status", {"booking_ids": [str(uuid.uuid4())], "status": "done"}).execute()
    assert wrong.value.code == "PT400" and "app." not in wrong.value.message
    assert wrong.value.message.startswith("status must be one of pending, confirmed")


def _start(visitor, venue) -> str:
    return visitor.rpc("widget_availability", {"embed_key": venue["key"], "experience_id": venue["event"],
                                               "from_date": venue["day"], "to_date": venue["day"]}
                       ).execute().data[0]["starts_at"]
