"""Statement building: the SQL text of the settings and of the call, every identifier quoted and every value a
parameter, each statement cached per shape and prepared once per connection under its own name (PostgREST's
QueryBuilder and SqlFragment).

A plain call aggregates the function's rows directly. A shaped call (api.rpc.query) wraps the call as PostgREST
does, still one statement:

    WITH pgrst_source AS (SELECT <the call's columns> FROM <the call>),
         pgrst_page AS (SELECT <select> FROM pgrst_source WHERE <filters> ORDER BY … LIMIT $n OFFSET $m)
    SELECT <body of pgrst_page>, count(*), <total: count(*) of pgrst_source WHERE <filters>, when asked>,
           response.status, response.headers
      FROM pgrst_page _postgrest_t
"""

from __future__ import annotations

import itertools

import msgspec

from api.errors import ApiError
from api.rpc.query import FTS as FTS_FUNCTIONS
from api.rpc.query import OPERATORS, Column, Condition, Field, Logic, Shaping
from api.schema_cache import Function

# Shaped statements come from the client's column names, so their number is the client's to choose: past this
# many, the shaped ones are dropped and every connection starts afresh (DEALLOCATE ALL), so neither this process
# nor the server's sessions grow without bound.
SHAPED_LIMIT = 256

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
    shaping: Shaping | None
    settings: Statement
    settings_params: tuple[bytes, ...]
    call: Statement
    call_params: tuple[bytes, ...]
    generation: int  # of the statements: a connection that prepared an older one starts afresh

    def sequence(self) -> tuple[tuple[Statement, tuple[bytes, ...]], ...]:
        return (self.settings, self.settings_params), (self.call, self.call_params)

    def statements(self) -> list[tuple[str, tuple[bytes, ...]]]:
        """The transaction's statements with their values, in order, for tools that send them themselves."""
        return [(statement.text.decode(), params) for statement, params in self.sequence()]


