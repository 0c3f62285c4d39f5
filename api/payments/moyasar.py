"""Outgoing Moyasar calls: JSON over HTTP Basic (the secret key as user name, no password), with httpx, pointed at
TESSERA_MOYASAR_API_BASE (the fake in tests and dev). Moyasar documents no idempotency keys, so the callers keep
these calls from repeating (one invoice per order at a time, refunds claimed before they are sent)."""

from __future__ import annotations

import httpx

from api.config import Payments
from api.errors import ProviderError


class Moyasar:
    name = "moyasar"

    def __init__(self, settings: Payments):
        assert settings.moyasar_secret_key is not None
        self._settings = settings
        self._client = httpx.AsyncClient(base_url=settings.moyasar_api_base, timeout=settings.provider_timeout,
                                         auth=httpx.BasicAuth(settings.moyasar_secret_key.reveal(), ""))

    async def _call(self, method: str, path: str, body: dict | None = None) -> dict:
        try:
            response = await self._client.request(method, path, json=body)
        except httpx.TimeoutException:
            raise ProviderError("moyasar", "timeout", "no answer from the Moyasar API") from None
        except httpx.HTTPError:
            raise ProviderError("moyasar", "unreachable", "no answer from the Moyasar API") from None
        try:
            data = response.json()
        except ValueError:
            data = None
        if response.status_code >= 300 or not isinstance(data, dict):
            message = data.get("message") if isinstance(data, dict) else None
            raise ProviderError("moyasar", "refused", str(message or "error"), response.status_code)
        return data

    async def create_invoice(self, order: dict, success_url: str, cancel_url: str, expires_at: str) -> dict:
        order_id = str(order["order_id"])
        return await self._call("POST", "/v1/invoices", {
            "amount": int(order["amount_minor"]), "currency": str(order["currency"]).upper(),
            "description": str(order.get("description") or f"Order {order_id}"),
            "callback_url": f"{self._settings.public_url}/webhooks/moyasar",
            "success_url": success_url, "back_url": cancel_url, "expired_at": expires_at,
            "metadata": {"order_id": order_id}})

    async def invoice(self, invoice_id: str) -> dict:
        return await self._call("GET", f"/v1/invoices/{invoice_id}")

    async def cancel_invoice(self, invoice_id: str) -> dict:
        """Cancel an invoice still open; one that is not is answered as it stands."""
        try:
            return await self._call("PUT", f"/v1/invoices/{invoice_id}/cancel")
        except ProviderError as err:
            if err.kind != "refused" or err.status != 400:
                raise
            return await self.invoice(invoice_id)

    async def payment(self, payment_id: str) -> dict:
        return await self._call("GET", f"/v1/payments/{payment_id}")

    async def refund(self, refund: dict) -> None:
        """Moyasar's refunds have no id of their own: the payment's payment_refunded event settles it."""
        await self._call("POST", f"/v1/payments/{refund['payment_ref']}/refund",
                         {"amount": int(refund["amount_minor"])})

    async def close(self) -> None:
        await self._client.aclose()
