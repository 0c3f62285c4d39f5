"""pytest plugin: the test databases, and db/tests/*.sql run as pgTAP files, one test item each.

The run uses DATABASE_URL's server or starts this checkout's test cluster (fast, not durable, and apart from the
local cluster ./scripts/dev serves from, which the tests never touch); when neither is reachable every
database test FAILS (never skips). The plan is deployed once into a template database (reused while db/ is
unchanged) with pgTAP in schema `extensions`, and cloned per test module. pgTAP files run through psql exactly as
pg_prove runs them, so what passes here passes under the DBA's runner too; a failing assertion is shown with its
have/want diagnostics.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tessera.errors import Refusal
from tessera.localdb import find_bindir
from tessera.project import Project
from tessera.server import Server, current_server

TEMPLATE_PREFIX = "tessera_test_tpl_"
READY = "tessera test template: ready"


def _fingerprint(project: Project) -> str:
    digest = hashlib.sha1()
    # What the template is built from: db/ but its tests and db/schema.sql (a dump of what the plan deploys).
    built_from = (p for p in (project.root / "db").rglob("*")
                  if p.is_file() and "tests" not in p.parts and p != project.schema_file)
    for path in sorted(built_from):
        digest.update(str(path.relative_to(project.root)).encode() + b"\0" + path.read_bytes())
    digest.update((project.root / "sqitch.conf").read_bytes())
    return digest.hexdigest()[:12]


@dataclass
class Databases:
    """The run's server, template and clones, made on first use."""

    project: Project
    _server: Server | None = None
    _template: str | None = None
    clones: list[str] = field(default_factory=list)
    started_cluster: bool = False
    error: str | None = None
    pgtap_db: str | None = None

    def server(self) -> Server:
        if self.error:
            pytest.fail(self.error, pytrace=False)
        if self._server is None:
            try:
                from tessera.localdb import Cluster

                if not os.environ.get("DATABASE_URL"):
                    self.started_cluster = not Cluster.for_checkout(self.project.root, fast=True).running()
                self._server = current_server(self.project, for_tests=True)
                self._server.connect().close()
            except Refusal as exc:
                self.error = f"no database for the tests: {exc}"
                pytest.fail(self.error, pytrace=False)
        return self._server

    def template(self) -> str:
        if self._template is None:
            server = self.server()
            name = TEMPLATE_PREFIX + _fingerprint(self.project)
            with server.maintenance() as conn:
                rows = conn.execute(
                    "SELECT datname, shobj_description(oid, 'pg_database') FROM pg_database WHERE datname LIKE %s",
                    (TEMPLATE_PREFIX + "%",)).fetchall()
            ready = {n for n, comment in rows if comment == READY}
            for stale in {n for n, _ in rows} - ({name} & ready):
                server.drop_database(stale)
            if name not in ready:
                self._build_template(server, name)
            self._template = name
        return self._template

    def _build_template(self, server: Server, name: str) -> None:
        from tessera.scratch import run_engine

        server.create_database(name)
        run_engine(server, name, self.project.plan(), self.project.registry, "deploy")
        with server.connect(name, autocommit=True) as conn:
            conn.execute("CREATE SCHEMA IF NOT EXISTS extensions")
            try:
                conn.execute("CREATE EXTENSION IF NOT EXISTS pgtap SCHEMA extensions")
            except Exception as exc:
                server.drop_database(name)
                raise Refusal(f"cannot install pgTAP ({str(exc).strip().splitlines()[0]}); install it "
                              "(Debian/Ubuntu: apt-get install postgresql-15-pgtap)") from None
            conn.execute(f"COMMENT ON DATABASE {name} IS '{READY}'")

    def _name(self, label: str) -> str:
        return f"tessera_test_{re.sub(r'[^a-z0-9_]', '_', label.lower())[:24]}_{os.getpid()}_{len(self.clones)}"

    def clone(self, label: str) -> str:
        template = self.template()
        name = self._name(label)
        server = self.server()
        server.drop_database(name)
        server.create_database(name, template=template)
        self.clones.append(name)
        return name

    def empty(self, label: str) -> str:
        """A database with nothing deployed, for tests that deploy themselves."""
        server = self.server()
        name = self._name(label)
        server.drop_database(name)
        server.create_database(name)
        self.clones.append(name)
        return name

    def close(self) -> None:
        if self._server is None:
            return
        for name in self.clones:
            with contextlib.suppress(Exception):  # best effort at teardown
                self._server.drop_database(name)
        if self.started_cluster and self._server.cluster is not None:
            self._server.cluster.stop()


