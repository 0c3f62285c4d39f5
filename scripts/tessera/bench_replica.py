"""`tessera bench rpc --replica`: the read throughput a streaming replica adds, printed as JSON.

A replica of the local cluster is made with pg_basebackup -R (scripts/tessera/replica.py), started on a free port,
and removed after (or TESSERA_READ_DATABASE_URL names a running replica of DATABASE_URL's server). The same read,
GET api.check_availability over a week (STABLE, so a replica may answer it), is driven by wrk through two services
in turn: one on the primary only, one with TESSERA_READ_DATABASE_URL on the replica. Each row has requests/s and
p50/p99; `replica_vs_primary_only` is the ratio of the two throughputs and `added_requests_per_second` their
difference. `primary_transactions_per_read` is what the primary still committed per read in each mode
(pg_stat_database: about 1 alone, about 0 with the replica); `replica_sessions` counts the replica's sessions of the
read pool that ran the call. On one machine the replica shares the primary's cores, so what it can add is bounded
by them; on a machine of its own its read capacity adds to the primary's.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import urllib.parse
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import psycopg
from psycopg.conninfo import make_conninfo

from tessera.bench_rpc import _ms, _target
from tessera.errors import Refusal
from tessera.project import Project
from tessera.replica import replica_of
from tessera.serve import launch, service_environment
from tessera.server import LOCAL_DATABASE, current_server
from tessera.tokens import mint

_WRK_LUA = """
wrk.method = "GET"
wrk.headers["Authorization"] = "Bearer {token}"
"""


def _wrk(url: str, token: str, clients: int, seconds: float) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "get.lua"
        script.write_text(_WRK_LUA.format(token=token))
        proc = subprocess.run(["wrk", "-t", str(min(clients, 2)), "-c", str(clients), "-d",
                               f"{max(1, round(seconds))}s", "--latency", "-s", str(script), url],
                              capture_output=True, text=True)
    if proc.returncode != 0:
        raise Refusal(f"wrk failed: {(proc.stderr.strip().splitlines() or ['?'])[-1]}")
    if "Non-2xx" in proc.stdout:
        raise Refusal(f"the proxy answered errors during the run: {proc.stdout.strip().splitlines()[-3]}")
    rps = float(re.search(r"Requests/sec:\s+([0-9.]+)", proc.stdout).group(1))
    dist = dict(re.findall(r"^\s+(50|99)%\s+([0-9.]+\w+)", proc.stdout, re.M))
    return {"requests_per_second": round(rps, 1), "p50_ms": _ms(dist["50"]), "p99_ms": _ms(dist["99"]),
            "requests": int(re.search(r"(\d+) requests in", proc.stdout).group(1))}


def _primary_transactions(conninfo: str) -> int:
    """Transactions the primary has committed in the benchmark's database (its statistics lag up to a second)."""
    time.sleep(1.1)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("SELECT pg_stat_clear_snapshot()")
        return conn.execute("SELECT xact_commit + xact_rollback FROM pg_stat_database "
                            "WHERE datname = current_database()").fetchone()[0]


@contextlib.contextmanager
def _standby(server) -> Iterator[str]:
    """The replica's login conninfo: TESSERA_READ_DATABASE_URL's, or a replica made of the local cluster for the
    run and removed after."""
    if given := os.environ.get("TESSERA_READ_DATABASE_URL"):
        yield given
        return
    if server.cluster is None:
        raise Refusal("bench rpc --replica makes a replica of the local cluster with pg_basebackup; unset "
                      "DATABASE_URL, or set TESSERA_READ_DATABASE_URL to a replica of its server")
    with replica_of(server.cluster, "bench-replica") as made:
        yield make_conninfo(made.conninfo(LOCAL_DATABASE), user="authenticator")


def replica(project: Project, seconds: float, workers: int, pool_size: int, concurrency: tuple[int, ...]) -> int:
    if shutil.which("wrk") is None:
        raise Refusal("wrk is not installed; install it (Debian: apt-get install wrk) and run again")
    server = current_server(project)
    with server.connect() as conn:
        experience, staff = _target(conn)
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("TESSERA_READ_")},
           **service_environment(project), "TESSERA_RATE_LIMIT": "0", "TESSERA_POOL_SIZE": str(pool_size),
           "TESSERA_LOG_LEVEL": "warning"}
    token = mint(env["TESSERA_JWT_SECRET"], "authenticated", sub=staff, ttl=3600)
    start = date.today() + timedelta(days=1)
    query = urllib.parse.urlencode({"experience_id": experience, "from_date": start.isoformat(),
                                    "to_date": (start + timedelta(days=6)).isoformat(), "party_size": 4})
    path = f"/rest/v1/rpc/check_availability?{query}"
    report: dict = {"benchmark": "rpc_replica", "call": "GET api.check_availability (a week, party of 4)",
                    "seconds_per_run": seconds, "proxy_workers": workers, "pool_size": pool_size,
                    "cores": os.cpu_count(), "concurrency": {}}
    with _standby(server) as read_url, tempfile.TemporaryDirectory() as tmp:
        runs = {}
        for mode, extra in (("primary_only", {}), ("with_replica", {"TESSERA_READ_DATABASE_URL": read_url,
                                                                     "TESSERA_READ_POOL_SIZE": str(pool_size)})):
            service, url = launch({**env, **extra}, Path(tmp) / f"{mode}.log", "/health/ready", workers)
            try:
                _wrk(url + path, token, 2, 1)  # warm: plans, prepared statements, the proxy's caches
                before = _primary_transactions(server.conninfo())
                runs[mode] = {str(c): _wrk(url + path, token, c, seconds) for c in concurrency}
                served = sum(row["requests"] for row in runs[mode].values())
                # What the primary still did per read: about one transaction each alone, about none with the replica.
                report.setdefault("primary_transactions_per_read", {})[mode] = round(
                    (_primary_transactions(server.conninfo()) - before) / max(served, 1), 3)
                if mode == "with_replica":  # as the login role, which sees its own sessions' statements
                    with psycopg.connect(read_url, autocommit=True) as conn:
                        report["replica_sessions"] = conn.execute(
                            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'tessera-read' "
                            "AND query LIKE '%check_availability%'").fetchone()[0]
            finally:
                service.terminate()
                service.wait(timeout=10)
    for level in map(str, concurrency):
        primary, both = runs["primary_only"][level], runs["with_replica"][level]
        report["concurrency"][level] = {
            "primary_only": primary, "with_replica": both,
            "replica_vs_primary_only": round(both["requests_per_second"] / primary["requests_per_second"], 3),
            "added_requests_per_second": round(both["requests_per_second"] - primary["requests_per_second"], 1)}
    print(json.dumps(report))
    return 0
