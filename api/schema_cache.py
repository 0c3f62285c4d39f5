"""What can be called: the functions of the exposed schemas, read from the catalogue.

Read once at start and again whenever the database says `NOTIFY pgrst, 'reload schema'` (as PostgREST does;
`tessera db deploy` sends it) or the listener reconnects after losing the database, so a deploy is picked up
without a restart. Lookups are plain dictionary reads; nothing here talks to the database per request.
"""

from __future__ import annotations

import asyncio
import contextlib
import difflib
import logging

import msgspec
import psycopg

log = logging.getLogger("tessera.api")


class Param(msgspec.Struct, frozen=True):
    name: str
    type: str  # as format_type prints it, usable in a column definition list
    type_oid: int
    has_default: bool
    variadic: bool = False
    default: str | None = None  # the SQL default, as the catalogue prints it
    array: bool = False  # of an array type (a VARIADIC parameter is one)


class Column(msgspec.Struct, frozen=True):
    name: str
    type: str
    type_oid: int


class Function(msgspec.Struct, frozen=True):
    schema: str
    name: str
    params: tuple[Param, ...]
    returns: str
    returns_oid: int
    returns_set: bool
    returns_void: bool
    # A composite, or any OUT/INOUT/TABLE parameter (even one): objects, not bare values (PostgREST's rule). A bare
    # `record` without them is a scalar to PostgREST: called in the select list, it renders as the object its body
    # built, and needs no column definition list.
    returns_row: bool
    columns: tuple[Column, ...]
    volatile: bool
    comment: str | None
    array_params: frozenset[str] = frozenset()  # the names of its array (and VARIADIC) parameters
    variadic_param: str | None = None
    composite: bool = False  # of a named composite type without OUT parameters: embeds would relate to that type

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"

    @property
    def required(self) -> frozenset[str]:
        return frozenset(p.name for p in self.params if not p.has_default)

    @property
    def names(self) -> frozenset[str]:
        return frozenset(p.name for p in self.params)

    @property
    def single_unnamed_json(self) -> bool:
        """f(json) or f(jsonb) with an unnamed parameter: receives the whole body (PostgREST's fallback)."""
        return len(self.params) == 1 and self.params[0].name == "" and self.params[0].type in ("json", "jsonb")

    def arguments(self, values: dict[str, list[str]]) -> dict[str, object]:
        """Query or form values as this function takes them. As PostgREST: a VARIADIC parameter takes every value
        given (one is an array of one), any other the last. Beyond PostgREST, which passes a bare value to an array
        parameter as an array literal and fails: an array parameter takes its values as an array unless one of
        them is an array literal (`{a,b}`), which PostgREST's rule then takes."""
        if not self.array_params:
            return {k: v[-1] for k, v in values.items()}
        return {key: given if key == self.variadic_param or (
                    key in self.array_params and not any(v.startswith("{") for v in given)) else given[-1]
                for key, given in values.items()}

    @property
    def readable(self) -> bool:
        """Offered on GET as well as POST: it cannot change data (not VOLATILE), and its arguments fit a query string
        (a single unnamed json parameter takes a body). The OpenAPI document and a 405's Allow both say so."""
        return not self.volatile and not self.single_unnamed_json

    def signature(self) -> str:
        return f"{self.qualified}({', '.join(p.name for p in self.params)})"


class TypeInfo(msgspec.Struct, frozen=True):
    name: str
    category: str  # pg_type.typcategory
    element: int | None = None  # arrays
    labels: tuple[str, ...] = ()  # enums