_KEY = pytest.StashKey[Databases]()


def pytest_configure(config: pytest.Config) -> None:
    try:
        project = Project.find(Path(str(config.rootpath)))
    except Refusal:
        return
    config.stash[_KEY] = Databases(project)


def _xdist_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def pytest_sessionstart(session: pytest.Session) -> None:
    """Under pytest-xdist the controller starts the cluster and builds the template before any worker asks, so
    that workers neither race to build it nor stop a cluster another still uses; each worker makes its own
    clones. When that fails the workers meet the same failure, test by test."""
    config = session.config
    if _KEY not in config.stash or _xdist_worker(config) or not getattr(config.option, "numprocesses", None):
        return
    with contextlib.suppress(Exception, pytest.fail.Exception):
        databases(config).template()


def pytest_unconfigure(config: pytest.Config) -> None:
    if _KEY in config.stash:
        config.stash[_KEY].close()


def databases(config: pytest.Config) -> Databases:
    return config.stash[_KEY]


@pytest.fixture(scope="session")
def tessera_databases(request: pytest.FixtureRequest) -> Databases:
    return databases(request.config)


@pytest.fixture(scope="session")
def pg_server(tessera_databases: Databases) -> Server:
    return tessera_databases.server()


@pytest.fixture(scope="module")
def test_db(tessera_databases: Databases, request: pytest.FixtureRequest) -> str:
    """A clone of the deployed template, private to the test module."""
    return tessera_databases.clone(request.module.__name__.rsplit(".", 1)[-1])


# --- pgTAP files -------------------------------------------------------------------------------------------------
def pytest_collect_file(file_path: Path, parent: pytest.Collector):
    if _KEY not in parent.config.stash or file_path.suffix != ".sql":
        return None
    tests_dir = databases(parent.config).project.tests_dir
    if tests_dir in file_path.parents:
        return PgTapFile.from_parent(parent, path=file_path)
    return None


class PgTapFile(pytest.File):
    def collect(self):
        yield PgTapItem.from_parent(self, name=self.path.stem)


@dataclass
class TapResult:
    planned: int | None
    passed: int
    failures: list[str]


def parse_tap(output: str) -> TapResult:
    planned, passed, failures = None, 0, []
    current: list[str] | None = None
    for line in output.splitlines():
        if m := re.match(r"^\s*1\.\.(\d+)", line):
            planned = int(m.group(1))
        elif re.match(r"^\s*ok \d+", line):
            passed += 1
            current = None
        elif re.match(r"^\s*not ok \d+", line):
            if "# TODO" in line or "# SKIP" in line:
                passed += 1
                current = None
                continue
            current = [line.strip()]
            failures.append(current)
        elif current is not None and line.lstrip().startswith("#"):
            current.append(line.strip())
    return TapResult(planned, passed, ["\n".join(f) for f in failures])


class PgTapFailure(Exception):
    pass


def run_pgtap_file(server: Server, dbname: str, path: Path) -> TapResult:
    psql = str(find_bindir() / "psql")
    proc = subprocess.run(
        [psql, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", server.conninfo(dbname), "-f", str(path)],
        capture_output=True, text=True, timeout=600,
    )
    result = parse_tap(proc.stdout)
    if proc.returncode != 0:
        errors = "\n".join(line for line in proc.stderr.splitlines() if "ERROR" in line or "DETAIL" in line)
        raise PgTapFailure(f"psql stopped with an error after {result.passed} passing assertion(s):\n"
                           f"{errors or proc.stderr.strip()}")
    total = result.passed + len(result.failures)
    if result.failures:
        raise PgTapFailure(f"{len(result.failures)} of {total} assertion(s) failed:\n\n" + "\n\n".join(result.failures))
    if result.planned is None or total == 0:
        raise PgTapFailure("no TAP plan or no assertions: a pgTAP file must SELECT plan(n) and test something")
    if total != result.planned:
        raise PgTapFailure(f"planned {result.planned} assertion(s) but ran {total}")
    return result


class PgTapItem(pytest.Item):
    def runtest(self) -> None:
        dbs = databases(self.config)
        server = dbs.server()
        if dbs.pgtap_db is None:
            dbs.pgtap_db = dbs.clone("pgtap")
        run_pgtap_file(server, dbs.pgtap_db, self.path)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, PgTapFailure):
            return f"{self.path.name}: {excinfo.value}"
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, None, f"pgTAP {self.path.name}"
