"""`tessera bench soak`: steady RPC load through the proxy for a while, printed as JSON with the service's memory at
the start and at the end, the requests sent and the errors seen.

The service is `tessera serve` on 127.0.0.1 (a free port), started and stopped here. A few keep-alive connections
send at a fixed, bounded rate (--rate requests per second in all), cycling through calls that need no data: whoami
as anon and as a signed-in user, and check_availability over a week as its staff when the database has an experience
to ask about (a demo or scale seed). The service's resident memory (VmRSS of the process and its workers) is
sampled throughout; `rss_kib_start` is taken once a warm-up (a tenth of the run, at most 10 s) has filled the
caches, so what the run shows is growth under steady load, not start-up. Any answer but 200, and any connection
that fails, is an error; the command fails after printing when there was one.
"""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
import time
import urllib.parse
from datetime import date, timedelta
from pathlib import Path

import psycopg

from tessera.bench import percentile
from tessera.bench_http import request_bytes
from tessera.bench_rpc import _target
from tessera.errors import Refusal
from tessera.project import Project
from tessera.serve import launch, service_environment
from tessera.server import current_server
from tessera.tokens import mint

CONNECTIONS = 4
SOAK_USER = "00000000-0000-4000-8000-00000000501a"


def rss_kib(pid: int) -> int:
    """Resident memory of the process and its direct children (uvicorn's workers), in KiB."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if stat.parent.name != str(pid) and fields[1] != str(pid):
                continue
            status = (stat.parent / "status").read_text()
        except OSError:  # ended meanwhile
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total


def _calls(project: Project, url: str, secret: str) -> list[bytes]:
    signed = {"Authorization": f"Bearer {mint(secret, 'authenticated', sub=SOAK_USER, ttl=86400)}"}
    json_type = {"Content-Type": "application/json"}
    calls = [request_bytes(url, "/rest/v1/rpc/whoami", b"{}", json_type),
             request_bytes(url, "/rest/v1/rpc/whoami", b"{}", {**json_type, **signed})]
    try:
        with current_server(project).connect() as conn:  # as the owner: the login role reads no tables
            experience, staff = _target(conn)
    except (psycopg.Error, Refusal):
        return calls  # no data: whoami alone
    start = date.today() + timedelta(days=1)
    body = json.dumps({"experience_id": experience, "from_date": start.isoformat(),
                       "to_date": (start + timedelta(days=6)).isoformat(), "party_size": 4}).encode()
    staff_token = {"Authorization": f"Bearer {mint(secret, 'authenticated', sub=staff, ttl=86400)}"}
    calls.append(request_bytes(url, "/rest/v1/rpc/check_availability", body, {**json_type, **staff_token}))
    return calls


async def _drive(url: str, calls: list[bytes], seconds: float, rate: float, pid: int, warmup: float) -> dict:
    parts = urllib.parse.urlsplit(url)
    began = time.monotonic()
    deadline = began + seconds
    interval = CONNECTIONS / rate  # each connection's share of the rate
    counts = {"requests": 0, "errors": 0}
    statuses: dict[str, int] = {}
    latencies: list[float] = []
    samples: list[tuple[float, int]] = []
    first_errors: list[str] = []

    def error(text: str) -> None:
        counts["errors"] += 1
        if len(first_errors) < 5:
            first_errors.append(text)

    async def connection(k: int) -> None:
        reader = writer = None
        next_at = began + k * interval / CONNECTIONS
        n = k
        while True:
            now = time.monotonic()
            if next_at >= deadline:
                break
            if next_at > now:
                await asyncio.sleep(next_at - now)
            next_at += interval  # a fixed schedule: a slow answer does not raise the rate after it
            payload = calls[n % len(calls)]
            n += 1
            counts["requests"] += 1
            sent = time.perf_counter()
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
                writer.write(payload)
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
                status = int(head[9:12])
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                body = await asyncio.wait_for(reader.readexactly(length), 30)
            except (TimeoutError, OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as exc:
                error(f"connection: {type(exc).__name__}")
                if writer is not None:
                    writer.close()
                reader = writer = None
                continue
            latencies.append((time.perf_counter() - sent) * 1000)
            statuses[str(status)] = statuses.get(str(status), 0) + 1
            if status != 200:
                error(f"HTTP {status}: {body[:200].decode('utf-8', 'replace')}")
        if writer is not None:
            writer.close()

    async def sampler() -> None:
        every = max(0.5, min(30.0, seconds / 20))
        while time.monotonic() < deadline:
            samples.append((round(time.monotonic() - began, 1), rss_kib(pid)))
            await asyncio.sleep(min(every, max(0.0, deadline - time.monotonic())) or 0.01)

    await asyncio.gather(sampler(), *(connection(k) for k in range(CONNECTIONS)))
    elapsed = time.monotonic() - began
    end = rss_kib(pid)
    warm = [kib for t, kib in samples if t >= warmup] or [samples[-1][1] if samples else end]
    start = warm[0]
    return {"requests": counts["requests"], "errors": counts["errors"], "statuses": statuses,
            "first_errors": first_errors, "achieved_rate": round(counts["requests"] / elapsed, 1),
            "p50_ms": round(percentile(latencies, 50), 3) if latencies else None,
            "p99_ms": round(percentile(latencies, 99), 3) if latencies else None,
            "rss_kib_start": start, "rss_kib_end": end, "rss_kib_max": max([end, *warm]),
            "rss_growth_kib": end - start, "rss_growth_percent": round(100 * (end - start) / max(start, 1), 2),
            "rss_samples": [list(s) for s in samples]}


def soak(project: Project, seconds: float, rate: float, workers: int = 1) -> int:
    env = service_environment(project)
    secret = os.environ.get("TESSERA_JWT_SECRET") or env["TESSERA_JWT_SECRET"]
    with tempfile.TemporaryDirectory() as tmp:
        service, url = launch({**os.environ, **env, "TESSERA_HOST": "127.0.0.1", "TESSERA_RATE_LIMIT": "0",
                               "TESSERA_LOG_LEVEL": "warning"}, Path(tmp) / "service.log", "/health/ready", workers)
        try:
            if urllib.parse.urlsplit(url).hostname != "127.0.0.1":
                raise Refusal("the soak drives 127.0.0.1 only")
            calls = _calls(project, url, secret)
            warmup = min(10.0, seconds / 10)
            result = asyncio.run(_drive(url, calls, seconds, rate, service.pid, warmup))
        finally:
            service.terminate()
            service.wait(timeout=20)
    report = {"benchmark": "soak", "seconds": seconds, "rate": rate, "connections": CONNECTIONS, "workers": workers,
              "calls": len(calls), "warmup_seconds": warmup, **result}
    print(json.dumps(report))
    if report["errors"]:
        raise Refusal(f"{report['errors']} error(s) during the soak; see first_errors in the JSON above")
    return 0
