"""The inbox and the dead letter over HTTP, as a frontend calls them (plain PostgREST-style RPC): an account reads
its delivered in-app messages and marks them read with a JSON array of ids; a manager lists the dead letter and
retries a message, and staff are told 403."""

from __future__ import annotations

import uuid

import psycopg
import pytest

from tests.api_support import OWNER, STAFF, token


@pytest.fixture(scope="module")
def messages(rpc_db) -> dict:
    with psycopg.connect(rpc_db, autocommit=True) as conn:
        # The HTTP tests' own organization (OWNER also owns those other files make, where STAFF may be no member).
        org = conn.execute("SELECT id FROM app.organizations WHERE slug = 'rpc-rooms'").fetchone()[0]
        ids = {}
        for name, channel, status, user in (("note", "in_app", "sent", STAFF), ("dead", "email", "dead", None)):
            ids[name] = conn.execute("""
                INSERT INTO app.notifications_outbox (org_id, kind, recipient, channel, template, dedupe_key, status,
                                                      sent_at, user_id, rendered_subject, rendered_body, attempts,
                                                      last_error)
                VALUES (%s, 'payment_received', 'staff@rpc.example', %s, 'payment_received', %s, %s,
                        CASE WHEN %s = 'sent' THEN now() END, %s, CASE WHEN %s = 'in_app' THEN 'Paid' END,
                        CASE WHEN %s = 'in_app' THEN 'Your payment arrived.' END, 8,
                        CASE WHEN %s = 'dead' THEN 'mailbox full' END)
                RETURNING id::text""", (org, channel, f"http:{uuid.uuid4()}", status, status, user, channel, channel,
                                        status)).fetchone()[0]
    return {"org": str(org), **ids}


def test_an_account_reads_its_notifications_and_marks_them_read(api, messages):
    staff = {"Authorization": f"Bearer {token(sub=STAFF)}"}
    inbox = api.rpc("my_notifications", {}, headers=staff)
    assert inbox.status_code == 200, inbox.text
    mine = [n for n in inbox.json() if n["id"] == messages["note"]]
    assert mine and mine[0]["title"] == "Paid" and mine[0]["body"] == "Your payment arrived." and not mine[0]["read"]
    marked = api.rpc("mark_notifications_read", {"ids": [messages["note"], messages["dead"]]}, headers=staff)
    assert marked.status_code == 200 and marked.json() == 1, marked.text
    again = api.rpc("my_notifications", {"page_size": 100}, headers=staff).json()
    assert [n["read"] for n in again if n["id"] == messages["note"]] == [True]
    empty = api.rpc("mark_notifications_read", {"ids": []}, headers=staff)
    assert empty.status_code == 400 and empty.json()["code"] == "PT400"
    assert api.rpc("my_notifications", {}).status_code in (401, 403), "anonymous callers have no inbox"


def test_a_manager_lists_and_retries_the_dead_letter_and_staff_may_not(api, messages):
    owner = {"Authorization": f"Bearer {token(sub=OWNER)}"}
    # The HTTP tests share one organization: other files' dead messages may come first, so read every page.
    found, before = [], None
    while True:
        listed = api.rpc("list_failed_messages", {"org_id": messages["org"], "before": before, "page_size": 200},
                         headers=owner)
        assert listed.status_code == 200, listed.text
        found += [m["last_error"] for m in listed.json() if m["id"] == messages["dead"]]
        if len(listed.json()) < 200:
            break
        before = listed.json()[-1]["cursor"]
    assert found == ["mailbox full"]
    staff = api.rpc("list_failed_messages", {"org_id": messages["org"]},
                    headers={"Authorization": f"Bearer {token(sub=STAFF)}"})
    assert staff.status_code == 403 and staff.json()["code"] == "PT403"
    retried = api.rpc("retry_message", {"org_id": messages["org"], "message_id": messages["dead"]}, headers=owner)
    assert retried.status_code == 200 and retried.json()["status"] == "queued", retried.text
    twice = api.rpc("retry_message", {"org_id": messages["org"], "message_id": messages["dead"]}, headers=owner)
    assert twice.status_code == 409 and twice.json()["details"] == "illegal_transition"
