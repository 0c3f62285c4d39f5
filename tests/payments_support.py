"""The payments tests' world: a database of their own, the fake Stripe and Moyasar servers, and the real service
pointed at them (webhooks from the fakes to the service), plus what the tests need to sign and count."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

import httpx
import psycopg
import stripe
from tessera.fake_providers import STRIPE_WEBHOOK_SECRET, Fakes
from tessera.fake_providers import start as start_fakes

from tests.api_support import Api, login_conninfo, serve

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
