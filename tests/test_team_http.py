"""The team over HTTP: an owner invites, the invited address accepts once, refusals are PostgREST-shaped."""

from __future__ import annotations

import uuid

import psycopg
import pytest

from tests.api_support import OWNER, STAFF, token


@pytest.fixture(scope="module")
def team(rpc_db) -> dict:
    """An organization of its own (OWNER its owner, STAFF its staff) and a signed-up person not yet in it."""
    slug = f"team-{uuid.uuid4().hex[:12]}"
    invitee = str(uuid.uuid4())
    with psycopg.connect(rpc_db, autocommit=True) as conn:
        conn.execute("INSERT INTO auth.users (id, email) VALUES (%s, %s)", (invitee, f"{slug}@example.com"))
        org = conn.execute("""
            WITH org AS (INSERT INTO app.organizations (name, slug) VALUES ('Team Rooms', %s) RETURNING id),
                 m AS (INSERT INTO app.memberships (org_id, user_id, role)
                       SELECT id, %s::uuid, 'owner'::app.member_role FROM org
                       UNION ALL SELECT id, %s::uuid, 'staff' FROM org)
            SELECT id::text FROM org""", (slug, OWNER, STAFF)).fetchone()[0]
    return {"org": org, "invitee": invitee, "email": f"{slug}@example.com"}


def as_(user: str) -> dict:
    return {"Authorization": f"Bearer {token(sub=user)}"}


def refusal(response, status: int, details: str | None) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"code", "message", "details", "hint"}, body
    assert (body["code"], body["details"]) == (f"PT{status}", details), body
    return body


def test_an_invitation_is_accepted_once_by_the_invited_address(api, team):
    invited = api.rpc("invite_member", {"org_id": team["org"], "email": team["email"].upper(), "role": "manager"},
                      headers=as_(OWNER))
    assert invited.status_code == 200, invited.text
    assert invited.json()["email"] == team["email"] and invited.json()["token"].startswith("inv_")
    secret = invited.json()["token"]
    refusal(api.rpc("accept_invitation", {"token": secret}, headers=as_(STAFF)), 403, "email_mismatch")
    accepted = api.rpc("accept_invitation", {"token": secret}, headers=as_(team["invitee"]))
    assert accepted.status_code == 200, accepted.text
    assert accepted.json() == {"org_id": team["org"], "role": "manager", "organization": "Team Rooms"}
    refusal(api.rpc("accept_invitation", {"token": secret}, headers=as_(team["invitee"])), 409, "invitation_used")
    members = api.rpc("list_members", method="GET", params={"org_id": team["org"]}, headers=as_(STAFF))
    assert members.status_code == 200, members.text
    assert [(m["email"], m["role"]) for m in members.json()] == [
        ("owner@rpc.example", "owner"), (team["email"], "manager"), ("staff@rpc.example", "staff")]


def test_staff_cannot_invite_and_a_token_needs_a_signed_in_user(api, team):
    body = refusal(api.rpc("invite_member", {"org_id": team["org"], "email": "x@example.com", "role": "staff"},
                           headers=as_(STAFF)), 403, "forbidden")
    assert body["message"] == "only managers and up may change this team"
    anonymous = api.rpc("accept_invitation", {"token": "inv_x"})
    assert anonymous.status_code == 401, anonymous.text


def test_the_last_owner_cannot_leave_over_http(api, team):
    body = refusal(api.rpc("remove_member", {"org_id": team["org"], "user_id": OWNER}, headers=as_(OWNER)), 409,
                   "last_owner")
    assert body["hint"] == "make someone else an owner first (api.transfer_ownership)"
