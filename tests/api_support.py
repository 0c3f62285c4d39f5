"""Running the real service for the HTTP tests: `tessera serve` in a subprocess on a free port, against a test
database of its own, logging in as `authenticator` over the unix socket, with a known JWT secret.

Also a unix-socket forwarder standing between the service and PostgreSQL, which a test can cut and restore to
play "the database went away" without touching the shared test server.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from tessera.serve import launch
from tessera.tokens import mint

from tests.helpers import ROOT, stop

SECRET = "a-test-secret-that-is-long-enough-for-hs256"
FIXTURES = Path(__file__).with_name("rpc_fixtures.sql")
OWNER = "00000000-0000-4000-8000-00000000a001"
STAFF = "00000000-0000-4000-8000-00000000a002"


def token(role: str = "authenticated", sub: str | None = None, **claims) -> str:
    return mint(SECRET, role, sub=sub, extra=claims or None)


@dataclass
class Api:
    url: str
    log: Path
    proc: subprocess.Popen

    def rpc(self, name: str, body: object = None, *, method: str = "POST", prefix: str = "/rest/v1", **kw):
        return httpx.request(method, f"{self.url}{prefix}/rpc/{name}", json=body, timeout=30, **kw)

    def logged(self) -> str:
        return self.log.read_text()


def login_conninfo(admin_conninfo: str, host: str | None = None, port: str | None = None) -> str:
    """The same database, as the login role PostgREST uses (trust on the unix socket)."""
    parts = conninfo_to_dict(admin_conninfo)
    return make_conninfo("", host=host or parts["host"], port=port or parts["port"], dbname=parts["dbname"],
                         user="authenticator")


@contextlib.contextmanager
def serve(conninfo: str, tmp: Path, **settings: str) -> Iterator[Api]:
    """`tessera serve` with TESSERA_* settings (names without the prefix), ready once its schema cache has loaded."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TESSERA_")}
    env |= {"TESSERA_DATABASE_URL": conninfo, "TESSERA_JWT_SECRET": SECRET, "TESSERA_SCHEMAS": "api,rpc_test",
            "TESSERA_RATE_LIMIT": "0", "TESSERA_POOL_TIMEOUT": "3"}
    env |= {f"TESSERA_{k.upper()}": str(v) for k, v in settings.items()}
    log = tmp / f"api-{uuid.uuid4().hex[:8]}.log"
    # Ready once the schema cache has loaded (the OpenAPI document is 503 until then), so tests do not race it.
    proc, url = launch(env, log, "/rest/v1/", cwd=ROOT)
    try:
        yield Api(url, log, proc)
    finally:
        stop(proc)


class SocketForwarder:
    """A unix socket that forwards to PostgreSQL's; `cut()` drops every connection and refuses new ones,
    `restore()` accepts again. The service connects to host=<folder>, port=<same port>."""

    def __init__(self, target_dir: str, port: str, folder: Path):
        self.target = os.path.join(target_dir, f".s.PGSQL.{port}")
        self.folder, self.port = folder, port
        self.path = str(folder / f".s.PGSQL.{port}")
        self.loop = asyncio.new_event_loop()
        self.server: asyncio.AbstractServer | None = None
        self.writers: set[asyncio.StreamWriter] = set()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.restore()

    def _do(self, coro):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(10)

    async def _pipe(self, reader, writer):
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    async def _client(self, reader, writer):
        try:
            up_reader, up_writer = await asyncio.open_unix_connection(self.target)
        except OSError:
            writer.close()
            return
        self.writers |= {writer, up_writer}
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))

    async def _start(self):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)
        self.server = await asyncio.start_unix_server(self._client, path=self.path)

    async def _stop(self):
        if self.server:
            self.server.close()
            self.server = None
        for writer in list(self.writers):
            writer.transport.abort()
        self.writers.clear()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)

    def cut(self) -> None:
        self._do(self._stop())

    def restore(self) -> None:
        self._do(self._start())

    def close(self) -> None:
        self.cut()
        self.loop.call_soon_threadsafe(self.loop.stop)


def unique(label: str) -> str:
    return f"{label}-{uuid.uuid4().hex[:8]}"
