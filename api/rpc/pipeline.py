"""The stages in order, for one request (PostgREST's App.hs): parse the request, plan the call, build its
statements, run them in one round trip, shape the response."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from typing import TYPE_CHECKING

import msgspec
import psycopg
from psycopg import generators, waiting
from psycopg.pq import PGconn
from psycopg_pool import PoolTimeout

from api import errors
from api.auth import Caller
from api.config import Config
from api.errors import ApiError
from api.rpc import plan, request, response
from api.rpc.replica import Away, reads
from api.rpc.request import Call
from api.rpc.response import Result
from api.rpc.statement import Prepared, Statements, quoted, text
from api.rpc.wire import Connections

if TYPE_CHECKING:
    from api.state import State

_ON, _OFF = b"on", b"off"
log = logging.getLogger("tessera.api")


class Pipeline:
    def __init__(self, config: Config, state: State):
        self.config, self.state = config, state
        self.statements = Statements(state.cache.generation)
        self.connections = Connections(unnamed=config.unnamed_statements)  # pooler lane
        self.bounded = _Bounded(self)  # the round trip as connections.run, within TESSERA_DATABASE_TIMEOUT
        self._search_path_suffix = "".join(f", {quoted(s)}" for s in config.extra_search_path)

    def prepare(self, call: Call, caller: Caller) -> Prepared:
        """Everything up to the database: the function, and the two statements that run it with their values."""
        cache = self.state.cache
        schema, negotiated = request.schema(call, self.config)
        media = request.media(call)
        as_object = media == "object"
        shaping = request.shaping(call, media == "csv")
        args = request.arguments(call)
        fn = plan.function(cache, schema, call.name, args.keys, args.raw)
        if shaping is not None:
            plan.check_shaping(fn, shaping)
        keys = None if fn.single_unnamed_json else tuple(sorted(args.keys))
        if keys == ():
            payload: tuple = ()
        elif keys is None:
            payload = (args.raw,)  # valid JSON: no raw NUL, and the server checks the encoding
        elif args.body is not None:
            payload = (args.body,)
        else:  # query or form values, as this function takes them
            payload = (msgspec.json.encode(fn.arguments(args.values)),)  # JSON escapes NUL
        self.statements.renew(cache.generation)  # first: a reloaded schema cache drops every statement
        settings = self.statements.settings(caller.role, cache.role_settings.get(caller.role, ()))
        values = (_ON if plan.read_only(call.method, fn) else _OFF,
                  text(f"{quoted(schema)}{self._search_path_suffix}"),
                  text(caller.role), text(caller.claims), call.method.encode(), text(f"/rpc/{call.name}"),
                  msgspec.json.encode(request.request_headers(call, self.config)),
                  msgspec.json.encode(request.cookies(call.headers.get("cookie", ""))))
        if shaping is None:
            call_statement, call_params = self.statements.call(fn, keys, as_object), payload
        else:
            call_statement, extra = self.statements.shaped(fn, keys, as_object, shaping, len(payload) + 1)
            call_params = (*payload, *extra)
        return Prepared(fn, schema, negotiated, as_object, shaping, settings, values, call_statement, call_params,
                        self.statements.generation)

    async def run(self, call: Call, caller: Caller) -> Result:
        prepared = self.prepare(call, caller)
        return response.shape(prepared, call.method, await self._execute(prepared, caller, call.method))

    async def _execute(self, prepared: Prepared, caller: Caller, method: str = "POST") -> tuple:
        state = self.state
        # A GET of a function that cannot write goes to the read replica when there is one (api/rpc/replica.py); when
        # the replica does not answer it, the primary does, below.
        if state.replica is not None and reads(method, prepared.function):
            try:
                return await state.replica.run(self.bounded, prepared)  # within TESSERA_DATABASE_TIMEOUT too
            except Away:
                pass
            except psycopg.Error as exc:
                raise self._database_error(exc, caller) from None
        # While the database is known to be away, do not queue for a connection that cannot come.
        timeout = self.config.pool_timeout if state.database_up else min(0.1, self.config.pool_timeout)
        try:
            # The message is its own transaction: even after an error the connection goes back idle.
            pool = state.pool  # the one the connection came from, even if a new pool takes over meanwhile
            conn = await pool.getconn(timeout=timeout)
            try:
                row = await self._bounded(conn, prepared)
            finally:
                await pool.putconn(conn)
        except PoolTimeout:
            if not state.database_up:
                raise _unavailable(state) from None
            raise ApiError(504, "PGRST003", "Timed out acquiring connection from connection pool.") from None
        except psycopg.OperationalError as exc:
            if exc.sqlstate is None:  # the connection itself failed: the database is away
                raise _unavailable(state) from None
            raise self._database_error(exc, caller) from None
        except psycopg.Error as exc:
            raise self._database_error(exc, caller) from None
        state.answered()
        return row

    async def _bounded(self, conn: psycopg.AsyncConnection, prepared: Prepared) -> tuple:
        """The round trip, within TESSERA_DATABASE_TIMEOUT: past it the server is asked to cancel the statement
        (in the background, itself bounded), the connection is dropped (the pool opens another) and the caller
        gets 504. A hung network or server cannot hold a request, nor its connection, for longer."""
        limit = self.config.database_timeout
        if not limit:
            return await self.connections.run(conn, prepared)
        task = asyncio.current_task()
        expired = False

        def expire() -> None:
            nonlocal expired
            expired = True
            _cancel_statement(conn.pgconn)  # while the connection is still open: the round trip closes it
            task.cancel()

        handle = asyncio.get_running_loop().call_later(limit, expire)
        try:
            return await self.connections.run(conn, prepared)
        except asyncio.CancelledError:
            if expired and task.uncancel() == 0:
                raise database_timeout(limit) from None
            raise
        finally:
            handle.cancel()

    def _database_error(self, exc: psycopg.Error, caller: Caller) -> ApiError:
        diag = exc.diag
        err = errors.from_database(diag.sqlstate, diag.message_primary, diag.message_detail, diag.message_hint,
                                   anonymous=caller.anonymous, verbose=self.config.verbose_errors)
        if err.code == "42501" and err.message.startswith("permission denied to set role"):
            # The token names a role the login role may not become: an authentication failure.
            err.status, err.headers = 401, {"WWW-Authenticate": "Bearer"}
        return err


class _Bounded:
    """Connections.run's shape for the read replica's path, bounded as the primary's."""

    def __init__(self, pipeline: Pipeline):
        self.pipeline = pipeline

    async def run(self, conn: psycopg.AsyncConnection, prepared: Prepared) -> tuple:
        return await self.pipeline._bounded(conn, prepared)


