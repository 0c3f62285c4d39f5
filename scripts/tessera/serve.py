"""`tessera serve`: the HTTP API under uvicorn, against the same database the other commands use.

On the local cluster the service logs in as `authenticator` over the unix socket (the role PostgREST logs in as;
it may become anon, authenticated or service_role and nothing else), and signs with the project's JWT secret, so
the tokens `tessera token` and ./scripts/dev print are accepted. TESSERA_DATABASE_URL and TESSERA_JWT_SECRET
override both; every other setting is a TESSERA_ variable the service reads itself (README, "Configuration").
"""

from __future__ import annotations

import errno
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from psycopg.conninfo import make_conninfo

from tessera.errors import Refusal
from tessera.project import Project
from tessera.server import LOCAL_DATABASE, current_server
from tessera.tokens import jwt_secret


def service_environment(project: Project) -> dict[str, str]:
    """The TESSERA_ variables the service needs, filled in for this project where they are not set."""
    env = {}
    if not os.environ.get("TESSERA_DATABASE_URL"):
        server = current_server(project)
        if server.cluster:
            env["TESSERA_DATABASE_URL"] = make_conninfo(server.cluster.conninfo(LOCAL_DATABASE), user="authenticator")
        else:
            env["TESSERA_DATABASE_URL"] = server.base
    if not os.environ.get("TESSERA_JWT_SECRET"):
        env["TESSERA_JWT_SECRET"] = jwt_secret(project.state_dir)
    return env


DEFAULT_PORT = 8000
# Where `tessera dev` looks when the default port is taken: near it, so the address stays easy to read.
FALLBACK_PORTS = range(DEFAULT_PORT + 1, DEFAULT_PORT + 100)


def bindable(host: str, port: int) -> bool:
    """Whether the service could listen on host:port now (as uvicorn binds: SO_REUSEADDR, so TIME_WAIT is free)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise Refusal(f"cannot listen on {host!r}: {exc.strerror}; pass another --host") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return False
            raise Refusal(f"cannot listen on {host}:{port}: {exc.strerror}; pass another --host or --port") from None
    return True


def choose_port(host: str, asked: int | None) -> int:
    """The port `tessera dev` serves on, settled before anything is deployed.

    A port asked for (--port, TESSERA_PORT) is a promise someone relies on (a frontend's configuration), so when it
    is taken the command refuses; the default taken, the next free port near it is used and said, so a first run
    never stops at a port.
    """
    if asked is not None:
        if not bindable(host, asked):
            raise Refusal(f"port {asked} on {host} is in use; pass another --port (or TESSERA_PORT), "
                          "or stop what listens there")
        return asked
    for port in (DEFAULT_PORT, *FALLBACK_PORTS):
        if bindable(host, port):
            if port != DEFAULT_PORT:
                print(f"port {DEFAULT_PORT} on {host} is in use; serving on {port} instead (--port to choose)")
            return port
    raise Refusal(f"ports {DEFAULT_PORT} to {FALLBACK_PORTS[-1]} on {host} are all in use; pass a free one with "
                  "--port")


def run(project: Project, host: str, port: int, workers: int = 1) -> int:
    import uvicorn

    from api.config import Config, ConfigError

    if not 0 < port < 65536:
        raise Refusal(f"port {port} is out of range; pass --port between 1 and 65535")
    if workers < 1:
        raise Refusal("--workers must be at least 1")
    os.environ.update(service_environment(project))
    try:
        Config.from_env()
    except ConfigError as exc:
        raise Refusal(str(exc)) from None
    if not bindable(host, port):  # say so before announcing an address nothing will answer on
        raise Refusal(f"port {port} on {host} is in use; pass another --port (or TESSERA_PORT)")
    print(f"Tessera API on http://{host}:{port} (RPC: /rest/v1/rpc/<function>, OpenAPI: /rest/v1/, "
          f"health: /health/ready)", flush=True)
    shared = _metrics_dir(workers)
    try:
        # The protocol bounds request heads (api/protocol.py); uvicorn's own bounds none of them.
        uvicorn.run("api.app:create_app", factory=True, host=host, port=port, workers=workers,
                    http="api.protocol:BoundedHttpToolsProtocol", log_level="warning", access_log=False,
                    proxy_headers=False)
    except SystemExit as exc:  # uvicorn exits when it cannot bind
        raise Refusal(f"cannot serve on {host}:{port} (in use?); pass another --port") from exc
    finally:
        if shared is not None:
            shutil.rmtree(shared, ignore_errors=True)
    return 0


def _metrics_dir(workers: int) -> str | None:
    """With metrics on and several processes, prometheus-client's multiprocess mode in a fresh directory (removed
    at exit), so that a scrape, whichever process takes it, sums every process's figures (api/metrics.py). A
    PROMETHEUS_MULTIPROC_DIR set by the operator is theirs: used as it is, never removed."""
    if workers < 2 or not os.environ.get("TESSERA_METRICS_TOKEN") or os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return None
    made = tempfile.mkdtemp(prefix="tessera-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = made
    return made


def launch(env: dict[str, str], log: Path, until: str, workers: int = 1, cwd: Path | None = None,
           timeout: float = 30.0) -> tuple[subprocess.Popen, str]:
    """`tessera serve` in a child process on a free local port with exactly `env`, its output in `log`; returned
    with its base URL once GET `until` answers 200. For the benchmarks and the tests, which drive the real service."""
    import httpx

    from tessera.localdb import free_port

    port = free_port()
    with open(log, "w") as out:
        proc = subprocess.Popen([str(Path(sys.executable).with_name("tessera")), "serve", "--port", str(port),
                                 "--workers", str(workers)], cwd=cwd, env=env, stdout=out,
                                stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(url + until, timeout=1).status_code == 200:
                return proc, url
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            proc.wait()
            last = (log.read_text().strip().splitlines() or ["no output"])[-1][-300:]
            raise Refusal(f"the service did not answer {until} with 200 (output in {log}): {last}")
        time.sleep(0.05)
