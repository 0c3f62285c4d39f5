"""The check-ins-per-second measurement `tessera bench payments` calls: it scans every ticket it made once, over
HTTP, with concurrent scanners, and says whether each was let in exactly once."""

from __future__ import annotations

import psycopg
from tessera.bench_tickets import check_ins

from tests.api_support import SECRET


def test_check_ins_per_second_scans_every_ticket_exactly_once(api, rpc_db):
    report = check_ins(rpc_db, api.url, SECRET, tickets=150, scanners=8)
    assert report["tickets"] == 200 and report["scanners"] == 8  # whole bookings of 100
    assert report["exactly_once"] and report["answered_200"] == 200, report
    assert report["check_ins_per_second"] > 0 and report["p95_ms"] >= report["p50_ms"] > 0
    with psycopg.connect(rpc_db) as conn:
        assert conn.execute("SELECT count(*) FROM app.organizations WHERE name = 'Bench doors'").fetchone()[0] == 0
