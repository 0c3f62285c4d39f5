"""The PostgreSQL server every command talks to: DATABASE_URL when set, otherwise the embedded local cluster."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from tessera.errors import Refusal
from tessera.localdb import Cluster, wait_until_ready
from tessera.project import Project

LOCAL_DATABASE = "tessera"


def redact(conninfo: str) -> str:
    """A conninfo or URL fit for a message: never the password."""
    return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", re.sub(r"password=\S+", "password=***", conninfo))


def connect_failure(exc: Exception) -> str:
    """libpq's cause, in one line: its first line ends in the cause ("…failed: Connection refused"); the lines
    after it are hints that name no cause."""
    first = (str(exc).strip().splitlines() or ["connection failed"])[0]
    return " ".join(first.rsplit("failed: ", 1)[-1].split())


@dataclass
class Server:
    base: str  # conninfo of the main database
    cluster: Cluster | None = None

    @property
    def dbname(self) -> str:
        return conninfo_to_dict(self.base).get("dbname") or os.environ.get("PGDATABASE") or "postgres"

    def conninfo(self, dbname: str | None = None) -> str:
        return make_conninfo(self.base, dbname=dbname) if dbname else self.base

    def connect(self, dbname: str | None = None, **kwargs) -> psycopg.Connection:
        try:
            return psycopg.connect(self.conninfo(dbname), connect_timeout=10, **kwargs)
        except psycopg.OperationalError as exc:
            reason = connect_failure(exc)
            where = "the local cluster (tessera db status)" if self.cluster else redact(self.conninfo(dbname))
            raise Refusal(f"cannot connect to {where}: {reason}; check the server and DATABASE_URL") from None

    @contextmanager
    def maintenance(self) -> Iterator[psycopg.Connection]:
        """An autocommit connection for CREATE/DROP DATABASE (to the `postgres` database when it exists)."""
        try:
            conn = psycopg.connect(self.conninfo("postgres"), autocommit=True, connect_timeout=10)
        except psycopg.OperationalError:
            conn = self.connect(autocommit=True)
        with conn:
            yield conn

    def database_exists(self, name: str) -> bool:
        with self.maintenance() as conn:
            return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None

    def create_database(self, name: str, template: str | None = None) -> None:
        stmt = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            stmt += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        with self.maintenance() as conn:
            conn.execute(stmt)

    def drop_database(self, name: str) -> None:
        with self.maintenance() as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def current_server(project: Project, start: bool = True, for_tests: bool = False) -> Server:
    """DATABASE_URL's server, or this checkout's local cluster (`for_tests`: the test suite's fast one), started
    and holding the `tessera` database."""
    if url := os.environ.get("DATABASE_URL"):
        try:
            conninfo_to_dict(url)
        except psycopg.ProgrammingError:
            raise Refusal(f"DATABASE_URL is not a valid PostgreSQL URL: {redact(url)}") from None
        return Server(url)
    cluster = Cluster.for_checkout(project.root, fast=for_tests)
    if start:
        cluster.start()
        wait_until_ready(cluster.conninfo())
    server = Server(cluster.conninfo(LOCAL_DATABASE), cluster)
    if start and not server.database_exists(LOCAL_DATABASE):
        server.create_database(LOCAL_DATABASE)
    return server
