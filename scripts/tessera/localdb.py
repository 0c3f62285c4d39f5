"""The embedded local PostgreSQL: a cluster of this checkout's own, started on demand.

Two kinds, never mixed. The local cluster (`tessera db …`, ./scripts/dev) is durable: fsync, synchronous_commit
and full_page_writes are on, passed on the command line at every start so that they win over any configuration
file, and a cluster last run without them is first synced to disk (initdb --sync-only, as the manual asks when
fsync is turned back on). The test suite's cluster (the pytest plugin's) lives beside it, holds only databases the
plan rebuilds, and trades durability for speed.

The local cluster lives under .tessera/pg (the test suite's under .tessera/test-pg), listening on a unix socket
there (trust, in a folder only its owner can enter) and on 127.0.0.1 at a free port (scram-sha-256 with a generated
password, so other local users get nothing). initdb refuses to run as root, so as root only initdb and pg_ctl run
as the `postgres` OS user and clients stay as they are. When that user cannot reach the checkout (a checkout under
/root, or in a private temp folder) the cluster lives in /var/tmp/tessera-clusters/<hash of the checkout's
path>/pg instead, still tied to this checkout and pruned once the checkout is gone. Root never writes inside a
folder the postgres user owns.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pwd
import re
import secrets
import shlex
import shutil
import socket
import stat
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from psycopg.conninfo import make_conninfo

from tessera.errors import Refusal

MIN_MAJOR = 15
EXTERNAL_ROOT = Path("/var/tmp/tessera-clusters")
DEBIAN_SERVERS = Path("/usr/lib/postgresql")
INSTALL_HINT = (
    "PostgreSQL 15+ server binaries not found; install them "
    "(Debian/Ubuntu: apt-get install postgresql-15 postgresql-15-pgtap; "
    "macOS: brew install postgresql@15 pgtap) or set TESSERA_PG_BINDIR"
)
# An acknowledged commit is on disk and survives a crash of the server or the machine.
DURABLE_SETTINGS = ("fsync=on", "synchronous_commit=on", "full_page_writes=on")
# The test suite's cluster holds nothing that cannot be rebuilt from the plan, so it trades durability for speed.
FAST_SETTINGS = ("fsync=off", "synchronous_commit=off", "full_page_writes=off")
COMMON_SETTINGS = ("max_connections=200",)
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
    candidates += sorted(DEBIAN_SERVERS.glob("*/bin"), key=lambda p: _major(p.parent.name), reverse=True)
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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _port_in_use(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def _as_root() -> bool:
    return os.geteuid() == 0


@dataclass
class Cluster:
    """A local cluster: `home` holds data/, the log and the socket. `fast`: the test suite's, not durable."""

    checkout: Path
    home: Path
    port: int
    bindir: Path
    password: str
    fast: bool = False

    # --- where it lives -------------------------------------------------------------------------------------
    @classmethod
    def for_checkout(cls, checkout: Path, fast: bool = False) -> Cluster:
        """The cluster recorded for this checkout (the test suite's with `fast`), or a new (not yet created) one."""
        state = _state_file(checkout, fast)
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
            data = json.loads(state.read_text())
            cluster = cls(checkout, Path(data["home"]), int(data["port"]), Path(data["bindir"]), data["password"],
                          fast)
            if (cluster.data / "PG_VERSION").exists() and (cluster.bindir / "pg_ctl").exists():
                return cluster
        # No usable record: the same checkout always maps to the same home, so existing data is found again.
        bindir = find_bindir()
        return cls(checkout, _choose_home(checkout, _HOMES[fast]), free_port(), bindir, secrets.token_urlsafe(24),
                   fast)

    def _save(self) -> None:
        state = _state_file(self.checkout, self.fast)
        state.parent.mkdir(parents=True, exist_ok=True)
        record = {"home": str(self.home), "port": self.port, "bindir": str(self.bindir), "password": self.password}
        fd = os.open(state, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(json.dumps(record) + "\n")

    @property
    def data(self) -> Path:
        return self.home / "data"

    @property
    def log(self) -> Path:
        return self.home / "postgres.log"

    def conninfo(self, dbname: str = "postgres") -> str:
        """Over the unix socket, as the superuser: what Tessera's own commands use."""
        return make_conninfo("", host=str(self.home), port=str(self.port), user="postgres", dbname=dbname)

    def url(self, dbname: str = "tessera", show_password: bool = True) -> str:
        """Over TCP on 127.0.0.1, for other tools; the password only when asked for."""
        secret = self.password if show_password else "***"
        return f"postgresql://postgres:{secret}@127.0.0.1:{self.port}/{dbname}"

    # --- running the server binaries ------------------------------------------------------------------------
    def _run(self, tool: str, *args: str, check: bool = True, stdin: str | None = None
             ) -> subprocess.CompletedProcess[str]:
        """A server binary (or, by absolute path, any tool) as the user who owns the cluster."""
        cmd = [tool if tool.startswith("/") else str(self.bindir / tool), *args]
        if _as_root():
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd="/", input=stdin)
        if check and proc.returncode != 0:
            detail = (proc.stderr or proc.stdout).strip().splitlines()
            raise Refusal(f"{Path(tool).name} failed: {detail[-1] if detail else proc.returncode}; see {self.log}")
        return proc

    def exists(self) -> bool:
        return (self.data / "PG_VERSION").exists()

    def running(self) -> bool:
        return self.exists() and self._run("pg_ctl", "-D", str(self.data), "status", check=False).returncode == 0

    def ran_fast(self) -> bool:
        """Whether the server was last started without fsync."""
        return self.started_with(("fsync=off",))

    def started_with(self, settings: tuple[str, ...]) -> bool:
        """Whether the server's last start had every one of these settings (postmaster.opts holds its command
        line)."""
        try:
            opts = (self.data / "postmaster.opts").read_text()
        except OSError:
            return False
        return all(s in opts for s in settings)

    def settings(self) -> tuple[str, ...]:
        """The server's command-line settings: durability by kind, then what every Tessera cluster has. pg_cron,
        where installed, is loaded at start (it cannot be loaded later) with its scheduler in the `postgres`
        database, which `cron.schedule_in_database` reaches every other database from."""
        preload = (("shared_preload_libraries=pg_cron", "cron.database_name=postgres")
                   if (self.bindir.parent / "lib" / "pg_cron.so").exists() else ())
        return (FAST_SETTINGS if self.fast else DURABLE_SETTINGS) + COMMON_SETTINGS + preload

    def init(self) -> None:
        _make_home(self.home)
        # The server's user writes the password file itself: root never writes inside the cluster's folder.
        pwfile = self.home / "initdb.pw"
        self._run("/bin/sh", "-c", 'umask 077 && cat > "$1"', "sh", str(pwfile), stdin=self.password + "\n")
        try:
            self._run(
                "initdb", "-D", str(self.data), "-U", "postgres", "--auth-local=trust", "--auth-host=scram-sha-256",
                f"--pwfile={pwfile}", "-E", "UTF8", "--locale=C.UTF-8", "--no-instructions",
                *(["--no-sync"] if self.fast else []),
            )
        finally:
            pwfile.unlink(missing_ok=True)
        if self.home.parent.parent == EXTERNAL_ROOT:
            (self.home.parent / "checkout").write_text(str(self.checkout) + "\n")
        self._save()

    def start(self) -> bool:
        """Start the cluster (creating it first if needed); False when it was already running as it should.

        A cluster found running with other settings (a durable one without fsync, one started before pg_cron was
        installed) is restarted with its own.
        """
        prune_orphans()
        if not self.exists():
            self.init()
        wanted = self.settings()
        if self.running():
            # One started otherwise (without fsync by an older Tessera, before pg_cron was installed) restarts.
            if self.started_with(wanted):
                return False
            self.stop()
        if not self.fast and self.ran_fast():
            # What the server wrote while fsync was off may still be only in the kernel's cache.
            self._run("initdb", "--sync-only", "-D", str(self.data))
        if _port_in_use(self.port):
            self.port = free_port()
        settings = [f"-c {s}" for s in wanted]
        options = " ".join([f"-k {shlex.quote(str(self.home))}", f"-p {self.port}", "-c listen_addresses=127.0.0.1",
                            *settings])
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-s", "-t", "60", "-o", options, "start")
        wait_until_ready(self.conninfo())
        # The password lives in .tessera/cluster.json; make the server agree with it (it may have been rewritten).
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.conninfo(), autocommit=True) as conn:
            conn.execute(sql.SQL("ALTER ROLE postgres PASSWORD {}").format(sql.Literal(self.password)))
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
        entry = self.home.parent
        if entry.parent == EXTERNAL_ROOT and not any((entry / home).exists() for home in _HOMES.values()):
            shutil.rmtree(entry, ignore_errors=True)
        _state_file(self.checkout, self.fast).unlink(missing_ok=True)


