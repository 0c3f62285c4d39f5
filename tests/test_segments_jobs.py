"""`tessera jobs run`: refreshes the customer segments of every organization that is due, each in its own
transaction, prints a JSON summary, and a second run straight after finds nothing due."""

from __future__ import annotations

import json

import psycopg
from tessera.project import Project

from tests.helpers import ROOT
from tests.test_booking_races import FIXTURE, ORG


def test_jobs_run_refreshes_every_due_organization_once(cli, tessera_databases, pg_server):
    conninfo = pg_server.conninfo(tessera_databases.clone("segments_jobs"))
    with psycopg.connect(conninfo) as conn:
        conn.execute(FIXTURE)
        conn.execute("INSERT INTO app.customers (org_id, email, booking_count, first_visit_at, last_visit_at,"
                     " lifetime_value_minor) VALUES (%s, 'ada@example.com', 1, now(), now(), 5000),"
                     " (%s, 'bea@example.com', 0, NULL, NULL, 0)", (ORG, ORG))
        organizations = conn.execute("SELECT count(*) FROM app.organizations").fetchone()[0]
    first = cli(Project(ROOT), "jobs", "run", database=conninfo)
    assert first.code == 0, first.err
    summary = json.loads(first.out)
    assert summary["customer_segments"]["due"] == organizations
    assert summary["customer_segments"]["refreshed"] == organizations
    assert summary["errors"] == []
    with psycopg.connect(conninfo) as conn:
        rows = conn.execute("SELECT c.email, s.segment, s.label FROM app.customer_segments s"
                            " JOIN app.customers c ON c.id = s.customer_id WHERE s.org_id = %s ORDER BY 1",
                            (ORG,)).fetchall()
    # Alone, ada scores R 5 F 1 M 1: new; bea, never visited and just on record, is new without a segment.
    assert rows == [("ada@example.com", "new", "new"), ("bea@example.com", None, "new")]
    again = cli(Project(ROOT), "jobs", "run", database=conninfo)
    assert again.code == 0, again.err
    assert json.loads(again.out)["customer_segments"] == {"due": 0, "refreshed": 0, "customers": 0}
