"""Fake Stripe and Moyasar APIs on 127.0.0.1 for tests, benchmarks and `./scripts/dev` without real keys
(`tessera fake-providers`). Each provider has a port of its own; `environment()` gives the TESSERA_ settings that
point the service at them."""

from __future__ import annotations

from dataclasses import dataclass

from tessera.fake_providers.base import Server
from tessera.fake_providers.moyasar import FakeMoyasar
from tessera.fake_providers.stripe import FakeStripe

# Development credentials of the fakes: not secrets, and useless anywhere else.
STRIPE_KEY = "sk_test_tessera_fake"
STRIPE_WEBHOOK_SECRET = "whsec_tessera_fake_development_secret"
MOYASAR_KEY = "sk_test_tessera_fake_moyasar"
MOYASAR_TOKEN = "tessera-fake-moyasar-webhook-token"


@dataclass
class Fakes:
    stripe: Server
    moyasar: Server

    @property
    def fake_stripe(self) -> FakeStripe:
        return self.stripe.provider  # type: ignore[return-value]

    @property
    def fake_moyasar(self) -> FakeMoyasar:
        return self.moyasar.provider  # type: ignore[return-value]

    def point_at(self, service_url: str | None) -> None:
        """Send the webhooks to this service (None: record them only)."""
        self.fake_stripe.webhook_url = f"{service_url}/webhooks/stripe" if service_url else None
        self.fake_moyasar.webhook_url = f"{service_url}/webhooks/moyasar" if service_url else None

    def environment(self) -> dict[str, str]:
        return {"TESSERA_STRIPE_SECRET_KEY": STRIPE_KEY, "TESSERA_STRIPE_WEBHOOK_SECRETS": STRIPE_WEBHOOK_SECRET,
                "TESSERA_STRIPE_API_BASE": self.stripe.url, "TESSERA_MOYASAR_SECRET_KEY": MOYASAR_KEY,
                "TESSERA_MOYASAR_WEBHOOK_SECRETS": MOYASAR_TOKEN, "TESSERA_MOYASAR_API_BASE": self.moyasar.url}

    def close(self) -> None:
        self.stripe.close()
        self.moyasar.close()


# Where `tessera dev` puts them when these are free, so the README's addresses hold on a first run.
DEV_PORTS = (12111, 12112)


def start(service_url: str | None = None, host: str = "127.0.0.1", stripe_port: int = 0,
          moyasar_port: int = 0, fall_back: bool = False) -> Fakes:
    """Both fakes (port 0: any free one; with fall_back, a taken port is replaced by a free one)."""
    fakes = Fakes(_server(FakeStripe(STRIPE_KEY, STRIPE_WEBHOOK_SECRET), host, stripe_port, fall_back),
                  _server(FakeMoyasar(MOYASAR_KEY, MOYASAR_TOKEN), host, moyasar_port, fall_back))
    fakes.point_at(service_url)
    return fakes


def _server(provider, host: str, port: int, fall_back: bool) -> Server:
    try:
        return Server(provider, host, port)
    except OSError:
        if not fall_back or port == 0:
            raise
        return Server(provider, host, 0)
