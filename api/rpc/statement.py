"""Statement building: the SQL text of the settings and of the call, every identifier quoted and every value a
parameter, each statement cached per shape and prepared once per connection under its own name (PostgREST's
QueryBuilder and SqlFragment)."""

from __future__ import annotations

import itertools

import msgspec

from api.errors import ApiError
from api.schema_cache import Function

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


class Statement(msgspec.Struct, frozen=True):
    """A statement the pipeline prepares once per connection, under its own name."""
    name: bytes
    text: bytes  # $1..$n for its parameters


class Prepared(msgspec.Struct, frozen=True):
    """A request's transaction, ready to send: its statements with their values, and what the response needs."""
    function: Function
    schema: str
    negotiated: bool  # the request named its schema (or several are exposed): the response says which
    as_object: bool
    settings: Statement
    settings_params: tuple[bytes, ...]
    call: Statement
    call_params: tuple[bytes, ...]
    generation: int  # of the schema cache the statements were built from

    def sequence(self) -> tuple[tuple[Statement, tuple[bytes, ...]], ...]:
        return (self.settings, self.settings_params), (self.call, self.call_params)

    def statements(self) -> list[tuple[str, tuple[bytes, ...]]]:
        """The transaction's statements with their values, in order, for tools that send them themselves."""
        return [(statement.text.decode(), params) for statement, params in self.sequence()]


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(value: str) -> str:
    """A string literal that means the same whatever standard_conforming_strings says (for role settings written
    into the settings statement, and for tools that inline values)."""
    return "E'" + without_nul(value).replace("\\", "\\\\").replace("'", "''") + "'"


def text(value: str) -> bytes:
    """A parameter value as libpq sends it."""
    return without_nul(value).encode()


def without_nul(value: str) -> str:
    """PostgreSQL text cannot hold NUL, and libpq sends values as C strings, where a NUL would cut the value
    short: one is refused."""
    if "\0" in value:
        raise ApiError(400, "22021", "invalid byte sequence: text cannot contain NUL (0x00)")
    return value


class Statements:
    """The statements built so far, by shape; all dropped when the schema cache is reloaded (signatures and role
    settings may differ)."""

    def __init__(self, generation: int):
        self.generation = generation
        self._calls: dict[tuple, Statement] = {}
        self._settings: dict[str, Statement] = {}
        self._counter = itertools.count(1)

    def renew(self, generation: int) -> None:
        if generation != self.generation:
            self._calls.clear()
            self._settings.clear()
            self.generation = generation

    def _named(self, sql: str) -> Statement:
        return Statement(f"tessera_{next(self._counter)}".encode(), sql.encode())

    def settings(self, role: str, role_settings: tuple[tuple[str, str], ...]) -> Statement:
        """The settings statement for a role, its ALTER ROLE settings written in (PostgREST's order)."""
        found = self._settings.get(role)
        if found is None:
            own = "".join(f"pg_catalog.set_config({literal(k)}, {literal(v)}, true), " for k, v in role_settings)
            found = self._settings[role] = self._named(_SETTINGS.replace("{role_settings}", own))
        return found

    def call(self, fn: Function, keys: tuple[str, ...] | None, as_object: bool) -> Statement:
        """The call, rendered to JSON by the database; cached per function, argument set and shape."""
        cache_key = (fn.schema, fn.name, fn.params, keys, as_object)
        found = self._calls.get(cache_key)
        if found is None:
            found = self._calls[cache_key] = self._named(_call_sql(fn, keys, as_object))
        return found


def _call_sql(fn: Function, keys: tuple[str, ...] | None, as_object: bool) -> str:
    target = f"{quoted(fn.schema)}.{quoted(fn.name)}"
    arguments = ""
    if keys is None:  # the whole body, as the one unnamed json parameter
        call = f"{target}($1::{fn.params[0].type})"
    elif not keys:
        call = f"{target}()"
    else:
        by_name = {p.name: p for p in fn.params}
        chosen = [by_name[k] for k in keys]
        columns = ", ".join(f"{quoted(p.name)} {p.type}" for p in chosen)
        passed = ", ".join(f"{'VARIADIC ' if p.variadic else ''}{quoted(p.name)} := _.{quoted(p.name)}"
                           for p in chosen)
        call = f"{target}({passed})"
        arguments = f"pg_catalog.json_to_record($1::json) AS _({columns}) CROSS JOIN LATERAL "
    # As PostgREST calls them: a row-returning function in FROM, its rows taken whole (through a subquery, so
    # that a single OUT or TABLE column is still a named column); any other in the select list, so that a bare
    # `record` needs no column definition list.
    if fn.returns_row:
        source, value = f"{arguments}(SELECT * FROM {call}) AS r", "r"
    else:
        source, value = f"{arguments}(SELECT {call} AS v) AS r", "r.v"
    if fn.returns_void:
        shape = "NULL::text"
    elif as_object or not fn.returns_set:
        shape = f"(pg_catalog.json_agg({value}) -> 0)::text"
    else:
        shape = f"coalesce(pg_catalog.json_agg({value}), '[]')::text"
    # The response settings are read in the same statement, after the aggregate has run the function (as
    # PostgREST reads them).
    return (f"SELECT {shape}, pg_catalog.count(*)::int, "
            "nullif(pg_catalog.current_setting('response.status', true), ''), "
            f"nullif(pg_catalog.current_setting('response.headers', true), '') FROM {source}")
