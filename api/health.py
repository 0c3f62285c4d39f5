"""GET /health: the process is alive. GET /health/ready: it can serve, meaning the database answers and every
change of the plan is deployed (otherwise the changes still pending are listed, with 503)."""

from __future__ import annotations

import asyncio
import functools
import re
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import msgspec
import psycopg
from litestar import Request, Response, get
from psycopg_pool import PoolTimeout

from api.config import Config


class Health(msgspec.Struct):
    status: str
    version: str


class Readiness(msgspec.Struct):
    status: str  # ready | not_ready
    database: str  # up | down
    schema_cache: str  # loaded | loading
    pending_changes: list[str] | None  # None when there is no plan to compare with
    reason: str | None = None


class WithReplica(Readiness, kw_only=True):
    """With TESSERA_READ_DATABASE_URL (README: "Read replica"); an away replica never makes the service not ready."""
    replica: str  # up | away


@functools.cache
def _version() -> str:
    try:
        return version("tessera")
    except PackageNotFoundError:
        return "unknown"


@get("/health", sync_to_thread=False)
def health() -> Health:
    return Health(status="ok", version=_version())


def _planned(config: Config) -> tuple[str, list[tuple[str, str]]] | None:
    """(project, [(change id, name)]) of the plan the service was deployed from, when it has one."""
    if config.plan_file is None or not config.plan_file.exists():
        return None
    return _read_plan(config.plan_file, config.plan_file.stat().st_mtime_ns)


@functools.lru_cache(maxsize=4)
def _read_plan(path: Path, _mtime_ns: int) -> tuple[str, list[tuple[str, str]]]:
    """Parsed once per version of the file: readiness probes come every few seconds."""
    from tessera.sqitch.plan import ScriptDirs, read_plan  # the plan parser only, not the CLI

    plan = read_plan(path, ScriptDirs(path.parent, path.parent, path.parent), check_files=False)
    return plan.project, [(c.id, c.name) for c in plan.changes]


# What to do about the errors a deployment can cause.
_ADVICE = {"42501": "; grant the login role USAGE on schema private and EXECUTE on private.deployed_changes "
                    "(the service_readiness change does, for authenticator)"}


def _condition(exc: psycopg.Error) -> str:
    """PostgreSQL's condition name for the error (InsufficientPrivilege → insufficient_privilege)."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", type(exc).__name__).lower()


def _down(service) -> Response:
    state = Readiness("not_ready", "down", "loaded" if service.state.cache.loaded else "loading", None,
                      "the database does not answer")
    return Response(state, status_code=503)


@get("/health/ready")
async def ready(request: Request) -> Response:
    service = request.app.state.service
    config: Config = service.config
    planned = _planned(config)
    pending: list[str] | None = None
    try:  # bounded as a whole: a hung database makes the probe say "down", never hang
        async with asyncio.timeout(min(2.0, config.pool_timeout) + 3.0), \
                service.state.pool.connection(timeout=min(2.0, config.pool_timeout)) as conn:
            deployed: set[str] = set()
            if planned is not None:
                rows = await (await conn.execute("SELECT private.deployed_changes(%s, %s)",
                                                 (config.registry, planned[0]))).fetchall()
                deployed = {r[0] for r in rows}
    except psycopg.errors.UndefinedFunction:
        deployed = set()  # not even the change that brings this function is deployed
    except psycopg.Error as exc:
        if exc.sqlstate is None:  # no answer from the server: the connection failed
            return _down(service)
        # The database answered with an error: say which (its SQLSTATE and condition, never its message, which
        # can name objects and values), so a missing grant is not mistaken for an outage.
        state = Readiness("not_ready", "up", "loaded" if service.state.cache.loaded else "loading", None,
                          f"reading the deployed changes (private.deployed_changes) failed: {exc.sqlstate} "
                          f"{_condition(exc)}{_ADVICE.get(exc.sqlstate, '')}")
        return Response(state, status_code=503)
    except (PoolTimeout, OSError, TimeoutError):
        return _down(service)
    if planned is not None:
        pending = [name for change_id, name in planned[1] if change_id not in deployed]
    reasons = []
    if pending:
        reasons.append(f"{len(pending)} change(s) of the plan are not deployed; run `tessera db deploy`")
    if not service.state.cache.loaded:
        reasons.append("the schema cache is still loading")
    state = Readiness("not_ready" if reasons else "ready", "up", "loaded" if service.state.cache.loaded else "loading",
                      pending, "; ".join(reasons) or None)
    if (replica := service.state.replica) is not None:  # reads fall back to the primary: not a reason to 503
        state = WithReplica(*msgspec.structs.astuple(state), replica="up" if replica.up else "away")
    return Response(state, status_code=503 if reasons else 200)
