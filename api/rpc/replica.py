"""The read replica (README: "Read replica"): a second pool, on TESSERA_READ_DATABASE_URL, for the requests that
cannot write. Only a GET or HEAD of a STABLE or IMMUTABLE function is sent here (`reads`); every POST, every
VOLATILE function and so every booking decision runs on the primary, which re-checks capacity itself, so a replica
that lags behind can show a place as free but never sell it.

When the replica is away (a connection that fails, or none within TESSERA_READ_POOL_TIMEOUT) the request that
found it so is answered by the primary, and so is every read after it, at once. A read the replica does not answer
within TESSERA_DATABASE_TIMEOUT is answered 504 (never run twice) and takes the replica out the same way. Every
TESSERA_READ_CHECK_SECONDS a probe tries the replica; once it answers, a fresh pool takes over and reads go back to
it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import psycopg
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from api.config import Config
from api.errors import ApiError
from api.rpc.wire import CONNECTION
from api.schema_cache import Function

log = logging.getLogger("tessera.api")

# What the replica's backends are called in its pg_stat_activity.
APPLICATION_NAME = "tessera-read"

# Errors that say the replica cannot answer this read now, rather than answering it: the connection failed or was
# ended (08, 57: a shutdown, a recovery conflict ending the session), too many connections (53), a query cancelled
# by a conflict with recovery (40001), or a function or schema the replica has not replayed yet (42883, 3F000).
# The read goes to the primary instead; the first three classes also take the replica out until the probe answers.
_AWAY_CLASSES = ("08", "57", "53")
_RETRY_ON_PRIMARY = ("40001", "42883", "3F000")


class Away(Exception):
    """The replica did not answer this read: run it on the primary."""


def reads(method: str, fn: Function) -> bool:
    """Whether a call may run on the replica: GET or HEAD of a function that is not VOLATILE."""
    return method in ("GET", "HEAD") and not fn.volatile


class Replica:
    def __init__(self, config: Config):
        assert config.read_database_url is not None
        self.config = config
        from api.state import guarded  # connect timeout and keepalives, as the primary's (ops lane)

        self.url: str = guarded(config, config.read_database_url)
        self.pool = self._new_pool()
        self.up = True  # reads go to the replica while this holds
        self._probe: asyncio.Task | None = None
        self._closing: set[asyncio.Task] = set()

    def _new_pool(self) -> AsyncConnectionPool:
        return AsyncConnectionPool(self.url, min_size=self.config.read_pool_size, max_size=self.config.read_pool_size,
                                   timeout=self.config.read_pool_timeout,
                                   kwargs={**CONNECTION, "application_name": APPLICATION_NAME}, open=False,
                                   name="tessera-read")

    async def start(self) -> None:
        await self.pool.open(wait=False)

    async def run(self, connections, prepared) -> tuple:
        """The call's row from the replica; Away when it cannot answer. Its own errors (a raise in the function,
        a bad argument) are answers, and propagate as the primary's would."""
        if not self.up:
            raise Away
        pool = self.pool
        try:
            conn = await pool.getconn(timeout=self.config.read_pool_timeout)
        except PoolTimeout:
            self._lost("no connection within TESSERA_READ_POOL_TIMEOUT")
            raise Away from None
        try:
            return await connections.run(conn, prepared)
        except ApiError as err:
            # No answer within TESSERA_DATABASE_TIMEOUT (a hung replica, or a read that slow): this request is
            # answered 504 as on the primary, never run twice, and the reads after it go to the primary until
            # the probe finds the replica answering again.
            if err.code == "PT504":
                self._lost("no answer within TESSERA_DATABASE_TIMEOUT")
            raise
        except psycopg.Error as exc:
            state = exc.sqlstate
            if state is None or state.startswith(_AWAY_CLASSES):
                self._lost(state or "connection failed")
                raise Away from None
            if state in _RETRY_ON_PRIMARY:
                raise Away from None
            raise
        finally:
            await pool.putconn(conn)

    def _lost(self, why: str) -> None:
        if not self.up:
            return
        self.up = False
        log.warning("read replica away (%s); reads go to the primary", why, extra={"event": "replica_away"})
        if self._probe is None or self._probe.done():
            self._probe = asyncio.create_task(self._until_back())

    async def _until_back(self) -> None:
        """Every TESSERA_READ_CHECK_SECONDS, connect to the replica; once it answers, reads go back to it through a
        fresh pool (the old pool's own reconnects back off exponentially)."""
        while True:
            await asyncio.sleep(self.config.read_check_seconds)
            try:
                conn = await psycopg.AsyncConnection.connect(
                    self.url, autocommit=True, connect_timeout=max(1, round(self.config.read_check_seconds)),
                    application_name=APPLICATION_NAME)
                async with conn:
                    await conn.execute("SELECT 1")
            except (psycopg.Error, OSError):
                continue
            old, self.pool = self.pool, self._new_pool()
            await self.pool.open(wait=False)
            closing = asyncio.create_task(old.close(timeout=1))
            self._closing.add(closing)
            closing.add_done_callback(self._closing.discard)
            self.up = True
            log.info("read replica back; reads go to it again", extra={"event": "replica_back"})
            return

    async def stop(self) -> None:
        if self._probe is not None:
            self._probe.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._probe
        for closing in list(self._closing):
            with contextlib.suppress(Exception):
                await closing
        await self.pool.close()
