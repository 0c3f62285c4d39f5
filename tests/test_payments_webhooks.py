"""The webhook endpoints against the real service and database: every way a Stripe signature can be wrong is 400
with not a row written anywhere; rotated secrets both verify; a duplicate is applied once; an unknown type is
recorded and ignored; Moyasar's token is checked in constant time and the payment re-fetched from its API."""

from __future__ import annotations

import json
import time
import uuid

import httpx
import psycopg
import pytest
from tessera.fake_providers import MOYASAR_TOKEN, STRIPE_WEBHOOK_SECRET

from tests.payments_support import OLD_STRIPE_SECRET, payments_service, post_stripe, row_counts, signed

INBOX = "app.provider_events"


@pytest.fixture(scope="module")
def db(tessera_databases, pg_server) -> str:
    return pg_server.conninfo(tessera_databases.clone("payments_webhooks"))


@pytest.fixture(scope="module")
def world(db, tmp_path_factory):
    with payments_service(db, tmp_path_factory.mktemp("payments")) as (api, fakes):
        yield api, fakes


def event(kind: str = "checkout.session.completed", **data) -> str:
    """A Stripe event as Stripe lays it out (pretty-printed): what is signed is these exact bytes."""
    return json.dumps({"id": f"evt_{uuid.uuid4().hex}", "object": "event", "type": kind, "created": int(time.time()),
                       "data": {"object": {"id": f"cs_{uuid.uuid4().hex}", "object": "checkout.session", **data}}},
                      indent=2)


def inbox(db: str, event_id: str) -> int:
    with psycopg.connect(db) as conn:
        return conn.execute(f"SELECT count(*) FROM {INBOX} WHERE event_id = %s", (event_id,)).fetchone()[0]


def _refusals():
    """(name, payload, headers) for every kind of bad delivery."""
    body = event()
    now = int(time.time())
    good = signed(body)
    yield "no signature", body, {"Content-Type": "application/json"}
    yield "empty signature", body, {"Stripe-Signature": ""}
    yield "malformed header", body, {"Stripe-Signature": "v1=abc"}
    yield "two timestamps", body, {"Stripe-Signature": f"t={now},t={now},v1=00"}
    yield "forged", body, {"Stripe-Signature": f"t={now},v1={'ab' * 32}"}
    yield "wrong secret", body, signed(body, "whsec_someone_else")
    yield "tampered body", body.replace('"checkout.session.completed"', '"charge.refunded"'), good
    yield "re-serialized body", json.dumps(json.loads(body)), good
    yield "expired (301 s)", body, signed(body, timestamp=now - 301)
    # 330 s ahead: more than 300 even when a loaded machine takes seconds between signing and checking.
    yield "future (330 s)", body, signed(body, timestamp=now + 330)
    old = good["Stripe-Signature"].split(",")
    yield ("replayed with a new timestamp", body,
           {"Stripe-Signature": f"t={now + 5},{old[1]}"})  # the old v1 over another timestamp
    yield ("replayed with a new timestamp, re-signed by a wrong secret", body,
           {"Stripe-Signature": signed(body, "whsec_attacker", timestamp=now + 5)["Stripe-Signature"] + "," + old[1]})
    not_json = "this is not json"
    yield "signed but not JSON", not_json, signed(not_json)
    not_event = json.dumps({"hello": "world"})
    yield "signed but not an event", not_event, signed(not_event)


REFUSALS = [why for why, _, _ in _refusals()]


@pytest.mark.parametrize("why", REFUSALS)
def test_a_bad_stripe_delivery_is_400_and_writes_nothing_anywhere(world, db, why):
    api, _ = world
    before = row_counts(db)
    payload, headers = next((p, h) for w, p, h in _refusals() if w == why)  # signed now: the times are exact
    answer = post_stripe(api, payload, headers)
    assert answer.status_code == 400, (why, answer.text)
    body = answer.json()
    assert set(body) == {"code", "message", "details", "hint"} and body["details"] == "invalid_signature"
    assert row_counts(db) == before


def test_either_configured_secret_verifies_during_rotation(world, db):
    api, _ = world
    for secret in (STRIPE_WEBHOOK_SECRET, OLD_STRIPE_SECRET):
        body = event()
        answer = post_stripe(api, body, signed(body, secret))
        assert answer.status_code == 200, answer.text
        assert inbox(db, json.loads(body)["id"]) == 1


