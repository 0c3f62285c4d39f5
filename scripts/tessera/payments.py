"""`tessera payments reconcile` and `tessera fake-providers`.

reconcile runs the service's own reconciliation code (api/payments/reconcile.py) once, with the service's
configuration (TESSERA_* provider settings) and its login role, prints a JSON summary and exits: 0 when every
provider answered, 1 when some did not (listed under "errors"; the next run tries again). Two runs at once (a slow
one overlapping the next cron minute) do not both work: the second finds the first's advisory lock, says
"skipped" and exits 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import threading

from tessera.errors import Refusal
from tessera.project import Project

_RUN_LOCK = "SELECT pg_catalog.pg_try_advisory_lock(pg_catalog.hashtextextended('tessera_reconcile', 0))"


def reconcile(project: Project) -> int:
    from api.config import Config, ConfigError
    from tessera.serve import service_environment

    # Said before the database is looked for: nothing to reconcile with is not a reason to start a cluster.
    if not (os.environ.get("TESSERA_STRIPE_SECRET_KEY") or os.environ.get("TESSERA_MOYASAR_SECRET_KEY")):
        raise Refusal("no payment provider is configured: set TESSERA_STRIPE_SECRET_KEY and/or "
                      "TESSERA_MOYASAR_SECRET_KEY as for the service")
    os.environ.update(service_environment(project))
    try:
        config = Config.from_env()
    except ConfigError as exc:
        raise Refusal(str(exc)) from None
    summary = asyncio.run(_reconcile(config))
    print(json.dumps(summary, indent=2))
    return 1 if summary.get("errors") else 0


async def _reconcile(config) -> dict:
    import psycopg

    from api.payments.reconcile import reconcile as one_pass
    from api.payments.runtime import Payments
    from api.rpc import Pipeline
    from api.state import State

    try:
        lock = await psycopg.AsyncConnection.connect(config.database_url, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError:
        raise Refusal("the database does not answer; start it with `tessera db start` or check "
                      "TESSERA_DATABASE_URL") from None
    async with lock:
        if not (await (await lock.execute(_RUN_LOCK)).fetchone())[0]:
            return {"skipped": "another reconcile is running"}
        state = State(config)
        await state.start()
        payments = Payments(config, Pipeline(config, state))
        try:
            if not state.cache.loaded:
                raise Refusal("the database's functions could not be read; is it deployed (`tessera db status`)?")
            return await one_pass(payments)
        finally:
            await payments.close()
            await state.stop()


def fake_providers(host: str, stripe_port: int, moyasar_port: int, service_url: str) -> int:
    """The fakes in the foreground until Ctrl-C, printing the settings that point a service at them."""
    from tessera.fake_providers import start

    try:
        fakes = start(service_url, host, stripe_port, moyasar_port)
    except OSError as exc:
        raise Refusal(f"cannot listen on {host}: {exc.strerror}; pass other --stripe-port/--moyasar-port "
                      "(0 = any free one)") from None
    print(f"fake Stripe on {fakes.stripe.url}, fake Moyasar on {fakes.moyasar.url}; webhooks go to {service_url}")
    print("point the service at them with:")
    for name, value in fakes.environment().items():
        print(f"  export {name}={value}")
    print("Ctrl-C stops them", flush=True)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how it is meant to stop
        stopped.wait()
    fakes.close()
    return 0
