"""Timeouts where a remote database can hang the service (README: "Operating it"): the API roles' statement_timeout
set by the role_timeouts migration and applied per request, the proxy's own bound on a request's wait for the
database (TESSERA_DATABASE_TIMEOUT) with the server asked to cancel, a connection path that hangs outright (its
forwarder stopped with SIGSTOP), and the connect timeout and TCP keepalives on every connection. Bounds are checked
with generous margins only: a hung request would take the test's own 30 s client timeout."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import psycopg
from psycopg.conninfo import conninfo_to_dict

from api.config import Config
from api.state import guarded
from tests.api_support import STAFF, login_conninfo, serve, token

RPC_TEST = {"Content-Profile": "rpc_test"}
FOUR_KEYS = {"code", "message", "details", "hint"}


def call(api, name: str, body=None, headers=None) -> httpx.Response:
    return httpx.post(f"{api.url}/rest/v1/rpc/{name}", json={} if body is None else body,
                      headers={**RPC_TEST, **(headers or {})}, timeout=30)


def test_the_migration_gives_anon_and_authenticated_a_statement_timeout(rpc_db):
    with psycopg.connect(rpc_db) as conn:
        rows = dict(conn.execute("""
            SELECT r.rolname, s.setconfig FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole
             WHERE s.setdatabase = 0 AND r.rolname IN ('anon', 'authenticated')""").fetchall())
    assert "statement_timeout=3s" in rows["anon"] and "statement_timeout=8s" in rows["authenticated"]


def test_an_anonymous_statement_past_its_timeout_is_cancelled_by_the_server_as_postgrest_answers_it(api):
    began = time.monotonic()
    response = call(api, "slow", {"seconds": 20})
    took = time.monotonic() - began
    # 57014 query_canceled: PostgREST's table maps 57* to 500; the message is the server's.
    assert response.status_code == 500, response.text
    body = response.json()
    assert set(body) == FOUR_KEYS and body["code"] == "57014" and "statement timeout" in body["message"]
    assert took < 15  # the role's 3 s, not the 20 s asked for
    assert call(api, "add", {"a": 1}).json() == 11  # the connection went back healthy


def _waiting_backends(admin: str) -> int:
    with psycopg.connect(admin, autocommit=True) as conn:
        return conn.execute("SELECT count(*) FROM pg_stat_activity WHERE usename = 'authenticator' "
                            "AND wait_event_type = 'Lock'").fetchone()[0]


def test_a_request_blocked_on_a_lock_answers_504_in_bounded_time_and_its_statement_is_cancelled(rpc_db, tmp_path):
    signed_in = {"Authorization": f"Bearer {token(sub=STAFF)}"}
    with serve(login_conninfo(rpc_db), tmp_path, database_timeout="1", pool_size="2") as api, \
            psycopg.connect(rpc_db) as holder:
        holder.execute("LOCK TABLE rpc_test.notes IN ACCESS EXCLUSIVE MODE")  # held until the rollback below
        began = time.monotonic()
        response = call(api, "write_note", {"body": f"blocked-{time.time_ns()}"}, signed_in)
        took = time.monotonic() - began
        assert response.status_code == 504, response.text
        body = response.json()
        assert set(body) == FOUR_KEYS and body["code"] == "PT504" and body["details"] == "database_timeout"
        assert response.headers["proxy-status"] == "PostgREST; error=PT504"
        assert took < 8  # the proxy's 1 s, well before authenticated's 8 s statement_timeout
        # The server was asked to cancel: the blocked statement no longer waits, though the lock is still held.
        deadline = time.monotonic() + 10
        while _waiting_backends(rpc_db) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _waiting_backends(rpc_db) == 0
        holder.rollback()
        assert call(api, "add", {"a": 1}).json() == 11  # and the service carries on


def test_a_hung_connection_path_answers_504_not_a_hang_and_the_service_recovers(rpc_db, tmp_path):
    parts = conninfo_to_dict(rpc_db)
    target = os.path.join(parts["host"], f".s.PGSQL.{parts['port']}")
    folder = tmp_path / "sock"
    folder.mkdir()
    forwarder = subprocess.Popen([sys.executable, str(Path(__file__).with_name("ops_forwarder.py")), target,
                                  str(folder / f".s.PGSQL.{parts['port']}")], stdout=subprocess.PIPE, text=True)
    try:
        assert forwarder.stdout.readline().strip() == "ready"
        with serve(login_conninfo(rpc_db, host=str(folder)), tmp_path, database_timeout="1", pool_size="2",
                   pool_timeout="2") as api:
            assert call(api, "add", {"a": 1}).json() == 11
            forwarder.send_signal(signal.SIGSTOP)  # every byte on the path now goes nowhere
            answers: list[httpx.Response] = []
            began = time.monotonic()
            clients = [threading.Thread(target=lambda: answers.append(call(api, "add", {"a": 2})))
                       for _ in range(2)]
            for client in clients:
                client.start()
            for client in clients:
                client.join()
            took = time.monotonic() - began
            statuses = {r.status_code for r in answers}
            assert statuses <= {503, 504} and 500 not in statuses, [r.text for r in answers]
            assert 504 in statuses
            for response in answers:
                assert set(response.json()) == FOUR_KEYS
            assert took < 15
            began = time.monotonic()
            probe = httpx.get(f"{api.url}/health/ready", timeout=30)  # the readiness probe is bounded too
            assert probe.status_code == 503 and probe.json()["database"] == "down"
            assert time.monotonic() - began < 15
            forwarder.send_signal(signal.SIGCONT)
            deadline = time.monotonic() + 30
            while (status := call(api, "add", {"a": 1}).status_code) != 200 and time.monotonic() < deadline:
                time.sleep(0.25)
            assert status == 200
    finally:
        forwarder.send_signal(signal.SIGCONT)
        forwarder.terminate()
        forwarder.wait(timeout=10)


def test_every_connection_gets_a_connect_timeout_and_keepalives_unless_the_url_sets_them():
    config = Config(database_url="postgresql://authenticator@db.example:5432/tessera", jwt_secret="x" * 32)
    made = conninfo_to_dict(guarded(config))
    assert made["connect_timeout"] == "5" and made["keepalives"] == "1" and made["keepalives_idle"] == "30"
    assert made["keepalives_interval"] == "10" and made["keepalives_count"] == "3"
    assert made["host"] == "db.example" and made["dbname"] == "tessera"
    own = Config(database_url="host=db.example dbname=tessera connect_timeout=20", jwt_secret="x" * 32,
                 connect_timeout=3)
    assert conninfo_to_dict(guarded(own))["connect_timeout"] == "20"  # the URL's own word wins


def test_the_workers_sessions_are_bounded_too(test_db, pg_server):
    from tessera.worker_cmd import worker_conninfo

    made = worker_conninfo(pg_server.conninfo(test_db))
    assert conninfo_to_dict(made)["keepalives"] == "1"
    with psycopg.connect(made, autocommit=True) as conn:
        assert conn.execute("SHOW statement_timeout").fetchone()[0] == "1min"


def test_timeout_settings_are_checked_at_start():
    env = {"TESSERA_DATABASE_URL": "dbname=x", "TESSERA_JWT_SECRET": "x" * 32}
    config = Config.from_env({**env, "TESSERA_DATABASE_TIMEOUT": "2.5", "TESSERA_CONNECT_TIMEOUT": "7"})
    assert config.database_timeout == 2.5 and config.connect_timeout == 7
    assert Config.from_env({**env, "TESSERA_DATABASE_TIMEOUT": "0"}).database_timeout == 0
    for name, value in (("DATABASE_TIMEOUT", "0.01"), ("CONNECT_TIMEOUT", "1"), ("KEEPALIVES_IDLE", "soon")):
        try:
            Config.from_env({**env, f"TESSERA_{name}": value})
        except Exception as exc:
            assert f"TESSERA_{name}" in str(exc)
        else:
            raise AssertionError(f"TESSERA_{name}={value} was accepted")
