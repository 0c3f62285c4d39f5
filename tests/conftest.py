"""Shared helpers: throwaway copies of the project, databases of their own, the CLI run in-process or for real.

The database fixtures themselves (pg_server, test_db, tessera_databases) come from tessera.pytest_plugin.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tessera.cli import main
from tessera.project import Project
from tessera.server import Server

from tests.helpers import ROOT, Run


@pytest.fixture
def project_copy(tmp_path: Path) -> Project:
    """A copy of this checkout's sqitch.conf, db/ and supabase/, to change freely."""
    dest = tmp_path / "checkout"
    dest.mkdir()
    shutil.copy(ROOT / "sqitch.conf", dest / "sqitch.conf")
    shutil.copytree(ROOT / "db", dest / "db")
    shutil.copytree(ROOT / "supabase", dest / "supabase")
    return Project(dest)


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture):
    """Run `tessera ARGS` in-process in a project, against a given database (via DATABASE_URL)."""

    def run(project: Project, *args: str, database: str | None = None) -> Run:
        monkeypatch.setenv("TESSERA_PROJECT", str(project.root))
        if database is not None:
            monkeypatch.setenv("DATABASE_URL", database)
        capsys.readouterr()
        code = main(list(args))
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


@pytest.fixture
def empty_db(tessera_databases, pg_server: Server, request: pytest.FixtureRequest) -> str:
    """A conninfo for a fresh, empty database on the test server."""
    name = tessera_databases.empty(request.node.name)
    return pg_server.conninfo(name)
