"""The audit_platform_org change on a database with history: audit rows of no organization (org_id NULL), sealed,
one of them redacted, take the platform organization's id (the nil uuid) and every chain still verifies, the
platform's included, and keeps growing; the revert gives those rows their NULL back and the provider inbox its
org_id (its order's organization), and a second deploy verifies again."""

from __future__ import annotations

import psycopg
from tessera.project import Project

from tests.helpers import ROOT

SERVICE = """SELECT set_config('request.jwt.claims', '{"role": "service_role"}', false)"""
PLATFORM = "00000000-0000-0000-0000-000000000000"
EMAIL = "inbox-person@example.com"


def history(url: str) -> str:
    """An organization and the platform, each with sealed log rows, a redacted platform row and rows written after
    the last seal; answers the organization's id."""
    with psycopg.connect(url, autocommit=True) as conn:
        org = conn.execute("INSERT INTO app.organizations (name, slug)"
                           " VALUES ('Old Org', 'old-org-' || left(gen_random_uuid()::text, 8)) RETURNING id::text"
                           ).fetchone()[0]
        conn.execute("INSERT INTO app.customers (org_id, email) SELECT %s, 'c' || n || '@example.com'"
                     " FROM generate_series(1, 3) n", (org,))
        # Platform rows: a reference table's change, and an inbox event no order matched (it names a person).
        conn.execute("INSERT INTO app.currencies (code, minor_digits, name) VALUES ('XTS', 2, 'Testing code')")
        conn.execute("INSERT INTO app.provider_events (provider, event_id, type, payload)"
                     " VALUES ('stripe', 'evt_platform_1', 'charge.succeeded', %s::jsonb)",
                     (f'{{"data": {{"object": {{"receipt_email": "{EMAIL}"}}}}}}',))
        assert conn.execute("SELECT private.seal_audit_log('0 seconds')").fetchone()[0] >= 2
        # The erasure's redaction reaches the platform's rows naming the person: a redaction of org_id NULL.
        assert conn.execute("SELECT private.audit_redact(%s, gen_random_uuid(), %s, 'erased@example.invalid',"
                            " '{}', '{}')", (org, EMAIL)).fetchone()[0] >= 1
        assert conn.execute("SELECT count(*) FROM audit.redactions WHERE org_id IS NULL").fetchone()[0] >= 1
        conn.execute("UPDATE app.currencies SET name = 'Testing code, renamed' WHERE code = 'XTS'")
        conn.execute("INSERT INTO app.customers (org_id, email, name) VALUES (%s, 'late@example.com', 'Late')", (org,))
        assert conn.execute("SELECT private.seal_audit_log('0 seconds')").fetchone()[0] >= 2
        conn.execute("UPDATE app.currencies SET name = 'Testing code, unsealed' WHERE code = 'XTS'")
    return org


def verify(url: str, org: str) -> tuple[bool, int]:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(SERVICE)
        return conn.execute("SELECT ok, seals_checked FROM api.verify_audit_chain(%s)", (org,)).fetchone()


def scalar(url: str, query: str):
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(query).fetchone()[0]


def test_sealed_rows_of_no_organization_join_the_platform_chain_and_still_verify(cli, empty_db):
    project = Project(ROOT)
    assert cli(project, "db", "deploy", "--to", "reminder_bounds", database=empty_db).code == 0
    org = history(empty_db)
    assert verify(empty_db, org) == (True, 2)
    platform_seals = scalar(empty_db, "SELECT count(*) FROM audit.seals WHERE org_id IS NULL")
    assert platform_seals >= 2
    assert verify(empty_db, PLATFORM) == (True, 0), "before: no chain can be asked for by the platform's id"

    assert cli(project, "db", "deploy", database=empty_db).code == 0
    assert scalar(empty_db, "SELECT count(*) FROM audit.log WHERE org_id IS NULL") == 0
    assert verify(empty_db, org) == (True, 2)
    assert verify(empty_db, PLATFORM) == (True, platform_seals), "the sealed NULL rows verify as the platform's"

    # The chain goes on: the unsealed row, and a new change, are sealed onto it.
    with psycopg.connect(empty_db, autocommit=True) as conn:
        conn.execute("UPDATE app.currencies SET name = 'Testing code, after' WHERE code = 'XTS'")
        assert conn.execute("SELECT org_id::text FROM audit.log ORDER BY id DESC LIMIT 1").fetchone()[0] == PLATFORM
        assert conn.execute("SELECT private.seal_audit_log('0 seconds')").fetchone()[0] == 1
    assert verify(empty_db, PLATFORM) == (True, platform_seals + 1)
    # A forged platform row breaks its chain, as any organization's.
    with psycopg.connect(empty_db, autocommit=True) as conn, conn.transaction():
        conn.execute("SET LOCAL session_replication_role = replica")
        conn.execute("UPDATE audit.log SET new_values = '{\"name\": \"forged\"}'"
                     " WHERE id = (SELECT max(id) FROM audit.log WHERE org_id = %s)", (PLATFORM,))
    assert verify(empty_db, PLATFORM)[0] is False
    with psycopg.connect(empty_db, autocommit=True) as conn, conn.transaction():
        conn.execute("SET LOCAL session_replication_role = replica")
        conn.execute("UPDATE audit.log SET new_values = '{\"name\": \"Testing code, after\"}'"
                     " WHERE id = (SELECT max(id) FROM audit.log WHERE org_id = %s)", (PLATFORM,))
    assert verify(empty_db, PLATFORM) == (True, platform_seals + 1)

    assert cli(project, "db", "revert", "--to", "reminder_bounds", "-y", database=empty_db).code == 0
    assert scalar(empty_db, f"SELECT count(*) FROM audit.log WHERE org_id = '{PLATFORM}'") == 0
    assert scalar(empty_db, "SELECT count(*) FROM audit.seals WHERE org_id IS NULL") == platform_seals + 1
    assert verify(empty_db, org) == (True, 2)
    assert scalar(empty_db, "SELECT count(*) FROM app.provider_events"
                            " WHERE event_id = 'evt_platform_1' AND org_id IS NULL") == 1

    assert cli(project, "db", "deploy", database=empty_db).code == 0
    assert verify(empty_db, PLATFORM) == (True, platform_seals + 1)
    assert verify(empty_db, org) == (True, 2)
