"""POST /payments/checkout: a provider's payment page for a pending order.

    begin_checkout AS THE CALLER (the database decides who may pay for which order, as for create_order)
      → an open checkout of the order: answered as it is
      → else created at the provider (Stripe Checkout Session / Moyasar invoice), then recorded with
        record_checkout as service_role (idempotent on the provider's id)
    → {provider, url, expires_at, provider_ref}

The session's expiry (the decision the issue asks for): holds stay as short as the venue set them. Stripe wants a
session to live 30 minutes to 24 hours, so a session lives max(hold end, now + 31 minutes); when the hold ends
first, the service's sweep and `tessera payments reconcile` expire it through Stripe's API (api.checkouts_to_expire),
and a payment that still lands takes the database's late-payment path (re-take the places or refund). Moyasar has
no minimum: its invoice expires with the hold.

Idempotency: Stripe gets Idempotency-Key `checkout-<order id>-<n>` and parameters that stay the same for a
while (see stripe_expiries), so a retry after a timeout (the session may have been made) gets the same session back;
n moves on past a replayed session that is no longer open (a previous checkout expired while the order is still
payable) and past a key first used with other parameters (other return URLs, a later expiry). Moyasar has no
such key: calls for one order are serialised in this process, and the database keeps one open checkout per order.

A provider error is 502 and a timeout 504 (api/errors.py); the order is untouched and the call can be retried.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from datetime import UTC, datetime

import msgspec

from api.auth import Caller
from api.config import origin
from api.errors import ApiError, ProviderError, from_provider, not_configured
from api.payments.runtime import Payments

STRIPE_FLOOR = 30 * 60 + 10  # Stripe's 30 minutes, and 10 s for clocks and the call itself
STRIPE_MINIMUM = 30 * 60 + 60  # what a new session asks for: the floor and 50 s in which a retry can reach back
STRIPE_MAXIMUM = 24 * 3600 - 60
STRIPE_CEILING = 24 * 3600 - 10
EXPIRY_STEP = 5 * 60
RETRY_WINDOW = 50  # how long after a first call its retry can come and still find its session
ATTEMPTS = 5


class CheckoutRequest(msgspec.Struct, forbid_unknown_fields=True):
    order_id: str
    provider: str
    success_url: str
    cancel_url: str
    embed_key: str | None = None
    customer_email: str | None = None


class Checkout(msgspec.Struct):
    provider: str
    url: str | None
    expires_at: str
    provider_ref: str


def parse(body: bytes) -> CheckoutRequest:
    try:
        return msgspec.json.decode(body or b"{}", type=CheckoutRequest)
    except msgspec.ValidationError as exc:
        raise ApiError(400, "PT400", f"invalid checkout request: {exc}", "invalid",
                       "send {order_id, provider, success_url, cancel_url} and, for the widget, embed_key and "
                       "customer_email") from None
    except msgspec.DecodeError:
        raise ApiError(400, "PGRST102", "Empty or invalid json") from None


def _timestamp(value: object) -> float:
    if isinstance(value, int | float):
        return float(value)
    return datetime.fromisoformat(str(value)).timestamp()


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat()


_order_locks: dict[str, asyncio.Lock] = {}


async def checkout(payments: Payments, caller: Caller, body: bytes, client: str) -> Checkout:
    asked = parse(body)
    settings = payments.config.payments
    if asked.provider not in ("stripe", "moyasar") or payments.provider(asked.provider) is None:
        raise not_configured(asked.provider, settings.offered())
    for name, url in (("success_url", asked.success_url), ("cancel_url", asked.cancel_url)):
        if origin(url) not in settings.return_origins:
            raise ApiError(400, "PT400", f"{name} must be an http(s) URL on an allowed origin", "invalid",
                           f"allowed origins: {', '.join(settings.return_origins)}")
    args = {"order_id": asked.order_id, "provider": asked.provider, "embed_key": asked.embed_key,
            "customer_email": asked.customer_email}
    order = await payments.db.call("begin_checkout", args, caller, client=client)
    if not isinstance(order, dict):
        raise ApiError(500, "PT500", "begin_checkout answered no order")
    if isinstance(open_checkout := order.get("open_checkout"), dict):
        return _answer(open_checkout)
    try:
        if asked.provider == "stripe":
            made = await _stripe(payments, order, asked)
        else:
            lock = _order_locks.setdefault(str(order["order_id"]), asyncio.Lock())
            async with lock:
                again = await payments.db.call("begin_checkout", args, caller, client=client)
                if isinstance(again, dict) and isinstance(again.get("open_checkout"), dict):
                    return _answer(again["open_checkout"])
                made = await _moyasar(payments, order, asked)
            if not lock.locked():
                _order_locks.pop(str(order["order_id"]), None)
    except ProviderError as err:
        raise from_provider(err) from None
    try:
        await payments.db.call("record_checkout", {"order_id": str(order["order_id"]), **msgspec.to_builtins(made)})
    except ApiError:
        # Not recorded (the hold ended meanwhile, or the database is away): leave no payable page behind.
        await _expire_quietly(payments, made)
        raise
    return made


def _answer(row: dict) -> Checkout:
    return Checkout(str(row["provider"]), row.get("url"), str(row["expires_at"]), str(row["provider_ref"]))


async def _stripe(payments: Payments, order: dict, asked: CheckoutRequest) -> Checkout:
    stripe = payments.provider("stripe")
    expiries = stripe_expiries(_timestamp(order["expires_at"]), time.time())
    for attempt in range(1, ATTEMPTS + 1):
        key = f"checkout-{order['order_id']}-{attempt}"
        for expires in expiries:
            try:
                session, replayed = await stripe.create_session(order, asked.success_url, asked.cancel_url, expires,
                                                                key)
                break
            except ProviderError as err:
                if err.kind != "key_reused":
                    raise
        else:  # every expiry refused: the key was first used with other URLs, a checkout of its own
            continue
        if replayed:  # the first answer to this key: is that session still payable?
            session = await stripe.retrieve_session(session["id"])
            if session.get("status") != "open":
                continue
        return Checkout("stripe", session.get("url"), _iso(session["expires_at"]), str(session["id"]))
    raise ProviderError("stripe", "refused", f"{ATTEMPTS} earlier checkouts of this order are closed")


def _asked(hold_end: float, now: float) -> int:
    """The expires_at a call made at `now` asks for: the hold's end when Stripe allows it, else the nearest value
    Stripe allows, rounded to 5 minutes so that calls a little apart agree."""
    if hold_end < now + STRIPE_MINIMUM:
        return int(-(-(now + STRIPE_MINIMUM) // EXPIRY_STEP) * EXPIRY_STEP)
    if hold_end > now + STRIPE_MAXIMUM:
        return int((now + STRIPE_MAXIMUM) // EXPIRY_STEP * EXPIRY_STEP)
    return int(hold_end)


def stripe_expiries(hold_end: float, now: float) -> list[int]:
    """The session's expires_at to ask for, then the values a first call made up to 50 s earlier may have asked for,
    while Stripe still takes them.

    A retry after a timeout sends the first call's parameters under the same idempotency key and gets the session
    that call made. The value asked is a step function of the call's time: it moves when the hold's end leaves or
    enters Stripe's range, or when now plus a limit crosses a 5-minute mark. Within 50 s each of the three branches
    of _asked gives at most two values (a step is 300 s), those at the ends of the times that take it, so the ends
    of each branch's times are every value an earlier call can have asked."""
    earliest = now - RETRY_WINDOW
    values = [_asked(hold_end, now)]
    # Calls before hold_end - MAXIMUM rounded down from now + MAXIMUM; the last of them from just below hold_end.
    if earliest < hold_end - STRIPE_MAXIMUM:
        last = (-(-hold_end // EXPIRY_STEP) - 1) * EXPIRY_STEP if now >= hold_end - STRIPE_MAXIMUM \
            else (now + STRIPE_MAXIMUM) // EXPIRY_STEP * EXPIRY_STEP
        values += [int((earliest + STRIPE_MAXIMUM) // EXPIRY_STEP * EXPIRY_STEP), int(last)]
    # Calls after hold_end - MINIMUM rounded up from now + MINIMUM; the first of them from just above hold_end.
    if now > hold_end - STRIPE_MINIMUM:
        first = (hold_end // EXPIRY_STEP + 1) * EXPIRY_STEP if earliest <= hold_end - STRIPE_MINIMUM \
            else -(-(earliest + STRIPE_MINIMUM) // EXPIRY_STEP) * EXPIRY_STEP
        values += [int(first), int(-(-(now + STRIPE_MINIMUM) // EXPIRY_STEP) * EXPIRY_STEP)]
    if earliest <= hold_end - STRIPE_MINIMUM and hold_end - STRIPE_MAXIMUM <= now:
        values.append(int(hold_end))
    taken = [v for v in dict.fromkeys(values) if now + STRIPE_FLOOR <= v <= now + STRIPE_CEILING]
    return taken[:1] + sorted(taken[1:], reverse=True)


async def _moyasar(payments: Payments, order: dict, asked: CheckoutRequest) -> Checkout:
    invoice = await payments.provider("moyasar").create_invoice(order, asked.success_url, asked.cancel_url,
                                                                 _iso(_timestamp(order["expires_at"])))
    expires = invoice.get("expired_at") or _iso(_timestamp(order["expires_at"]))
    return Checkout("moyasar", invoice.get("url"), str(expires), str(invoice["id"]))


async def _expire_quietly(payments: Payments, made: Checkout) -> None:
    # Failing that, the provider's own expiry ends it; a payment that lands anyway is the late-payment path.
    with contextlib.suppress(ProviderError, ApiError):
        await payments.worker.expire(made.provider, made.provider_ref, apply=False)
