"""WAL archiving as the README documents it: a cluster with archive_mode=on and the documented archive_command
ships each finished segment to the archive, refuses to overwrite a different file there, and a base backup plus
the archive recovers to a point in time (recovery_target_time) on a second cluster."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from tessera.backup import archive_command, restore_command
from tessera.localdb import find_bindir, free_port, wait_until_ready

from tests.helpers import ROOT


def as_postgres(*cmd: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(["runuser", "-u", "postgres", "--", *cmd], capture_output=True, text=True, cwd="/",
                          timeout=120)
    if check and proc.returncode != 0:
        raise AssertionError(f"{cmd[0]} failed: {proc.stderr or proc.stdout}")
    return proc


@pytest.fixture
def home() -> Iterator[Path]:
    """A folder the postgres OS user owns (pytest's tmp_path is root's, closed to it)."""
    folder = Path(tempfile.mkdtemp(prefix="tessera-wal-", dir="/var/tmp"))
    shutil.chown(folder, "postgres", "postgres")
    try:
        yield folder
    finally:
        for data in folder.glob("*/PG_VERSION"):
            as_postgres(str(find_bindir() / "pg_ctl"), "-D", str(data.parent), "-m", "immediate", "-w", "-s", "stop",
                        check=False)
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def running(data: Path, sockets: Path, *settings: str) -> Iterator[str]:
    bindir, port = find_bindir(), free_port()
    options = " ".join([f"-k {sockets}", f"-p {port}", "-c listen_addresses=''", *(f"-c {s}" for s in settings)])
    as_postgres(str(bindir / "pg_ctl"), "-D", str(data), "-l", str(data.parent / f"{data.name}.log"), "-w", "-s",
                "-t", "60", "-o", options, "start")
    conninfo = f"host={sockets} port={port} user=postgres dbname=postgres"
    try:
        wait_until_ready(conninfo, 30)
        yield conninfo
    finally:
        as_postgres(str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "-s", "stop", check=False)


def wait_for(predicate, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def test_the_documented_archive_command_ships_segments_and_recovers_to_a_point_in_time(home: Path):
    readme = (ROOT / "README.md").read_text()
    archive = home / "archive"
    command = archive_command(str(archive))
    assert archive_command("/var/lib/postgresql/wal-archive") in readme, "the README shows this exact command"
    assert restore_command("/var/lib/postgresql/wal-archive") in readme
    as_postgres("mkdir", str(archive))
    bindir = find_bindir()
    primary = home / "primary"
    as_postgres(str(bindir / "initdb"), "-D", str(primary), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                "--locale=C.UTF-8", "--no-sync")
    archiving = ("wal_level=replica", "archive_mode=on", f"archive_command='{command}'", "fsync=off")
    with running(primary, home, *archiving) as conninfo, psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("CREATE TABLE drill (id int PRIMARY KEY, at timestamptz DEFAULT clock_timestamp())")
        conn.execute("INSERT INTO drill (id) VALUES (1)")
        segment = conn.execute("SELECT pg_walfile_name(pg_switch_wal())").fetchone()[0]
        wait_for(lambda: (archive / segment).is_file())
        assert (archive / segment).stat().st_size == 16 * 1024 * 1024
        assert not list(archive.glob("*.tmp"))

        # The base backup, then one row before the target time and one after it.
        as_postgres(str(bindir / "pg_basebackup"), "-h", str(home), "-p", conninfo.split("port=")[1].split()[0],
                    "-U", "postgres", "-D", str(home / "base"), "-X", "none", "--checkpoint=fast")
        conn.execute("INSERT INTO drill (id) VALUES (2)")
        target = conn.execute("SELECT clock_timestamp()").fetchone()[0]
        time.sleep(0.05)
        conn.execute("INSERT INTO drill (id) VALUES (3)")
        last = conn.execute("SELECT pg_walfile_name(pg_switch_wal())").fetchone()[0]
        wait_for(lambda: (archive / last).is_file())
        failed = conn.execute("SELECT failed_count FROM pg_stat_archiver").fetchone()[0]
        assert failed == 0

    # The archive command itself (run as the server runs it, by sh): the same file again is fine, a different
    # one under that name is refused and the archived copy stays.
    shipped = archive / segment
    original = shipped.read_bytes()
    same = home / "same"
    as_postgres("cp", str(shipped), str(same))
    other = home / "other"
    as_postgres("sh", "-c", f"head -c {len(original)} /dev/zero > {other}")
    run = lambda path: as_postgres("sh", "-c", command.replace("%p", str(path)).replace("%f", segment),  # noqa: E731
                                   check=False).returncode
    assert run(same) == 0
    assert run(other) != 0
    assert shipped.read_bytes() == original

    # Point-in-time recovery: the base backup, the archive, recovery_target_time; rows 1 and 2, never 3.
    restored = home / "base"
    as_postgres("touch", str(restored / "recovery.signal"))
    recovery = (f"restore_command='{restore_command(str(archive))}'", f"recovery_target_time='{target.isoformat()}'",
                "recovery_target_action=promote", "fsync=off")
    with running(restored, home, *recovery) as conninfo:
        def promoted() -> bool:
            with psycopg.connect(conninfo) as conn:
                return not conn.execute("SELECT pg_is_in_recovery()").fetchone()[0]
        wait_for(promoted)
        with psycopg.connect(conninfo) as conn:
            assert [r for (r,) in conn.execute("SELECT id FROM drill ORDER BY id")] == [1, 2]
