"""Behind PgBouncer in transaction mode (README: "Behind a pooler"), a real Debian pgbouncer 1.18 started for the
run (conftest's pgbouncer_server; the core RPC modules also run through it, `-k pgbouncer`): each request is one
round trip and one transaction by PgBouncer's own counters, nothing is prepared under a name on the server, and
without a direct connection to LISTEN on the service sees a new function by polling."""

from __future__ import annotations

import json
import time
import uuid

import httpx
import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

from api.config import Config, ConfigError
from tests.api_support import SECRET, login_conninfo, serve, token
from tests.helpers import ROOT, run_tessera

REQUESTS = 20


def _dbname(conninfo: str) -> str:
    return conninfo_to_dict(conninfo)["dbname"]


@pytest.fixture(scope="module")
def polling(pgbouncer_server, rpc_db, tmp_path_factory):
    """The service through PgBouncer with no direct connection: its schema cache polls, every 0.3 s."""
    with serve(pgbouncer_server.conninfo(_dbname(rpc_db)), tmp_path_factory.mktemp("pooler"),
               db_pooler="transaction", schema_poll_seconds="0.3") as running:
        yield running


@pytest.fixture(scope="module")
def listening(pgbouncer_server, rpc_db, tmp_path_factory):
    """The service through PgBouncer, its schema listener on a direct connection: all it sends through PgBouncer
    is requests."""
    with serve(pgbouncer_server.conninfo(_dbname(rpc_db)), tmp_path_factory.mktemp("pooler"),
               db_pooler="transaction", listen_database_url=login_conninfo(rpc_db)) as running:
        yield running


@pytest.mark.parametrize("path, status", [("whoami", 200), ("sold_out", 409), ("no_such_function", 404)])
def test_pooler_each_request_is_one_round_trip_and_one_transaction(pgbouncer_server, listening, rpc_db, path,
                                                                    status):
    """By PgBouncer's own SHOW STATS: a transaction and a query (one Sync, one ReadyForQuery) per request, for an
    answer and for a database error alike."""
    headers = {"Authorization": f"Bearer {token()}", "Content-Profile": "api" if path == "whoami" else "rpc_test"}
    db = _dbname(rpc_db)
    before = pgbouncer_server.stats(db)
    for _ in range(REQUESTS):
        assert httpx.post(f"{listening.url}/rest/v1/rpc/{path}", headers=headers, timeout=10).status_code == status
    after = pgbouncer_server.stats(db)
    transactions = after["total_xact_count"] - before["total_xact_count"]
    round_trips = after["total_query_count"] - before["total_query_count"]
    expected = 0 if status == 404 else REQUESTS  # an unknown function is answered from the schema cache
    assert (transactions, round_trips) == (expected, expected)


def test_pooler_leaves_no_named_statement_on_the_server(pgbouncer_server, polling, rpc_db):
    """Nothing the service sent survives its transaction: a request that runs through PgBouncer on whichever
    server connection finds no prepared statement there (pg_prepared_statements is per session, so it is read
    through PgBouncer too, on the very connections the pool shares)."""
    headers = {"Authorization": f"Bearer {token()}"}
    for _ in range(REQUESTS):
        assert httpx.post(f"{polling.url}/rest/v1/rpc/whoami", headers=headers, timeout=10).status_code == 200
    with psycopg.connect(pgbouncer_server.conninfo(_dbname(rpc_db)), autocommit=True,
                         prepare_threshold=None) as conn:
        for _ in range(10):
            assert conn.execute("SELECT count(*) FROM pg_prepared_statements").fetchone()[0] == 0


def test_pooler_without_a_direct_connection_the_schema_cache_polls(polling, rpc_db):
    name = f"pooled_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(rpc_db, autocommit=True) as conn:
        conn.execute(f"CREATE FUNCTION rpc_test.{name}() RETURNS int LANGUAGE sql STABLE AS 'SELECT 42'")
        conn.execute(f"GRANT EXECUTE ON FUNCTION rpc_test.{name}() TO anon")
    deadline = time.monotonic() + 10
    while True:  # no NOTIFY: the next poll finds it
        answer = httpx.post(f"{polling.url}/rest/v1/rpc/{name}", headers={"Content-Profile": "rpc_test"}, timeout=10)
        if answer.status_code == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert answer.status_code == 200 and answer.json() == 42, answer.text


def test_pooler_an_error_rolls_the_whole_request_back_through_pgbouncer(polling):
    """A failing call answers as directly, and the next request on the shared server connections is clean."""
    bad = httpx.post(f"{polling.url}/rest/v1/rpc/no_such_function", timeout=10)
    assert bad.status_code == 404 and bad.json()["code"] == "PGRST202"
    for _ in range(10):
        answer = httpx.post(f"{polling.url}/rest/v1/rpc/whoami", headers={"Authorization": f"Bearer {token()}"},
                            timeout=10)
        assert answer.status_code == 200 and answer.json()["role"] == "authenticated", answer.text


def test_pooler_setting_is_checked():
    base = {"TESSERA_DATABASE_URL": "dbname=x", "TESSERA_JWT_SECRET": SECRET}
    assert not Config.from_env(base).unnamed_statements
    config = Config.from_env(base | {"TESSERA_DB_POOLER": "transaction", "TESSERA_LISTEN_DATABASE_URL": "dbname=y"})
    assert config.unnamed_statements and config.listen_database_url == "dbname=y"
    with pytest.raises(ConfigError, match="TESSERA_DB_POOLER='session'"):
        Config.from_env(base | {"TESSERA_DB_POOLER": "session"})



def test_pooler_bench_rpc_pgbouncer_measures_both_modes_and_prints_json(tessera_databases, pg_server):
    """`tessera bench rpc --pgbouncer` starts its own PgBouncer; only the shape is checked, never timings."""
    admin = pg_server.conninfo(tessera_databases.clone("bench_pooler"))
    env = {"DATABASE_URL": admin, "TESSERA_DATABASE_URL": login_conninfo(admin), "TESSERA_JWT_SECRET": SECRET}
    assert run_tessera("seed", "--demo", cwd=ROOT, env=env).code == 0
    run = run_tessera("bench", "rpc", "--pgbouncer", "--seconds", "1", "--concurrency", "1", cwd=ROOT, env=env,
                      timeout=300)
    assert run.code == 0, run.err
    report = json.loads(run.out.strip().splitlines()[-1])
    assert report["benchmark"] == "rpc_pgbouncer" and report["pgbouncer_version"].startswith("PgBouncer")
    for name, call in report["calls"].items():
        row = call["concurrency"]["1"]
        assert row["direct"]["requests_per_second"] > 0 and row["pgbouncer"]["requests_per_second"] > 0
        assert row["pgbouncer_vs_direct"] > 0 and "p50_added_ms" in row
        # One transaction and one round trip per request, by PgBouncer's own counters (a request still in flight
        # when wrk stops, in the warm-up's 2 clients or the run's 1, reaches PgBouncer but is not counted by wrk).
        counted = report["per_request"][name]
        assert counted["queries"] == counted["transactions"], counted
        assert 0 <= (counted["transactions"] - 1) * counted["requests"] <= 4, counted
