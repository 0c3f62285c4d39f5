"""The RPC pipeline: one HTTP request in, one database transaction, one response out, as PostgREST does it.

    request → schema (profile headers) → caller (JWT / apikey) → rate limit → arguments → function (overloads)
            → one round trip, one transaction (libpq's pipeline mode, one Sync): the settings, then the call
              (which also reads the response settings), each a statement prepared once per connection
            → the body as the database rendered it (json_agg), status and headers

The database renders the JSON (json_agg over the call), so a result passes through Python as one byte string. Every
request sets every request setting, so nothing said on one request is seen by the next on a pooled connection.
"""

from __future__ import annotations

import asyncio
import itertools
import urllib.parse
import weakref

import msgspec
import psycopg
import psycopg.errors
import psycopg.pq
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from api import errors
from api.auth import Caller
from api.config import Config
from api.errors import ApiError
from api.schema_cache import Function, SchemaCache

OBJECT = "application/vnd.pgrst.object+json"
# Query parameters PostgREST reads as result filters and shaping, not arguments.
_RESERVED = ("select", "columns", "on_conflict")
_RESERVED_SUFFIXES = ("order", "limit", "offset", "and", "or")

# The settings, as one prepared SELECT in PostgREST's order. The access mode comes first (going read-only is
# allowed at any point of a transaction); a role's own ALTER ROLE settings, written in as literals, come before
# the role. The set_config calls are the arguments of one num_nulls, evaluated in order, so one number comes back
# rather than every value sent. Parameters: $1 read-only, $2 search_path, $3 role, $4 claims, $5 method, $6 path,
# $7 headers, $8 cookies.
_SETTINGS = ("SELECT pg_catalog.num_nulls(pg_catalog.set_config('transaction_read_only', $1, true), "
             "pg_catalog.set_config('search_path', $2, true), {role_settings}"
             "pg_catalog.set_config('role', $3, true), "
             "pg_catalog.set_config('request.jwt.claims', $4, true), "
             "pg_catalog.set_config('request.method', $5, true), "
             "pg_catalog.set_config('request.path', $6, true), "
             "pg_catalog.set_config('request.headers', $7, true), "
             "pg_catalog.set_config('request.cookies', $8, true), "
             "pg_catalog.set_config('response.status', '', true), pg_catalog.set_config('response.headers', '', true))")
_ON, _OFF = b"on", b"off"


class Call(msgspec.Struct, frozen=True):
    """A request, reduced to what the pipeline needs; built by the HTTP layer."""
    method: str  # GET, HEAD or POST
    name: str
    headers: dict[str, str]  # lower-cased names, duplicates joined
    query: list[tuple[str, str]]
    body: bytes
    client: str  # the client address, for the request.headers setting and the rate limit


class Statement(msgspec.Struct, frozen=True):
    """A statement the pipeline prepares once per connection, under its own name."""
    name: bytes
    text: bytes  # $1..$n for its parameters


def literal(value: str) -> str:
    """A string literal that means the same whatever standard_conforming_strings says (for role settings written
    into the settings statement, and for tools that inline values)."""
    return "E'" + _without_nul(value).replace("\\", "\\\\").replace("'", "''") + "'"


def _text(value: str) -> bytes:
    """A parameter value as libpq sends it."""
    return _without_nul(value).encode()


def _without_nul(value: str) -> str:
    """PostgreSQL text cannot hold NUL, and libpq sends values as C strings, where a NUL would cut the value
    short: one is refused."""
    if "\0" in value:
        raise ApiError(400, "22021", "invalid byte sequence: text cannot contain NUL (0x00)")
    return value


class Prepared(msgspec.Struct, frozen=True):
    function: Function
    schema: str
    negotiated: bool  # the request named its schema (or several are exposed): the response says which
    as_object: bool
    settings: Statement
    settings_params: tuple[bytes, ...]
    call: Statement
    call_params: tuple[bytes, ...]
    generation: int  # of the schema cache the statements were built from

    def statements(self) -> list[tuple[str, tuple[bytes, ...]]]:
        """The transaction's statements with their values, in order, for tools that send them themselves."""
        return [(self.settings.text.decode(), self.settings_params), (self.call.text.decode(), self.call_params)]


