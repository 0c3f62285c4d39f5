"""`tessera bench rpc` runs its three drivers (pgbench, direct psycopg, wrk through the proxy) on the same calls
and prints one JSON document with their figures and ratios. Only its shape is checked: tests never assert timings."""

from __future__ import annotations

import json

from tests.api_support import SECRET, login_conninfo
from tests.helpers import ROOT, run_tessera


def test_bench_rpc_measures_every_driver_and_prints_json(tessera_databases, pg_server):
    admin = pg_server.conninfo(tessera_databases.clone("bench_rpc"))
    env = {"DATABASE_URL": admin, "TESSERA_DATABASE_URL": login_conninfo(admin), "TESSERA_JWT_SECRET": SECRET}
    assert run_tessera("seed", "--demo", cwd=ROOT, env=env).code == 0
    run = run_tessera("bench", "rpc", "--seconds", "1", "--concurrency", "1", cwd=ROOT, env=env, timeout=300)
    assert run.code == 0, run.err
    report = json.loads(run.out.strip().splitlines()[-1])
    assert report["benchmark"] == "rpc" and set(report["calls"]) == {"trivial", "availability"}
    for call in report["calls"].values():
        row = call["concurrency"]["1"]
        for driver in ("pgbench", "direct", "proxy"):
            assert row[driver]["requests_per_second"] > 0 and row[driver]["p50_ms"] > 0
        assert row["proxy_vs_direct"] > 0 and row["proxy_vs_pgbench"] > 0 and "p50_overhead_ms" in row
        # The service's own CPU, read from /proc: a process that did the work used some.
        assert row["proxy"]["service_cpu_us_per_request"] > 0
    overhead = report["targets"]["p50_overhead_ms_at_1"]
    assert overhead["got"] == report["calls"]["trivial"]["concurrency"]["1"]["p50_overhead_ms"]
    assert overhead["met"] == (overhead["got"] <= 1.0)


def test_bench_rpc_refuses_a_bad_concurrency_in_one_line():
    run = run_tessera("bench", "rpc", "--concurrency", "many", cwd=ROOT)
    assert run.code == 2 and run.err.strip().splitlines() == [
        "tessera: argument --concurrency: 'many' is not a list of levels from 1 to 1024, such as 1,8,32; "
        "see `tessera bench --help`"]