def database_timeout(limit: float) -> ApiError:
    return ApiError(504, "PT504", "The database did not answer in time", "database_timeout",
                    f"no answer within {limit:g} s; the statement was cancelled, though a call that writes may still "
                    "have completed: check before retrying")


_cancels: set[asyncio.Task] = set()  # the cancel requests in flight, kept from the garbage collector


def _cancel_statement(pg: PGconn) -> None:
    """Ask the server to cancel what the connection runs, without waiting: libpq's non-blocking cancel (libpq 17
    and later) within 5 s, else the blocking one on a daemon thread. Failing is only logged."""
    try:
        if hasattr(pg, "cancel_conn") and psycopg.capabilities.has_cancel_safe():
            cancel = pg.cancel_conn()
            cancel.start()
            task = asyncio.get_running_loop().create_task(
                waiting.wait_conn_async(generators.cancel(cancel), interval=0.1, timeout=5.0))
            _cancels.add(task)
            task.add_done_callback(_cancel_done)
        else:
            legacy = pg.get_cancel()
            threading.Thread(target=_quietly, args=(legacy.cancel,), daemon=True).start()
    except Exception as exc:
        log.warning("could not ask the database to cancel a timed-out statement: %s", exc,
                    extra={"event": "cancel_failed"})


def _cancel_done(task: asyncio.Task) -> None:
    _cancels.discard(task)
    if not task.cancelled() and (exc := task.exception()) is not None:
        log.warning("could not ask the database to cancel a timed-out statement: %s", exc,
                    extra={"event": "cancel_failed"})


def _quietly(fn) -> None:
    with contextlib.suppress(Exception):
        fn()


def _unavailable(state: State) -> ApiError:
    state.lost()
    return ApiError(503, "PGRST001", "Database client error. Retrying the connection.", None,
                    "the database is not reachable; the service reconnects by itself")