# The folder each kind of cluster lives in (under .tessera/, or the external entry of the checkout).
_HOMES = {False: "pg", True: "test-pg"}


def _state_file(checkout: Path, fast: bool) -> Path:
    return checkout / ".tessera" / ("test-cluster.json" if fast else "cluster.json")


def _make_home(home: Path) -> None:
    """The cluster's folder: owned by whoever runs the server, entered by nobody else."""
    home.mkdir(parents=True, exist_ok=True)
    if _as_root():
        shutil.chown(home, "postgres", "postgres")
    home.chmod(0o700)


def _postgres_can_use(folder: Path) -> bool:
    if not _as_root():
        return True
    probe = subprocess.run(["runuser", "-u", "postgres", "--", "test", "-w", str(folder), "-a", "-x", str(folder)],
                           capture_output=True)
    return probe.returncode == 0


def _private_root(folder: Path, owner: int, mode: int) -> Path:
    """Create or check a folder only `owner` may write to (never a link): others cannot plant files in it."""
    folder.mkdir(parents=True, exist_ok=True, mode=mode)
    info = folder.lstat()
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != owner or info.st_mode & 0o022:
        raise Refusal(f"{folder} is not a folder owned by uid {owner} and closed to others; remove it and retry")
    return folder


def _choose_home(checkout: Path, name: str) -> Path:
    if _as_root():
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            raise Refusal("running as root needs the 'postgres' OS user to own the cluster; "
                          "install postgresql-15 (which creates it) or run as a normal user") from None
    local = checkout / ".tessera" / name
    if len(str(local / ".s.PGSQL.65535")) <= SOCKET_PATH_MAX:
        local.parent.mkdir(parents=True, exist_ok=True)
        _make_home(local)
        if _postgres_can_use(local):
            return local
        local.rmdir()
    digest = hashlib.sha1(str(checkout).encode()).hexdigest()[:16]
    if _as_root():
        entry = _private_root(EXTERNAL_ROOT, 0, 0o755) / digest
    else:
        entry = _private_root(Path(tempfile.gettempdir()) / f"tessera-{os.getuid()}", os.getuid(), 0o700) / digest
    entry.mkdir(exist_ok=True, mode=0o755)
    return entry / name


def prune_orphans() -> None:
    """Stop and remove external clusters whose checkout no longer exists (root's shared folder only)."""
    if not _as_root() or not EXTERNAL_ROOT.is_dir():
        return
    try:
        _private_root(EXTERNAL_ROOT, 0, 0o755)
    except Refusal:
        return
    for entry in EXTERNAL_ROOT.iterdir():
        with contextlib.suppress(OSError):
            info = entry.lstat()
            if not stat.S_ISDIR(info.st_mode) or info.st_uid != 0:
                continue
            checkout = Path((entry / "checkout").read_text().strip())
            if (checkout / ".tessera").exists():
                continue
            for name in _HOMES.values():
                if (entry / name / "data" / "postmaster.pid").exists():
                    orphan = Cluster(checkout, entry / name, 0, find_bindir(), "")
                    orphan._run("pg_ctl", "-D", str(orphan.data), "-m", "immediate", "-w", "-s", "stop", check=False)
            shutil.rmtree(entry, ignore_errors=True)


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
            time.sleep(0.05)
