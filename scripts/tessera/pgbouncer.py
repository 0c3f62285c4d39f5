"""A PgBouncer in transaction mode in front of a local cluster, for the tests and `tessera bench rpc --pgbouncer`
(README: "Behind a pooler"): Debian's pgbouncer (1.18), its own config and auth file in a temporary folder, on a
free 127.0.0.1 port, every database of the cluster reached over its unix socket, stopped and removed after.

PgBouncer refuses to run as root, so as root it runs as the `postgres` OS user, as the server binaries do.
Authentication is `trust` towards the clients (the auth file only lists who may connect: the login role and the
superuser, the latter also the admin console's user); the cluster itself trusts its own socket.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg.conninfo import make_conninfo

from tessera.errors import Refusal
from tessera.localdb import _as_root, free_port

BINARY = "pgbouncer"
INSTALL_HINT = "pgbouncer is not installed; install it (Debian/Ubuntu: apt-get install pgbouncer)"
USERS = ("authenticator", "postgres")

_CONFIG = """\
[databases]
* = host={host} port={port}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {listen}
unix_socket_dir =
auth_type = trust
auth_file = {home}/users.txt
pool_mode = transaction
default_pool_size = {pool_size}
max_client_conn = 500
admin_users = postgres
stats_users = postgres
server_reset_query =
logfile = {home}/pgbouncer.log
pidfile = {home}/pgbouncer.pid
"""


@dataclass
class PgBouncer:
    home: Path
    port: int
    proc: subprocess.Popen

    @property
    def log(self) -> Path:
        return self.home / "pgbouncer.log"

    def conninfo(self, dbname: str, user: str = "authenticator") -> str:
        return make_conninfo("", host="127.0.0.1", port=str(self.port), dbname=dbname, user=user)

    def show(self, what: str) -> list[dict]:
        """SHOW <what> on the admin console (simple query protocol only, hence a client-side cursor)."""
        with psycopg.connect(self.conninfo("pgbouncer", "postgres"), autocommit=True,
                             cursor_factory=psycopg.ClientCursor) as conn:
            cur = conn.execute(f"SHOW {what}")
            names = [c.name for c in cur.description]
            return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def stats(self, dbname: str) -> dict:
        """PgBouncer's counters for one database: total_xact_count (transactions) and total_query_count (one per
        round trip: a pipeline ended by one Sync counts once), among others."""
        for row in self.show("STATS"):
            if row["database"] == dbname:
                return row
        return {"total_xact_count": 0, "total_query_count": 0}

    def stop(self) -> None:
        if self.proc.poll() is not None:
            return
        with contextlib.suppress(OSError, ValueError):  # runuser's child: signal PgBouncer itself
            os.kill(int((self.home / "pgbouncer.pid").read_text().strip()), signal.SIGTERM)
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)


@contextlib.contextmanager
def pgbouncer(socket_dir: str, port: int | str, pool_size: int = 8) -> Iterator[PgBouncer]:
    """A running PgBouncer in transaction mode in front of the server on `socket_dir`:`port`; removed after."""
    binary = shutil.which(BINARY) or (f"/usr/sbin/{BINARY}" if Path(f"/usr/sbin/{BINARY}").exists() else None)
    if binary is None:
        raise Refusal(INSTALL_HINT)
    home = Path(tempfile.mkdtemp(prefix="tessera-pgbouncer-"))
    listen = free_port()
    try:
        (home / "users.txt").write_text("".join(f'"{user}" ""\n' for user in USERS))
        (home / "pgbouncer.ini").write_text(_CONFIG.format(host=socket_dir, port=port, listen=listen, home=home,
                                                           pool_size=pool_size))
        cmd = [binary, str(home / "pgbouncer.ini")]
        if _as_root():
            for path in (home, *home.iterdir()):
                shutil.chown(path, "postgres", "postgres")
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        proc = subprocess.Popen(cmd, cwd="/", stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        running = PgBouncer(home, listen, proc)
        try:
            _wait(running)
            yield running
        finally:
            running.stop()
    finally:
        shutil.rmtree(home, ignore_errors=True)


def _wait(running: PgBouncer, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while True:
        if running.proc.poll() is not None:
            detail = (running.proc.stderr.read() if running.proc.stderr else "").strip().splitlines()
            logged = running.log.read_text().strip().splitlines() if running.log.exists() else []
            raise Refusal(f"pgbouncer did not start: {(detail or logged or ['?'])[-1]}")
        try:
            running.show("VERSION")
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise Refusal(f"pgbouncer did not answer on port {running.port} within {seconds:g} s; "
                              f"see {running.log}") from None
            time.sleep(0.05)
