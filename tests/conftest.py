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
def through(request: pytest.FixtureRequest) -> str:
    """How the `api` service reaches the database: "direct", or "pgbouncer" for the core RPC modules' second run
    (pooler lane, pytest_generate_tests below). Each gets an rpc_db of its own: the cases write."""
    return getattr(request, "param", "direct")


@pytest.fixture(scope="session")
def rpc_db(tessera_databases, pg_server: Server, through: str) -> str:
    """One database for the HTTP tests: the plan deployed, the protocol fixtures, an organization with an owner
    and a staff member. Returns the admin conninfo; the service logs in as authenticator."""
    from tests.api_support import FIXTURES, OWNER, STAFF

    name = tessera_databases.clone("rpc" if through == "direct" else f"rpc_{through}")
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


# -- pooler lane: the HTTP suite's core RPC modules run twice, directly and through a real PgBouncer in transaction
# mode (README: "Behind a pooler"); `-k pgbouncer` selects the second run.
CORE_RPC_MODULES = ("test_rpc_protocol", "test_rpc_plain_calls", "test_rpc_shaping", "test_rpc_supabase_client",
                    "test_rpc_auth", "test_booking_http")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "api" in metafunc.fixturenames and metafunc.module.__name__.rsplit(".", 1)[-1] in CORE_RPC_MODULES:
        metafunc.parametrize("through", ["direct", "pgbouncer"], indirect=True, scope="session")


@pytest.fixture(scope="session")
def pgbouncer_server(pg_server: Server):
    """A PgBouncer (transaction pooling) in front of the test server, started for the run; fails without it."""
    from psycopg.conninfo import conninfo_to_dict
    from tessera.errors import Refusal
    from tessera.pgbouncer import pgbouncer

    parts = conninfo_to_dict(pg_server.conninfo("postgres"))
    try:
        with pgbouncer(parts["host"], parts["port"]) as running:
            yield running
    except Refusal as exc:
        pytest.fail(f"the pooler tests need a real PgBouncer: {exc}", pytrace=False)


@pytest.fixture(scope="session")
def api(rpc_db, through: str, tmp_path_factory, request: pytest.FixtureRequest):
    """The service as deployed: defaults, except a known secret and the rpc_test schema exposed. Parametrized
    "pgbouncer": through PgBouncer with TESSERA_DB_POOLER=transaction, LISTENing on a direct connection."""
    from psycopg.conninfo import conninfo_to_dict

    from tests.api_support import login_conninfo, serve

    direct = login_conninfo(rpc_db)
    if through == "pgbouncer":
        bouncer = request.getfixturevalue("pgbouncer_server")
        with serve(bouncer.conninfo(conninfo_to_dict(rpc_db)["dbname"]), tmp_path_factory.mktemp("api"),
                   db_pooler="transaction", listen_database_url=direct) as running:
            yield running
        return
    with serve(direct, tmp_path_factory.mktemp("api")) as running:
        yield running
