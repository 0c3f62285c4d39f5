"""`tessera bench payments` checks out orders at the fake Stripe, delivers every webhook five times from eight
senders, scans tickets at the door, and prints one JSON document. Only its shape and its exactly-once checks are
asserted: tests never assert timings."""

from __future__ import annotations

import json

from tests.api_support import SECRET, login_conninfo
from tests.helpers import ROOT, run_tessera


def test_bench_payments_measures_checkout_webhooks_and_check_ins_exactly_once(tessera_databases, pg_server):
    admin = pg_server.conninfo(tessera_databases.clone("bench_payments"))
    env = {"DATABASE_URL": admin, "TESSERA_DATABASE_URL": login_conninfo(admin), "TESSERA_JWT_SECRET": SECRET}
    run = run_tessera("bench", "payments", "--orders", "12", cwd=ROOT, env=env, timeout=300)
    assert run.code == 0, run.err
    report = json.loads(run.out[run.out.index("{"):])
    assert report["orders"] == 12
    assert report["checkout_ms"]["p95"] >= report["checkout_ms"]["p50"] > 0
    hooks = report["webhooks"]
    assert hooks["deliveries"] == 12 * 5 and hooks["statuses"] == {"200": 60} and hooks["per_second"] > 0
    assert hooks["exactly_once"] == {"payments": 12, "orders_paid": 12, "holds": True}
    assert set(report["check_ins"]) == {"8", "32"}
    for doors in report["check_ins"].values():
        assert doors["tickets"] == 4000 and doors["exactly_once"] is True and doors["check_ins_per_second"] > 0
    assert report["targets"] == {"webhooks_per_second": 500, "check_ins_per_second": 1000}