def test_a_signature_within_the_tolerance_is_taken(world, db):
    api, _ = world
    for offset in (-290, 290):
        body = event()
        assert post_stripe(api, body, signed(body, timestamp=int(time.time()) + offset)).status_code == 200


def test_a_duplicate_delivery_is_applied_once(world, db):
    api, _ = world
    body = event()
    answers = [post_stripe(api, body, signed(body)).json() for _ in range(3)]
    assert [a["duplicate"] for a in answers] == [False, True, True]
    assert inbox(db, json.loads(body)["id"]) == 1


def test_an_unknown_event_type_is_answered_2xx_and_recorded(world, db):
    api, _ = world
    body = event("customer.subscription.trial_will_end")
    answer = post_stripe(api, body, signed(body))
    assert answer.status_code == 200 and answer.json()["ignored"] is True
    assert inbox(db, json.loads(body)["id"]) == 1


def _moyasar_payment(fakes) -> dict:
    moyasar = fakes.fake_moyasar
    invoice = httpx.post(f"{fakes.moyasar.url}/v1/invoices", auth=(moyasar.secret_key, ""), json={
        "amount": 5000, "currency": "SAR", "description": "Escape room", "metadata": {"order_id": "o-1"}}).json()
    made = httpx.post(f"{fakes.moyasar.url}/_control/invoices/{invoice['id']}/pay", json={"deliver": False}).json()
    return made["events"][0]


@pytest.mark.parametrize("token", [None, "", "wrong", MOYASAR_TOKEN + "x", MOYASAR_TOKEN[:-1], 12345])
def test_a_moyasar_delivery_with_a_wrong_token_is_refused_and_writes_nothing(world, db, token):
    api, fakes = world
    sent = _moyasar_payment(fakes)
    if token is None:
        del sent["secret_token"]
    else:
        sent["secret_token"] = token
    before = row_counts(db)
    answer = httpx.post(f"{api.url}/webhooks/moyasar", json=sent)
    assert answer.status_code == 401 and answer.json()["details"] == "invalid_signature"
    assert row_counts(db) == before


@pytest.mark.parametrize("body", [b"[" * 5000 + b"]" * 5000, b'{"a":' * 3000 + b"1" + b"}" * 3000, b"not json", b""])
def test_a_moyasar_body_that_is_not_an_event_is_400_and_writes_nothing(world, db, body):
    api, _ = world
    before = row_counts(db)
    answer = httpx.post(f"{api.url}/webhooks/moyasar", content=body, headers={"Content-Type": "application/json"})
    assert answer.status_code == 400, answer.text
    assert set(answer.json()) == {"code", "message", "details", "hint"}
    assert row_counts(db) == before


@pytest.mark.parametrize("path", ["/webhooks/stripe?mode=test", "/webhooks/moyasar?x=1",
                                  "/payments/checkout?select=id"])
def test_a_query_parameter_on_a_payments_route_is_refused_not_ignored(world, db, path):
    api, _ = world
    body = event()
    before = row_counts(db)
    answer = httpx.post(f"{api.url}{path}", content=body, headers=signed(body))
    assert answer.status_code == 400 and answer.json()["details"] == "unexpected_parameter", answer.text
    assert row_counts(db) == before


def test_a_moyasar_delivery_is_applied_from_the_payment_as_moyasars_api_gives_it(world, db):
    api, fakes = world
    sent = _moyasar_payment(fakes)
    sent["data"]["amount"] = 1  # a body's claims are not what is applied
    answer = httpx.post(f"{api.url}/webhooks/moyasar", json=sent)
    assert answer.status_code == 200, answer.text
    with psycopg.connect(db) as conn:
        payload = conn.execute(f"SELECT payload FROM {INBOX} WHERE event_id = %s", (sent["id"],)).fetchone()[0]
    assert payload["data"]["amount"] == 5000 and payload["type"] == "payment_paid"
    assert httpx.post(f"{api.url}/webhooks/moyasar", json=sent).json()["duplicate"] is True


def test_a_moyasar_payment_the_api_does_not_know_is_not_applied(world, db):
    api, fakes = world
    sent = _moyasar_payment(fakes)
    sent["data"]["id"] = str(uuid.uuid4())
    before = row_counts(db)
    answer = httpx.post(f"{api.url}/webhooks/moyasar", json=sent)
    assert answer.status_code == 502 and answer.json()["details"] == "provider_error"
    assert row_counts(db) == before
