"""Outgoing Stripe calls, with stripe-python pointed at TESSERA_STRIPE_API_BASE (the fake in tests and dev).

Every POST carries an Idempotency-Key the caller derives from the database's ids, so a call retried after a
timeout (which may have reached Stripe) replays Stripe's first answer instead of doing the thing twice. Answers are
Stripe's JSON as sent (dicts), which is also what the database's apply function reads in events."""

from __future__ import annotations

import httpx
import stripe

from api.config import Payments
from api.errors import ProviderError


class Stripe:
    name = "stripe"

    def __init__(self, settings: Payments):
        assert settings.stripe_secret_key is not None
        # Retries are the caller's: the checkout answers 502/504 at once, the worker comes back on its next sweep.
        self._client = stripe.StripeClient(settings.stripe_secret_key.reveal(),
                                           base_addresses={"api": settings.stripe_api_base}, max_network_retries=0,
                                           http_client=stripe.HTTPXClient(timeout=settings.provider_timeout))

    async def _call(self, coroutine) -> tuple[dict, bool]:
        """Stripe's answer as a dict and whether it was a replay of an idempotency key's first answer."""
        try:
            obj = await coroutine
        except stripe.APIConnectionError as exc:
            kind = "timeout" if isinstance(exc.__cause__, httpx.TimeoutException) else "unreachable"
            raise ProviderError("stripe", kind, "no answer from the Stripe API") from None
        except stripe.IdempotencyError as exc:  # the key was first used with other parameters
            raise ProviderError("stripe", "key_reused", exc.user_message or "idempotency key reused") from None
        except stripe.StripeError as exc:
            raise ProviderError("stripe", "refused", exc.user_message or "error", exc.http_status) from None
        response = obj.last_response
        replayed = (response.headers.get("idempotent-replayed") or "").lower() == "true"
        return response.data, replayed

    async def create_session(self, order: dict, success_url: str, cancel_url: str, expires_at: int,
                             key: str) -> tuple[dict, bool]:
        order_id = str(order["order_id"])
        params = {
            "mode": "payment",
            "line_items": [{"quantity": 1, "price_data": {
                "currency": str(order["currency"]).lower(), "unit_amount": int(order["amount_minor"]),
                "product_data": {"name": str(order.get("description") or f"Order {order_id}")}}}],
            "metadata": {"order_id": order_id},
            "payment_intent_data": {"metadata": {"order_id": order_id}},
            "client_reference_id": order_id,
            "success_url": success_url,
            "cancel_url": cancel_url,
            "expires_at": expires_at,
        }
        if order.get("customer_email"):
            params["customer_email"] = str(order["customer_email"])
        return await self._call(self._client.v1.checkout.sessions.create_async(params, {"idempotency_key": key}))

    async def retrieve_session(self, session_id: str) -> dict:
        return (await self._call(self._client.v1.checkout.sessions.retrieve_async(session_id)))[0]

    async def expire_session(self, session_id: str) -> dict:
        """Expire an open session; one that is no longer open is answered as it stands."""
        try:
            return (await self._call(self._client.v1.checkout.sessions.expire_async(
                session_id, options={"idempotency_key": f"expire-{session_id}"})))[0]
        except ProviderError as err:
            if err.kind != "refused" or err.status != 400:
                raise
            return await self.retrieve_session(session_id)

    async def refund(self, refund: dict) -> str:
        """The Stripe refund id for the database's refund row (the row's id is the idempotency key)."""
        refund_id = str(refund["refund_id"])
        params = {"payment_intent": str(refund["payment_ref"]), "amount": int(refund["amount_minor"]),
                  "metadata": {"refund_id": refund_id, "order_id": str(refund.get("order_id") or "")}}
        answer, _ = await self._call(self._client.v1.refunds.create_async(params, {"idempotency_key": refund_id}))
        return str(answer["id"])
