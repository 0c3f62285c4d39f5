"""Staff work over HTTP: the time clock and the rota answer as PostgREST would, refusals PostgREST-shaped (the four
keys, the status of the PTxyz code, the detail a client acts on)."""

from __future__ import annotations

import uuid

import psycopg
import pytest

from tests.api_support import OWNER, STAFF, token


@pytest.fixture(scope="module")
def venue(rpc_db) -> dict:
    """An organization of its own: OWNER its owner, STAFF its staff, one venue in London."""
    slug = f"staff-{uuid.uuid4().hex[:12]}"
    with psycopg.connect(rpc_db, autocommit=True) as conn:
        org, venue_id = conn.execute("""
            WITH org AS (INSERT INTO app.organizations (name, slug) VALUES ('Shift Rooms', %s) RETURNING id),
                 m AS (INSERT INTO app.memberships (org_id, user_id, role)
                       SELECT id, %s::uuid, 'owner'::app.member_role FROM org
                       UNION ALL SELECT id, %s::uuid, 'staff' FROM org),
                 v AS (INSERT INTO app.venues (org_id, name, timezone) SELECT id, 'Soho', 'Europe/London' FROM org
                       RETURNING org_id, id)
            SELECT org_id::text, id::text FROM v""", (slug, OWNER, STAFF)).fetchone()
    return {"org": org, "venue": venue_id}


def as_(user: str) -> dict:
    return {"Authorization": f"Bearer {token(sub=user)}"}


def refusal(response, status: int, code: str, details: str | None) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"code", "message", "details", "hint"}, body
    assert (body["code"], body["details"]) == (code, details), body
    return body


def test_staff_clock_in_once_and_out_once(api, venue):
    first = api.rpc("clock_in", {"venue_id": venue["venue"]}, headers=as_(STAFF))
    assert first.status_code == 200, first.text
    assert first.json()["clock_out"] is None
    again = refusal(api.rpc("clock_in", {"venue_id": venue["venue"]}, headers=as_(STAFF)), 409, "PT409",
                    "already_clocked_in")
    assert again["message"] == "you are already clocked in"
    out = api.rpc("clock_out", {"org_id": venue["org"]}, headers=as_(STAFF))
    assert out.status_code == 200 and out.json()["id"] == first.json()["id"], out.text
    refusal(api.rpc("clock_out", {"org_id": venue["org"]}, headers=as_(STAFF)), 409, "PT409", "not_clocked_in")


def test_the_rota_is_planned_by_managers_and_never_overlaps(api, venue):
    shift = {"venue_id": venue["venue"], "user_id": STAFF, "starts_at": "2030-02-04T09:00:00Z",
             "ends_at": "2030-02-04T17:00:00Z"}
    refusal(api.rpc("create_shift", shift, headers=as_(STAFF)), 403, "PT403", None)
    made = api.rpc("create_shift", shift, headers=as_(OWNER))
    assert made.status_code == 200 and made.json()["user_id"] == STAFF, made.text
    refusal(api.rpc("create_shift", {**shift, "starts_at": "2030-02-04T16:00:00Z", "ends_at": "2030-02-04T20:00:00Z"},
                    headers=as_(OWNER)), 409, "PT409", "shift_overlap")
    listed = api.rpc("list_shifts", method="GET", headers=as_(STAFF),
                     params={"org_id": venue["org"], "from_date": "2030-02-04", "to_date": "2030-02-04"})
    assert [row["id"] for row in listed.json()] == [made.json()["id"]], listed.text


def test_a_timesheet_window_that_ends_before_it_starts_is_a_400(api, venue):
    refusal(api.rpc("get_timesheet", {"org_id": venue["org"], "from_date": "2026-11-20", "to_date": "2026-11-19"},
                    headers=as_(OWNER)), 400, "PT400", "out_of_range")
