"""POST /payments/checkout against the real service, database and fake providers: the happy paths at Stripe and
Moyasar, a provider's 402/500 as 502 and its slowness as 504 with the order still pending and a retry that
succeeds (and finds the session the slow call made, through the idempotency key), refused return URLs, and the
logs of the whole run free of every secret."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import httpx
import psycopg
import pytest
from tessera.fake_providers import MOYASAR_KEY, MOYASAR_TOKEN, STRIPE_KEY, STRIPE_WEBHOOK_SECRET

from tests.api_support import token
from tests.payments_support import OLD_STRIPE_SECRET, SHOP, make_shop, new_order, payments_service

MANAGER = "00000000-0000-4000-8000-0000000000c2"
SECRETS = (STRIPE_KEY, STRIPE_WEBHOOK_SECRET, OLD_STRIPE_SECRET, MOYASAR_KEY, MOYASAR_TOKEN)


@pytest.fixture(scope="module")
def db(tessera_databases, pg_server) -> str:
    name = tessera_databases.clone("payments_checkout")
    with pg_server.connect(name, autocommit=True) as conn:
        conn.execute("INSERT INTO auth.users (id, email) VALUES (%s, 'manager@checkout.example')", (MANAGER,))
    return pg_server.conninfo(name)


@pytest.fixture(scope="module")
def shop(db) -> dict:
    return make_shop(db, MANAGER)


@pytest.fixture(scope="module")
def world(db, tmp_path_factory):
    with payments_service(db, tmp_path_factory.mktemp("checkout")) as (api, fakes):
        yield api, fakes


@pytest.fixture(autouse=True)
def normal(world):
    httpx.post(f"{world[1].stripe.url}/_control/mode", json={"mode": "ok"})
    httpx.post(f"{world[1].moyasar.url}/_control/mode", json={"mode": "ok"})


def order(world, shop, db: str, minutes: float | None = None, currency: str = "GBP") -> dict:
    """A real pending order (two tickets at 2,500) through the widget; `minutes` moves its hold's end."""
    made = new_order(world[0], shop, currency)
    if minutes is not None:
        with psycopg.connect(db, autocommit=True) as conn:
            conn.execute("UPDATE app.bookings SET hold_expires_at = now() + %s * interval '1 minute' WHERE id = %s",
                         (minutes, made["booking"]["id"]))
            conn.execute("UPDATE app.orders SET expires_at = now() + %s * interval '1 minute' WHERE id = %s",
                         (minutes, made["id"]))
    return made


def checkout(api, made: dict, provider: str = "stripe", /, **extra) -> httpx.Response:
    body = {"order_id": made["id"], "provider": provider, "success_url": f"{SHOP}/paid",
            "cancel_url": f"{SHOP}/cart", "embed_key": made["embed_key"], "customer_email": made["email"], **extra}
    return httpx.post(f"{api.url}/payments/checkout", json=body, headers={"apikey": token(role="anon")}, timeout=30)


def recorded(db: str, made: dict) -> list[tuple]:
    with psycopg.connect(db) as conn:
        return conn.execute("SELECT provider, provider_ref FROM app.checkouts WHERE order_id = %s",
                            (made["id"],)).fetchall()


def sessions_of(fakes, made: dict) -> list[dict]:
    return [s for s in fakes.fake_stripe.sessions.values() if s["metadata"].get("order_id") == made["id"]]


def test_a_stripe_checkout_is_made_recorded_and_given_again(world, db, shop):
    api, fakes = world
    made_order = order(world, shop, db, minutes=10)
    order_id = made_order["id"]
    began = time.time()
    answer = checkout(api, made_order)
    assert answer.status_code == 200, answer.text
    made = answer.json()
    assert set(made) == {"provider", "url", "expires_at", "provider_ref"} and made["provider"] == "stripe"
    session = fakes.fake_stripe.sessions[made["provider_ref"]]
    assert session["metadata"] == {"order_id": order_id} and session["client_reference_id"] == order_id
    assert fakes.fake_stripe._intent_metadata[session["id"]] == {"order_id": order_id}
    assert (session["amount_total"], session["currency"]) == (5000, "gbp")
    # Stripe's minimum rules over a 10-minute hold: the sweep expires the session when the hold ends.
    assert session["expires_at"] >= began + 30 * 60
    assert datetime.fromisoformat(made["expires_at"]).timestamp() == session["expires_at"]
    assert recorded(db, made_order) == [("stripe", made["provider_ref"])]
    again = checkout(api, made_order).json()
    assert again["provider_ref"] == made["provider_ref"] and len(sessions_of(fakes, made_order)) == 1


def test_a_long_hold_keeps_its_own_end(world, db, shop):
    api, _ = world
    made = checkout(api, order(world, shop, db, minutes=120)).json()
    expected = datetime.now(UTC) + timedelta(minutes=120)
    assert abs(datetime.fromisoformat(made["expires_at"]) - expected) < timedelta(seconds=30)


