"""The pipeline prepares each statement once per connection and knows which ones it has: after a request that
fails part-way, what was prepared before the failure is reused and what the failure skipped is prepared next
time. Checked on one real connection against the server's own list, pg_prepared_statements."""

from __future__ import annotations

import asyncio
import json
import urllib.parse

import psycopg
import pytest

from api.auth import Caller
from api.config import Config
from api.rpc import Call, Pipeline
from api.rpc.statement import SHAPED_LIMIT
from api.rpc.wire import CONNECTION
from api.state import State
from tests.api_support import SECRET, login_conninfo

RPC_TEST = {"content-profile": "rpc_test", "content-type": "application/json"}


def _caller(role: str) -> Caller:
    return Caller(role=role, claims=json.dumps({"role": role}), subject=None, anonymous=role == "anon")


async def _session(conninfo: str):
    config = Config(database_url=conninfo, jwt_secret=SECRET, schemas=("api", "rpc_test"), rate_limit=0)
    state = State(config)  # never started: the test brings its own connection
    conn = await psycopg.AsyncConnection.connect(conninfo, **CONNECTION)
    await state.cache.load(conn)
    pipeline = Pipeline(config, state)
    return pipeline, conn


async def _prepared_on(conn: psycopg.AsyncConnection) -> set[str]:
    cur = await conn.execute("SELECT name FROM pg_catalog.pg_prepared_statements")
    return {name for name, in await cur.fetchall()}


def _call(name: str, body: dict) -> Call:
    return Call("POST", name, RPC_TEST, [], json.dumps(body).encode(), "127.0.0.1")


def test_statements_prepared_before_a_failure_are_reused_and_skipped_ones_prepared_later(rpc_db):
    async def scenario():
        pipeline, conn = await _session(login_conninfo(rpc_db))
        try:
            anon = _caller("anon")
            add = pipeline.prepare(_call("add", {"a": 1}), anon)
            row = await pipeline.connections.run(conn, add)
            assert row[0] == b"11"
            assert await _prepared_on(conn) == {add.settings.name.decode(), add.call.name.decode()}

            # The call is prepared, then fails as it runs: its statement stays prepared and known.
            sold_out = pipeline.prepare(_call("sold_out", {}), anon)
            with pytest.raises(psycopg.Error) as raised:
                await pipeline.connections.run(conn, sold_out)
            assert raised.value.sqlstate == "PT409"
            after_failure = await _prepared_on(conn)
            assert sold_out.call.name.decode() in after_failure

            # A role the login role may not become fails in the settings: the Parse behind it never runs.
            intruder = pipeline.prepare(_call("make_pair", {"n": 1, "label": "x"}), _caller("postgres"))
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                await pipeline.connections.run(conn, intruder)
            assert await _prepared_on(conn) == after_failure | {intruder.settings.name.decode()}

            # ... so the next request with that call prepares it, and then it runs from its plan.
            pair = pipeline.prepare(_call("make_pair", {"n": 1, "label": "x"}), anon)
            pair_json = {"left_side": 1, "right_side": "x"}
            assert json.loads((await pipeline.connections.run(conn, pair))[0]) == pair_json
            assert json.loads((await pipeline.connections.run(conn, pair))[0]) == pair_json
            assert pair.call.name.decode() in await _prepared_on(conn)
        finally:
            await conn.close()

    asyncio.run(scenario())


def test_a_reloaded_schema_cache_starts_each_connection_afresh(rpc_db):
    async def scenario():
        pipeline, conn = await _session(login_conninfo(rpc_db))
        try:
            anon = _caller("anon")
            first = pipeline.prepare(_call("add", {"a": 1}), anon)
            await pipeline.connections.run(conn, first)
            await pipeline.state.cache.load(conn)  # what NOTIFY pgrst does: a new generation
            second = pipeline.prepare(_call("add", {"a": 2}), anon)
            assert second.call.name != first.call.name
            assert (await pipeline.connections.run(conn, second))[0] == b"12"
            assert await _prepared_on(conn) == {second.settings.name.decode(), second.call.name.decode()}
        finally:
            await conn.close()

    asyncio.run(scenario())


def test_the_pollers_reload_keeps_the_statements_unless_something_changed(rpc_db):
    async def scenario():
        pipeline, conn = await _session(login_conninfo(rpc_db))
        cache = pipeline.state.cache
        try:
            first = cache.generation
            await cache.load(conn, unless_same=True)
            assert cache.generation == first  # behind a pooler, every poll: the statements stand
            async with await psycopg.AsyncConnection.connect(rpc_db) as owner:  # one transaction, rolled back
                await owner.execute("CREATE FUNCTION rpc_test.poll_probe() RETURNS int LANGUAGE sql AS 'SELECT 1'")
                await cache.load(owner, unless_same=True)
                assert cache.generation == first + 1 and cache.overloads("rpc_test", "poll_probe")
                await owner.rollback()
            await cache.load(conn)  # NOTIFY pgrst: always afresh
            assert cache.generation == first + 2 and not cache.overloads("rpc_test", "poll_probe")
        finally:
            await conn.close()

    asyncio.run(scenario())


def _shaped(query: str, body: dict | None = None) -> Call:
    return Call("POST", "catalogue", RPC_TEST, urllib.parse.parse_qsl(query), json.dumps(body or {}).encode(),
                "127.0.0.1")


def test_shaped_calls_are_prepared_once_per_shape_and_bounded(rpc_db):
    """Values of a shaping are parameters, so one shape is one statement whatever the values; a call without
    shaping keeps its plain statement; past SHAPED_LIMIT shapes every connection starts afresh rather than
    collecting statements without end."""
    async def scenario():
        pipeline, conn = await _session(login_conninfo(rpc_db))
        try:
            anon = _caller("anon")
            plain = pipeline.prepare(_shaped(""), anon)
            assert b"pgrst_source" not in plain.call.text and plain.shaping is None
            first = pipeline.prepare(_shaped("select=id&id=gt.1&order=id.desc&limit=2"), anon)
            second = pipeline.prepare(_shaped("select=id&id=gt.3&order=id.desc&limit=1"), anon)
            assert first.call.name == second.call.name and first.call_params != second.call_params
            page = first.call.text.split(b"pgrst_page AS (", 1)[1].split(b") SELECT", 1)[0]
            assert b"'" not in page and b"$1" in page and first.call_params == (b"1", b"2")  # no value in the text
            assert json.loads((await pipeline.connections.run(conn, first))[0]) == [{"id": 6}, {"id": 5}]
            assert json.loads((await pipeline.connections.run(conn, second))[0]) == [{"id": 6}]
            assert await _prepared_on(conn) == {first.settings.name.decode(), first.call.name.decode()}
            other = pipeline.prepare(_shaped("select=name&id=gt.1"), anon)
            assert other.call.name != first.call.name

            generation = first.generation
            for n in range(SHAPED_LIMIT):
                pipeline.prepare(_shaped(f"select=id&id=gt.{n}&order=id&limit={n + 1}&offset={n}&{'id=lt.9&' * n}"),
                                 anon)
            again = pipeline.prepare(_shaped("select=id&id=gt.1&order=id.desc&limit=2"), anon)
            assert again.generation > generation
            assert json.loads((await pipeline.connections.run(conn, again))[0]) == [{"id": 6}, {"id": 5}]
            assert await _prepared_on(conn) == {again.settings.name.decode(), again.call.name.decode()}
        finally:
            await conn.close()

    asyncio.run(scenario())
