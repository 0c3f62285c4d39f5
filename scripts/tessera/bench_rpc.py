"""`tessera bench rpc`: what the proxy costs, measured in one run, printed as JSON.

The same two calls (api.whoami, trivial; api.check_availability over a week, real work) are driven three ways at
concurrency 1, 8 and 32:
  pgbench  the very statements the proxy sends (the settings, then the call, which reads the response settings),
           prepared, in one pipeline with one Sync, as the login role, from a C client;
  direct   the same statements pipelined by psycopg's async pool, from this process (the floor for Python);
  proxy    HTTP POSTs through `tessera serve`, driven by wrk (a C load generator).
Each row has requests/s and p50/p99 latency; ratios compare the proxy with the other two, and `p50_overhead_ms`
is what the proxy adds to a direct call's median. The proxy's rows also give `service_cpu_us_per_request`, the
service's own CPU time per request, which holds steadier than throughput when the machine's speed swings.
`targets` sets the trivial call's figures against the targets.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import psycopg
from psycopg_pool import AsyncConnectionPool

from tessera.bench import percentile
from tessera.errors import Refusal
from tessera.project import Project
from tessera.serve import launch, service_environment
from tessera.server import current_server
from tessera.tokens import mint

CONCURRENCY = (1, 8, 32)
PGBENCH = "/usr/lib/postgresql/15/bin/pgbench"


def _target(conn: psycopg.Connection) -> tuple[str, str]:
    """(experience, staff user): the private session with the most bookings and someone who works there."""
    row = conn.execute("""
        SELECT e.id::text, m.user_id::text
          FROM app.experiences e
          JOIN app.memberships m ON m.org_id = e.org_id
         WHERE e.kind = 'private_session' AND e.active
         ORDER BY (SELECT count(*) FROM app.bookings b WHERE b.org_id = e.org_id AND b.experience_id = e.id) DESC,
                  e.id, m.user_id
         LIMIT 1""").fetchone()
    if row is None:
        raise Refusal("no experience to ask about; run `tessera seed --demo` or `tessera seed --scale N` first")
    return row


class Workload:
    """One call as the proxy runs it: the very transaction it prepares, and the HTTP request behind it."""

    def __init__(self, name: str, function: str, body: dict, token: str, role: str, prepared, connections):
        self.name, self.function, self.body, self.token, self.role = name, function, body, token, role
        self.prepared, self.connections = prepared, connections

    def script(self) -> str:
        """The same statements with their values inlined, in one pipeline (one Sync, so one round trip and one
        transaction), for pgbench -M prepared."""
        from api.rpc import literal

        lines = ["\\startpipeline"]
        for text, params in self.prepared.statements():
            for index in range(len(params), 0, -1):  # $10 before $1
                text = text.replace(f"${index}", literal(params[index - 1].decode()))
            lines.append(text + ";")
        return "\n".join([*lines, "\\endpipeline"]) + "\n"


def _workloads(project: Project, conninfo: str, secret: str) -> list[Workload]:
    from api.auth import caller
    from api.config import Config
    from api.rpc import Call, Pipeline
    from api.state import State

    config = Config(database_url=conninfo, jwt_secret=secret, rate_limit=0)
    state = State(config)  # never started: its pool stays closed

    async def load():
        async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as conn:
            await state.cache.load(conn)
    asyncio.run(load())
    pipeline = Pipeline(config, state)  # only to prepare the transactions the proxy would send
    with current_server(project).connect() as conn:  # as the owner: the login role reads no tables
        experience, staff = _target(conn)
    token = mint(secret, "authenticated", sub=staff, ttl=3600)
    start = date.today() + timedelta(days=1)
    out = []
    for name, function, body in (
        ("trivial", "whoami", {}),
        ("availability", "check_availability",
         {"experience_id": experience, "from_date": start.isoformat(),
          "to_date": (start + timedelta(days=6)).isoformat(), "party_size": 4}),
    ):
        headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}
        call = Call("POST", function, headers, [], json.dumps(body).encode(), "127.0.0.1")
        who = caller(headers, config)
        out.append(Workload(name, function, body, token, who.role, pipeline.prepare(call, who), pipeline.connections))
    return out


# -- the three drivers -----------------------------------------------------------------------------------------------
def run_pgbench(conninfo: str, work: Workload, clients: int, seconds: float) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "call.sql"
        script.write_text(work.script())
        # pgbench parses a pipeline's statements before running any, so the call's Parse cannot wait for the
        # settings' role switch as the proxy's does: the session starts in that role instead.
        env = {**os.environ, **_libpq_env(conninfo), "PGOPTIONS": f"-c role={work.role}"}
        proc = subprocess.run([PGBENCH, "-n", "-M", "prepared", "-c", str(clients), "-j", str(min(clients, 2)),
                               "-T", str(max(1, round(seconds))), "-f", str(script), "-l",
                               "--log-prefix", str(Path(tmp) / "log")],
                              capture_output=True, text=True, env=env, cwd=tmp)
        if proc.returncode != 0:
            raise Refusal(f"pgbench failed: {(proc.stderr.strip().splitlines() or ['?'])[-1]}")
        latencies = []
        for log in Path(tmp).glob("log*"):
            for line in log.read_text().splitlines():
                latencies.append(int(line.split()[2]) / 1000)
        tps = float(re.search(r"tps = ([0-9.]+)", proc.stdout).group(1))
    return _row(tps, latencies)


def run_direct(conninfo: str, work: Workload, clients: int, seconds: float, pool_size: int) -> dict:
    from api.rpc.wire import CONNECTION

    async def main():
        async with AsyncConnectionPool(conninfo, min_size=pool_size, max_size=pool_size, kwargs=CONNECTION) as pool:
            await pool.wait()
            latencies: list[float] = []
            deadline = time.perf_counter() + seconds

            async def client():
                while time.perf_counter() < deadline:
                    began = time.perf_counter()
                    async with pool.connection() as conn:
                        await work.connections.run(conn, work.prepared)
                    latencies.append((time.perf_counter() - began) * 1000)

            began = time.perf_counter()
            await asyncio.gather(*(client() for _ in range(clients)))
            return len(latencies) / (time.perf_counter() - began), latencies

    rps, latencies = asyncio.run(main())
    return _row(rps, latencies)


_WRK_LUA = """
wrk.method = "POST"
wrk.body = {body}
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer {token}"
"""


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system) the service has used so far: the process and its worker processes. Steadier than
    requests per second on a machine whose speed swings, and what a change to the proxy's own code moves."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
        except OSError:  # ended meanwhile
            continue
        if stat.parent.name == str(pid) or fields[1] == str(pid):
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def run_wrk(url: str, work: Workload, clients: int, seconds: float, service_pid: int | None = None) -> dict:
    before = _cpu_seconds(service_pid) if service_pid else 0.0
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "call.lua"
        script.write_text(_WRK_LUA.format(body=json.dumps(json.dumps(work.body)), token=work.token))
        proc = subprocess.run(["wrk", "-t", str(min(clients, 2)), "-c", str(clients),
                               "-d", f"{max(1, round(seconds))}s", "--latency", "-s", str(script),
                               f"{url}/rest/v1/rpc/{work.function}"], capture_output=True, text=True)
    if proc.returncode != 0:
        raise Refusal(f"wrk failed: {(proc.stderr.strip().splitlines() or ['?'])[-1]}")
    if "Non-2xx" in proc.stdout:
        raise Refusal(f"the proxy answered errors during the run: {proc.stdout.strip().splitlines()[-3]}")
    rps = float(re.search(r"Requests/sec:\s+([0-9.]+)", proc.stdout).group(1))
    dist = dict(re.findall(r"^\s+(50|99)%\s+([0-9.]+\w+)", proc.stdout, re.M))
    requests = int(re.search(r"(\d+) requests in", proc.stdout).group(1))
    row = {"requests_per_second": round(rps, 1), "p50_ms": _ms(dist["50"]), "p99_ms": _ms(dist["99"]),
           "requests": requests}
    if service_pid:
        row["service_cpu_us_per_request"] = round((_cpu_seconds(service_pid) - before) * 1e6 / max(requests, 1), 1)
    return row


def _ms(text: str) -> float:
    value, unit = re.match(r"([0-9.]+)(\w+)", text).groups()
    return round(float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit], 3)


def _row(rps: float, latencies: list[float]) -> dict:
    if not latencies:
        raise Refusal("the run completed no calls; is the database answering?")
    return {"requests_per_second": round(rps, 1), "p50_ms": round(percentile(latencies, 50), 3),
            "p99_ms": round(percentile(latencies, 99), 3), "mean_ms": round(statistics.fmean(latencies), 3)}


def _libpq_env(conninfo: str) -> dict[str, str]:
    from psycopg.conninfo import conninfo_to_dict

    names = {"host": "PGHOST", "port": "PGPORT", "user": "PGUSER", "dbname": "PGDATABASE", "password": "PGPASSWORD"}
    return {names[k]: str(v) for k, v in conninfo_to_dict(conninfo).items() if k in names}


def rpc(project: Project, seconds: float, workers: int, pool_size: int,
        concurrency: tuple[int, ...] = CONCURRENCY) -> int:
    if shutil.which("wrk") is None:
        raise Refusal("wrk is not installed; install it (Debian: apt-get install wrk) and run again")
    if not Path(PGBENCH).exists():
        raise Refusal(f"pgbench is not at {PGBENCH}; install postgresql-15 (it ships pgbench)")
    env = service_environment(project)
    login = os.environ.get("TESSERA_DATABASE_URL") or env["TESSERA_DATABASE_URL"]
    secret = os.environ.get("TESSERA_JWT_SECRET") or env["TESSERA_JWT_SECRET"]
    workloads = _workloads(project, login, secret)
    report: dict = {"benchmark": "rpc", "seconds_per_run": seconds, "proxy_workers": workers, "pool_size": pool_size,
                    "cores": os.cpu_count(), "calls": {}}
    with tempfile.TemporaryDirectory() as tmp:
        service, url = launch({**os.environ, **env, "TESSERA_RATE_LIMIT": "0", "TESSERA_POOL_SIZE": str(pool_size),
                               "TESSERA_LOG_LEVEL": "warning"}, Path(tmp) / "service.log", "/health/ready", workers)
        try:
            for work in workloads:
                report["calls"][work.name] = {"function": f"api.{work.function}", "arguments": work.body,
                                              "concurrency": _measure(work, login, url, service.pid, seconds,
                                                                      pool_size, concurrency)}
        finally:
            service.terminate()
            service.wait(timeout=10)
    report["targets"] = targets(report["calls"]["trivial"]["concurrency"])
    print(json.dumps(report))
    return 0


def _measure(work: Workload, login: str, url: str, service_pid: int, seconds: float, pool_size: int,
             concurrency: tuple[int, ...]) -> dict:
    """The three drivers at each level, with the ratios between them."""
    # Warm every path once (plans, prepared statements, the proxy's caches).
    run_direct(login, work, 2, 0.5, pool_size)
    run_wrk(url, work, 2, 1)
    rows = {}
    for clients in concurrency:
        row = rows[str(clients)] = {
            "pgbench": run_pgbench(login, work, clients, seconds),
            "direct": run_direct(login, work, clients, seconds, pool_size),
            "proxy": run_wrk(url, work, clients, seconds, service_pid),
        }
        row["proxy_vs_direct"] = round(row["proxy"]["requests_per_second"] / row["direct"]["requests_per_second"], 3)
        row["proxy_vs_pgbench"] = round(row["proxy"]["requests_per_second"] / row["pgbench"]["requests_per_second"],
                                        3)
        row["p50_overhead_ms"] = round(row["proxy"]["p50_ms"] - row["direct"]["p50_ms"], 3)
    return rows


# What the proxy is held to on a 2-core machine, on the trivial call: throughput at 8 clients (PostgREST publishes
# 1,800-2,200 req/s on 2 vCPUs), and the median it adds to a direct call (reported at every level measured).
MIN_PROXY_RPS_AT_8 = 2000
MAX_P50_OVERHEAD_MS = 1.0


def targets(rows: dict) -> dict:
    """Each target with what this run measured and whether it was met, for the levels that were run."""
    out = {}
    if "8" in rows:
        got = rows["8"]["proxy"]["requests_per_second"]
        out["proxy_requests_per_second_at_8"] = {"want": f">= {MIN_PROXY_RPS_AT_8}", "got": got,
                                                 "met": got >= MIN_PROXY_RPS_AT_8}
    for level, row in rows.items():
        got = row["p50_overhead_ms"]
        out[f"p50_overhead_ms_at_{level}"] = {"want": f"<= {MAX_P50_OVERHEAD_MS}", "got": got,
                                              "met": got <= MAX_P50_OVERHEAD_MS}
    return out
