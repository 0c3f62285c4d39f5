"""`tessera bench soak` drives steady RPC load through the real proxy on 127.0.0.1 and prints one JSON document
with the service's memory at the start and the end; only its shape and the absence of errors are checked (tests
never assert timings, nor memory figures)."""

from __future__ import annotations

import json

from tests.api_support import SECRET, login_conninfo
from tests.helpers import ROOT, run_tessera


def test_bench_soak_runs_a_few_seconds_without_error_and_prints_json(tessera_databases, pg_server):
    admin = pg_server.conninfo(tessera_databases.clone("bench_soak"))
    env = {"DATABASE_URL": admin, "TESSERA_DATABASE_URL": login_conninfo(admin), "TESSERA_JWT_SECRET": SECRET}
    assert run_tessera("seed", "--demo", cwd=ROOT, env=env).code == 0
    run = run_tessera("bench", "soak", "--seconds", "3", "--rate", "60", cwd=ROOT, env=env, timeout=120)
    assert run.code == 0, run.err
    report = json.loads(run.out.strip().splitlines()[-1])
    assert report["benchmark"] == "soak" and report["seconds"] == 3 and report["rate"] == 60
    assert report["calls"] == 3  # whoami as anon and signed in, and check_availability as staff
    assert report["requests"] > 0 and report["errors"] == 0 and report["first_errors"] == []
    assert set(report["statuses"]) == {"200"}
    for key in ("rss_kib_start", "rss_kib_end", "rss_kib_max"):
        assert isinstance(report[key], int) and report[key] > 0
    assert report["rss_growth_kib"] == report["rss_kib_end"] - report["rss_kib_start"]
    assert report["rss_samples"] and all(len(sample) == 2 for sample in report["rss_samples"])


def test_bench_soak_refuses_an_unbounded_rate_in_one_line():
    run = run_tessera("bench", "soak", "--rate", "100000", cwd=ROOT)
    assert run.code == 2
    assert run.err.strip().splitlines() == [
        "tessera: argument --rate: 100000 is out of range: give 1 to 2000 requests per second; "
        "see `tessera bench --help`"]
