"""./scripts/dev settles its port before it deploys anything: a port asked for and taken is refused, the default
taken is replaced by a free one, and the address it prints is the one that answers."""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import time
from collections.abc import Iterator

import httpx
import psycopg
import pytest
from tessera.serve import DEFAULT_PORT

from tests.helpers import ROOT, run_tessera, stop

DEV = str(ROOT / "scripts" / "dev")


@contextlib.contextmanager
def occupied(port: int = 0) -> Iterator[int]:
    """A port something listens on for the duration (when `port` is already held by another process, that too
    is occupied, and it is left alone)."""
    with socket.socket() as holder:
        try:
            holder.bind(("127.0.0.1", port))
            holder.listen()
        except OSError:
            if port == 0:
                raise
        yield holder.getsockname()[1] if port == 0 else port


def deployed_anything(conninfo: str) -> bool:
    with psycopg.connect(conninfo) as conn:
        return conn.execute("SELECT to_regnamespace('sqitch') IS NOT NULL").fetchone()[0]


@pytest.mark.parametrize("how", ["--port", "TESSERA_PORT"])
def test_a_port_asked_for_and_taken_is_refused_before_anything_is_deployed(how, empty_db):
    with occupied() as port:
        args, env = ([DEV, "--port", str(port)], {}) if how == "--port" else ([DEV], {"TESSERA_PORT": str(port)})
        run = subprocess.run(args, capture_output=True, text=True, timeout=120,
                             env={**os.environ, "DATABASE_URL": empty_db, **env})
    assert run.returncode == 2, run
    assert run.stderr == (f"tessera: port {port} on 127.0.0.1 is in use; pass another --port (or TESSERA_PORT), "
                          "or stop what listens there\n")
    assert run.stdout == ""
    assert not deployed_anything(empty_db), "nothing was deployed before the port was settled"


def test_the_default_port_taken_dev_serves_on_a_free_one_and_prints_it(tessera_databases, pg_server, tmp_path):
    conninfo = pg_server.conninfo(tessera_databases.clone("dev_port"))
    log = tmp_path / "dev.log"
    with occupied(DEFAULT_PORT), open(log, "w") as out:
        env = {k: v for k, v in os.environ.items() if k not in ("TESSERA_PORT", "TESSERA_HOST")}
        proc = subprocess.Popen([DEV], stdout=out, stderr=subprocess.STDOUT, text=True,
                                env={**env, "DATABASE_URL": conninfo})
        try:
            deadline = time.monotonic() + 180
            while not (m := re.search(r"Tessera API on http://127\.0\.0\.1:(\d+)", log.read_text())):
                assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
            port = int(m.group(1))
            assert port != DEFAULT_PORT
            assert f"port {DEFAULT_PORT} on 127.0.0.1 is in use; serving on {port} instead" in log.read_text()
            while True:
                with contextlib.suppress(httpx.TransportError):
                    if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                        break
                assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
                time.sleep(0.1)
        finally:
            stop(proc)


def test_serve_on_a_taken_port_says_so_without_announcing_an_address(test_db, pg_server):
    with occupied() as port:
        run = run_tessera("serve", "--port", str(port), cwd=ROOT, env={"DATABASE_URL": pg_server.conninfo(test_db)})
    assert run.code == 2 and run.out == "", run
    assert run.err == f"tessera: port {port} on 127.0.0.1 is in use; pass another --port (or TESSERA_PORT)\n"
