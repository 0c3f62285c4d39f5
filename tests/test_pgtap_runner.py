"""pgTAP files fail loudly: a failed assertion shows have/want, errors and short plans fail, no database fails."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from psycopg.conninfo import conninfo_to_dict
from tessera.pytest_plugin import PgTapFailure, run_pgtap_file

from tests.helpers import ROOT


def tap_file(tmp_path: Path, body: str, planned: int) -> Path:
    path = tmp_path / "probe.sql"
    shutil.copy(ROOT / "db/tests/setup.psql", tmp_path / "setup.psql")
    path.write_text(f"BEGIN;\n\\ir setup.psql\nSELECT plan({planned});\n{body}\nSELECT * FROM finish();\nROLLBACK;\n")
    return path


def test_a_failed_assertion_shows_have_and_want(tmp_path, pg_server, test_db):
    path = tap_file(tmp_path, "SELECT is(1 + 1, 3, 'arithmetic');\nSELECT ok(true, 'fine');", 2)
    with pytest.raises(PgTapFailure) as exc:
        run_pgtap_file(pg_server, test_db, path)
    message = str(exc.value)
    assert "1 of 2 assertion(s) failed" in message
    assert "not ok 1 - arithmetic" in message
    assert re.search(r"have: 2", message) and re.search(r"want: 3", message)


def test_an_sql_error_fails_the_file(tmp_path, pg_server, test_db):
    path = tap_file(tmp_path, "SELECT ok(true, 'fine');\nSELECT * FROM no_such_table;", 2)
    with pytest.raises(PgTapFailure, match="no_such_table"):
        run_pgtap_file(pg_server, test_db, path)


def test_fewer_assertions_than_planned_fail(tmp_path, pg_server, test_db):
    path = tap_file(tmp_path, "SELECT ok(true, 'only one');", 3)
    with pytest.raises(PgTapFailure):
        run_pgtap_file(pg_server, test_db, path)


def test_passing_file_passes(tmp_path, pg_server, test_db):
    path = tap_file(tmp_path, "SELECT ok(true, 'one');\nSELECT is(2, 2, 'two');", 2)
    assert run_pgtap_file(pg_server, test_db, path).passed == 2


def test_without_a_database_the_pgtap_files_fail_rather_than_skip():
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "db/tests/roles_whoami.sql"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/nothing", "HOME": "/tmp"},
    )
    assert proc.returncode != 0
    assert "1 failed" in proc.stdout and "skipped" not in proc.stdout
    assert "no database for the tests" in proc.stdout


def pg_prove(server, dbname: str) -> subprocess.CompletedProcess:
    """The DBA's runner over every file of db/tests, against one database of the test server."""
    pg_prove = shutil.which("pg_prove")
    assert pg_prove, "pg_prove is needed: apt-get install libtap-parser-sourcehandler-pgtap-perl"
    info = conninfo_to_dict(server.conninfo(dbname))
    env = {**os.environ, "PGHOST": info.get("host", "localhost"), "PGPORT": str(info.get("port", 5432)),
           "PGUSER": info.get("user", "postgres"), **({"PGPASSWORD": info["password"]} if "password" in info else {})}
    return subprocess.run([pg_prove, "--ext", ".sql", "-r", "-d", dbname, "db/tests"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300, env=env)


def assert_every_file_passes(proc: subprocess.CompletedProcess) -> None:
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Result: PASS" in proc.stdout
    files = int(re.search(r"Files=(\d+)", proc.stdout).group(1))
    assert files == len(list((ROOT / "db/tests").glob("*.sql"))) > 0


def test_the_dbas_runner_passes_the_same_files(pg_server, test_db):
    assert_every_file_passes(pg_prove(pg_server, test_db))


def test_the_files_pass_on_a_database_with_data(project_copy, cli, tessera_databases, pg_server):
    """The database ./scripts/dev makes (the plan deployed, then the demo organization), with pgTAP added: every
    file builds its own uniquely-keyed rows and asserts on them alone, so real data changes no result."""
    name = tessera_databases.empty("pgtap_demo")
    url = pg_server.conninfo(name)
    deployed = cli(project_copy, "db", "deploy", database=url)
    assert deployed.code == 0, deployed.err
    seeded = cli(project_copy, "seed", "--demo", database=url)
    assert seeded.code == 0 and "demo data seeded" in seeded.out, seeded.err
    with pg_server.connect(name, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA IF NOT EXISTS extensions")
        conn.execute("CREATE EXTENSION pgtap SCHEMA extensions")
        assert conn.execute("SELECT count(*) FROM app.bookings").fetchone()[0] > 1000
    assert_every_file_passes(pg_prove(pg_server, name))
