"""The embedded local PostgreSQL: a throwaway cluster of this checkout's own, started on demand.

It lives under .tessera/pg, listening on a unix socket there and on 127.0.0.1 at a free port. initdb refuses to
run as root, so as root only initdb and pg_ctl run as the `postgres` OS user (clients stay as they are). When that
user cannot reach the checkout (a checkout under /root, or in a private temp folder) the cluster's files live in
/var/tmp/tessera-clusters/<hash of the checkout's path> instead, still tied to this checkout and pruned once the
checkout is gone.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pwd
import re
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from tessera.errors import Refusal

MIN_MAJOR = 15
EXTERNAL_ROOT = Path("/var/tmp/tessera-clusters")
DEBIAN_SERVERS = Path("/usr/lib/postgresql")
INSTALL_HINT = (
    "PostgreSQL 15+ server binaries not found; install them "
    "(Debian/Ubuntu: apt-get install postgresql-15 postgresql-15-pgtap; "
    "macOS: brew install postgresql@15 pgtap) or set TESSERA_PG_BINDIR"
)
# A throwaway cluster trades durability for speed; it holds nothing that cannot be rebuilt from the plan.
FAST_SETTINGS = ("fsync=off", "synchronous_commit=off", "full_page_writes=off", "max_connections=200")
SOCKET_PATH_MAX = 100


def _major(version_text: str) -> int:
    m = re.search(r"(\d+)(?:\.\d+)?", version_text)
    return int(m.group(1)) if m else 0


def find_bindir() -> Path:
    """Server binaries of PostgreSQL 15 or newer: TESSERA_PG_BINDIR, pg_config, Debian's folders, then PATH."""
    candidates: list[Path] = []
    if env := os.environ.get("TESSERA_PG_BINDIR"):
        candidates.append(Path(env))
    if pg_config := shutil.which("pg_config"):
        with contextlib.suppress(OSError, subprocess.CalledProcessError):
            out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=True).stdout
            candidates.append(Path(out.strip()))
    debian = sorted(DEBIAN_SERVERS.glob("*/bin"), key=lambda p: _major(p.parent.name), reverse=True)
    candidates += debian
    if initdb := shutil.which("initdb"):
        candidates.append(Path(initdb).parent)
    for folder in candidates:
        initdb_bin = folder / "initdb"
        if not (initdb_bin.exists() and (folder / "pg_ctl").exists()):
            continue
        with contextlib.suppress(OSError, subprocess.CalledProcessError):
            out = subprocess.run([initdb_bin, "--version"], capture_output=True, text=True, check=True).stdout
            if _major(out.partition(")")[2]) >= MIN_MAJOR:
                return folder
    raise Refusal(INSTALL_HINT)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _port_in_use(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class Cluster:
    """A local cluster: `home` holds data/, the log and the socket."""

    checkout: Path
    home: Path
    port: int
    bindir: Path

    # --- where it lives -------------------------------------------------------------------------------------
    @classmethod
    def for_checkout(cls, checkout: Path) -> Cluster:
        """The cluster recorded for this checkout, or a new (not yet created) one."""
        state = checkout / ".tessera" / "cluster.json"
        if state.exists():
            data = json.loads(state.read_text())
            cluster = cls(checkout, Path(data["home"]), int(data["port"]), Path(data["bindir"]))
            if (cluster.home / "data" / "PG_VERSION").exists() and (cluster.bindir / "pg_ctl").exists():
                return cluster
        bindir = find_bindir()
        return cls(checkout, _choose_home(checkout), _free_port(), bindir)

    def _save(self) -> None:
        state = self.checkout / ".tessera" / "cluster.json"
        state.parent.mkdir(parents=True, exist_ok=True)
        state.write_text(json.dumps({"home": str(self.home), "port": self.port, "bindir": str(self.bindir)}) + "\n")

    @property
    def data(self) -> Path:
        return self.home / "data"

    @property
    def log(self) -> Path:
        return self.home / "postgres.log"

    def conninfo(self, dbname: str = "postgres") -> str:
        return f"host={self.home} port={self.port} user=postgres dbname={dbname}"

    def url(self, dbname: str = "tessera") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"

    # --- running the server binaries ------------------------------------------------------------------------
    def _run(self, tool: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        cmd = [str(self.bindir / tool), *args]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd="/")
        if check and proc.returncode != 0:
            detail = (proc.stderr or proc.stdout).strip().splitlines()
            raise Refusal(f"{tool} failed: {detail[-1] if detail else proc.returncode}; see {self.log}")
        return proc

    def exists(self) -> bool:
        return (self.data / "PG_VERSION").exists()

    def running(self) -> bool:
        return self.exists() and self._run("pg_ctl", "-D", str(self.data), "status", check=False).returncode == 0

    def init(self) -> None:
        _prepare_home(self.home)
        self._run(
            "initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
            "--locale=C.UTF-8", "--no-sync", "--no-instructions",
        )
        (self.home / "checkout").write_text(str(self.checkout) + "\n")
        self._save()

    def start(self) -> bool:
        """Start the cluster (creating it first if needed); False when it was already running."""
        prune_orphans()
        if not self.exists():
            self.init()
        if self.running():
            return False
        if _port_in_use(self.port):
            self.port = _free_port()
        settings = [f"-c {s}" for s in FAST_SETTINGS]
        options = " ".join([f"-k {self.home}", f"-p {self.port}", "-c listen_addresses=127.0.0.1", *settings])
        self.log.touch()
        if os.geteuid() == 0:
            shutil.chown(self.log, "postgres")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-s", "-t", "60", "-o", options, "start")
        self._save()
        return True

    def stop(self) -> bool:
        if not self.running():
            return False
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-s", "stop")
        return True

    def destroy(self) -> None:
        if self.running():
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "-s", "stop")
        shutil.rmtree(self.home, ignore_errors=True)
        (self.checkout / ".tessera" / "cluster.json").unlink(missing_ok=True)


