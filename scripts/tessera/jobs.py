"""`tessera jobs run`: run the database's due periodic jobs once, print a JSON summary, exit (safe from cron).

The one job today is the nightly customer segment refresh: every organization whose segments were never refreshed,
or last refreshed 20 hours ago or more (api.customer_segments_due), is refreshed in its own transaction
(api.refresh_customer_segments, as the service: the database owner without request claims), so one organization's
failure neither undoes nor stops the others'. Run it hourly from cron; an organization is refreshed about once a
day. Two runs at once do not both work: the second finds the first's advisory lock, says "skipped" and exits 0.
Exit 1 when some organization failed (listed under "errors"; the next run tries again). Where pg_cron is installed,
it can run api.refresh_all_customer_segments() itself instead (README).
"""

from __future__ import annotations

import json
import time

import psycopg

from tessera.project import Project
from tessera.server import current_server

_RUN_LOCK = "SELECT pg_catalog.pg_try_advisory_lock(pg_catalog.hashtextextended('tessera_jobs', 0))"


def run(project: Project) -> int:
    started = time.monotonic()
    server = current_server(project)
    with server.connect(autocommit=True) as conn:
        if not conn.execute(_RUN_LOCK).fetchone()[0]:
            print(json.dumps({"skipped": "another `tessera jobs run` is running"}, indent=2))
            return 0
        due = [row[0] for row in conn.execute("SELECT * FROM api.customer_segments_due()").fetchall()]
        refreshed, customers, errors = 0, 0, []
        for org in due:
            try:
                with conn.transaction():
                    answer = conn.execute("SELECT api.refresh_customer_segments(%s)", (org,)).fetchone()[0]
                refreshed += 1
                customers += answer["customers"]
            except psycopg.Error as exc:
                errors.append({"org_id": str(org), "error": exc.diag.message_primary or str(exc)})
    summary = {"customer_segments": {"due": len(due), "refreshed": refreshed, "customers": customers},
               "errors": errors, "seconds": round(time.monotonic() - started, 3)}
    print(json.dumps(summary, indent=2))
    return 1 if errors else 0
