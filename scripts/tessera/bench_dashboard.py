"""`tessera bench dashboard`: p50/p95 of each dashboard function on the biggest organization of the database.

The biggest organization is the one with the most bookings (on a `seed --scale N` database, the first of the
hundred); the functions run as one of its managers, so the money figures are computed too. Each function is called
a few times to warm the caches, then `runs` times, one after another on one connection, as a dashboard loads them.
"""

from __future__ import annotations

import json
import statistics
import time

from tessera.bench import _as_user, percentile
from tessera.errors import Refusal
from tessera.project import Project
from tessera.server import current_server

# The targets on a 2-core machine (p95, milliseconds).
TARGETS_MS = {"get_dashboard_stats": 25, "get_booking_trends": 25, "get_hourly_distribution": 25}

CALLS = {
    "get_dashboard_stats": "SELECT api.get_dashboard_stats(%s, 30)",
    "get_booking_trends": "SELECT count(*) FROM api.get_booking_trends(%s, 8)",
    "get_hourly_distribution": "SELECT count(*) FROM api.get_hourly_distribution(%s, 30)",
    "get_upcoming_bookings": "SELECT count(*) FROM api.get_upcoming_bookings(%s, 20)",
    "get_recent_activity": "SELECT count(*) FROM api.get_recent_activity(%s, 20)",
}


def dashboard(project: Project, runs: int) -> int:
    server = current_server(project)
    with server.connect() as conn:
        row = conn.execute("""
            SELECT b.org_id, b.n,
                   (SELECT m.user_id FROM app.memberships m
                     WHERE m.org_id = b.org_id AND m.role >= 'manager' ORDER BY m.role, m.user_id LIMIT 1)
              FROM (SELECT org_id, count(*) AS n FROM app.bookings GROUP BY org_id ORDER BY 2 DESC, 1 LIMIT 1) b
        """).fetchone()
        if row is None or row[2] is None:
            raise Refusal("no bookings with a manager here; run `tessera seed --scale 1000000` on this database first")
        org, bookings, manager = str(row[0]), row[1], str(row[2])
        payments = conn.execute("SELECT count(*) FROM app.payments WHERE org_id = %s", (org,)).fetchone()[0]
        activity = conn.execute("SELECT count(*) FROM audit.log WHERE org_id = %s", (org,)).fetchone()[0]
    report: dict = {"benchmark": "dashboard", "org_id": org, "org_bookings": bookings, "org_payments": payments,
                    "org_audit_rows": activity, "runs": runs, "functions": {}}
    with _as_user(server, manager) as conn:
        for name, query in CALLS.items():
            for _ in range(5):
                conn.execute(query, (org,)).fetchone()
            timings = []
            for _ in range(runs):
                began = time.perf_counter()
                conn.execute(query, (org,)).fetchone()
                timings.append((time.perf_counter() - began) * 1000)
            figures = {"p50_ms": round(percentile(timings, 50), 2), "p95_ms": round(percentile(timings, 95), 2),
                       "mean_ms": round(statistics.fmean(timings), 2)}
            if name in TARGETS_MS:
                figures["target_p95_ms"] = TARGETS_MS[name]
                figures["met"] = figures["p95_ms"] <= TARGETS_MS[name]
            report["functions"][name] = figures
    print(json.dumps(report))
    return 0