def _can_postgres_use(folder: Path) -> bool:
    if os.geteuid() != 0:
        return True
    probe = subprocess.run(["runuser", "-u", "postgres", "--", "test", "-w", str(folder), "-a", "-x", str(folder)],
                           capture_output=True)
    return probe.returncode == 0


def _prepare_home(home: Path) -> None:
    home.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(home, "postgres", "postgres")
        home.chmod(0o700)


def _choose_home(checkout: Path) -> Path:
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            raise Refusal("running as root needs the 'postgres' OS user to own the cluster; "
                          "install postgresql-15 (which creates it) or run as a normal user") from None
    local = checkout / ".tessera" / "pg"
    if len(str(local / ".s.PGSQL.65535")) <= SOCKET_PATH_MAX:
        _prepare_home(local)
        if _can_postgres_use(local):
            return local
        local.rmdir()
    EXTERNAL_ROOT.mkdir(parents=True, exist_ok=True)
    EXTERNAL_ROOT.chmod(0o1777)
    digest = hashlib.sha1(str(checkout).encode()).hexdigest()[:16]
    return EXTERNAL_ROOT / digest


def prune_orphans() -> None:
    """Stop and remove external clusters whose checkout no longer exists."""
    if not EXTERNAL_ROOT.is_dir():
        return
    for home in EXTERNAL_ROOT.iterdir():
        marker = home / "checkout"
        with contextlib.suppress(OSError):
            checkout = Path(marker.read_text().strip())
            if (checkout / ".tessera").exists():
                continue
            if (home / "data" / "postmaster.pid").exists():
                orphan = Cluster(checkout, home, 0, find_bindir())
                orphan._run("pg_ctl", "-D", str(orphan.data), "-m", "immediate", "-w", "-s", "stop", check=False)
            shutil.rmtree(home, ignore_errors=True)


def wait_until_ready(conninfo: str, seconds: float = 10.0) -> None:
    import psycopg

    deadline = time.monotonic() + seconds
    while True:
        try:
            psycopg.connect(conninfo, connect_timeout=2).close()
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
