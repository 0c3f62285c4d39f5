"""Tessera and the real Sqitch CLI share one plan and one registry: either tool picks up where the other stopped."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict
from tessera.project import Project
from tessera.server import Server

SQITCH = shutil.which("sqitch")
P = "2026-01-05T10:00:00Z Jane Dev <jane@example.com>"
RICH_PLAN = f"""%syntax-version=1.0.0
%project=demo
%uri=https://Example.COM:443/demo

appschema {P} # App schema.
users [appschema] {P} # Users — ünïcode
@v1.0 {P} # Tag v1.0.

bookings [users !widgets] {P} # Bookings\\nsecond line \\\\ backslash
@v1.1 2026-01-05T10:01:00Z Jane Dev <jane@example.com>
users [users@v1.1] 2026-01-05T10:02:00Z Jane Dev <jane@example.com> # Rework users
widgets [users appschema@v1.0] 2026-01-05T10:03:00Z Jane Dev <jane@example.com> # 0
@v2.0 2026-01-05T10:04:00Z Jane Dev <jane@example.com> # Two.
"""
RICH_SCRIPTS = {
    "appschema": ("CREATE SCHEMA demo_app;", "DROP SCHEMA demo_app;", "SELECT 'demo_app'::regnamespace;"),
    "users@v1.1": ("CREATE TABLE demo_app.users (id int);", "DROP TABLE demo_app.users;",
                   "SELECT id FROM demo_app.users WHERE false;"),
    "bookings": ("CREATE TABLE demo_app.bookings (id int);", "DROP TABLE demo_app.bookings;",
                 "SELECT id FROM demo_app.bookings WHERE false;"),
    "users": ("ALTER TABLE demo_app.users ADD COLUMN name text;", "ALTER TABLE demo_app.users DROP COLUMN name;",
              "SELECT name FROM demo_app.users WHERE false;"),
    "widgets": ("CREATE TABLE demo_app.widgets (id int);", "DROP TABLE demo_app.widgets;",
                "SELECT id FROM demo_app.widgets WHERE false;"),
}


@pytest.fixture(scope="module", autouse=True)
def _needs_sqitch():
    if SQITCH is None:
        pytest.fail("the real Sqitch CLI is needed: apt-get install sqitch libdbd-pg-perl (./scripts/test does)",
                    pytrace=False)


def rich_project(root: Path) -> Project:
    shutil.copy(Path(__file__).resolve().parents[1] / "sqitch.conf", root / "sqitch.conf")
    (root / "db").mkdir()
    (root / "db" / "sqitch.plan").write_text(RICH_PLAN, encoding="utf-8")
    for name, bodies in RICH_SCRIPTS.items():
        for kind, body in zip(("deploy", "revert", "verify"), bodies, strict=True):
            folder = root / "db" / "migrations" / kind
            folder.mkdir(parents=True, exist_ok=True)
            end = "ROLLBACK;" if kind == "verify" else "COMMIT;"
            (folder / f"{name}.sql").write_text(f"-- {kind} {name}\nBEGIN;\n{body}\n{end}\n", encoding="utf-8")
    return Project(root)


def sqitch(project: Project, server: Server, dbname: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the real sqitch in the project, pointed at one database through libpq's environment."""
    info = conninfo_to_dict(server.conninfo(dbname))
    env = {**os.environ, "SQITCH_FULLNAME": "Sqitch Person", "SQITCH_EMAIL": "sqitch@example.com",
           "PGHOST": info.get("host", "localhost"), "PGPORT": str(info.get("port", 5432)),
           "PGUSER": info.get("user", "postgres"), "PGDATABASE": dbname}
    if "password" in info:
        env["PGPASSWORD"] = info["password"]
    return subprocess.run([SQITCH, *args], cwd=project.root, env=env, capture_output=True, text=True, timeout=120)


def fresh_db(tessera_databases, label: str) -> str:
    return tessera_databases.empty(label)


def sqitch_ids(project: Project, server: Server) -> list[str]:
    proc = sqitch(project, server, "postgres", "plan", "--format", "raw")
    assert proc.returncode == 0, proc.stderr
    return re.findall(r"^deploy ([0-9a-f]{40})", proc.stdout, re.M)