_FUNCTIONS = """
SELECT n.nspname, p.proname, p.provolatile = 'v', p.proretset, p.prorettype = 'pg_catalog.void'::pg_catalog.regtype,
       rt.typtype = 'c',
       pg_catalog.format_type(p.prorettype, NULL), p.prorettype::int,
       coalesce(p.proallargtypes, p.proargtypes::oid[])::int[],
       coalesce(p.proargmodes::text[], pg_catalog.array_fill('i'::text, ARRAY[p.pronargs::int])),
       coalesce(p.proargnames, pg_catalog.array_fill(''::text, ARRAY[p.pronargs::int])),
       p.pronargdefaults,
       (SELECT coalesce(pg_catalog.array_agg(pg_catalog.format_type(t, NULL) ORDER BY o), '{}')
          FROM pg_catalog.unnest(coalesce(p.proallargtypes, p.proargtypes::oid[])) WITH ORDINALITY AS a(t, o)),
       (SELECT coalesce(pg_catalog.array_agg(t.typcategory = 'A' ORDER BY a.o), '{}')
          FROM pg_catalog.unnest(coalesce(p.proallargtypes, p.proargtypes::oid[])) WITH ORDINALITY AS a(t0, o)
          JOIN pg_catalog.pg_type t ON t.oid = a.t0),
       cols.names, cols.types, cols.oids,
       (SELECT pg_catalog.array_agg(pg_catalog.pg_get_function_arg_default(p.oid, n::int) ORDER BY n)
          FROM pg_catalog.generate_series(1, pg_catalog.array_length(coalesce(p.proallargtypes,
                                                                              p.proargtypes::oid[]), 1)) n),
       pg_catalog.obj_description(p.oid, 'pg_proc')
  FROM pg_catalog.pg_proc p
  JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
  JOIN pg_catalog.pg_type rt ON rt.oid = p.prorettype
  LEFT JOIN LATERAL (
         SELECT pg_catalog.array_agg(a.attname::text ORDER BY a.attnum) AS names,
                pg_catalog.array_agg(pg_catalog.format_type(a.atttypid, a.atttypmod) ORDER BY a.attnum) AS types,
                pg_catalog.array_agg(a.atttypid::int ORDER BY a.attnum) AS oids
           FROM pg_catalog.pg_attribute a
          WHERE rt.typtype = 'c' AND a.attrelid = rt.typrelid AND a.attnum > 0 AND NOT a.attisdropped) cols ON true
 WHERE n.nspname = ANY (%s) AND p.prokind = 'f'
 ORDER BY 1, 2
"""

_TYPES = """
SELECT t.oid::int, pg_catalog.format_type(t.oid, NULL), t.typcategory, nullif(t.typelem, 0)::int,
       coalesce((SELECT pg_catalog.array_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_catalog.pg_enum e
                  WHERE e.enumtypid = t.oid), '{}')
  FROM pg_catalog.pg_type t
 WHERE t.oid = ANY (%s) OR t.oid IN (SELECT typelem FROM pg_catalog.pg_type WHERE oid = ANY (%s))
"""

# ALTER ROLE … SET values, server-wide first so that those for this database win; SET ROLE does not apply them,
# so the proxy does, as PostgREST does (anon's shorter statement_timeout, for one).
_ROLE_SETTINGS = """
SELECT r.rolname::text, s.setconfig
  FROM pg_catalog.pg_db_role_setting s JOIN pg_catalog.pg_roles r ON r.oid = s.setrole
 WHERE s.setdatabase IN (0, (SELECT oid FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database()))
 ORDER BY s.setdatabase
"""


# Every role, and whether the login role may become it (a member, directly or not). Never itself, never a superuser.
_ROLES = """
SELECT r.rolname::text, pg_catalog.pg_has_role(r.oid, 'MEMBER') AND r.rolname <> current_user AND NOT r.rolsuper
  FROM pg_catalog.pg_roles r
"""


def _function(row) -> Function:
    (schema, name, volatile, retset, void, row_type, returns, returns_oid, all_types, modes, arg_names,
     n_defaults, type_names, arrays, col_names, col_types, col_oids, defaults, comment) = row
    inputs, outputs = [], []
    defaults = defaults or [None] * len(all_types)
    for type_oid, mode, arg_name, type_name, default, array in zip(all_types, modes, arg_names, type_names,
                                                                    defaults, arrays, strict=True):
        if mode in ("i", "b", "v"):
            inputs.append((arg_name, type_name, type_oid, mode == "v", default, array))
        if mode in ("o", "b", "t"):
            outputs.append(Column(arg_name, type_name, type_oid))
    first_default = len(inputs) - n_defaults
    params = tuple(Param(n, t, o, i >= first_default, v, d, a) for i, (n, t, o, v, d, a) in enumerate(inputs))
    if col_names:
        columns = tuple(Column(n, t, o) for n, t, o in zip(col_names, col_types, col_oids, strict=True))
    else:
        columns = tuple(outputs)
    returns_row = row_type or bool(outputs)
    return Function(schema, name, params, returns, returns_oid, retset, void, returns_row,
                    columns if returns_row else (), volatile, comment,
                    frozenset(p.name for p in params if p.array), next((p.name for p in params if p.variadic), None),
                    bool(row_type) and not outputs)


