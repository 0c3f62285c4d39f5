"""The service's runtime state, with one owner: the connection pool, the schema cache, the schema listener, and
whether the database is up. The RPC pipeline, the health routes and webhook routes ask it for the pool and for
up/down; nothing else reassigns a pool or keeps its own flag.

While the database is known to be away, requests fail fast (503) instead of queueing for a connection that cannot
come. When the listener reaches it again after an outage, the pool's own reconnects may be far apart (exponential
back-off), so a fresh pool takes over at once and the old one closes behind it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable

from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg_pool import AsyncConnectionPool

from api.config import Config
from api.rpc.replica import Replica
from api.rpc.wire import CONNECTION
from api.schema_cache import SchemaCache, listen_for_reloads, poll_for_reloads

log = logging.getLogger("tessera.api")


def guarded(config: Config, url: str | None = None) -> str:
    """The database URL (or another: the replica's) with a connect timeout and TCP keepalives (a peer that vanished
    is noticed in about a minute instead of the kernel's two hours), unless the URL sets them itself. Unix sockets
    ignore the keepalives."""
    url = config.database_url if url is None else url
    return with_guards(url, config.connect_timeout, config.keepalives_idle)


def with_guards(url: str, connect_timeout: int = 5, keepalives_idle: int = 30, **more: object) -> str:
    """url with a connect timeout, TCP keepalives and any other conninfo keys given, each unless url sets it."""
    given = conninfo_to_dict(url)
    wanted = {"connect_timeout": connect_timeout, "keepalives": 1, "keepalives_idle": keepalives_idle,
              "keepalives_interval": 10, "keepalives_count": 3, **more}
    return make_conninfo(url, **{k: v for k, v in wanted.items() if k not in given})


class State:
    def __init__(self, config: Config):
        self.config = config
        self.cache = SchemaCache(config.schemas)
        self.conninfo = guarded(config)
        self.pool = self._new_pool()
        self.database_up = True  # requests wait for a connection only while this holds
        self._outage = False  # lost since the listener last reached the database: renew the pool when it does
        self._stop = asyncio.Event()
        self._closing: asyncio.Task | None = None  # an old pool closing after an outage
        self._listener: asyncio.Task | None = None
        # Channels other parts listen on through the one listener connection: name → handler(payload).
        self.channels: dict[str, Callable[[str], None]] = {}
        # The read pool on TESSERA_READ_DATABASE_URL (api/rpc/replica.py), when one is set.
        self.replica = Replica(config) if config.read_database_url else None

    def _new_pool(self) -> AsyncConnectionPool:
        return AsyncConnectionPool(self.conninfo, min_size=self.config.pool_size,
                                   max_size=self.config.pool_size, timeout=self.config.pool_timeout,
                                   kwargs=CONNECTION, open=False, name="tessera")

    async def start(self) -> None:
        await self.pool.open(wait=False)
        if self.replica is not None:
            await self.replica.start()
        self._listener = asyncio.create_task(self._listen())
        # Serve at once; wait a moment for the first schema load so the first requests find their functions.
        deadline = time.monotonic() + self.config.pool_timeout
        while not self.cache.loaded and time.monotonic() < deadline:
            await asyncio.sleep(0.02)

    def _listen(self):
        """The schema listener. Behind a transaction pooler LISTEN cannot work (the server connection changes after
        each transaction): it LISTENs on TESSERA_LISTEN_DATABASE_URL, a direct connection, when set, else it polls
        through the pooler (README: "Behind a pooler")."""
        config = self.config
        if config.unnamed_statements and config.listen_database_url is None:
            return poll_for_reloads(self.conninfo, self.cache, self._stop, self._listener_says,
                                    config.schema_poll_seconds, tuple(self.channels), self._notified)
        listen = self.conninfo if config.listen_database_url is None else guarded(config, config.listen_database_url)
        return listen_for_reloads(listen, self.cache, self._stop, self._listener_says, tuple(self.channels),
                                  self._notified)

    def _notified(self, channel: str, payload: str) -> None:
        if handler := self.channels.get(channel):
            handler(payload)

    def lost(self) -> None:
        """A request found the database away."""
        self._outage = True
        self.database_up = False

    def answered(self) -> None:
        """A request was answered by the database (the pool still works; renewing it is the listener's call)."""
        self.database_up = True

    async def _listener_says(self, up: bool) -> None:
        if not up:
            self.lost()
            return
        if self._outage:
            old, self.pool = self.pool, self._new_pool()
            await self.pool.open(wait=False)
            self._closing = asyncio.create_task(old.close(timeout=self.config.pool_timeout))
            log.info("database reachable again; connection pool renewed", extra={"event": "pool_renewed"})
        self._outage = False
        self.database_up = True

    async def stop(self) -> None:
        self._stop.set()
        if self._listener:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._listener
        if self.replica is not None:
            await self.replica.stop()
        await self.pool.close()
