"""The money path end to end, with the real SQL of the orders and payments areas, the real service and the fake
providers: a widget booking ordered and paid at Stripe and at Moyasar by webhook; the webhook chaos of the issue
(every event of a purchase, a partial and a full refund, each delivered 5 times, concurrently, shuffled: one
payment, two refunds, the right order state); a staff refund carried out by the service's executor; reconcile
finding a payment whose webhook never came, safe to run twice at once; a hold ending with its session expired
through Stripe's API."""

from __future__ import annotations

import json
import os
import random
import subprocess
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import httpx
import psycopg
import pytest

from tests.api_support import SECRET, login_conninfo, token
from tests.helpers import ROOT, TESSERA
from tests.payments_support import make_shop, new_order, pay_page, payments_service, rpc, signed, state, wait_for

MANAGER = "00000000-0000-4000-8000-0000000000c1"


@pytest.fixture(scope="module")
def db(tessera_databases, pg_server) -> str:
    name = tessera_databases.clone("payments_story")
    with pg_server.connect(name, autocommit=True) as conn:
        conn.execute("INSERT INTO auth.users (id, email) VALUES (%s, 'manager@pay.example')", (MANAGER,))
    return pg_server.conninfo(name)


@pytest.fixture(scope="module")
def world(db, tmp_path_factory):
    # No periodic sweep: what the service does here, it does because it was told (NOTIFY, or an answer's actions).
    with payments_service(db, tmp_path_factory.mktemp("story"), REFUND_SWEEP_SECONDS="3600") as (api, fakes):
        yield api, fakes


@pytest.fixture(scope="module")
def shop(db) -> dict:
    return make_shop(db, MANAGER)


def test_a_widget_order_paid_at_stripe_confirms_its_booking(world, db, shop):
    api, fakes = world
    order = new_order(api, shop)
    page = pay_page(api, order)
    paid = httpx.post(f"{fakes.stripe.url}/_control/checkout/sessions/{page['provider_ref']}/pay", json={}).json()
    assert paid["delivered"] == [200]
    assert state(db, order["id"]) | {} == {"order": "paid", "paid": order["total_minor"], "refunded": 0,
                                           "booking": "confirmed", "payments": 1, "refunds": 0,
                                           "refunds_succeeded": 0}


def test_a_widget_order_paid_at_moyasar_confirms_its_booking(world, db, shop):
    api, fakes = world
    order = new_order(api, shop, "SAR")
    page = pay_page(api, order, "moyasar")
    paid = httpx.post(f"{fakes.moyasar.url}/_control/invoices/{page['provider_ref']}/pay", json={}).json()
    assert paid["delivered"] == [200]
    assert state(db, order["id"])["order"] == "paid" and state(db, order["id"])["booking"] == "confirmed"


def _deliver(api, event: dict) -> int:
    """One delivery as Stripe makes it: signed now, over the exact bytes sent; retried while refused with 5xx
    (Stripe retries until it gets a 2xx)."""
    body = json.dumps(event, indent=2)
    for _ in range(50):
        status = httpx.post(f"{api.url}/webhooks/stripe", content=body.encode(), headers=signed(body),
                            timeout=30).status_code
        if status < 500:
            return status
    return status


