"""The embedded local PostgreSQL: start, status, url, stop and destroy on a checkout of its own."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
import pytest
from tessera import localdb
from tessera.errors import Refusal

from tests.helpers import ROOT, run_tessera
from tests.test_booking_races import FIXTURE, QUIZ, STANDARD, as_staff

NO_URL = {"DATABASE_URL": ""}
DURABILITY = ("fsync", "synchronous_commit", "full_page_writes")


def checkout_at(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "sqitch.conf", folder / "sqitch.conf")
    shutil.copytree(ROOT / "db", folder / "db")
    return folder


def cluster_state(checkout: Path) -> dict:
    return json.loads((checkout / ".tessera" / "cluster.json").read_text())


def durability(url: str) -> dict[str, str]:
    with psycopg.connect(url) as conn:
        return {name: conn.execute(f"SHOW {name}").fetchone()[0] for name in DURABILITY}


def local_url(checkout: Path) -> str:
    run = run_tessera("db", "url", cwd=checkout, env=NO_URL)
    assert run.code == 0, run.err
    return run.out.strip()


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
    assert durability(url) == dict.fromkeys(DURABILITY, "on"), "the local cluster is durable"

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


def test_the_test_suites_cluster_is_fast_and_apart_from_the_local_one(pg_server):
    if pg_server.cluster is None:
        pytest.skip("DATABASE_URL names the server: the test suite runs no cluster of its own")
    assert pg_server.cluster.fast and pg_server.cluster.home.name == "test-pg"
    assert pg_server.cluster.home != localdb.Cluster.for_checkout(ROOT).home
    with pg_server.connect() as conn:
        assert {n: conn.execute(f"SHOW {n}").fetchone()[0] for n in DURABILITY} == dict.fromkeys(DURABILITY, "off")


def _start_the_old_way(checkout: Path) -> None:
    """Start the local cluster as Tessera did before it was durable: fsync, synchronous_commit and
    full_page_writes off."""
    cluster = localdb.Cluster.for_checkout(checkout)
    options = f"-k {cluster.home} -p {cluster.port} -c listen_addresses=127.0.0.1 " + " ".join(
        f"-c {s}" for s in localdb.FAST_SETTINGS)
    cluster._run("pg_ctl", "-D", str(cluster.data), "-l", str(cluster.log), "-w", "-s", "-o", options, "start")


def test_a_local_cluster_run_without_fsync_is_durable_on_its_next_start(private_checkout: Path):
    assert run_tessera("db", "start", cwd=private_checkout, env=NO_URL).code == 0
    url = local_url(private_checkout)
    cluster = localdb.Cluster.for_checkout(private_checkout)
    for still_running in (True, False):
        cluster.stop()
        _start_the_old_way(private_checkout)
        assert durability(url) == dict.fromkeys(DURABILITY, "off")
        if not still_running:
            cluster.stop()
        assert run_tessera("db", "start", cwd=private_checkout, env=NO_URL).code == 0
        assert durability(url) == dict.fromkeys(DURABILITY, "on"), f"running: {still_running}"


BOOKINGS = 200


def test_acknowledged_bookings_survive_kill_9_of_the_server(private_checkout: Path):
    """Every booking the server acknowledged is there after the server is killed without warning."""
    assert run_tessera("db", "start", cwd=private_checkout, env=NO_URL).code == 0
    deployed = run_tessera("db", "deploy", cwd=private_checkout, env=NO_URL, timeout=300)
    assert deployed.code == 0, deployed.err
    url = local_url(private_checkout)
    with psycopg.connect(url) as conn:
        conn.execute(FIXTURE)
        conn.execute("UPDATE app.experiences SET capacity = %s WHERE id = %s", (BOOKINGS, QUIZ))
        starts = conn.execute(
            "SELECT private.local_to_instant((current_date + 10) + time '19:00', 'Europe/London')").fetchone()[0]
    acknowledged = []
    with as_staff(url) as conn:  # autocommit: each booking is its own transaction, acknowledged by its COMMIT
        for i in range(BOOKINGS):
            acknowledged.append(conn.execute(
                "SELECT id FROM api.create_booking(%s, %s, %s, tickets => %s)",
                (QUIZ, starts, f"guest{i}@example.com",
                 json.dumps([{"ticket_type_id": STANDARD, "quantity": 1}]))).fetchone()[0])
        # The postmaster leads its own process group (pg_ctl starts it with setsid): kill it and every backend.
        cluster = localdb.Cluster.for_checkout(private_checkout)
        postmaster = int((cluster.data / "postmaster.pid").read_text().split()[0])
        os.killpg(postmaster, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while subprocess.run(["pgrep", "-g", str(postmaster)], capture_output=True).returncode == 0:
        assert time.monotonic() < deadline, "the killed server's processes are still there"
        time.sleep(0.05)

    assert run_tessera("db", "start", cwd=private_checkout, env=NO_URL).code == 0
    with psycopg.connect(url) as conn:
        found = {r[0] for r in conn.execute("SELECT id FROM app.bookings WHERE id = ANY(%s)", (acknowledged,))}
        taken = conn.execute("SELECT sum(taken) FROM app.slots WHERE experience_id = %s", (QUIZ,)).fetchone()[0]
    assert len(found) == BOOKINGS, f"{BOOKINGS - len(found)} acknowledged booking(s) lost"
    assert taken == BOOKINGS
