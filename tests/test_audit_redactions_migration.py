"""The audit_redactions change on a database with history: existing seals are verified under the old scheme and
re-expressed over per-row digests, so the chain verifies after the deploy (and after a revert); a chain already
broken refuses the deploy, leaving the change undeployed."""

from __future__ import annotations

import psycopg
from tessera.project import Project

from tests.helpers import ROOT

SERVICE = """SELECT set_config('request.jwt.claims', '{"role": "service_role"}', false)"""


def history(url: str) -> str:
    """An organization with sealed log rows and rows written after the seal; answers its id."""
    with psycopg.connect(url, autocommit=True) as conn:
        org = conn.execute("INSERT INTO app.organizations (name, slug)"
                           " VALUES ('Old Org', 'old-org-' || left(gen_random_uuid()::text, 8)) RETURNING id::text"
                           ).fetchone()[0]
        conn.execute("INSERT INTO app.customers (org_id, email) SELECT %s, 'c' || n || '@example.com'"
                     " FROM generate_series(1, 3) n", (org,))
        assert conn.execute("SELECT private.seal_audit_log('0 seconds')").fetchone()[0] >= 1
        conn.execute("INSERT INTO app.customers (org_id, email, name) VALUES (%s, 'late@example.com', 'Late')", (org,))
        assert conn.execute("SELECT private.seal_audit_log('0 seconds')").fetchone()[0] >= 1
    return org


def verify(url: str, org: str) -> tuple[bool, int]:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(SERVICE)
        return conn.execute("SELECT ok, seals_checked FROM api.verify_audit_chain(%s)", (org,)).fetchone()


def deployed(url: str) -> set[str]:
    with psycopg.connect(url, autocommit=True) as conn:
        return {r[0] for r in conn.execute("SELECT change FROM sqitch.changes")}


def test_existing_seals_are_re_expressed_and_still_verify(cli, empty_db):
    project = Project(ROOT)
    assert cli(project, "db", "deploy", "--to", "crm", database=empty_db).code == 0
    org = history(empty_db)
    assert verify(empty_db, org) == (True, 2), "the old scheme verifies its own chain"

    assert cli(project, "db", "deploy", database=empty_db).code == 0
    assert verify(empty_db, org) == (True, 2), "the re-expressed chain verifies under the new scheme"

    assert cli(project, "db", "revert", "--to", "crm", "-y", database=empty_db).code == 0
    assert verify(empty_db, org) == (True, 2), "reverting re-expresses it under the old scheme again"


def test_a_broken_chain_refuses_the_deploy(cli, empty_db):
    project = Project(ROOT)
    assert cli(project, "db", "deploy", "--to", "crm", database=empty_db).code == 0
    org = history(empty_db)
    with psycopg.connect(empty_db, autocommit=True) as conn, conn.transaction():
        conn.execute("SET LOCAL session_replication_role = replica")
        conn.execute("UPDATE audit.log SET new_values = new_values || '{\"name\": \"forged\"}'"
                     " WHERE id = (SELECT min(id) FROM audit.log WHERE org_id = %s)", (org,))
    assert verify(empty_db, org)[0] is False

    run = cli(project, "db", "deploy", database=empty_db)
    assert run.code == 2
    assert "no longer match seal" in run.err and "is broken" in run.err
    assert "audit_redactions" not in deployed(empty_db), "the refused change left nothing behind"
    assert verify(empty_db, org)[0] is False, "the break is still there to investigate, not laundered"