def test_webhook_chaos_every_event_five_times_concurrently_shuffled(world, db, shop):
    api, fakes = world
    order = new_order(api, shop, tickets=4)
    total = order["total_minor"]
    page = pay_page(api, order)
    stripe = fakes.stripe.url
    events = httpx.post(f"{stripe}/_control/checkout/sessions/{page['provider_ref']}/pay",
                        json={"deliver": False}).json()["events"]
    charge = fakes.fake_stripe.intents[events[0]["data"]["object"]["payment_intent"]]["latest_charge"]
    events += httpx.post(f"{stripe}/_control/charges/{charge}/refund",
                         json={"amount": total // 4, "deliver": False}).json()["events"]
    events += httpx.post(f"{stripe}/_control/charges/{charge}/refund", json={"deliver": False}).json()["events"]
    assert [e["type"] for e in events] == ["checkout.session.completed", "charge.refunded", "charge.refunded"]
    deliveries = [e for e in events for _ in range(5)]
    random.Random(11).shuffle(deliveries)
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda e: _deliver(api, e), deliveries))
    assert statuses == [200] * 15
    assert state(db, order["id"]) == {"order": "refunded", "paid": total, "refunded": total, "booking": "cancelled",
                                      "payments": 1, "refunds": 2, "refunds_succeeded": 2}
    with psycopg.connect(db) as conn:
        inbox = conn.execute("SELECT count(*) FROM app.provider_events WHERE event_id = ANY(%s)",
                             ([e["id"] for e in events],)).fetchone()[0]
        points = conn.execute("""SELECT kind, sum(points) FROM app.loyalty_ledger WHERE order_id = %s
                                 GROUP BY kind ORDER BY kind""", (order["id"],)).fetchall()
        customer = conn.execute("""SELECT c.lifetime_value_minor, c.paid_orders, coalesce(a.balance, 0)
                                     FROM app.orders o JOIN app.customers c ON c.id = o.customer_id
                                     LEFT JOIN app.loyalty_accounts a ON a.customer_id = c.id AND a.org_id = c.org_id
                                    WHERE o.id = %s""", (order["id"],)).fetchone()
    assert inbox == 3
    earned = total // 100  # a point per whole pound
    assert points == [("earn", earned), ("reverse", -earned)]
    assert customer == (0, 0, 0)  # lifetime value net of refunds, no paid order left, the points all reversed


def test_a_staff_refund_is_carried_out_by_the_service(world, db, shop):
    api, fakes = world
    order = new_order(api, shop)
    page = pay_page(api, order)
    httpx.post(f"{fakes.stripe.url}/_control/checkout/sessions/{page['provider_ref']}/pay", json={})
    refund = rpc(api, "request_refund", {"order_id": order["id"], "amount_minor": 1000, "reason": "one left early"},
                 token(sub=MANAGER))
    assert refund.status_code == 200, refund.text
    [row] = refund.json()
    refund_id = row["id"]
    made = wait_for(lambda: [r for r in fakes.fake_stripe.refunds.values()
                             if r["metadata"].get("refund_id") == refund_id])
    assert len(made) == 1 and made[0]["amount"] == 1000
    assert wait_for(lambda: state(db, order["id"])["order"] == "partially_refunded")
    assert state(db, order["id"])["refunded"] == 1000 and state(db, order["id"])["refunds"] == 1


