"""What the database asks the service to do at a provider, and the refund executor.

The database decides; the service only carries out: `actions` returned by api.apply_payment_event (a refund to
send, a checkout to expire) run after the webhook has been answered, and the executor sends every refund
api.due_refunds lists (woken by NOTIFY tessera_refunds, and by a periodic sweep that also expires the checkouts
of ended holds). The same code runs in `tessera payments reconcile`.

A refund is claimed by api.due_refunds before it is sent (a claim of two minutes, so two executors, the service
and a cron reconcile, never get the same one). Stripe also gets the refund row's id as Idempotency-Key, so a
refund sent again after a timeout is Stripe's first answer replayed; Moyasar has no such key, so for Moyasar the
claim is the whole guard.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from api.errors import ApiError, ProviderError

if TYPE_CHECKING:
    from api.payments.runtime import Payments

log = logging.getLogger("tessera.api")

BATCH = 50


def synthetic(provider: str, obj: dict) -> dict | None:
    """The event a provider object's current state amounts to, for the apply function, with an id of its own that
    names the object and the state (so each finding is applied once, and never mistaken for a webhook's event).
    None when there is nothing to apply."""
    if provider == "stripe":
        status, paid = obj.get("status"), obj.get("payment_status")
        if status == "complete":
            kind = "checkout.session.completed"
        elif status == "expired":
            kind = "checkout.session.expired"
        else:
            return None
        return {"id": f"reconcile:{obj['id']}:{status}:{paid}", "type": kind, "data": {"object": obj}}
    status = obj.get("status")
    kinds = {"paid": "payment_paid", "failed": "payment_failed", "authorized": "payment_authorized",
             "captured": "payment_captured", "refunded": "payment_refunded", "voided": "payment_voided"}
    if status not in kinds:
        return None
    refunded = f":{obj.get('refunded')}" if status == "refunded" else ""
    return {"id": f"reconcile:{obj['id']}:{status}{refunded}", "type": kinds[status], "data": obj}


class Worker:
    def __init__(self, payments: Payments):
        self.payments = payments
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._pending: set[asyncio.Task] = set()

    # --- after a webhook ---------------------------------------------------------------------------------------
    def after(self, answer: object) -> None:
        """The answer's actions, carried out on a task of their own once the webhook has been answered."""
        actions = answer.get("actions") if isinstance(answer, dict) else None
        if actions:
            task = asyncio.create_task(self.carry_out(actions))
            self._pending.add(task)  # a reference, so the task is not collected before it is done
            task.add_done_callback(self._pending.discard)

    async def carry_out(self, actions: list) -> dict:
        done = {"refunds": 0, "checkouts_expired": 0, "errors": []}
        for action in actions:
            if not isinstance(action, dict):
                continue
            if action.get("kind") == "expire_checkout":
                with self._reported(done["errors"], "expire_checkout"):
                    await self.expire(str(action["provider"]), str(action["provider_ref"]))
                    done["checkouts_expired"] += 1
            elif action.get("kind") == "refund":
                self.wake()
        if any(isinstance(a, dict) and a.get("kind") == "refund" for a in actions) and self._task is None:
            done["refunds"] += (await self.send_refunds())["submitted"]  # no executor running: do it now
        return done

    @contextlib.contextmanager
    def _reported(self, errors: list, what: str):
        try:
            yield
        except (ProviderError, ApiError) as err:
            errors.append(f"{what}: {err}")
            log.warning("payment action failed", extra={"event": "payment_action_failed", "action": what,
                                                        "error": str(err)})

    async def expire(self, provider_name: str, ref: str, apply: bool = True) -> bool:
        """Expire a checkout at its provider and apply what the provider then says (expired, or paid meanwhile)."""
        provider = self.payments.provider(provider_name)
        if provider is None:
            return False
        if provider_name == "stripe":
            found = [await provider.expire_session(ref)]
        else:
            invoice = await provider.cancel_invoice(ref)
            found = [await provider.payment(p["id"]) for p in invoice.get("payments") or []]
        if apply:
            await self.apply_found(provider_name, found)
        if apply and provider_name == "moyasar":
            # Moyasar sends no webhook for a cancelled invoice: say so ourselves, or every sweep would cancel it again.
            await self.payments.apply(provider_name, {"id": f"reconcile:{ref}:expired", "type": "invoice_expired",
                                                      "data": {"id": ref}})
        return True

    async def apply_found(self, provider_name: str, found: list[dict]) -> None:
        """What a provider's objects say now, applied as events through the same SQL function as webhooks."""
        for obj in found:
            if (event := synthetic(provider_name, obj)) is not None:
                await self.payments.apply(provider_name, event)

    async def expire_ended(self, errors: list) -> int:
        """The open checkouts of holds that have ended, expired at their providers; how many."""
        expired = 0
        for row in await self.payments.db.call("checkouts_to_expire", {"limit": BATCH}) or []:
            with self._reported(errors, f"expire {row.get('provider_ref')}"):
                if await self.expire(str(row["provider"]), str(row["provider_ref"])):
                    expired += 1
        return expired

    # --- the refund executor ------------------------------------------------------------------------------------
    def wake(self) -> None:
        self._wake.set()

    async def send_refunds(self) -> dict:
        """Every refund due now, sent once: {"submitted", "failed", "errors"}. api.due_refunds claims what it
        answers (for two minutes), so concurrent executors never get the same refund."""
        summary = {"submitted": 0, "failed": 0, "errors": []}
        while due := await self.payments.db.call("due_refunds", {"limit": BATCH}) or []:
            for refund in due:
                await self._send(refund, summary)
            if len(due) < BATCH:
                break
        return summary

    async def _send(self, refund: dict, summary: dict) -> None:
        db, refund_id = self.payments.db, str(refund["refund_id"])
        provider = self.payments.provider(str(refund["provider"]))
        if provider is None:
            summary["errors"].append(f"refund {refund_id}: {refund['provider']} is not configured")
            return
        try:
            provider_refund_id = await provider.refund(refund)
        except ProviderError as err:
            if err.kind == "refused":  # the provider said no: the row says why, staff decide what next
                await db.call("record_refund_failure", {"refund_id": refund_id, "message": str(err)[:1000]})
                summary["failed"] += 1
            else:  # no answer: it may have happened; once the claim runs out it is sent again (Stripe replays)
                summary["errors"].append(f"refund {refund_id}: {err}")
            return
        await db.call("record_refund_submission", {"refund_id": refund_id, "provider_refund_id": provider_refund_id})
        # (None for Moyasar, whose refunds have no id: its payment_refunded event settles the refund.)
        summary["submitted"] += 1

    async def sweep(self) -> dict:
        """Refunds due, and the open checkouts of holds that have ended expired at their providers."""
        summary = await self.send_refunds()
        summary["checkouts_expired"] = await self.expire_ended(summary["errors"])
        return summary

    async def _run(self) -> None:
        every = self.payments.config.payments.refund_sweep_seconds
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=every)
            self._wake.clear()
            try:
                await self.sweep()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the database away, a provider down: the next sweep tries again
                log.warning("payments sweep failed; retrying", extra={"event": "payments_sweep_failed",
                                                                       "error": type(exc).__name__})

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._pending:  # actions already under way: give them a moment to finish
            await asyncio.wait(self._pending, timeout=5)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None
