"""A streaming replica of a local cluster, for the tests and `tessera bench rpc --replica` (README: "Read
replica"): pg_basebackup -R from the primary (its unix socket, as the superuser: initdb's pg_hba lets local
replication in by trust, and PostgreSQL 15's wal_level is replica), started on a free port with its own socket
folder, hot standby (read-only queries while it replays), stopped and removed after.

As with the primary, as root only the server binaries run as the `postgres` OS user.
"""

from __future__ import annotations

import contextlib
import shlex
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg.conninfo import make_conninfo

from tessera.errors import Refusal
from tessera.localdb import COMMON_SETTINGS, FAST_SETTINGS, Cluster, _make_home, free_port, wait_until_ready


@dataclass
class Replica:
    primary: Cluster
    home: Path
    port: int

    @property
    def _as_cluster(self) -> Cluster:  # to run the server binaries as the cluster's owner
        return Cluster(self.primary.checkout, self.home, self.port, self.primary.bindir, "", fast=True)

    @property
    def data(self) -> Path:
        return self.home / "data"

    @property
    def log(self) -> Path:
        return self.home / "postgres.log"

    def conninfo(self, dbname: str = "postgres", user: str = "postgres") -> str:
        return make_conninfo("", host=str(self.home), port=str(self.port), user=user, dbname=dbname)

    def create(self) -> None:
        """pg_basebackup -R: a copy of the whole primary cluster, standby.signal and primary_conninfo written."""
        shutil.rmtree(self.home, ignore_errors=True)
        _make_home(self.home)
        self._as_cluster._run("pg_basebackup", "-D", str(self.data), "-R", "-X", "stream", "-c", "fast", "--no-sync",
                              "-h", str(self.primary.home), "-p", str(self.primary.port), "-U", "postgres",
                              "--no-password")

    def start(self) -> None:
        settings = [f"-c {s}" for s in (*FAST_SETTINGS, *COMMON_SETTINGS, "hot_standby=on",
                                        "hot_standby_feedback=on")]
        options = " ".join([f"-k {shlex.quote(str(self.home))}", f"-p {self.port}", "-c listen_addresses=''",
                            *settings])
        self._as_cluster._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-s", "-t", "60", "-o",
                              options, "start")
        wait_until_ready(self.conninfo())

    def running(self) -> bool:
        return self._as_cluster.running()

    def stop(self) -> None:
        if self.running():
            self._as_cluster._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-s", "stop")

    def destroy(self) -> None:
        if self.running():
            self._as_cluster._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "-s", "stop", check=False)
        shutil.rmtree(self.home, ignore_errors=True)

    def catch_up(self, seconds: float = 30.0) -> None:
        """Until the replica has replayed everything the primary had written when this was called."""
        with psycopg.connect(self.primary.conninfo(), autocommit=True) as conn:
            # The insert position, not pg_current_wal_lsn(): with synchronous_commit off (the test cluster) a
            # commit can return while its record is still in the WAL buffers, behind the write position.
            target = conn.execute("SELECT pg_current_wal_insert_lsn()").fetchone()[0]
        deadline = time.monotonic() + seconds
        with psycopg.connect(self.conninfo(), autocommit=True) as conn:
            while True:
                behind = conn.execute("SELECT pg_wal_lsn_diff(%s, pg_last_wal_replay_lsn()) > 0",
                                      (target,)).fetchone()[0]
                if not behind:
                    return
                if time.monotonic() > deadline:
                    raise Refusal(f"the replica did not catch up with the primary within {seconds:g} s; see {self.log}")
                time.sleep(0.02)

    def pause_replay(self) -> None:
        with psycopg.connect(self.conninfo(), autocommit=True) as conn:
            conn.execute("SELECT pg_wal_replay_pause()")

    def resume_replay(self) -> None:
        with psycopg.connect(self.conninfo(), autocommit=True) as conn:
            conn.execute("SELECT pg_wal_replay_resume()")


@contextlib.contextmanager
def replica_of(primary: Cluster, name: str = "replica") -> Iterator[Replica]:
    """A running replica of `primary` (under its home's parent folder, as `name`), caught up; removed after."""
    if not primary.running():
        raise Refusal("the primary cluster is not running; a replica is made from a running one")
    replica = Replica(primary, primary.home.parent / name, free_port())
    try:
        replica.create()
        replica.start()
        replica.catch_up()
        yield replica
    finally:
        replica.destroy()
