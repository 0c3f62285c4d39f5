"""A new organization runs a venue with nothing but the supabase-py client (the README's "Run a venue"): its
owner creates the organization, a venue, a room, an experience with prices and a weekly schedule, invites a
manager who accepts and edits the catalogue, and a visitor books through the widget; staff then see the booking.
The only step outside the API is making the accounts, which is the platform's job (`tessera user add` here)."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta

import pytest
from postgrest.exceptions import APIError
from supabase import ClientOptions, create_client

from tests.api_support import token
from tests.helpers import ROOT, run_tessera


def account(rpc_db: str, email: str, name: str) -> str:
    made = run_tessera("user", "add", email, "--name", name, cwd=ROOT, env={"DATABASE_URL": rpc_db})
    assert made.code == 0, made.err
    return json.loads(made.out)["user_id"]


def client(api, user: str | None = None, email: str | None = None):
    signed = create_client(api.url, token(role="anon"), options=ClientOptions(schema="api"))
    if user:
        signed.postgrest.auth(token(sub=user, email=email))
    return signed


@pytest.fixture(scope="module")
def people(api, rpc_db) -> dict:
    tag = uuid.uuid4().hex[:8]
    emails = {"owner": f"olive.{tag}@example.com", "manager": f"max.{tag}@example.com"}
    ids = {role: account(rpc_db, email, role.title()) for role, email in emails.items()}
    return {"tag": tag, "emails": emails, "owner": client(api, ids["owner"], emails["owner"]),
            "manager": client(api, ids["manager"], emails["manager"]), "anon": client(api)}


def test_a_new_organization_runs_a_venue_through_the_api_alone(people):
    owner, manager, anon = people["owner"], people["manager"], people["anon"]
    org = owner.rpc("create_organization", {"name": "Walkthrough Escapes", "slug": f"walk-{people['tag']}"}).execute()
    org_id = org.data["id"]

    venue = owner.rpc("create_venue", {"org_id": org_id, "name": "Soho", "timezone": "Europe/London",
                                       "city": "London", "country_code": "GB"}).execute().data
    room = owner.rpc("create_resource", {"venue_id": venue["id"], "name": "Room 1"}).execute().data
    vault = owner.rpc("create_experience", {
        "venue_id": venue["id"], "kind": "private_session", "name": "The Vault", "duration_minutes": 60,
        "max_party": 6, "min_party": 2, "buffer_minutes": 15, "currency": "GBP", "category": "escape room",
        "description": "Crack the safe in an hour."}).execute().data
    owner.rpc("set_experience_resources", {"experience_id": vault["id"], "resource_ids": [room["id"]]}).execute()
    owner.rpc("create_price_tier", {"experience_id": vault["id"], "min_party": 2, "max_party": 6,
                                    "price_minor": 2500}).execute()
    first = date.today() + timedelta(days=7)
    owner.rpc("set_weekly_schedule", {"experience_id": vault["id"], "rules": [
        {"weekday": d, "start_time": "18:00", "valid_from": first.isoformat()} for d in range(1, 8)]}).execute()

    invited = owner.rpc("invite_member", {"org_id": org_id, "email": people["emails"]["manager"],
                                          "role": "manager"}).execute().data
    joined = manager.rpc("accept_invitation", {"token": invited["token"]}).execute().data
    assert joined == {"org_id": org_id, "role": "manager", "organization": "Walkthrough Escapes"}
    with pytest.raises(APIError) as refused:
        manager.rpc("create_venue", {"org_id": org_id, "name": "Second", "timezone": "Europe/London"}).execute()
    assert (refused.value.code, refused.value.details) == ("PT403", "forbidden"), "admins add venues"
    edited = manager.rpc("update_experience", {"experience_id": vault["id"],
                                               "changes": {"description": "Crack the safe in sixty minutes."}})
    assert edited.execute().data["experience"]["description"] == "Crack the safe in sixty minutes."
    team = manager.rpc("list_members", {"org_id": org_id}, get=True).execute().data
    assert [(m["email"], m["role"]) for m in team] == [(people["emails"]["owner"], "owner"),
                                                      (people["emails"]["manager"], "manager")]

    offered = anon.rpc("widget_experiences", {"embed_key": venue["embed_key"]}).execute().data
    assert [e["name"] for e in offered] == ["The Vault"]
    slots = anon.rpc("widget_availability", {"embed_key": venue["embed_key"], "experience_id": vault["id"],
                                             "from_date": first.isoformat(), "to_date": first.isoformat(),
                                             "party_size": 4}).execute().data
    # Priced per person (the default pricing mode): four at 25.00.
    assert [(s["remaining"], s["price_minor"], s["currency"]) for s in slots] == [(1, 4 * 2500, "GBP")], slots
    booked = anon.rpc("widget_create_booking", {
        "embed_key": venue["embed_key"], "experience_id": vault["id"], "starts_at": slots[0]["starts_at"],
        "customer_email": "ada@example.com", "customer_name": "Ada", "party_size": 4}).execute().data
    assert booked["status"] in {"pending", "confirmed"} and booked["party_size"] == 4, booked

    listed = manager.rpc("list_bookings", {"org_id": org_id}).execute().data
    assert [(b["id"], b["customer_id"] is not None) for b in listed] == [(booked["id"], True)]
