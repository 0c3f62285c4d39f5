"""Templates over HTTP: POST /templates/preview renders a template with its kind's sample data and refuses one with a
syntax error (naming its line) or an unknown variable; api.save_template takes only what the preview rendered, and
the worker's private.message_template then finds the override; another organization's staff can neither preview nor
save."""

from __future__ import annotations

import json
import uuid

import httpx
import psycopg
import pytest

from api.notify.preview import fingerprint
from tests.api_support import OWNER, STAFF, token


@pytest.fixture(scope="module")
def orgs(rpc_db) -> dict:
    """An organization of its own (OWNER its owner, STAFF its staff) and another with an admin of its own."""
    slug = f"tpl-{uuid.uuid4().hex[:12]}"
    other_admin = str(uuid.uuid4())
    with psycopg.connect(rpc_db, autocommit=True) as conn:
        conn.execute("INSERT INTO auth.users (id, email) VALUES (%s, %s)", (other_admin, f"{slug}-b@example.com"))
        org = conn.execute("""
            WITH org AS (INSERT INTO app.organizations (name, slug) VALUES ('Template Rooms', %s) RETURNING id),
                 m AS (INSERT INTO app.memberships (org_id, user_id, role)
                       SELECT id, %s::uuid, 'owner'::app.member_role FROM org
                       UNION ALL SELECT id, %s::uuid, 'staff' FROM org)
            SELECT id::text FROM org""", (slug, OWNER, STAFF)).fetchone()[0]
        other = conn.execute("""
            WITH org AS (INSERT INTO app.organizations (name, slug) VALUES ('Other Rooms', %s) RETURNING id),
                 m AS (INSERT INTO app.memberships (org_id, user_id, role)
                       SELECT id, %s::uuid, 'admin'::app.member_role FROM org)
            SELECT id::text FROM org""", (slug + "-b", other_admin)).fetchone()[0]
    return {"org": org, "other": other, "other_admin": other_admin, "db": rpc_db}


def as_(user: str) -> dict:
    return {"Authorization": f"Bearer {token(sub=user)}"}


def preview(api, body: dict, user: str = OWNER) -> httpx.Response:
    return httpx.post(f"{api.url}/templates/preview", json=body, headers=as_(user), timeout=30)


def refusal(response, status: int) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"code", "message", "details", "hint"}, body
    assert body["code"] == f"PT{status}", body
    return body


EMAIL = {"kind": "booking_confirmed", "channel": "email",
         "subject": "See you at {{ venue.name }}",
         "html": "<p>{{ experience.name }} for {{ customer.name }}</p>",
         "body": "{{ experience.name }} on {{ booking.starts_at | date('full') }} at {{ booking.starts_at | time }}\n"
                 "Total {{ booking.price_minor | money }}"}


def test_a_preview_renders_with_the_kinds_sample_data(api, orgs):
    shown = preview(api, {"org_id": orgs["org"], **EMAIL})
    assert shown.status_code == 200, shown.text
    assert shown.json() == {"subject": "See you at Soho", "html": "<p>The Vault for Ada Lovelace</p>",
                            "body": "The Vault on Saturday, December 12, 2026 at 7:00\u202fPM\nTotal £100.00"}


def test_a_preview_renders_given_data_in_its_zone_and_escapes_html(api, orgs):
    with psycopg.connect(orgs["db"]) as conn:
        data = conn.execute("SELECT sample_data FROM app.notification_kinds WHERE kind = 'booking_confirmed'"
                            ).fetchone()[0]
    data["timezone"] = "America/New_York"
    data["customer"]["name"] = "<b>Eve</b>"
    shown = preview(api, {"org_id": orgs["org"], **EMAIL, "data": data})
    assert shown.status_code == 200, shown.text
    assert "2:00\u202fPM" in shown.json()["body"]
    assert shown.json()["html"] == "<p>The Vault for &lt;b&gt;Eve&lt;/b&gt;</p>"


