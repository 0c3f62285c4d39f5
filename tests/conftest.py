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


@pytest.fixture(scope="session")
def rpc_db(tessera_databases, pg_server: Server) -> str:
    """One database for the HTTP tests: the plan deployed, the protocol fixtures, an organization with an owner
    and a staff member. Returns the admin conninfo; the service logs in as authenticator."""
    from tests.api_support import FIXTURES, OWNER, STAFF

    name = tessera_databases.clone("rpc")
    with pg_server.connect(name, autocommit=True) as conn:
        conn.execute(FIXTURES.read_text())
        conn.execute("INSERT INTO auth.users (id, email) VALUES (%s, 'owner@rpc.example'), (%s, 'staff@rpc.example')",
                     (OWNER, STAFF))
        conn.execute("""
            WITH org AS (INSERT INTO app.organizations (name, slug) VALUES ('RPC Rooms', 'rpc-rooms') RETURNING id)
            INSERT INTO app.memberships (org_id, user_id, role)
            SELECT id, %s::uuid, 'owner'::app.member_role FROM org UNION ALL SELECT id, %s::uuid, 'staff' FROM org""",
                     (OWNER, STAFF))
    return pg_server.conninfo(name)


@pytest.fixture(scope="session")
def api(rpc_db, tmp_path_factory):
    """The service as deployed: defaults, except a known secret and the rpc_test schema exposed."""
    from tests.api_support import login_conninfo, serve

    with serve(login_conninfo(rpc_db), tmp_path_factory.mktemp("api")) as running:
        yield running
