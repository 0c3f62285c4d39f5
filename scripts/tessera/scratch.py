"""Scratch databases built from the plan (and the declarative files), and schema dumps that can be compared.

`db diff` and `db check` reason about schemas by building them for real on the same server and comparing
`pg_dump --schema-only` output, which, unlike migra, sees everything: FORCE ROW LEVEL SECURITY, function
privileges, comments, policies, default privileges.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from psycopg.conninfo import conninfo_to_dict

from tessera.errors import Refusal
from tessera.localdb import find_bindir
from tessera.server import Server
from tessera.sqitch.engine import Engine
from tessera.sqitch.plan import Plan
from tessera.sqitch.script import statements

# Schemas whose functions must be declared in db/functions.
OWN_SCHEMAS = ("app", "api", "private", "audit")


@contextmanager
def scratch_database(server: Server, label: str) -> Iterator[str]:
    name = f"tessera_scratch_{label}_{uuid.uuid4().hex[:8]}"
    server.create_database(name)
    try:
        yield name
    finally:
        server.drop_database(name)


def run_engine(server: Server, dbname: str, plan: Plan, registry: str, command: str, to: str | None = None) -> None:
    """Deploy or revert one database quietly; closing the connection releases Sqitch's advisory lock."""
    with server.connect(dbname, autocommit=True) as conn:
        getattr(Engine(plan, conn, registry, say=lambda _: None), command)(to=to)


def apply_declarative(server: Server, dbname: str, files: list[Path]) -> None:
    """Run db/functions then db/policies, in one transaction; they must be re-runnable (CREATE OR REPLACE …)."""
    import psycopg

    with server.connect(dbname) as conn:
        for path in files:
            text = path.read_text(encoding="utf-8")
            statements(text, path)  # refuses psql meta-commands with a clear line
            try:
                conn.execute(text)
            except psycopg.Error as exc:
                pos = exc.diag.statement_position
                line = f" line {text.count(chr(10), 0, int(pos) - 1) + 1}" if pos else ""
                first = (exc.diag.message_primary or str(exc)).strip()
                raise Refusal(f"{path.relative_to(path.parents[2])}{line}: {first}; fix the declarative file") from None
        conn.commit()


def declared_function_files(files: list[Path]) -> dict[str, Path]:
    """Schema-qualified names of the functions the declarative files create, each with the first file creating it."""
    found: dict[str, Path] = {}
    pattern = re.compile(r"\bcreate\s+(?:or\s+replace\s+)?(?:function|procedure)\s+([\w\"]+)\.([\w\"]+)\s*\(",
                         re.I)
    for path in files:
        for m in pattern.finditer(path.read_text(encoding="utf-8")):
            found.setdefault(f"{m.group(1).strip(chr(34))}.{m.group(2).strip(chr(34))}".lower(), path)
    return found


def declared_functions(files: list[Path]) -> set[str]:
    """Schema-qualified names of the functions the declarative files create."""
    return set(declared_function_files(files))


def pg_tool(tool: str) -> str:
    try:
        return str(find_bindir() / tool)
    except Refusal:
        if found := shutil.which(tool):
            return found
        raise


def schema_dump(server: Server, dbname: str, registry: str = "sqitch") -> str:
    """`pg_dump --schema-only` without the registry, comments, blank lines or pg_dump's random \\restrict keys."""
    proc = subprocess.run(
        [pg_tool("pg_dump"), "--schema-only", "--no-tablespaces", f"--exclude-schema={registry}",
         "-d", server.conninfo(dbname)],
        capture_output=True, text=True, env={**os.environ, "PGCONNECT_TIMEOUT": "10"},
    )
    if proc.returncode != 0:
        raise Refusal(f"pg_dump failed: {proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else '?'}")
    keep: list[str] = []
    grants: list[str] = []
    for line in proc.stdout.splitlines():
        if not line.strip() or line.startswith("--") or line.startswith(("\\restrict", "\\unrestrict")):
            continue
        # An ACL is a set: pg_dump lists its grants in the order they were made, which says nothing.
        if line.startswith("GRANT "):
            grants.append(line)
            continue
        keep.extend(sorted(grants))
        grants = []
        keep.append(line)
    keep.extend(sorted(grants))
    return "\n".join(keep) + "\n"


def dump_diff(left: str, right: str, left_name: str, right_name: str, limit: int = 40) -> str:
    import difflib

    lines = list(difflib.unified_diff(left.splitlines(), right.splitlines(), left_name, right_name, lineterm="", n=1))
    more = f"\n… {len(lines) - limit} more lines" if len(lines) > limit else ""
    return "\n".join(lines[:limit]) + more


def sqlalchemy_url(conninfo: str) -> str:
    """migra wants SQLAlchemy URLs; psycopg 3 is SQLAlchemy 2.1's default PostgreSQL driver."""
    from sqlalchemy.engine import URL

    d = conninfo_to_dict(conninfo)
    query = {}
    host = d.get("host")
    if host and host.startswith("/"):
        query["host"] = host
        host = None
    for key in ("sslmode", "sslrootcert", "options"):
        if key in d:
            query[key] = d[key]
    url = URL.create(
        "postgresql+psycopg", username=d.get("user"), password=d.get("password"), host=host,
        port=int(d["port"]) if d.get("port") and not query.get("host") else None, database=d.get("dbname"),
        query=query,
    )
    if query.get("host") and d.get("port"):
        url = url.update_query_dict({"port": d["port"]})
    return url.render_as_string(hide_password=False)
