"""The embedded local PostgreSQL: start, status, url, stop and destroy on a checkout of its own."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg
import pytest
from tessera import localdb
from tessera.errors import Refusal

from tests.helpers import ROOT, run_tessera

NO_URL = {"DATABASE_URL": ""}


def checkout_at(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "sqitch.conf", folder / "sqitch.conf")
    shutil.copytree(ROOT / "db", folder / "db")
    return folder


def cluster_state(checkout: Path) -> dict:
    return json.loads((checkout / ".tessera" / "cluster.json").read_text())


@pytest.fixture
def private_checkout(tmp_path: Path):
    """A checkout in a folder only root can enter (as CI's temporary clone is)."""
    tmp_path.chmod(0o700)
    checkout = checkout_at(tmp_path / "checkout")
    yield checkout
    run_tessera("db", "destroy", "-y", cwd=checkout, env=NO_URL)


def test_a_checkout_gets_its_own_cluster_from_start_to_destroy(private_checkout: Path):
    started = run_tessera("db", "start", cwd=private_checkout, env=NO_URL)
    assert started.code == 0, started.err
    url = run_tessera("db", "url", cwd=private_checkout, env=NO_URL).out.strip()
    assert url.startswith("postgresql://postgres:") and "@127.0.0.1:" in url
    with psycopg.connect(url) as conn:
        assert conn.execute("SHOW server_version_num").fetchone()[0] >= "150000"
        assert conn.execute("SELECT current_database()").fetchone()[0] == "tessera"

    state = cluster_state(private_checkout)
    home = Path(state["home"])
    assert (home / f".s.PGSQL.{state['port']}").is_socket()
    assert home.stat().st_mode & 0o077 == 0, "nobody else may enter the socket's folder"
    assert (private_checkout / ".tessera" / "cluster.json").stat().st_mode & 0o077 == 0
    if os.geteuid() == 0:
        # postgres cannot enter a root-only folder: the files live outside it, tied to this checkout.
        assert home.parent.parent == localdb.EXTERNAL_ROOT
        assert (home.parent / "checkout").read_text().strip() == str(private_checkout)
        # Another local user reaches the TCP port but not the database: it needs the generated password.
        other = subprocess.run(
            ["runuser", "-u", "nobody", "--", "psql", "-X", "-w", "-h", "127.0.0.1", "-p", str(state["port"]),
             "-U", "postgres", "-c", "SELECT 1"], capture_output=True, text=True, cwd="/")
        assert other.returncode != 0 and "password" in other.stderr

    assert run_tessera("db", "status", cwd=private_checkout, env=NO_URL).code == 1
    assert run_tessera("db", "deploy", cwd=private_checkout, env=NO_URL).code == 0
    status = run_tessera("db", "status", cwd=private_checkout, env=NO_URL)
    assert status.code == 0 and "up to date" in status.out

    assert "stopped" in run_tessera("db", "stop", cwd=private_checkout, env=NO_URL).out
    stopped = run_tessera("db", "status", cwd=private_checkout, env=NO_URL)
    assert stopped.code == 1 and "not running" in stopped.err
    assert run_tessera("db", "start", cwd=private_checkout, env=NO_URL).code == 0
    assert run_tessera("db", "status", cwd=private_checkout, env=NO_URL).code == 0, "data survives a restart"

    assert run_tessera("db", "destroy", "-y", cwd=private_checkout, env=NO_URL).code == 0
    assert not home.exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="only root runs the server as another OS user")
def test_a_checkout_postgres_can_reach_keeps_the_cluster_inside():
    with tempfile.TemporaryDirectory(dir="/var/tmp") as folder:
        Path(folder).chmod(0o755)
        checkout = checkout_at(Path(folder) / "a checkout")  # a space must survive pg_ctl and libpq
        try:
            assert run_tessera("db", "start", cwd=checkout, env=NO_URL).code == 0
            assert Path(cluster_state(checkout)["home"]) == checkout / ".tessera" / "pg"
        finally:
            run_tessera("db", "destroy", "-y", cwd=checkout, env=NO_URL)


def test_the_cluster_of_a_deleted_checkout_is_pruned(tmp_path: Path):
    tmp_path.chmod(0o700)
    checkout = checkout_at(tmp_path / "gone")
    assert run_tessera("db", "start", cwd=checkout, env=NO_URL).code == 0
    home = Path(cluster_state(checkout)["home"])
    shutil.rmtree(checkout)
    localdb.prune_orphans()
    if home.parent.parent == localdb.EXTERNAL_ROOT:
        assert not home.parent.exists()


def test_missing_postgres_binaries_say_what_to_install(tmp_path: Path, monkeypatch, cli, project_copy):
    monkeypatch.setattr(localdb, "DEBIAN_SERVERS", tmp_path / "none")
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("TESSERA_PG_BINDIR", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(Refusal, match="apt-get install postgresql-15 postgresql-15-pgtap"):
        localdb.find_bindir()
    run = cli(project_copy, "db", "start")
    assert run.code == 2
    assert run.err.count("\n") == 1 and "brew install postgresql@15" in run.err


def test_database_url_replaces_the_local_cluster(project_copy, cli, pg_server):
    url = pg_server.conninfo("postgres")
    assert cli(project_copy, "db", "url", database=url).out.strip() == url
    assert "DATABASE_URL is set" in cli(project_copy, "db", "start", database=url).out
    assert not (project_copy.root / ".tessera").exists(), "no local cluster was made"