def test_a_moyasar_checkout_is_an_invoice_with_the_order_in_its_metadata(world, db, shop):
    api, fakes = world
    made_order = order(world, shop, db, currency="SAR")
    order_id = made_order["id"]
    answer = checkout(api, made_order, "moyasar")
    assert answer.status_code == 200, answer.text
    made = answer.json()
    invoice = fakes.fake_moyasar.invoices[made["provider_ref"]]
    assert (invoice["amount"], invoice["currency"], invoice["metadata"]) == (5000, "SAR", {"order_id": order_id})
    assert invoice["success_url"] == f"{SHOP}/paid" and invoice["back_url"] == f"{SHOP}/cart"
    assert invoice["callback_url"].endswith("/webhooks/moyasar")
    assert checkout(api, made_order, "moyasar").json()["provider_ref"] == made["provider_ref"]


@pytest.mark.parametrize(("provider", "mode"), [("stripe", "500"), ("stripe", "402"), ("moyasar", "500"),
                                                ("moyasar", "402")])
def test_a_provider_error_is_502_and_the_order_can_be_retried(world, db, shop, provider, mode):
    api, fakes = world
    pending = order(world, shop, db, currency="SAR")
    fake = fakes.stripe if provider == "stripe" else fakes.moyasar
    httpx.post(f"{fake.url}/_control/mode", json={"mode": mode, "count": 1})
    answer = checkout(api, pending, provider)
    assert answer.status_code == 502, answer.text
    body = answer.json()
    assert (body["code"], body["details"]) == ("PT502", "provider_error") and set(body) == {
        "code", "message", "details", "hint"}
    assert recorded(db, pending) == []
    retried = checkout(api, pending, provider)
    assert retried.status_code == 200, retried.text
    assert recorded(db, pending) == [(provider, retried.json()["provider_ref"])]


@pytest.mark.parametrize("provider", ["stripe", "moyasar"])
def test_a_slow_provider_is_504_and_the_retry_succeeds(world, db, shop, provider):
    api, fakes = world
    pending = order(world, shop, db, currency="SAR")
    fake = fakes.stripe if provider == "stripe" else fakes.moyasar
    httpx.post(f"{fake.url}/_control/mode", json={"mode": "slow", "seconds": 2, "count": 1})
    began = time.monotonic()
    answer = checkout(api, pending, provider)
    assert answer.status_code == 504, answer.text
    assert time.monotonic() - began < 1.9  # TESSERA_PROVIDER_TIMEOUT=1
    assert answer.json()["details"] == "provider_timeout"
    assert recorded(db, pending) == []
    time.sleep(1.5)  # the slow call finishes at the provider meanwhile
    retried = checkout(api, pending, provider)
    assert retried.status_code == 200, retried.text
    if provider == "stripe":  # the idempotency key gave back the session the timed-out call made
        assert [s["id"] for s in sessions_of(fakes, pending)] == [retried.json()["provider_ref"]]


@pytest.mark.parametrize(("change", "why"), [
    ({"success_url": "https://evil.example/paid"}, "success_url"),
    ({"cancel_url": "javascript:alert(1)"}, "cancel_url"),
    ({"success_url": "https://shop.example.evil.example/"}, "success_url"),
    ({"cancel_url": "http://shop.example/cart"}, "cancel_url"),
    ({"provider": "paypal"}, "paypal"),
    ({"order_id": None}, "order_id"),
    ({"surprise": 1}, "surprise"),
])
def test_a_bad_request_is_400_before_any_provider_is_asked(world, db, shop, change, why):
    api, fakes = world
    pending = order(world, shop, db)
    before = len(fakes.fake_stripe.sessions)
    answer = checkout(api, pending, **change)
    assert answer.status_code == 400, answer.text
    assert why in answer.text and set(answer.json()) == {"code", "message", "details", "hint"}
    assert len(fakes.fake_stripe.sessions) == before and recorded(db, pending) == []


def test_an_order_that_cannot_be_paid_is_the_databases_answer(world, db, shop):
    api, fakes = world
    pending = order(world, shop, db, minutes=-1)
    answer = checkout(api, pending)
    assert answer.status_code == 409 and answer.json()["code"] == "PT409"
    assert sessions_of(fakes, pending) == []


def test_a_bad_token_is_401_as_for_rpc(world, db):
    api, _ = world
    answer = httpx.post(f"{api.url}/payments/checkout", json={}, headers={"Authorization": "Bearer a.b"})
    assert answer.status_code == 401 and answer.json()["code"] == "PGRST301"


def test_no_secret_reaches_the_logs(world, db, shop):
    """Last in the module: the log of everything above (errors and tracebacks included) names no secret."""
    api, fakes = world
    pending = order(world, shop, db)
    httpx.post(f"{fakes.stripe.url}/_control/mode", json={"mode": "500", "count": 1})
    checkout(api, pending)
    httpx.post(f"{api.url}/webhooks/stripe", content=b"{}", headers={"Stripe-Signature": "t=1,v1=00"})
    httpx.post(f"{api.url}/webhooks/moyasar", json={"secret_token": "wrong", "data": {}})
    logged = api.logged()
    assert "/payments/checkout" in logged and "/webhooks/stripe" in logged
    for secret in SECRETS:
        assert secret not in logged