def _reconcile(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([TESSERA, "payments", "reconcile"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env=env)


def test_reconcile_applies_a_payment_whose_webhook_never_came(world, db, shop):
    api, fakes = world
    env = reconcile_env(db, fakes)
    order = new_order(api, shop)
    page = pay_page(api, order)
    httpx.post(f"{fakes.stripe.url}/_control/checkout/sessions/{page['provider_ref']}/pay", json={"deliver": False})
    assert state(db, order["id"])["order"] == "pending"
    with ThreadPoolExecutor(2) as pool:  # two crons at once: one works, the other skips or finds it done
        runs = list(pool.map(lambda _: _reconcile(env), range(2)))
    assert all(r.returncode == 0 for r in runs), runs
    assert state(db, order["id"]) | {"paid": None} == {"order": "paid", "paid": None, "refunded": 0,
                                                       "booking": "confirmed", "payments": 1, "refunds": 0,
                                                       "refunds_succeeded": 0}
    summaries = [json.loads(r.stdout) for r in runs]
    assert sum(s.get("events_applied", 0) for s in summaries) >= 1
    again = json.loads(_reconcile(env).stdout)
    assert state(db, order["id"])["payments"] == 1 and again["errors"] == []


def end_hold(db: str, order: dict) -> None:
    """The booking's hold and the order's deadline run out now (as if the customer took too long)."""
    with psycopg.connect(db, autocommit=True) as conn:
        conn.execute("UPDATE app.bookings SET hold_expires_at = now() WHERE id = %s", (order["booking"]["id"],))
        conn.execute("UPDATE app.orders SET expires_at = now() WHERE id = %s", (order["id"],))


def reconcile_env(db: str, fakes) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TESSERA_")}
    return env | fakes.environment() | {"TESSERA_DATABASE_URL": login_conninfo(db), "TESSERA_JWT_SECRET": SECRET}


def test_a_session_outliving_its_hold_is_expired_through_stripes_api(world, db, shop):
    api, fakes = world
    order = new_order(api, shop)
    page = pay_page(api, order)
    end_hold(db, order)
    run = _reconcile(reconcile_env(db, fakes))
    assert run.returncode == 0, run
    assert json.loads(run.stdout)["checkouts_expired"] >= 1
    assert fakes.fake_stripe.sessions[page["provider_ref"]]["status"] == "expired"
    assert wait_for(lambda: state(db, order["id"])["order"] == "expired")
    with psycopg.connect(db) as conn:
        status = conn.execute("SELECT status FROM app.checkouts WHERE provider_ref = %s",
                              (page["provider_ref"],)).fetchone()[0]
    assert status == "expired"


def test_a_moyasar_invoice_outliving_its_hold_is_cancelled_once(world, db, shop):
    api, fakes = world
    order = new_order(api, shop, "SAR")
    page = pay_page(api, order, "moyasar")
    end_hold(db, order)
    env = reconcile_env(db, fakes)
    first = _reconcile(env)
    assert first.returncode == 0, first
    assert fakes.fake_moyasar.invoices[page["provider_ref"]]["status"] == "canceled"
    with psycopg.connect(db) as conn:
        status = conn.execute("SELECT status FROM app.checkouts WHERE provider_ref = %s",
                              (page["provider_ref"],)).fetchone()[0]
    assert status == "expired"
    # Moyasar says nothing of a cancelled invoice: the service ends the checkout, so no sweep cancels it again.
    again = _reconcile(env)
    assert again.returncode == 0, again
    assert json.loads(again.stdout)["checkouts_expired"] == 0


def test_a_payment_landing_after_its_places_are_gone_is_refunded_by_the_service(world, db, shop):
    api, fakes = world
    day = (date.today() + timedelta(days=3)).isoformat()
    late = new_order(api, shop, "TINY", tickets=2, day=day)
    page = pay_page(api, late)
    end_hold(db, late)
    rpc(api, "expire_holds", {}, token(sub=MANAGER))
    new_order(api, shop, "TINY", tickets=2, day=day)  # someone else takes the two places meanwhile
    paid = httpx.post(f"{fakes.stripe.url}/_control/checkout/sessions/{page['provider_ref']}/pay", json={}).json()
    assert paid["delivered"] == [200]
    intent = paid["session"]["payment_intent"]
    refunded = wait_for(lambda: [r for r in fakes.fake_stripe.refunds.values() if r["payment_intent"] == intent])
    assert len(refunded) == 1 and refunded[0]["amount"] == late["total_minor"]
    assert wait_for(lambda: state(db, late["id"])["refunds_succeeded"] == 1)
    assert state(db, late["id"])["booking"] != "confirmed"


def test_reconcile_finds_a_moyasar_payment_whose_webhooks_were_dropped(world, db, shop):
    api, fakes = world
    order = new_order(api, shop, "SAR")
    page = pay_page(api, order, "moyasar")
    httpx.post(f"{fakes.moyasar.url}/_control/invoices/{page['provider_ref']}/pay", json={"deliver": False})
    run = _reconcile(reconcile_env(db, fakes))
    assert run.returncode == 0, run
    assert state(db, order["id"])["order"] == "paid" and state(db, order["id"])["payments"] == 1


def test_a_moyasar_refund_is_sent_by_the_service_and_settled_by_its_webhook(world, db, shop):
    api, fakes = world
    order = new_order(api, shop, "SAR")
    page = pay_page(api, order, "moyasar")
    paid = httpx.post(f"{fakes.moyasar.url}/_control/invoices/{page['provider_ref']}/pay", json={}).json()
    assert paid["delivered"] == [200]
    refund = rpc(api, "request_refund", {"order_id": order["id"], "amount_minor": 1500}, token(sub=MANAGER))
    assert refund.status_code == 200, refund.text
    payment = fakes.fake_moyasar.payments[paid["payment"]["id"]]
    assert wait_for(lambda: payment["refunded"] == 1500)
    assert wait_for(lambda: state(db, order["id"])["order"] == "partially_refunded")
    assert state(db, order["id"])["refunded"] == 1500