class Connections:
    """Which statements each pooled connection has prepared, for which schema generation. A connection nobody
    has seen, or one from an older generation, starts afresh with DEALLOCATE ALL."""

    def __init__(self):
        self._known: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    async def run(self, conn: psycopg.AsyncConnection, prepared: Prepared) -> tuple:
        """One round trip, one transaction: in libpq's pipeline mode, the settings and then the call, each bound
        to its prepared statement (Parse first where this connection lacks it), then one Sync. The server runs
        everything before a Sync as one implicit transaction, committed at the Sync and rolled back whole on any
        error. No statement text is parsed per request. Returns the call's row: (body, rows, response.status,
        response.headers), each as the server's text (bytes) or None."""
        pg = conn.pgconn
        generation, names = self._known.pop(conn, (None, frozenset()))
        # What each result in turn answers: the name a Parse prepares, or None for an execution.
        steps: list[bytes | None] = []
        try:
            pg.enter_pipeline_mode()
            if generation != prepared.generation:
                pg.send_query_params(b"DEALLOCATE ALL", None)
                steps.append(None)
                names = frozenset()
            # The call is parsed after the settings have run: naming its function needs the role's USAGE on the
            # schema. EXECUTE privileges are checked at every execution.
            for statement, params in ((prepared.settings, prepared.settings_params),
                                      (prepared.call, prepared.call_params)):
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


