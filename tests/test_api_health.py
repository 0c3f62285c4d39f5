"""`tessera serve` runs the API; /health answers while the process is alive."""

from __future__ import annotations

import os
import subprocess
import time

import httpx
import pytest
from tessera.localdb import free_port

from tests.helpers import ROOT, TESSERA, stop


@pytest.fixture(scope="module")
def api_url(pg_server):
    port = free_port()
    env = {**os.environ, "TESSERA_DATABASE_URL": pg_server.conninfo()}
    proc = subprocess.Popen([TESSERA, "serve", "--port", str(port)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(f"{url}/health", timeout=1)
                break
            except httpx.TransportError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"the API did not start: {proc.communicate()[1]}") from None
                time.sleep(0.1)
        yield url
    finally:
        stop(proc)


def test_health_says_ok_with_the_version(api_url):
    response = httpx.get(f"{api_url}/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["version"] != "unknown"


def test_unknown_paths_are_404(api_url):
    assert httpx.get(f"{api_url}/no/such/path").status_code == 404
