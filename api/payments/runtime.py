"""The payments part of one service process (or of one `tessera payments reconcile` run): the database calls,
the configured providers, the worker."""

from __future__ import annotations

from typing import TYPE_CHECKING

from api.config import Config
from api.payments.moyasar import Moyasar
from api.payments.stripe import Stripe
from api.payments.worker import Worker
from api.rpc.internal import Database

if TYPE_CHECKING:
    from api.rpc import Pipeline

REFUNDS_CHANNEL = "tessera_refunds"


class Payments:
    def __init__(self, config: Config, pipeline: Pipeline):
        self.config = config
        self.db = Database(pipeline)
        settings = config.payments
        self._providers: dict[str, Stripe | Moyasar] = {}
        if settings.stripe_secret_key is not None:
            self._providers["stripe"] = Stripe(settings)
        if settings.moyasar_secret_key is not None:
            self._providers["moyasar"] = Moyasar(settings)
        self.worker = Worker(self)
        self.applied = {"events": 0, "duplicates": 0}  # findings this process applied (reconcile's summary)

    def provider(self, name: str) -> Stripe | Moyasar | None:
        return self._providers.get(name)

    async def apply(self, provider: str, event: dict) -> object:
        """One finding through the same SQL function as the webhooks; its actions carried out."""
        answer = await self.db.call("apply_payment_event", {"provider": provider, "event": event})
        duplicate = isinstance(answer, dict) and answer.get("duplicate") is True
        self.applied["duplicates" if duplicate else "events"] += 1
        if isinstance(answer, dict) and answer.get("actions"):
            await self.worker.carry_out(answer["actions"])
        return answer

    def notified(self, channel: str, payload: str) -> None:
        if channel == REFUNDS_CHANNEL:
            self.worker.wake()

    async def close(self) -> None:
        await self.worker.stop()
        for provider in self._providers.values():
            if isinstance(provider, Moyasar):
                await provider.close()
