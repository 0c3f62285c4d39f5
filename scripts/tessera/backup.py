"""`tessera db backup` / `tessera db restore`: one database in pg_dump's custom format, restored in parallel.

The archive holds every schema of the database: the app's, the Sqitch registry (so `tessera db status` on the
restored copy knows what is deployed), the audit log with its seals (so `api.verify_audit_chain` still passes), the
auth shim where there is one, and the extensions it created. Roles are cluster-level and never in a one-database
dump: the restore lists every role the archive names (owners, grants, default privileges) and refuses, before
touching anything, when one is missing from the target server; so does it for extensions the server lacks.
Restoring into a database that already holds objects is refused unless `--replace` (drop and re-create it) is given.
Both commands print JSON: the file, its size and the seconds taken.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

import msgspec
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from tessera.errors import Refusal
from tessera.localdb import find_bindir
from tessera.project import Project
from tessera.server import Server, current_server

# Roles every PostgreSQL has, or that a dump may name without needing them (PUBLIC is a keyword).
_BUILTIN = {"public", "postgres"}
# Schemas with nothing of the user's in them: a database holding only these counts as empty.
_SYSTEM_SCHEMAS = ("pg_catalog", "information_schema", "pg_toast")


class BackupReport(msgspec.Struct):
    file: str
    database: str
    bytes: int
    seconds: float


class RestoreReport(msgspec.Struct):
    file: str
    database: str
    bytes: int
    seconds: float  # pg_restore
    analyze_seconds: float
    jobs: int
    created: bool
    replaced: bool


def _tool(name: str) -> str:
    path = find_bindir() / name
    if not path.exists():
        raise Refusal(f"{name} not found beside the server binaries in {path.parent}; install postgresql-client-15")
    return str(path)


def _client_env(conninfo: str) -> tuple[str, dict[str, str]]:
    """The conninfo without its password (which goes in PGPASSWORD, never on a command line)."""
    params = conninfo_to_dict(conninfo)
    env = dict(os.environ)
    if password := params.pop("password", None):
        env["PGPASSWORD"] = str(password)
    return make_conninfo("", **params), env


def _run(cmd: list[str], env: dict[str, str], what: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        lines = [line for line in proc.stderr.splitlines() if line.strip()]
        detail = next((line for line in lines if "error" in line.lower()), lines[-1] if lines else proc.returncode)
        raise Refusal(f"{what} failed: {detail}")
    return proc


def default_file(project: Project, dbname: str) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return project.state_dir / "backups" / f"{dbname}-{stamp}.dump"


def backup(project: Project, file: str | None) -> int:
    server = current_server(project)
    server.connect().close()  # an unreachable server is one line, before pg_dump says more
    dbname = server.dbname
    target = Path(file) if file else default_file(project, dbname)
    if target.exists():
        raise Refusal(f"{target} already exists; give another file name (a backup never overwrites one)")
    target.parent.mkdir(parents=True, exist_ok=True)
    conninfo, env = _client_env(server.conninfo())
    partial = target.with_name(target.name + ".part")
    started = time.monotonic()
    try:
        _run([_tool("pg_dump"), "--format=custom", "--no-password", f"--file={partial}", f"--dbname={conninfo}"],
             env, "pg_dump")
        partial.rename(target)
    finally:
        partial.unlink(missing_ok=True)
    report = BackupReport(str(target), dbname, target.stat().st_size, round(time.monotonic() - started, 3))
    print(json.dumps(msgspec.to_builtins(report)))
    return 0


# --- restore ---------------------------------------------------------------------------------------------------
def _ident(text: str) -> str:
    text = text.strip()
    return text[1:-1].replace('""', '"') if text.startswith('"') else text


def archive_needs(file: Path, env: dict[str, str]) -> tuple[set[str], set[str]]:
    """The roles and extensions the archive names (its schema as SQL, read by pg_restore without a server)."""
    script = _run([_tool("pg_restore"), "--schema-only", "--file=-", str(file)], env, "reading the archive").stdout
    roles: set[str] = set()
    for m in re.finditer(r"OWNER TO (\"(?:[^\"]|\"\")+\"|[^\s;]+);", script):
        roles.add(_ident(m.group(1)))
    for m in re.finditer(r"^(?:GRANT .* TO|REVOKE .* FROM) (.+?)(?: WITH GRANT OPTION)?(?: GRANTED BY .+)?;$",
                         script, re.M):
        roles.update(_ident(r) for r in m.group(1).split(","))
    for m in re.finditer(r"FOR ROLE (\"(?:[^\"]|\"\")+\"|\S+)", script):
        roles.add(_ident(m.group(1)))
    for m in re.finditer(r"^GRANT (\"(?:[^\"]|\"\")+\"|[a-z_][a-z0-9_$]*) TO ", script, re.M):
        roles.add(_ident(m.group(1)))  # role membership, if any
    extensions = {_ident(m.group(1)) for m in
                  re.finditer(r"^CREATE EXTENSION IF NOT EXISTS (\"(?:[^\"]|\"\")+\"|\S+)", script, re.M)}
    return {r for r in roles if r.lower() not in _BUILTIN}, extensions


def _check_server(server: Server, roles: set[str], extensions: set[str]) -> None:
    with server.maintenance() as conn:
        have = {r for (r,) in conn.execute("SELECT rolname FROM pg_roles")}
        available = {e for (e,) in conn.execute("SELECT name FROM pg_available_extensions")}
    if missing := sorted(roles - have):
        raise Refusal(f"the archive needs role(s) {', '.join(missing)} on the target server (roles are "
                      "cluster-wide, never in a database's dump); create them first (README: Backups and recovery)")
    if missing := sorted(extensions - available):
        raise Refusal(f"the archive needs extension(s) {', '.join(missing)}, which the target server does not have; "
                      "install them first")


def _holds_objects(server: Server, dbname: str) -> bool:
    with server.connect(dbname) as conn:
        return conn.execute(
            "SELECT EXISTS (SELECT FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%%' AND nspname <> ALL (%s)"
            " AND (nspname <> 'public' OR EXISTS (SELECT FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace)"
            "                          OR EXISTS (SELECT FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace)"
            "))", (list(_SYSTEM_SCHEMAS),)).fetchone()[0]


def restore(project: Project, file: str, into: str | None, replace: bool, jobs: int) -> int:
    source = Path(file)
    if not source.is_file():
        raise Refusal(f"{file} is not a file; give a backup made by `tessera db backup`")
    server = current_server(project)
    dbname = into or server.dbname
    _conn, env = _client_env(server.conninfo())
    roles, extensions = archive_needs(source, env)
    _check_server(server, roles, extensions)
    exists = server.database_exists(dbname)
    if exists and not replace and _holds_objects(server, dbname):
        raise Refusal(f"database {dbname} is not empty; restore into a new one with --into NAME, or pass --replace "
                      "to drop and re-create it")
    if exists and replace:
        server.drop_database(dbname)
    if not exists or replace:
        server.create_database(dbname)
    conninfo, env = _client_env(server.conninfo(dbname))
    started = time.monotonic()
    _run([_tool("pg_restore"), "--no-password", "--exit-on-error", f"--jobs={jobs}", f"--dbname={conninfo}",
          str(source)], env, f"pg_restore into {dbname}")
    restored = time.monotonic()
    with server.connect(dbname, autocommit=True) as conn:
        conn.execute(sql.SQL("ANALYZE"))  # pg_restore does not carry statistics; plans need them at once
    report = RestoreReport(str(source), dbname, source.stat().st_size, round(restored - started, 3),
                           round(time.monotonic() - restored, 3), jobs, created=not exists or replace,
                           replaced=exists and replace)
    print(json.dumps(msgspec.to_builtins(report)))
    return 0


# --- WAL archiving (point-in-time recovery), README: Backups and recovery ------------------------------------
def archive_command(archive: str) -> str:
    """The archive_command the README documents, for an archive folder: a segment is copied under a temporary
    name, synced and renamed, so a half-copied file never has the final name; a file already there is accepted
    only when identical (PostgreSQL may archive a segment again after a crash) and otherwise refused, never
    overwritten."""
    return (f'f={archive}/%f; if [ -f "$f" ]; then cmp -s "%p" "$f"; '
            f'else cp "%p" "$f.tmp" && sync "$f.tmp" && mv "$f.tmp" "$f"; fi')


def restore_command(archive: str) -> str:
    return f'cp {archive}/%f "%p"'
