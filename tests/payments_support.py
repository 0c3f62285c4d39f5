"""The payments tests' world: a database of their own, the fake Stripe and Moyasar servers, and the real service
pointed at them (webhooks from the fakes to the service), plus what the tests need to sign and count."""

from __future__ import annotations

import contextlib
import random
import time
import uuid
from collections.abc import Iterator
from datetime import date, timedelta

import httpx
import psycopg
import stripe
from tessera.fake_providers import STRIPE_WEBHOOK_SECRET, Fakes
from tessera.fake_providers import start as start_fakes

from tests.api_support import Api, login_conninfo, serve, token

OLD_STRIPE_SECRET = "whsec_tessera_test_old_secret_still_accepted"
SHOP = "https://shop.example"

# Every table that holds data, counted before and after a refused delivery: nothing may change anywhere.
TABLES = """
    SELECT format('%I.%I', n.nspname, c.relname)
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p') AND n.nspname IN ('app', 'audit', 'private', 'auth', 'api')
     ORDER BY 1"""


def row_counts(conninfo: str) -> dict[str, int]:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        tables = [r[0] for r in conn.execute(TABLES).fetchall()]
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}


def signed(payload: str, secret: str = STRIPE_WEBHOOK_SECRET, timestamp: int | None = None) -> dict[str, str]:
    return {"Stripe-Signature": stripe.WebhookSignature.generate_signature_header(payload, secret,
                                                                                  timestamp=timestamp),
            "Content-Type": "application/json"}


@contextlib.contextmanager
def payments_service(conninfo: str, tmp, **settings: str) -> Iterator[tuple[Api, Fakes]]:
    """The fakes and the service, each knowing the other's address."""
    fakes = start_fakes()
    env = {k.removeprefix("TESSERA_"): v for k, v in fakes.environment().items()}
    env |= {"STRIPE_WEBHOOK_SECRETS": f"{STRIPE_WEBHOOK_SECRET},{OLD_STRIPE_SECRET}",
            "CHECKOUT_RETURN_ORIGINS": SHOP, "PROVIDER_TIMEOUT": "1", "REFUND_SWEEP_SECONDS": "0.5"}
    env |= settings
    try:
        with serve(login_conninfo(conninfo), tmp, **env) as api:
            fakes.point_at(api.url)
            yield api, fakes
    finally:
        fakes.close()


def post_stripe(api: Api, payload: str, headers: dict[str, str]) -> httpx.Response:
    return httpx.post(f"{api.url}/webhooks/stripe", content=payload.encode(), headers=headers, timeout=30)


def wait_for(check, timeout: float = 10.0, every: float = 0.05):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(every)


def make_shop(db: str, manager: str) -> dict:
    """A venue selling a ticketed quiz night every evening at 2,500 a ticket, in GBP or SAR, a loyalty point per
    whole unit paid; and a tiny one (two places a night) for payments that land after their places are gone."""
    venues = {}
    with psycopg.connect(db, autocommit=True) as conn:
        for label, currency, capacity in (("GBP", "GBP", 200), ("SAR", "SAR", 200), ("TINY", "GBP", 2)):
            row = conn.execute("""
                WITH org AS (INSERT INTO app.organizations (name, slug) VALUES ('Pay Rooms', %(slug)s) RETURNING id),
                     m AS (INSERT INTO app.memberships (org_id, user_id, role) SELECT id, %(manager)s, 'admin'
                           FROM org),
                     v AS (INSERT INTO app.venues (org_id, name, timezone) SELECT id, 'Soho', 'Europe/London'
                           FROM org RETURNING org_id, id, embed_key),
                     e AS (INSERT INTO app.experiences (org_id, venue_id, kind, name, duration_minutes, max_party,
                                                        capacity, currency)
                           SELECT org_id, id, 'ticketed_event', 'Quiz night', 120, 10, %(capacity)s, %(currency)s
                             FROM v
                           RETURNING org_id, id),
                     t AS (INSERT INTO app.ticket_types (org_id, experience_id, name, price_minor)
                           SELECT org_id, id, 'Standard', 2500 FROM e RETURNING id),
                     s AS (INSERT INTO app.schedules (org_id, experience_id, weekday, start_time, valid_from)
                           SELECT org_id, id, d, '19:00', current_date FROM e, generate_series(1, 7) d)
                SELECT (SELECT org_id FROM v)::text, (SELECT embed_key FROM v), (SELECT id FROM e)::text,
                       (SELECT id FROM t)::text""",
                               {"slug": f"pay-{uuid.uuid4().hex[:10]}", "manager": manager,
                                "currency": currency, "capacity": capacity}).fetchone()
            conn.execute("UPDATE app.org_settings SET currency = %s, loyalty_points_per_major = 1 WHERE org_id = %s",
                         (currency, row[0]))
            venues[label] = {"org": row[0], "key": row[1], "event": row[2], "ticket": row[3]}
    return venues


def rpc(api, name: str, body: dict, bearer: str | None = None) -> httpx.Response:
    headers = {"apikey": token(role="anon")}
    if bearer:
        headers["Authorization"] = f"Bearer {bearer}"
    return httpx.post(f"{api.url}/rest/v1/rpc/{name}", json=body, headers=headers, timeout=30)


def new_order(api, shop: dict, currency: str = "GBP", tickets: int = 2, day: str | None = None) -> dict:
    venue, email = shop[currency], f"fan-{uuid.uuid4().hex[:8]}@example.com"
    day = day or (date.today() + timedelta(days=random.randint(5, 60))).isoformat()
    starts = rpc(api, "widget_availability", {"embed_key": venue["key"], "experience_id": venue["event"],
                                              "from_date": day, "to_date": day}).json()[0]["starts_at"]
    booking = rpc(api, "widget_create_booking", {
        "embed_key": venue["key"], "experience_id": venue["event"], "starts_at": starts, "customer_email": email,
        "tickets": [{"ticket_type_id": venue["ticket"], "quantity": tickets}]}).json()
    order = rpc(api, "create_order", {"booking_id": booking["id"], "embed_key": venue["key"],
                                      "customer_email": email})
    assert order.status_code == 200, order.text
    return {**order.json(), "email": email, "embed_key": venue["key"], "booking": booking}


def pay_page(api, order: dict, provider: str = "stripe") -> dict:
    answer = httpx.post(f"{api.url}/payments/checkout", headers={"apikey": token(role="anon")}, timeout=30, json={
        "order_id": order["id"], "provider": provider, "success_url": f"{SHOP}/paid", "cancel_url": f"{SHOP}/cart",
        "embed_key": order["embed_key"], "customer_email": order["email"]})
    assert answer.status_code == 200, answer.text
    return answer.json()


def state(db: str, order_id: str) -> dict:
    with psycopg.connect(db) as conn:
        row = conn.execute("""
            SELECT o.status::text, o.paid_minor, o.refunded_minor, b.status::text,
                   (SELECT count(*) FROM app.payments p WHERE p.order_id = o.id),
                   (SELECT count(*) FROM app.refunds r WHERE r.order_id = o.id),
                   (SELECT count(*) FROM app.refunds r WHERE r.order_id = o.id AND r.status = 'succeeded')
              FROM app.orders o JOIN app.bookings b ON b.id = o.booking_id WHERE o.id = %s""",
                           (order_id,)).fetchone()
    keys = ("order", "paid", "refunded", "booking", "payments", "refunds", "refunds_succeeded")
    return dict(zip(keys, row, strict=True))
