"""GET /metrics: the service's figures in Prometheus' text format (prometheus-client), behind its own bearer token.

Off unless TESSERA_METRICS_TOKEN is set; then only `Authorization: Bearer <that token>` is answered, and a missing or
wrong token gets the very 404 a path that does not exist gets, so a scanner learns nothing (README: "Operating it").

Labels are bounded and never carry what a client sent: the route is its template (`/rest/v1/rpc/{function}`), the
function is its name only when the schema cache knows it in an exposed schema (else `unknown`; `none` off the RPC
routes), the method one of GET/POST/HEAD/OPTIONS (else `other`), the webhook provider `stripe`/`moyasar` (else
`unknown`) and its outcome one of a fixed few.

Several server processes (`tessera serve --workers N`): each process counts its own requests, and a scrape lands on
one process, so `tessera serve` runs prometheus-client's multiprocess mode when N > 1 (PROMETHEUS_MULTIPROC_DIR, a
fresh directory it makes and removes): every process writes its figures to files there and a scrape sums them all.
Gauges sum over live processes (pool size, available, waiting) or take the lowest (database up). The process
collector (RSS, CPU) exists in single-process mode only, as prometheus-client allows.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import os
import time

from litestar import asgi
from litestar.types import Receive, Scope, Send
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    ProcessCollector,
    generate_latest,
    multiprocess,
)

from api.config import Config
from api.errors import ApiError

# Seconds: from a cached call's fraction of a millisecond to the database timeout's 10 s.
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
METHODS = frozenset({"GET", "POST", "HEAD", "OPTIONS"})
STATIC_ROUTES = frozenset({"/", "/rest/v1/", "/health", "/health/ready", "/payments/checkout", "/templates/preview",
                           "/unsubscribe", "/metrics"})
TEMPLATES = (("/rest/v1/rpc/", "/rest/v1/rpc/{function}"), ("/rpc/", "/rpc/{function}"),
             ("/webhooks/", "/webhooks/{provider}"), ("/tickets/", "/tickets/{ticket}"))
PROVIDERS = frozenset({"stripe", "moyasar"})
REFRESH_SECONDS = 1.0


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def route_of(path: str) -> str:
    if path in STATIC_ROUTES:
        return path
    for prefix, template in TEMPLATES:
        if path.startswith(prefix):
            return template
    return "unmatched"


def webhook_outcome(status: int, answer: dict | None) -> str:
    """applied | duplicate | ignored (the database's answer), refused (400: signature or body), rejected (another
    4xx), error (5xx)."""
    if status == 200 and answer is not None:
        return "duplicate" if answer.get("duplicate") else "ignored" if answer.get("ignored") else "applied"
    if status == 400:
        return "refused"
    return "error" if status >= 500 else "rejected"


class Metrics:
    """One process's metrics, in a registry of its own (single-process mode) or in the shared files
    (multiprocess mode)."""

    def __init__(self, config: Config, state):
        self.config, self.state = config, state
        self.shared = multiprocess_dir() is not None
        self.registry = CollectorRegistry()
        own = None if self.shared else self.registry  # multiprocess: the files are the registry
        if not self.shared:
            ProcessCollector(registry=self.registry)
        self.requests = Counter("tessera_http_requests", "HTTP requests answered, by route template, method, status "
                                "and RPC function", ("route", "method", "status", "function"), registry=own)
        self.latency = Histogram("tessera_http_request_duration_seconds", "Seconds from a request's arrival to its "
                                 "answer, by route template and RPC function", ("route", "function"),
                                 buckets=BUCKETS, registry=own)
        self.webhooks = Counter("tessera_webhooks", "Incoming payment webhooks, by provider and outcome",
                                ("provider", "outcome"), registry=own)
        self.pool_size = Gauge("tessera_pool_size", "Connections the pool holds now", registry=own,
                               multiprocess_mode="livesum")
        self.pool_available = Gauge("tessera_pool_available", "Idle connections in the pool", registry=own,
                                    multiprocess_mode="livesum")
        self.pool_waiting = Gauge("tessera_pool_waiting", "Requests waiting for a connection", registry=own,
                                  multiprocess_mode="livesum")
        self.pool_max = Gauge("tessera_pool_max_size", "The pool's configured size (TESSERA_POOL_SIZE)",
                              registry=own, multiprocess_mode="livesum")
        self.database_up = Gauge("tessera_database_up", "1 while the database answers, 0 while it is known to be "
                                 "away", registry=own, multiprocess_mode="livemin")
        self.schema_loaded = Gauge("tessera_schema_cache_loaded", "1 once the schema cache has loaded",
                                   registry=own, multiprocess_mode="livemin")
        self._known: dict[str, str] = {}
        self._children: dict[tuple, tuple] = {}  # bounded as the labels are
        self._generation = -1
        self._refresher: asyncio.Task | None = None

    # -- recording ------------------------------------------------------------------------------------------------
    def function_label(self, name: str | None) -> str:
        if not name:
            return "none"
        cache = self.state.cache
        if cache.generation != self._generation:  # the schema was reloaded: names may have come or gone
            self._known, self._generation = {}, cache.generation
        label = self._known.get(name)
        if label is None:
            label = name if any(cache.overloads(schema, name) for schema in self.config.schemas) else "unknown"
            if label != "unknown":
                self._known[name] = label  # bounded by the schema's functions
        return label

    def observe(self, method: str, path: str, status: int, seconds: float, info: dict) -> None:
        route = route_of(path)
        function = self.function_label(info.get("function")) if route.endswith("{function}") else "none"
        key = (route, method if method in METHODS else "other", status, function)
        children = self._children.get(key)
        if children is None:  # the labelled series, looked up once (prometheus-client's labels() takes a lock)
            children = self._children[key] = (
                self.requests.labels(key[0], key[1], str(status), function),
                self.latency.labels(route, function))
        children[0].inc()
        children[1].observe(seconds)
        if route == "/webhooks/{provider}":
            provider = info.get("webhook")
            self.webhooks.labels(provider if provider in PROVIDERS else "unknown",
                                 webhook_outcome(status, info.get("webhook_answer"))).inc()

    def refresh(self) -> None:
        """The gauges, from the state as it is now."""
        stats = self.state.pool.get_stats()
        self.pool_size.set(stats.get("pool_size", 0))
        self.pool_available.set(stats.get("pool_available", 0))
        self.pool_waiting.set(stats.get("requests_waiting", 0))
        self.pool_max.set(self.config.pool_size)
        self.database_up.set(1 if self.state.database_up else 0)
        self.schema_loaded.set(1 if self.state.cache.loaded else 0)

    async def _refresh_forever(self) -> None:
        while True:
            with contextlib.suppress(Exception):
                self.refresh()
            await asyncio.sleep(REFRESH_SECONDS)

    def start(self) -> None:
        """Multiprocess mode: the gauges are refreshed every second, as a scrape reads the files and not this
        process. Single-process mode refreshes them at each scrape."""
        self.refresh()
        if self.shared:
            self._refresher = asyncio.get_running_loop().create_task(self._refresh_forever())

    async def stop(self) -> None:
        if self._refresher:
            self._refresher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._refresher
        if self.shared:
            multiprocess.mark_process_dead(os.getpid())

    # -- scraping -------------------------------------------------------------------------------------------------
    def exposition(self) -> bytes:
        if not self.shared:
            self.refresh()
            return generate_latest(self.registry)
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)

    def allowed(self, authorization: str) -> bool:
        token = self.config.metrics_token
        if token is None:
            return False
        scheme, _, given = authorization.partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.reveal().encode())


def metrics_handler(metrics: Metrics):
    """GET /metrics, mounted only when TESSERA_METRICS_TOKEN is set."""

    @asgi("/metrics", copy_scope=False)
    async def scrape(scope: Scope, receive: Receive, send: Send) -> None:
        authorization = ""
        for name, value in scope["headers"]:
            if name.lower() == b"authorization":
                authorization = value.decode("latin-1")
        began = time.perf_counter()
        if scope["method"] not in ("GET", "HEAD") or not metrics.allowed(authorization):
            err = ApiError(404, "PGRST125", "Invalid path specified in request URL")
            body = err.body()
            await _send(send, 404, body, [(b"content-type", b"application/json; charset=utf-8"),
                                          (b"proxy-status", b"PostgREST; error=PGRST125")])
            return
        body = metrics.exposition()
        await _send(send, 200, b"" if scope["method"] == "HEAD" else body,
                    [(b"content-type", CONTENT_TYPE_LATEST.encode()), (b"cache-control", b"no-store"),
                     (b"x-scrape-ms", f"{(time.perf_counter() - began) * 1000:.2f}".encode())])

    return scrape


async def _send(send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]]) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [*headers, (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