def test_change_ids_equal_sqitch_plans(tmp_path: Path, pg_server: Server):
    rich = rich_project(tmp_path)
    for project in (rich, Project(Path(__file__).resolve().parents[1])):
        ours = [c.id for c in project.plan().changes]
        assert ours, "the plan has changes"
        assert sqitch_ids(project, pg_server) == ours


REGISTRY_QUERIES = {
    "changes": "SELECT change_id, script_hash, change, project, note, planned_at, planner_name, planner_email "
               "FROM sqitch.changes ORDER BY committed_at",
    "tags": "SELECT tag_id, tag, project, change_id, note, planned_at, planner_name, planner_email "
            "FROM sqitch.tags ORDER BY tag",
    "dependencies": "SELECT change_id, type, dependency, dependency_id FROM sqitch.dependencies "
                    "ORDER BY change_id, dependency",
    "events": "SELECT event, change_id, change, project, note, requires, conflicts, tags, planned_at, planner_name "
              "FROM sqitch.events ORDER BY committed_at",
    "projects": "SELECT project, uri FROM sqitch.projects",
    "releases": "SELECT version FROM sqitch.releases",
}


def registry(server: Server, dbname: str) -> dict[str, list[tuple]]:
    with psycopg.connect(server.conninfo(dbname)) as conn:
        return {name: conn.execute(q).fetchall() for name, q in REGISTRY_QUERIES.items()}


def test_tessera_writes_the_registry_rows_sqitch_writes(tmp_path: Path, pg_server: Server, tessera_databases, cli):
    project = rich_project(tmp_path)
    by_sqitch, by_tessera = fresh_db(tessera_databases, "reg_sqitch"), fresh_db(tessera_databases, "reg_tessera")
    proc = sqitch(project, pg_server, by_sqitch, "deploy")
    assert proc.returncode == 0, proc.stderr
    assert cli(project, "db", "deploy", database=pg_server.conninfo(by_tessera)).code == 0
    ours, theirs = registry(pg_server, by_tessera), registry(pg_server, by_sqitch)
    assert len(theirs["tags"]) == 3 and len(theirs["changes"]) == 5
    assert ours == theirs


def test_sqitch_reads_reverts_and_redeploys_what_tessera_deployed(pg_server: Server, tessera_databases, cli,
                                                                 project_copy: Project):
    db = fresh_db(tessera_databases, "tessera_first")
    url = pg_server.conninfo(db)
    assert cli(project_copy, "db", "deploy", database=url).code == 0

    status = sqitch(project_copy, pg_server, db, "status")
    assert status.returncode == 0, status.stderr
    assert "Nothing to deploy (up-to-date)" in status.stdout
    assert sqitch(project_copy, pg_server, db, "verify").returncode == 0

    reverted = sqitch(project_copy, pg_server, db, "revert", "-y")
    assert reverted.returncode == 0, reverted.stderr
    status = cli(project_copy, "db", "status", database=url)
    assert status.code == 1 and "deployed: nothing" in status.out

    assert cli(project_copy, "db", "deploy", database=url).code == 0
    assert cli(project_copy, "db", "status", database=url).code == 0


def test_tessera_deploys_the_rest_of_what_sqitch_started(tmp_path: Path, pg_server: Server, tessera_databases, cli):
    project = rich_project(tmp_path)
    db = fresh_db(tessera_databases, "sqitch_first")
    url = pg_server.conninfo(db)
    half = sqitch(project, pg_server, db, "deploy", "--to", "@v1.1")
    assert half.returncode == 0, half.stderr
    status = cli(project, "db", "status", database=url)
    assert status.code == 1 and "pending: 2" in status.out

    assert cli(project, "db", "deploy", database=url).code == 0
    status = sqitch(project, pg_server, db, "status")
    assert status.returncode == 0 and "Nothing to deploy (up-to-date)" in status.stdout
    assert sqitch(project, pg_server, db, "verify").returncode == 0

    # And back: sqitch reverts to a tag through changes tessera deployed, tessera deploys them again.
    back = sqitch(project, pg_server, db, "revert", "--to", "@v1.0", "-y")
    assert back.returncode == 0, back.stderr
    assert cli(project, "db", "deploy", database=url).code == 0
    assert cli(project, "db", "verify", database=url).code == 0
