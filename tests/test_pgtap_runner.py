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


def test_the_dbas_runner_passes_the_same_files(pg_server, test_db):
    pg_prove = shutil.which("pg_prove")
    assert pg_prove, "pg_prove is needed: apt-get install libtap-parser-sourcehandler-pgtap-perl"
    info = conninfo_to_dict(pg_server.conninfo(test_db))
    env = {**os.environ, "PGHOST": info.get("host", "localhost"), "PGPORT": str(info.get("port", 5432)),
           "PGUSER": info.get("user", "postgres"), **({"PGPASSWORD": info["password"]} if "password" in info else {})}
    proc = subprocess.run([pg_prove, "--ext", ".sql", "-r", "-d", test_db, "db/tests"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Result: PASS" in proc.stdout
    files = int(re.search(r"Files=(\d+)", proc.stdout).group(1))
    assert files == len(list((ROOT / "db/tests").glob("*.sql"))) > 0