def quoted(name: str) -> str:
    return '"' + without_nul(name).replace('"', '""') + '"'


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
    settings may differ), the shaped ones also when there are too many."""

    def __init__(self, source: int):
        self._source = source  # the schema cache generation they were built from
        self.generation = 0
        self._calls: dict[tuple, Statement] = {}
        self._shaped: dict[bytes, Statement] = {}
        self._settings: dict[str, Statement] = {}
        self._counter = itertools.count(1)

    def renew(self, source: int) -> None:
        if source != self._source:
            self._calls.clear()
            self._shaped.clear()
            self._settings.clear()
            self._source = source
            self.generation += 1

    def _named(self, sql: str | bytes) -> Statement:
        return Statement(f"tessera_{next(self._counter)}".encode(), sql if isinstance(sql, bytes) else sql.encode())

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

    def shaped(self, fn: Function, keys: tuple[str, ...] | None, as_object: bool, shaping: Shaping,
               first: int) -> tuple[Statement, tuple[bytes, ...]]:
        """The shaped call and the values of its shaping ($first on), cached per SQL text."""
        sql, values = _Shaper(first).render(fn, keys, as_object, shaping)
        text = sql.encode()
        found = self._shaped.get(text)
        if found is None:
            if len(self._shaped) >= SHAPED_LIMIT:
                self._shaped.clear()
                self.generation += 1
            found = self._shaped[text] = self._named(text)
        return found, values


def _source(fn: Function, keys: tuple[str, ...] | None) -> tuple[str, str]:
    """The call as a FROM item named r, its arguments read from $1 (PostgREST's json_to_record), and the
    expression of one result: the row r, or the value r.v."""
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
        return f"{arguments}(SELECT * FROM {call}) AS r", "r"
    return f"{arguments}(SELECT {call} AS v) AS r", "r.v"


# The response settings are read in the same statement, after the aggregate has run the function (as PostgREST
# reads them).
_RESPONSE = ("nullif(pg_catalog.current_setting('response.status', true), ''), "
             "nullif(pg_catalog.current_setting('response.headers', true), '')")


def _call_sql(fn: Function, keys: tuple[str, ...] | None, as_object: bool) -> str:
    source, value = _source(fn, keys)
    if fn.returns_void:
        shape = "NULL::text"
    elif as_object or not fn.returns_set:
        shape = f"(pg_catalog.json_agg({value}) -> 0)::text"
    else:
        shape = f"coalesce(pg_catalog.json_agg({value}), '[]')::text"
    return f"SELECT {shape}, pg_catalog.count(*)::int, NULL::bigint, {_RESPONSE} FROM {source}"


_SOURCE = quoted("pgrst_source")


class _Shaper:
    """Renders a shaping as SQL; every value becomes the next parameter."""

    def __init__(self, first: int):
        self.first = first
        self.values: list[bytes] = []

    def param(self, value: str, cast: str = "") -> str:
        self.values.append(text(value))
        return f"${self.first + len(self.values) - 1}{cast}"

    def render(self, fn: Function, keys: tuple[str, ...] | None, as_object: bool,
               shaping: Shaping) -> tuple[str, tuple[bytes, ...]]:
        source, value = _source(fn, keys)
        columns = "r.*" if fn.returns_row else f"{value} AS pgrst_scalar"
        where = self.where(shaping.where)
        page = f"SELECT {self.select(shaping.select)} FROM {_SOURCE}{where}{self.order(shaping)}{self.range(shaping)}"
        total = (f"(SELECT pg_catalog.count(*) FROM {_SOURCE}{where})" if shaping.count in ("exact", "estimated")
                 else "NULL::bigint")
        return (f"WITH {_SOURCE} AS (SELECT {columns} FROM {source}), pgrst_page AS ({page}) "
                f"SELECT {self.body(fn, as_object, shaping.csv)}, pg_catalog.count(*)::int, {total}, {_RESPONSE} "
                "FROM pgrst_page _postgrest_t"), tuple(self.values)

    @staticmethod
    def body(fn: Function, as_object: bool, csv: bool) -> str:
        if fn.returns_void:
            return "NULL::text"
        if csv:
            # PostgREST's text/csv: a header of the page's column names, then each row as PostgreSQL prints a
            # record, parentheses off, the lines joined by LF. Record output quotes a field as RFC 4180 does
            # (doubled quotes; a comma, a quote, CR or LF, any space, a parenthesis, a backslash or an empty
            # string quoted; NULL empty) but also doubles every backslash, which no CSV reader undoes
            # (PostgREST#1374): undone here, one level. The header takes the same quoting (ROW(name)), and comes
            # from a null-extended row when the page is empty, so a result without rows is its header alone.
            header = (f"(SELECT coalesce(pg_catalog.string_agg({_csv_line('ROW(k)')}, ','), '') "
                      "FROM pg_catalog.json_object_keys((SELECT pg_catalog.row_to_json(h) FROM (SELECT p.* FROM "
                      "(SELECT 1) d LEFT JOIN (SELECT * FROM pgrst_page LIMIT 1) p ON true) h)) AS k)")
            return f"pg_catalog.concat_ws(E'\\n', {header}, pg_catalog.string_agg({_csv_line('_postgrest_t')}, " \
                   "E'\\n'))"
        item = "_postgrest_t" if fn.returns_row else "_postgrest_t.pgrst_scalar"
        if as_object or not fn.returns_set:
            return f"(pg_catalog.json_agg({item}) -> 0)::text"
        return f"coalesce(pg_catalog.json_agg({item}), '[]')::text"

    def field(self, field: Field) -> str:
        expr = f"{_SOURCE}.{quoted(field.name)}"
        if field.path:
            expr = f"pg_catalog.to_jsonb({expr})"
            for step in field.path:
                expr = f"{expr} {step.arrow} {self.param(step.key, '::integer' if step.index else '::text')}"
        return expr

    def select(self, columns: tuple[Column, ...] | None) -> str:
        if columns is None:
            return f"{_SOURCE}.*"
        out = []
        for column in columns:
            if column.field is None:
                out.append(f"{_SOURCE}.*")
                continue
            field = column.field
            expr = self.field(field)
            if column.cast:
                # The cast is a type name the grammar allows only letters, digits, _, $ and spaces in, within
                # CAST( … AS …): it cannot leave the parentheses. Quoting it would break `integer` or `double
                # precision`, which are not quoted names.
                expr = f"CAST({expr} AS {column.cast})"
            name = column.alias or next((s.key for s in reversed(field.path) if not s.index), field.name)
            out.append(f"{expr} AS {quoted(name)}")
        return ", ".join(out)

    def where(self, conditions: tuple[Condition | Logic, ...]) -> str:
        if not conditions:
            return ""
        return " WHERE " + " AND ".join(self.condition(c) for c in conditions)

    def condition(self, node: Condition | Logic) -> str:
        if isinstance(node, Logic):
            inner = f"({f' {node.operator} '.join(self.condition(c) for c in node.children)})"
            return f"NOT {inner}" if node.negated else inner
        expr = self.field(node.field)
        op = node.operator
        if op == "is":
            sql = f"{expr} IS {'NOT NULL' if node.value == 'not_null' else node.value.upper()}"
        elif op == "in":
            sql = f"{expr} = ANY ({self.param(_array_literal(node.value))})"
        elif op in FTS_FUNCTIONS:
            language = f"{self.param(node.language, '::regconfig')}, " if node.language else ""
            sql = f"{expr} @@ pg_catalog.{FTS_FUNCTIONS[op]}({language}{self.param(node.value, '::text')})"
        else:
            value = node.value.replace("*", "%") if op in ("like", "ilike") else node.value
            operand = f"{node.quantifier} ({self.param(value)})" if node.quantifier else self.param(value)
            sql = f"{expr} {OPERATORS[op]} {operand}"
        return f"NOT ({sql})" if node.negated else sql

    def order(self, shaping: Shaping) -> str:
        if not shaping.order:
            return ""
        terms = []
        for term in shaping.order:
            direction = "" if term.descending is None else " DESC" if term.descending else " ASC"
            nulls = f" NULLS {term.nulls}" if term.nulls else ""
            terms.append(f"{self.field(term.field)}{direction}{nulls}")
        return " ORDER BY " + ", ".join(terms)

    def range(self, shaping: Shaping) -> str:
        limit = f" LIMIT {self.param(str(shaping.limit), '::bigint')}" if shaping.limit is not None else ""
        offset = f" OFFSET {self.param(str(shaping.offset), '::bigint')}" if shaping.offset else ""
        return limit + offset


def _csv_line(row: str) -> str:
    """A row as one CSV line: its record text, parentheses off, each doubled backslash made one again."""
    text = f"{row}::text"
    return (f"pg_catalog.replace(pg_catalog.substr({text}, 2, pg_catalog.length({text}) - 2), "
            r"E'\\\\', E'\\')")


def _array_literal(items: tuple[str, ...]) -> str:
    """The in.(…) list as one array value: every element quoted, so commas, braces and NULL stay text."""
    return "{" + ",".join('"' + i.replace("\\", "\\\\").replace('"', '\\"') + '"' for i in items) + "}"