class Result(msgspec.Struct):
    status: int
    body: bytes
    headers: dict[str, str]


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class Pipeline:
    def __init__(self, config: Config, cache: SchemaCache, pool: AsyncConnectionPool):
        self.config, self.cache, self.pool = config, cache, pool
        self._sql: dict[tuple, Statement] = {}
        self._settings: dict[str, Statement] = {}
        self._counter = itertools.count(1)
        self.connections = Connections()
        self._generation = cache.generation
        self.database_up = True
        self._search_path_suffix = "".join(f", {_quoted(s)}" for s in config.extra_search_path)

    # -- the steps ---------------------------------------------------------------------------------------------
    def schema(self, call: Call) -> tuple[str, bool]:
        """The schema the request names (Content-Profile for POST, Accept-Profile otherwise), and whether it
        was negotiated (then the response says which)."""
        header = call.headers.get("content-profile" if call.method == "POST" else "accept-profile")
        if header is None:
            return self.config.schemas[0], len(self.config.schemas) > 1
        if header not in self.config.schemas:
            raise ApiError(406, "PGRST106", f"Invalid schema: {header}", None,
                           f"Only the following schemas are exposed: {', '.join(self.config.schemas)}")
        return header, True

    def wants_object(self, call: Call) -> bool:
        accept = call.headers.get("accept")
        if not accept:
            return False
        types = [part.split(";")[0].strip().lower() for part in accept.split(",")]
        if OBJECT in types:
            return True
        if any(t in ("application/json", "*/*", "application/*", "") for t in types):
            return False
        raise ApiError(406, "PGRST107", f"None of these media types are available: {accept}")

    def arguments(self, call: Call) -> tuple[dict | None, bytes | None]:
        """(the argument names with their JSON values, the raw JSON body when it is passed whole)."""
        if call.method == "POST":
            raw = call.body.strip() or b"{}"
            content_type = call.headers.get("content-type", "application/json").split(";")[0].strip().lower()
            if content_type == "application/x-www-form-urlencoded":
                form = dict(urllib.parse.parse_qsl(call.body.decode("utf-8", "replace"), keep_blank_values=True))
                return form, msgspec.json.encode(form)
            if content_type not in ("application/json", ""):
                raise ApiError(415, "PGRST107", f"Content-Type {content_type} is not supported; send application/json")
            try:
                value = msgspec.json.decode(raw)
            except msgspec.DecodeError as exc:
                raise errors.bad_request("PGRST102", "Empty or invalid json", str(exc)) from None
            return (value if isinstance(value, dict) else None), raw
        args: dict[str, object] = {}
        for key, value in call.query:
            if key in _RESERVED or key.endswith(_RESERVED_SUFFIXES):
                if key == "select" and value.strip() == "*":
                    continue
                raise errors.bad_request("PGRST100", f"'{key}' is not supported on RPC calls here",
                                         None, "call the function with its arguments only")
            if key in args:  # repeated: a variadic or array argument
                previous = args[key]
                args[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
            else:
                args[key] = value
        return args, None

    def function(self, schema: str, name: str, args: dict | None, raw: bytes | None) -> Function:
        """PostgREST's overload rule: the keys are the required parameters plus any of the defaulted ones;
        failing that, a function of one unnamed json parameter takes the whole body."""
        candidates = self.cache.overloads(schema, name)
        keys = frozenset(args) if args is not None else None
        matches = [fn for fn in candidates
                   if keys is not None and not fn.single_unnamed_json and fn.required <= keys <= fn.names]
        if not matches and raw is not None:
            matches = [fn for fn in candidates if fn.single_unnamed_json]
        if len(matches) == 1:
            return matches[0]
        shown = f"{schema}.{name}({', '.join(sorted(keys or ()))})"
        if len(matches) > 1:
            raise ApiError(300, "PGRST203", f"Could not choose the best candidate function between: "
                           f"{', '.join(fn.signature() for fn in matches)}", None,
                           "Try renaming the parameters or the function itself in the database so function "
                           "overloading can be resolved")
        hint = (f"Perhaps you meant to call the function {candidates[0].signature()}" if candidates
                else self.cache.suggestion(schema, name))
        raise errors.not_found(f"Could not find the function {shown} in the schema cache", hint)

    def _named(self, text: str) -> Statement:
        return Statement(f"tessera_{next(self._counter)}".encode(), text.encode())

    def statement(self, fn: Function, keys: tuple[str, ...] | None, as_object: bool) -> Statement:
        """The call, rendered to JSON by the database; cached per function, argument set and shape."""
        cache_key = (fn.schema, fn.name, fn.params, keys, as_object)
        found = self._sql.get(cache_key)
        if found is not None:
            return found
        target = f"{_quoted(fn.schema)}.{_quoted(fn.name)}"
        if keys is None:  # the whole body, as the one unnamed json parameter
            source = f"{target}($1::{fn.params[0].type}) AS r"
        elif not keys:
            source = f"{target}() AS r"
        else:
            by_name = {p.name: p for p in fn.params}
            chosen = [by_name[k] for k in keys]
            columns = ", ".join(f"{_quoted(p.name)} {p.type}" for p in chosen)
            passed = ", ".join(f"{'VARIADIC ' if p.variadic else ''}{_quoted(p.name)} := _.{_quoted(p.name)}"
                               for p in chosen)
            source = f"pg_catalog.json_to_record($1::json) AS _({columns}) CROSS JOIN LATERAL {target}({passed}) AS r"
        if fn.returns_void:
            shape = "NULL::text"
        elif as_object or not fn.returns_set:
            shape = "(pg_catalog.json_agg(r) -> 0)::text"
        else:
            shape = "coalesce(pg_catalog.json_agg(r), '[]')::text"
        # The response settings are read in the same statement, after the aggregate has run the function (as
        # PostgREST reads them).
        found = self._sql[cache_key] = self._named(
            f"SELECT {shape}, pg_catalog.count(*)::int, "
            "nullif(pg_catalog.current_setting('response.status', true), ''), "
            f"nullif(pg_catalog.current_setting('response.headers', true), '') FROM {source}")
        return found

    def settings(self, role: str) -> Statement:
        """The settings statement for a role, its ALTER ROLE settings written in (PostgREST's order)."""
        if self._generation != self.cache.generation:  # reloaded: signatures and role settings may differ
            self._sql.clear()
            self._settings.clear()
            self._generation = self.cache.generation
        found = self._settings.get(role)
        if found is None:
            own = "".join(f"pg_catalog.set_config({literal(k)}, {literal(v)}, true), "
                          for k, v in self.cache.role_settings.get(role, ()))
            found = self._settings[role] = self._named(_SETTINGS.replace("{role_settings}", own))
        return found

    # -- the whole request -------------------------------------------------------------------------------------
    def prepare(self, call: Call, caller: Caller) -> Prepared:
        """Everything up to the database: the function, and the two statements that run it with their values."""
        schema, negotiated = self.schema(call)
        as_object = self.wants_object(call)
        args, raw = self.arguments(call)
        fn = self.function(schema, call.name, args, raw)
        keys = None if fn.single_unnamed_json else tuple(sorted(args or ()))
        if keys == ():
            payload: tuple = ()
        elif keys is None or call.method == "POST":
            payload = (raw,)  # valid JSON: no raw NUL, and the server checks the encoding
        else:
            payload = (msgspec.json.encode(args),)  # JSON escapes NUL
        settings = self.settings(caller.role)  # first: it notices a reloaded schema cache
        read_only = call.method != "POST" or not fn.volatile
        values = (_ON if read_only else _OFF, _text(f"{_quoted(schema)}{self._search_path_suffix}"),
                  _text(caller.role), _text(caller.claims), call.method.encode(), _text(f"/rpc/{call.name}"),
                  msgspec.json.encode(_request_headers(call, self.config)),
                  msgspec.json.encode(_cookies(call.headers.get("cookie", ""))))
        return Prepared(fn, schema, negotiated, as_object, settings, values,
                        self.statement(fn, keys, as_object), payload, self._generation)

    async def run(self, call: Call, caller: Caller) -> Result:
        prepared = self.prepare(call, caller)
        fn, as_object = prepared.function, prepared.as_object
        body, count, *response = await self._execute(prepared, caller)
        count = int(count)
        response = [None if value is None else value.decode() for value in response]
        headers = {"Content-Type": f"{OBJECT if as_object else 'application/json'}; charset=utf-8"}
        if prepared.negotiated:
            headers["Content-Profile"] = prepared.schema
        status = 200
        if fn.returns_void:
            status, body = 204, None
            del headers["Content-Type"]
        elif as_object and fn.returns_set and count != 1:
            raise ApiError(406, "PGRST116", "Cannot coerce the result to a single JSON object",
                           f"The result contains {count} rows")
        else:
            headers["Content-Range"] = f"0-{count - 1}/*" if count else "*/*"
            if body is None:
                body = b"null"
        status, headers = _apply_response_settings(status, headers, *response)
        return Result(status, b"" if body is None or call.method == "HEAD" else body, headers)

    async def _execute(self, prepared: Prepared, caller: Caller):
        # While the database is known to be away, do not queue for a connection that cannot come.
        timeout = self.config.pool_timeout if self.database_up else min(0.1, self.config.pool_timeout)
        try:
            # The message is its own transaction: even after an error the connection goes back idle.
            pool = self.pool  # the one the connection came from, even if a new pool takes over meanwhile
            conn = await pool.getconn(timeout=timeout)
            try:
                row = await self.connections.run(conn, prepared)
            finally:
                await pool.putconn(conn)
        except PoolTimeout:
            if not self.database_up:
                raise _unavailable() from None
            raise ApiError(504, "PGRST003", "Timed out acquiring connection from connection pool.") from None
        except psycopg.OperationalError as exc:
            if exc.sqlstate is None:  # the connection itself failed: the database is away
                self.database_up = False
                raise _unavailable() from None
            raise self._database_error(exc, caller) from None
        except psycopg.Error as exc:
            raise self._database_error(exc, caller) from None
        self.database_up = True
        return row

    def _database_error(self, exc: psycopg.Error, caller: Caller) -> ApiError:
        diag = exc.diag
        err = errors.from_database(diag.sqlstate, diag.message_primary, diag.message_detail, diag.message_hint,
                                   anonymous=caller.anonymous, verbose=self.config.verbose_errors)
        if err.code == "42501" and err.message.startswith("permission denied to set role"):
            # The token names a role the login role may not become: an authentication failure.
            err.status, err.headers = 401, {"WWW-Authenticate": "Bearer"}
        return err


def _unavailable() -> ApiError:
    return ApiError(503, "PGRST001", "Database client error. Retrying the connection.", None,
                    "the database is not reachable; the service reconnects by itself")


def _request_headers(call: Call, config: Config) -> dict[str, str]:
    headers = {k: v for k, v in call.headers.items() if k != "cookie"}
    # The audit log reads the client address from here: keep what our own proxy wrote when it is trusted,
    # otherwise it is the connection's peer, whatever the client claims.
    if not (config.trust_forwarded and headers.get("x-forwarded-for")):
        headers["x-forwarded-for"] = call.client
    return headers


def _cookies(header: str) -> dict[str, str]:
    jar = {}
    for part in header.split(";"):
        name, sep, value = part.strip().partition("=")
        if sep and name:
            jar[name] = value
    return jar


def _apply_response_settings(status: int, headers: dict[str, str], status_setting: str | None,
                             headers_setting: str | None) -> tuple[int, dict[str, str]]:
    if status_setting is not None:
        if not status_setting.isdigit() or not 100 <= int(status_setting) <= 599:
            raise ApiError(500, "PGRST112", "Invalid response.status", f"{status_setting!r} is not an HTTP status")
        status = int(status_setting)
    if headers_setting is not None:
        try:
            extra = msgspec.json.decode(headers_setting)
            if not isinstance(extra, list) or not all(isinstance(h, dict) and len(h) == 1 for h in extra):
                raise ValueError
            for item in extra:
                (name, value), = item.items()
                headers[str(name)] = str(value)
        except (msgspec.DecodeError, ValueError):
            raise ApiError(500, "PGRST111", "Invalid response.headers",
                           "response.headers must be a JSON array of single-key objects") from None
    return status, headers
