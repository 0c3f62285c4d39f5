"""The restore drill: the demo database backed up, restored into a new one, and found the same."""

from __future__ import annotations

import json

import psycopg
from psycopg import sql
from tessera.project import Project

TABLES = """
SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
 ORDER BY 1, 2
"""

PLATFORM = "00000000-0000-0000-0000-000000000000"
AS_SERVICE = ("SELECT set_config('role', 'service_role', true), "
              "set_config('request.jwt.claims', '{\"role\": \"service_role\"}', true), "
              "set_config('request.jwt.claim.role', 'service_role', true)")


def row_counts(conninfo: str) -> dict[str, int]:
    with psycopg.connect(conninfo) as conn:
        tables = conn.execute(TABLES).fetchall()
        return {f"{s}.{t}": conn.execute(sql.SQL("SELECT count(*) FROM {}.{}").format(sql.Identifier(s),
                                                                                      sql.Identifier(t))).fetchone()[0]
                for s, t in tables}


def audit_chains(conninfo: str) -> list[tuple]:
    with psycopg.connect(conninfo) as conn:
        orgs = [org for (org,) in conn.execute("SELECT id FROM app.organizations ORDER BY id")]
        orgs.append(PLATFORM)  # the changes to tables of no organization have their chain too
        conn.execute(AS_SERVICE)
        return [(org, *conn.execute("SELECT ok, seals_checked, message FROM api.verify_audit_chain(%s)",
                                    (org,)).fetchone()) for org in orgs]


def test_the_demo_database_restores_whole_into_a_new_database(project_copy: Project, cli, tessera_databases,
                                                             pg_server, tmp_path):
    source = pg_server.conninfo(tessera_databases.clone("backup_src"))
    assert cli(project_copy, "seed", "--demo", database=source).code == 0
    with psycopg.connect(source) as conn:
        conn.execute(AS_SERVICE)
        assert conn.execute("SELECT api.seal_audit_log('0 seconds')").fetchone()[0] > 0, "the demo has audit rows"

    dump = tmp_path / "demo.dump"
    run = cli(project_copy, "db", "backup", str(dump), database=source)
    assert run.code == 0, run.err
    made = json.loads(run.out)
    assert made["bytes"] == dump.stat().st_size > 0 and made["seconds"] >= 0

    again = cli(project_copy, "db", "backup", str(dump), database=source)
    assert again.code == 2 and "already exists" in again.err, "a backup never overwrites a file"

    target = tessera_databases._name("backup_dst")
    tessera_databases.clones.append(target)  # dropped at the end of the run
    run = cli(project_copy, "db", "restore", str(dump), "--into", target, "--jobs", "2", database=source)
    assert run.code == 0, run.err
    restored = json.loads(run.out)
    assert restored["database"] == target and restored["created"] and restored["jobs"] == 2
    copy = pg_server.conninfo(target)

    before, after = row_counts(source), row_counts(copy)
    assert after == before
    assert before["sqitch.changes"] > 0 and before["app.bookings"] > 1000 and before["audit.seals"] > 0

    chains = audit_chains(copy)
    assert chains and all(ok and checked > 0 for _org, ok, checked, _msg in chains), chains
    assert chains == audit_chains(source)

    status = cli(project_copy, "db", "status", database=copy)
    assert status.code == 0, status.out + status.err
    assert "up to date" in status.out and "pending" not in status.out


def test_a_restore_into_a_database_that_holds_objects_is_refused_unless_replace(project_copy: Project, cli,
                                                                              tessera_databases, pg_server, tmp_path):
    source = pg_server.conninfo(tessera_databases.clone("backup_refuse"))
    dump = tmp_path / "plain.dump"
    assert cli(project_copy, "db", "backup", str(dump), database=source).code == 0

    refused = cli(project_copy, "db", "restore", str(dump), database=source)
    assert refused.code == 2 and "is not empty" in refused.err and "\n" not in refused.err.strip()

    with psycopg.connect(source, autocommit=True) as conn:
        conn.execute("CREATE TABLE public.extra_after_backup (id int)")
    replaced = cli(project_copy, "db", "restore", str(dump), "--replace", "-y", database=source)
    assert replaced.code == 0, replaced.err
    assert json.loads(replaced.out)["replaced"] is True
    with psycopg.connect(source) as conn:
        assert conn.execute("SELECT to_regclass('public.extra_after_backup')").fetchone()[0] is None


def test_a_restore_says_which_cluster_roles_it_needs(project_copy: Project, cli, tessera_databases, pg_server,
                                                     tmp_path):
    source = pg_server.conninfo(tessera_databases.clone("backup_roles"))
    role = f"tessera_backup_probe_{tessera_databases._name('r')[-12:]}"
    with psycopg.connect(source, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE ROLE {}").format(sql.Identifier(role)))
        conn.execute(sql.SQL("GRANT USAGE ON SCHEMA api TO {}").format(sql.Identifier(role)))
    dump = tmp_path / "roles.dump"
    try:
        assert cli(project_copy, "db", "backup", str(dump), database=source).code == 0
    finally:
        with psycopg.connect(source, autocommit=True) as conn:
            conn.execute(sql.SQL("REVOKE USAGE ON SCHEMA api FROM {}").format(sql.Identifier(role)))
            conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))
    target = tessera_databases._name("backup_roles_dst")
    run = cli(project_copy, "db", "restore", str(dump), "--into", target, database=source)
    assert run.code == 2 and f"needs role(s) {role}" in run.err and "\n" not in run.err.strip()
    assert not pg_server.database_exists(target), "nothing is created before the check"
