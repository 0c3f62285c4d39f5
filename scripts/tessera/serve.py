"""`tessera serve`: the HTTP API under uvicorn, against the same database the other commands use."""

from __future__ import annotations

import os

from tessera.errors import Refusal
from tessera.project import Project
from tessera.server import current_server


def run(project: Project, host: str, port: int) -> int:
    import uvicorn

    if not os.environ.get("TESSERA_DATABASE_URL"):
        server = current_server(project)
        os.environ["TESSERA_DATABASE_URL"] = server.cluster.url() if server.cluster else server.base
    if not 0 < port < 65536:
        raise Refusal(f"port {port} is out of range; pass --port between 1 and 65535")
    print(f"Tessera API on http://{host}:{port} (health: http://{host}:{port}/health)", flush=True)
    try:
        uvicorn.run("api.app:create_app", factory=True, host=host, port=port, log_level="warning")
    except SystemExit as exc:  # uvicorn exits when it cannot bind
        raise Refusal(f"cannot serve on {host}:{port} (in use?); pass another --port") from exc
    return 0
