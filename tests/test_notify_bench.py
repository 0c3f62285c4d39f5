"""`tessera bench worker` runs small: its JSON's shape and its exactly-once count (tests never assert timings)."""

from __future__ import annotations

import json

from tests.helpers import ROOT, run_tessera


def test_bench_worker_delivers_every_message_once_through_a_local_smtp_server(pg_server):
    run = run_tessera("bench", "worker", "--messages", "60", cwd=ROOT, env={"DATABASE_URL": pg_server.conninfo()},
                      timeout=300)
    assert run.code == 0, run.err
    report = json.loads(run.out[run.out.index("{"):])
    assert report["messages"] == 60 and report["workers"] == 2
    assert report["smtp"] == {"received": 60, "distinct_message_ids": 60, "exactly_once": True}
    assert report["messages_per_second"] > 0 and report["attempts"] == 60
    assert sum(report["sent_per_worker"]) == 60
    assert report["target_per_second"] == 200 and isinstance(report["target_met"], bool)
