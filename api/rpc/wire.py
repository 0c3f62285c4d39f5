"""The libpq wire loop: one round trip, one transaction per request, in libpq's pipeline mode with one Sync, each
statement prepared once per connection. Also the connection settings the loop depends on (the pool's kwargs)."""

from __future__ import annotations

import asyncio
import weakref
from typing import TYPE_CHECKING

import psycopg
import psycopg.errors
import psycopg.pq

if TYPE_CHECKING:
    from api.rpc.statement import Prepared

# psycopg must not prepare statements of its own on pooled connections: the loop manages them (and its
# DEALLOCATE ALL would make psycopg drop everything prepared on the connection). Results are read as UTF-8 text.
CONNECTION = {"autocommit": True, "prepare_threshold": None, "client_encoding": "UTF8"}


class Connections:
    """Which statements each pooled connection has prepared, for which schema generation. A connection nobody
    has seen, or one from an older generation, starts afresh with DEALLOCATE ALL.

    With `unnamed` (TESSERA_DB_POOLER=transaction, behind PgBouncer's transaction pooling) nothing is prepared:
    each statement goes as an unnamed Parse, Bind, Execute, still all in one pipeline with one Sync, so still one
    round trip and one transaction, which the pooler keeps on one server connection until the Sync's
    ReadyForQuery. No name outlives the request, so it does not matter which server connection runs the next."""

    def __init__(self, unnamed: bool = False):
        self.unnamed = unnamed
        self._known: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    async def run(self, conn: psycopg.AsyncConnection, prepared: Prepared) -> tuple:
        """One round trip, one transaction: in libpq's pipeline mode, the settings and then the call, each bound
        to its prepared statement (Parse first where this connection lacks it), then one Sync. The server runs
        everything before a Sync as one implicit transaction, committed at the Sync and rolled back whole on any
        error. No statement text is parsed per request (with `unnamed`, both are parsed on every request, still
        in the same round trip). Returns the call's row, each value as the server's text
        (bytes) or None."""
        pg = conn.pgconn
        generation, names = self._known.pop(conn, (None, frozenset()))
        # What each result in turn answers: the name a Parse prepares, or None for an execution.
        steps: list[bytes | None] = []
        try:
            pg.enter_pipeline_mode()
            if self.unnamed:
                for statement, params in prepared.sequence():
                    pg.send_query_params(statement.text, params)
                    steps.append(None)
            elif generation != prepared.generation:
                pg.send_query_params(b"DEALLOCATE ALL", None)
                steps.append(None)
                names = frozenset()
            # The call is parsed after the settings have run: naming its function needs the role's USAGE on the
            # schema. EXECUTE privileges are checked at every execution.
            for statement, params in () if self.unnamed else prepared.sequence():
                if statement.name not in names:
                    pg.send_prepare(statement.name, statement.text)
                    steps.append(statement.name)
                pg.send_query_prepared(statement.name, params)
                steps.append(None)
            pg.pipeline_sync()
            while pg.flush():  # a large request: the server may be answering already, so read while writing
                if await _ready(conn, writing=True):
                    pg.consume_input()
            made, row, error = [], None, None
            step, last = 0, len(steps) - 1
            while True:
                while pg.is_busy():
                    await _ready(conn)
                    pg.consume_input()
                result = pg.get_result()
                if result is None:  # the end of one statement's results
                    step += 1
                    continue
                status = result.status
                if status == _SYNC:
                    break
                if status == _TUPLES and step == last:
                    row = tuple(result.get_value(0, c) for c in range(result.nfields))
                elif status == _COMMAND and steps[step] is not None:
                    made.append(steps[step])
                elif status == _FATAL:
                    if result.error_field(_SQLSTATE) is None:  # libpq's own: the connection is unusable
                        raise psycopg.OperationalError(result.get_error_message())
                    error = error or psycopg.errors.error_from_result(result, "utf-8")
            pg.exit_pipeline_mode()
        except BaseException:
            # Cut off part-way (connection lost, task cancelled): nobody knows the connection's state; the pool
            # discards a closed connection and opens another.
            await conn.close()
            raise
        if not self.unnamed:
            self._known[conn] = (prepared.generation, names.union(made) if made else names)
        if error is not None:
            raise error
        return row


_SYNC, _TUPLES, _COMMAND, _FATAL = (psycopg.pq.ExecStatus.PIPELINE_SYNC, psycopg.pq.ExecStatus.TUPLES_OK,
                                    psycopg.pq.ExecStatus.COMMAND_OK, psycopg.pq.ExecStatus.FATAL_ERROR)
_SQLSTATE = psycopg.pq.DiagnosticField.SQLSTATE


async def _ready(conn: psycopg.AsyncConnection, writing: bool = False) -> bool:
    """Until the connection's socket can be read or, when writing, written. True when it can be read."""
    loop = asyncio.get_running_loop()
    fd = conn.pgconn.socket
    future = loop.create_future()

    def ready(readable: bool) -> None:
        if not future.done():
            future.set_result(readable)

    loop.add_reader(fd, ready, True)
    if writing:
        loop.add_writer(fd, ready, False)
    try:
        return await future
    finally:
        loop.remove_reader(fd)
        if writing:
            loop.remove_writer(fd)