def test_a_syntax_error_is_refused_with_its_line(api, orgs):
    body = refusal(preview(api, {"org_id": orgs["org"], **EMAIL,
                                 "body": "Hello\n{{ experience.name }}\n{% if booking.code %}no end"}), 400)
    problems = json.loads(body["details"])
    assert [(p["part"], p["line"]) for p in problems] == [("body", 3)], problems
    assert "body line 3" in body["message"]


def test_an_unknown_variable_is_refused(api, orgs):
    body = refusal(preview(api, {"org_id": orgs["org"], **EMAIL, "subject": "Hi {{ customer.nickname }}"}), 400)
    problems = json.loads(body["details"])
    assert [(p["part"], p["line"]) for p in problems] == [("subject", 1)], problems
    assert "nickname" in problems[0]["message"]


def test_parts_that_do_not_fit_the_channel_are_refused(api, orgs):
    body = refusal(preview(api, {"org_id": orgs["org"], "kind": "booking_confirmed", "channel": "sms",
                                 "subject": "x", "body": "{{ booking.code }}"}), 400)
    assert [p["part"] for p in json.loads(body["details"])] == ["subject"]


def test_save_needs_a_preview_and_then_the_worker_finds_the_override(api, orgs):
    sms = {"org_id": orgs["org"], "kind": "booking_cancelled", "channel": "sms", "locale": "en",
           "body": f"Cancelled: {{{{ booking.code }}}} ({uuid.uuid4().hex[:6]})"}
    unchecked = refusal(api.rpc("save_template", sms, headers=as_(OWNER)), 400)
    assert (unchecked["details"], unchecked["hint"].startswith("preview it first")) == ("template_unchecked", True)
    assert preview(api, sms).status_code == 200
    saved = api.rpc("save_template", sms, headers=as_(OWNER))
    assert saved.status_code == 200, saved.text
    assert saved.json()["overridden"] is True
    with psycopg.connect(orgs["db"]) as conn:
        found = conn.execute("SELECT body, overridden FROM private.message_template(%s, 'booking_cancelled', 'sms',"
                             " 'en')", (orgs["org"],)).fetchone()
        assert found == (sms["body"], True)
        checked = conn.execute("SELECT checked_by::text FROM app.template_checks"
                               " WHERE org_id = %s AND fingerprint = %s",
                               (orgs["org"], fingerprint("booking_cancelled", "sms", None, None, sms["body"]))
                               ).fetchone()
        assert checked == (OWNER,), "the database's fingerprint is the preview's, with who checked it"
    listed = api.rpc("list_templates", method="GET", params={"org_id": orgs["org"], "kind": "booking_cancelled"},
                     headers=as_(STAFF))
    assert listed.status_code == 200, listed.text
    assert [r["body"] for r in listed.json() if (r["channel"], r["locale"]) == ("sms", "en")] == [sms["body"]]


def test_staff_below_manager_and_other_organizations_cannot_preview_or_save(api, orgs):
    body = {"org_id": orgs["org"], **EMAIL}
    assert refusal(preview(api, body, STAFF), 403)["details"] == "forbidden"
    assert refusal(preview(api, body, orgs["other_admin"]), 404)
    # Checked in the other organization does not let it save into this one.
    assert preview(api, {**body, "org_id": orgs["other"]}, orgs["other_admin"]).status_code == 200
    refusal(api.rpc("save_template", {**body, "locale": "en"}, headers=as_(orgs["other_admin"])), 404)
    # Anonymous callers are refused before anything renders.
    anonymous = httpx.post(f"{api.url}/templates/preview", json=body, timeout=30)
    assert anonymous.status_code in (401, 404), anonymous.text
    # Nor may a signed-in user vouch for a template themselves.
    vouched = api.rpc("record_template_check", {"org_id": orgs["org"], "fingerprint": "0" * 64},
                      headers=as_(OWNER))
    assert vouched.status_code in (401, 403, 404), vouched.text
