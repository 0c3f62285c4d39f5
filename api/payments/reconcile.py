"""One reconciliation pass, for what webhooks did not bring (Moyasar drops a webhook after five retries; any
provider's delivery can be lost): `tessera payments reconcile`, safe from cron every minute and while webhooks
arrive.

    1. open checkouts of holds that have ended: expired at their provider (api.checkouts_to_expire)
    2. pending orders at or past their deadline that have checkouts: their provider asked what happened
       (Stripe: the session; Moyasar: the invoice and each of its payments, re-fetched)
    3. refunds due: sent (the worker's executor)

Every finding goes through api.apply_payment_event, as a webhook would, with an event id that names the object
and its state (`reconcile:<id>:<status>…`): applying it twice, or after the webhook, changes nothing, because the
inbox is UNIQUE per event id and payments UNIQUE per provider reference.
"""

from __future__ import annotations

from api.errors import ApiError, ProviderError
from api.payments.runtime import Payments
from api.payments.worker import BATCH


async def reconcile(payments: Payments) -> dict:
    summary: dict = {"checkouts_expired": 0, "orders_checked": 0, "events_applied": 0, "duplicates": 0,
                     "refunds_submitted": 0, "refunds_failed": 0, "errors": []}
    applied = dict(payments.applied)
    worker, db = payments.worker, payments.db
    summary["checkouts_expired"] = await worker.expire_ended(summary["errors"])
    for row in await db.call("orders_to_reconcile", {"limit": BATCH}) or []:
        summary["orders_checked"] += 1
        for checkout in row.get("checkouts") or [row]:
            try:
                await _ask(payments, str(checkout["provider"]), str(checkout["provider_ref"]))
            except (ProviderError, ApiError) as err:
                summary["errors"].append(f"order {row.get('order_id')}: {err}")
    refunds = await worker.send_refunds()
    summary["refunds_submitted"], summary["refunds_failed"] = refunds["submitted"], refunds["failed"]
    summary["errors"] += refunds["errors"]
    summary["events_applied"] = payments.applied["events"] - applied["events"]
    summary["duplicates"] = payments.applied["duplicates"] - applied["duplicates"]
    return summary


async def _ask(payments: Payments, provider_name: str, ref: str) -> None:
    provider = payments.provider(provider_name)
    if provider is None:
        raise ProviderError(provider_name, "refused", "not configured on this service")
    if provider_name == "stripe":
        found = [await provider.retrieve_session(ref)]
    else:
        invoice = await provider.invoice(ref)
        found = [await provider.payment(p["id"]) for p in invoice.get("payments") or []]
    await payments.worker.apply_found(provider_name, found)
