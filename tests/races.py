"""Releasing many real connections at one instant: the harness of the race tests."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import psycopg


def signed_in(conninfo: str, user: str) -> psycopg.Connection:
    """An autocommit connection that runs as the API runs a signed-in user's request."""
    conn = psycopg.connect(conninfo, autocommit=True)
    conn.execute("SELECT set_config('role', 'authenticated', false), set_config('request.jwt.claims', %s, false)",
                 (json.dumps({"role": "authenticated", "sub": user}),))
    return conn


def race(conninfo: str, users: list[str], statement: Callable[[int], tuple[str, tuple]]) -> list[tuple[str, object]]:
    """Run statement(i) as users[i], all released at one instant; each result: ('ok', row) or (sqlstate, detail)."""
    connections = [signed_in(conninfo, user) for user in users]
    gate = threading.Barrier(len(users))

    def client(i: int):
        sql, params = statement(i)
        gate.wait()
        try:
            return "ok", connections[i].execute(sql, params).fetchone()
        except psycopg.Error as exc:
            return exc.sqlstate, exc.diag.message_detail

    try:
        with ThreadPoolExecutor(len(users)) as pool:
            return list(pool.map(client, range(len(users))))
    finally:
        for conn in connections:
            conn.close()