class SchemaCache:
    """Exposed functions by (schema, name), overloads together; replaced whole on reload."""

    def __init__(self, schemas: tuple[str, ...]):
        self.schemas = schemas
        self.functions: dict[tuple[str, str], list[Function]] = {}
        self.types: dict[int, TypeInfo] = {}
        self.role_settings: dict[str, tuple[tuple[str, str], ...]] = {}
        self.roles: dict[str, bool] = {}  # role → whether the login role may become it
        self.loaded = False
        self.generation = 0

    async def load(self, conn: psycopg.AsyncConnection, unless_same: bool = False) -> None:
        """Read the exposed functions, their types and the roles; a new generation (every statement built again)
        unless unless_same and nothing read differs (the poller's reloads every few seconds behind a pooler)."""
        rows = await (await conn.execute(_FUNCTIONS, (list(self.schemas),))).fetchall()
        functions: dict[tuple[str, str], list[Function]] = {}
        for row in rows:
            fn = _function(row)
            functions.setdefault((fn.schema, fn.name), []).append(fn)
        oids = sorted({p.type_oid for fns in functions.values() for fn in fns for p in fn.params}
                      | {c.type_oid for fns in functions.values() for fn in fns for c in fn.columns}
                      | {fn.returns_oid for fns in functions.values() for fn in fns})
        type_rows = await (await conn.execute(_TYPES, (oids, oids))).fetchall()
        types = {oid: TypeInfo(name, category, element, tuple(labels))
                 for oid, name, category, element, labels in type_rows}
        settings: dict[str, dict[str, str]] = {}
        for role, config in await (await conn.execute(_ROLE_SETTINGS)).fetchall():
            for item in config:
                name, _, value = item.partition("=")
                settings.setdefault(role, {})[name] = value
        role_settings = {role: tuple(values.items()) for role, values in settings.items()}
        roles = dict(await (await conn.execute(_ROLES)).fetchall())
        if unless_same and self.loaded and (functions, types, role_settings, roles) == (
                self.functions, self.types, self.role_settings, self.roles):
            return
        self.types, self.role_settings, self.roles, self.functions = types, role_settings, roles, functions
        self.loaded = True
        self.generation += 1

    def overloads(self, schema: str, name: str) -> list[Function]:
        return self.functions.get((schema, name), [])

    def suggestion(self, schema: str, name: str) -> str | None:
        """PostgREST's "Perhaps you meant" hint: the closest function name in the schema."""
        names = [n for s, n in self.functions if s == schema]
        close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
        if not close:
            return None
        fn = self.functions[(schema, close[0])][0]
        return f"Perhaps you meant to call the function {fn.signature()}"


async def listen_for_reloads(conninfo: str, cache: SchemaCache, stop: asyncio.Event, on_state,
                             channels: tuple[str, ...] = (), on_notify=None) -> None:
    """Keep a connection LISTENing on `pgrst`; reload on 'reload schema' and after every reconnect, and tell
    `on_state(up)` whenever the database is reached or lost. The same connection listens on `channels` too,
    handing each notification to `on_notify(channel, payload)` (the refund executor's wake-up), and once with
    an empty payload after every reconnect, for what was said while it was away."""
    delay = 0.5
    while not stop.is_set():
        try:
            async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True, connect_timeout=5,
                                                             prepare_threshold=None) as conn:
                await cache.load(conn)
                await conn.execute("LISTEN pgrst")
                for channel in channels:
                    await conn.execute(f'LISTEN "{channel}"')
                    on_notify(channel, "")
                await on_state(True)
                delay = 0.5
                while not stop.is_set():
                    # Leave the notification stream before querying: the connection serves one at a time.
                    async for note in conn.notifies():
                        if note.channel != "pgrst":
                            on_notify(note.channel, note.payload)
                        elif note.payload in ("", "reload schema"):
                            break
                    await cache.load(conn)
                    log.info("schema cache reloaded", extra={"event": "schema_reload",
                                                             "functions": len(cache.functions)})
        except (psycopg.Error, OSError) as exc:
            await on_state(False)
            log.warning("schema listener lost the database; retrying", extra={"event": "listener_retry",
                                                                               "error": type(exc).__name__})
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=delay)
            delay = min(delay * 2, 5.0)


async def poll_for_reloads(conninfo: str, cache: SchemaCache, stop: asyncio.Event, on_state, every: float,
                           channels: tuple[str, ...] = (), on_notify=None) -> None:
    """What the listener does behind a transaction pooler without a direct connection to LISTEN on (README:
    "Behind a pooler"): reload the schema cache every `every` seconds, through the pooler, with unnamed statements
    only, telling `on_state(up)` as `listen_for_reloads` does. NOTIFY pgrst is not heard, so a deploy is seen at the
    next poll; `channels` get their empty "look again" call at every poll (their owners also sweep on their own)."""
    delay = 0.5
    while not stop.is_set():
        try:
            async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True, connect_timeout=5,
                                                             prepare_threshold=None) as conn:
                while not stop.is_set():
                    await cache.load(conn, unless_same=True)
                    await on_state(True)
                    delay = 0.5
                    for channel in channels:
                        on_notify(channel, "")
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), timeout=every)
        except (psycopg.Error, OSError) as exc:
            await on_state(False)
            log.warning("schema poller lost the database; retrying", extra={"event": "listener_retry",
                                                                             "error": type(exc).__name__})
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=delay)
            delay = min(delay * 2, 5.0)
