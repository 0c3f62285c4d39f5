"""`tessera bench rpc --pgbouncer`: the proxy directly and through PgBouncer in transaction mode, in one run,
printed as JSON (README: "Behind a pooler").

A PgBouncer (scripts/tessera/pgbouncer.py: Debian's 1.18, its own config in a temporary folder, a free port,
transaction pooling, `default_pool_size` = --pool-size) is started in front of TESSERA_DATABASE_URL's server and
stopped after. Two services run in turn: `direct` (the default: statements prepared once per connection) and
`pgbouncer` (TESSERA_DB_POOLER=transaction: unnamed statements, through PgBouncer, the schema listener on the
direct connection). The same two calls as `tessera bench rpc` (api.whoami, trivial; api.check_availability over a
week) are POSTed by wrk at each concurrency. Each row has requests/s and p50/p99; `pgbouncer_vs_direct` is the
ratio of the throughputs, `p50_added_ms` the median PgBouncer adds. `per_request` is what PgBouncer's own SHOW
STATS counted per request through it: transactions and queries (a query is one round trip, ended by one Sync), both
1 when the pipeline holds its promise (a hair above: a request in flight when wrk stops reaches PgBouncer but is
not counted by wrk).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from psycopg.conninfo import conninfo_to_dict

from tessera.bench_rpc import _workloads, run_wrk
from tessera.errors import Refusal
from tessera.pgbouncer import pgbouncer
from tessera.project import Project
from tessera.serve import launch, service_environment


def pooler(project: Project, seconds: float, workers: int, pool_size: int, concurrency: tuple[int, ...]) -> int:
    if shutil.which("wrk") is None:
        raise Refusal("wrk is not installed; install it (Debian: apt-get install wrk) and run again")
    env = {**os.environ, **service_environment(project), "TESSERA_RATE_LIMIT": "0",
           "TESSERA_POOL_SIZE": str(pool_size), "TESSERA_LOG_LEVEL": "warning"}
    for name in ("TESSERA_DB_POOLER", "TESSERA_LISTEN_DATABASE_URL", "TESSERA_READ_DATABASE_URL"):
        env.pop(name, None)
    login = env["TESSERA_DATABASE_URL"]
    parts = conninfo_to_dict(login)
    if not str(parts.get("host", "")).startswith("/"):
        raise Refusal("bench rpc --pgbouncer puts PgBouncer on the server's unix socket; give TESSERA_DATABASE_URL "
                      "as a socket conninfo (host=/path/to/socket-dir)")
    dbname, user = parts.get("dbname", "tessera"), parts.get("user", "authenticator")
    workloads = _workloads(project, login, env["TESSERA_JWT_SECRET"])
    report: dict = {"benchmark": "rpc_pgbouncer", "pgbouncer": "transaction pooling", "seconds_per_run": seconds,
                    "proxy_workers": workers, "pool_size": pool_size, "cores": os.cpu_count(), "calls": {}}
    runs: dict[str, dict[str, dict]] = {}
    with pgbouncer(parts["host"], parts.get("port", 5432), pool_size=pool_size) as bouncer, \
            tempfile.TemporaryDirectory() as tmp:
        report["pgbouncer_version"] = bouncer.show("VERSION")[0]["version"]
        modes = (("direct", {}),
                 ("pgbouncer", {"TESSERA_DATABASE_URL": bouncer.conninfo(dbname, user),
                                "TESSERA_DB_POOLER": "transaction", "TESSERA_LISTEN_DATABASE_URL": login}))
        for mode, extra in modes:
            service, url = launch({**env, **extra}, Path(tmp) / f"{mode}.log", "/health/ready", workers)
            try:
                for work in workloads:
                    run_wrk(url, work, 2, 1)  # warm: plans, prepared statements, the proxy's caches
                    before = bouncer.stats(dbname)
                    rows = {str(c): run_wrk(url, work, c, seconds, service.pid) for c in concurrency}
                    runs.setdefault(work.name, {})[mode] = rows
                    if mode == "pgbouncer":
                        after, served = bouncer.stats(dbname), _served(url, rows)
                        report.setdefault("per_request", {})[work.name] = {
                            "transactions": round(float(after["total_xact_count"] - before["total_xact_count"])
                                                  / served, 3),
                            "queries": round(float(after["total_query_count"] - before["total_query_count"])
                                             / served, 3), "requests": served}
            finally:
                service.terminate()
                service.wait(timeout=10)
    for work in workloads:
        levels = {}
        for level in map(str, concurrency):
            direct, pooled = runs[work.name]["direct"][level], runs[work.name]["pgbouncer"][level]
            levels[level] = {"direct": direct, "pgbouncer": pooled,
                             "pgbouncer_vs_direct": round(pooled["requests_per_second"]
                                                          / direct["requests_per_second"], 3),
                             "p50_added_ms": round(pooled["p50_ms"] - direct["p50_ms"], 3)}
        report["calls"][work.name] = {"function": f"api.{work.function}", "arguments": work.body,
                                      "concurrency": levels}
    print(json.dumps(report))
    return 0


def _served(url: str, rows: dict) -> int:
    total = sum(row.get("requests", 0) for row in rows.values())
    if not total:
        raise Refusal(f"the run through PgBouncer completed no requests ({url})")
    return total
