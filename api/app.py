"""Builds the Litestar application from its configuration: routes, the service's moving parts, and the one place
where errors become responses.

Routes: POST|GET|HEAD /rest/v1/rpc/{fn} and /rpc/{fn} (the RPC pipeline), GET /rest/v1/ and / (OpenAPI), GET
/health and /health/ready, GET /tickets/{id}.png|.svg (QR codes, api/tickets.py), POST /payments/checkout,
POST /webhooks/{stripe,moyasar}, POST /templates/preview (api/notify/preview.py), GET|POST /unsubscribe
(api/notify/unsubscribe.py). Every response carries
X-Request-Id, and every error PostgREST's four keys.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
import urllib.parse
import uuid
from collections.abc import Iterable

import msgspec
from litestar import Litestar, Request, Response, asgi, get, post
from litestar.config.cors import CORSConfig
from litestar.exceptions import HTTPException
from litestar.types import Receive, Scope, Send

from api import auth, jwks, logs, openapi
from api.auth import Caller
from api.config import Config
from api.errors import JSON, ApiError
from api.health import health, ready
from api.metrics import Metrics, metrics_handler
from api.notify.preview import preview as template_preview
from api.notify.unsubscribe import links_for, unsubscribe_one_click, unsubscribe_page
from api.payments.checkout import checkout
from api.payments.runtime import REFUNDS_CHANNEL, Payments
from api.ratelimit import RateLimiter
from api.rpc import Call, Pipeline
from api.rpc import request as rpc_request
from api.state import State
from api.tickets import ticket_image
from api.webhooks import moyasar as moyasar_webhook
from api.webhooks import stripe as stripe_webhook

log = logging.getLogger("tessera.api")

# What supabase-js and supabase-py send, for browsers' preflight.
CORS_HEADERS = ["apikey", "authorization", "x-client-info", "content-type", "content-profile", "accept-profile",
                "prefer", "x-retry-count", "x-supabase-api-version", "range", "x-request-id", "accept"]
CORS_EXPOSE = ["Content-Encoding", "Content-Location", "Content-Range", "Content-Type", "Date", "Location",
               "Server", "Transfer-Encoding", "Range-Unit", "Content-Profile", "X-Request-Id", "Retry-After"]


class Service:
    """The parts one server process shares between requests: the runtime state, the pipeline, the rate limit."""

    def __init__(self, config: Config):
        self.config = config
        self.state = State(config)
        self.pipeline = Pipeline(config, self.state)
        self.limiter = RateLimiter(config.rate_limit, config.rate_burst)
        self.payments = Payments(config, self.pipeline)
        self.state.channels[REFUNDS_CHANNEL] = lambda payload: self.payments.worker.wake()
        self.metrics = Metrics(config, self.state) if config.metrics_token is not None else None

    async def start(self) -> None:
        if keys := auth.signing_keys(self.config):  # read the signing keys while the pool opens
            self._warming = asyncio.create_task(asyncio.to_thread(keys.warm))
        await self.state.start()
        if self.metrics:
            self.metrics.start()
        if self.config.payments.offered():  # nothing to send refunds to otherwise
            self.payments.worker.start()

    async def stop(self) -> None:
        if self.metrics:
            await self.metrics.stop()
        await self.payments.close()
        await self.state.stop()



def error_response(err: ApiError) -> Response:
    return Response(content=err.body(), status_code=err.status, media_type=JSON, headers=_error_headers(err))


def _headers(scope) -> dict[str, str]:
    """Lower-cased names; a repeated header (supabase-py repeats X-Client-Info) has its values joined."""
    out: dict[str, str] = {}
    for name, value in scope["headers"]:
        key = name.decode("latin-1").lower()
        text = value.decode("latin-1")
        out[key] = f"{out[key]}, {text}" if key in out else text
    return out


def client_address(scope, headers: dict[str, str], config: Config) -> str:
    peer = scope["client"][0] if scope.get("client") else "unknown"
    if config.trust_forwarded and (forwarded := headers.get("x-forwarded-for")):
        return forwarded.split(",")[-1].strip() or peer  # the hop our own proxy saw
    return peer


async def _body(receive, headers: dict[str, str], limit: int) -> bytes:
    declared = headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks, size, more = [], 0, True
    while more:
        message = await receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
        more = message.get("more_body", False)
    return b"".join(chunks)


def _cache_loading() -> ApiError:
    return ApiError(503, "PGRST002", "Could not query the database for the schema cache. Retrying.")


def too_many(wait: float) -> ApiError:
    return ApiError(429, "429", "Too many requests", None, "slow down and retry after the time given",
                    {"Retry-After": RateLimiter.retry_after(wait)})


def _too_large(limit: int) -> ApiError:
    return ApiError(413, "413", "Request body too large", f"the limit is {limit} bytes", "send a smaller body")


async def _send(send, status: int, body: bytes, headers: Iterable[tuple[str, str]]) -> None:
    """Headers as pairs, so that a name set twice (two Set-Cookie) goes out twice."""
    raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers]
    if status != 204:
        raw.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


async def admitted(service: Service, headers: dict[str, str], client: str) -> Caller:
    """The request's caller, as every authenticated route takes it: the rate limit first (before the credentials
    cost anything), then the JWT or API key and its role, then the caller's own budget. A token whose check must
    read the signing keys first (api/jwks.py) waits for the read in a worker thread, never on the event loop."""
    if wait := service.limiter.waiting(client):
        raise too_many(wait)
    try:
        try:
            caller = auth.caller(headers, service.config, wait=False)
        except jwks.ReadNeeded:
            caller = await asyncio.to_thread(auth.caller, headers, service.config)
        auth.admit(caller, service.state.cache, service.config)
    except ApiError:
        service.limiter.take(client)  # refused credentials spend the address's budget
        raise
    if wait := service.limiter.take(caller.subject or client):
        raise too_many(wait)
    return caller


def no_query(scope: Scope) -> None:
    """The routes outside PostgREST's protocol read no query parameters: one sent is refused, never ignored."""
    if scope.get("query_string"):
        raise ApiError(400, "PT400", "this route takes no query parameters", "unexpected_parameter",
                       "send what the route reads in its body or path, and nothing after ?")


@post("/payments/checkout", status_code=200)
async def payments_checkout(request: Request) -> Response:
    """A pending order's payment page at Stripe or Moyasar (api/payments/checkout.py)."""
    service: Service = request.app.state.service
    if not service.state.cache.loaded:
        raise _cache_loading()
    no_query(request.scope)
    headers = _headers(request.scope)
    client = client_address(request.scope, headers, service.config)
    caller = await admitted(service, headers, client)
    made = await checkout(service.payments, caller, await _body(request.receive, headers,
                                                                service.config.max_body_bytes), client)
    return Response(content=msgspec.json.encode(made), media_type=JSON)


@post("/templates/preview", status_code=200)
async def templates_preview(request: Request) -> Response:
    """A template rendered with its kind's sample data, and recorded as checked so it may be saved
    (api/notify/preview.py); for those who may edit the organization's templates."""
    service: Service = request.app.state.service
    if not service.state.cache.loaded:
        raise _cache_loading()
    no_query(request.scope)
    headers = _headers(request.scope)
    client = client_address(request.scope, headers, service.config)
    caller = await admitted(service, headers, client)
    shown = await template_preview(service.pipeline, caller, await _body(request.receive, headers,
                                                                         service.config.max_body_bytes), client)
    return Response(content=msgspec.json.encode(shown), media_type=JSON)


def rpc_handler(service: Service):
    """POST|GET|HEAD /rest/v1/rpc/{fn} and /rpc/{fn}: mounted as a plain ASGI handler, because this is the path
    every call takes and Litestar's request and response objects would cost more than the call itself."""

    @asgi(["/rest/v1/rpc", "/rpc"], is_mount=True, copy_scope=False)
    async def rpc(scope: Scope, receive: Receive, send: Send) -> None:
        config = service.config
        name = scope["path"].rstrip("/").rsplit("/", 1)[-1]
        method = scope["method"]
        headers = _headers(scope)
        info = logs.request_info.get()
        info = {} if info is None else info
        info["function"] = name
        try:
            if method not in ("GET", "POST", "HEAD"):
                raise ApiError(405, "PGRST101", f"Cannot use the {method} method on RPC", None,
                               "call functions with POST, or GET for read-only ones",
                               {"Allow": _allowed(service, name)})
            if not service.state.cache.loaded:
                raise _cache_loading()
            client = client_address(scope, headers, config)
            caller = await admitted(service, headers, client)
            info["role"] = caller.role
            body = await _body(receive, headers, config.max_body_bytes) if method == "POST" else b""
            query = urllib.parse.parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)
            result = await service.pipeline.run(Call(method, name, headers, query, body, client), caller)
        except Exception as exc:  # every failure is answered in PostgREST's shape
            await _send_error(send, info, exc, method == "HEAD")
            return
        await _send(send, result.status, result.body, result.headers)

    return rpc


async def _send_error(send: Send, info: dict, exc: Exception, head: bool = False) -> None:
    """An ASGI route's failure as PostgREST answers it: an ApiError as itself, anything else logged and a 500."""
    if isinstance(exc, ApiError):
        info["code"] = exc.code
        await _send(send, exc.status, b"" if head else exc.body(), _error_headers(exc).items())
        return
    log.error("unexpected error", exc_info=exc, extra={"event": "unhandled"})
    err = ApiError(500, "PGRST000", "Internal server error")
    await _send(send, 500, err.body(), _error_headers(err).items())


WEBHOOKS = {"stripe": stripe_webhook.receive, "moyasar": moyasar_webhook.receive}


def webhook_handler(service: Service):
    """POST /webhooks/{provider} (api/webhooks): answered as soon as the database has recorded and applied the
    event; what it asks the service to do at a provider runs afterwards, on the payments worker."""

    @asgi("/webhooks", is_mount=True, copy_scope=False)
    async def webhooks(scope: Scope, receive: Receive, send: Send) -> None:
        name = scope["path"].rstrip("/").rsplit("/", 1)[-1]
        headers = _headers(scope)
        info = logs.request_info.get()
        info = {} if info is None else info
        info["webhook"] = name
        try:
            handler = WEBHOOKS.get(name)
            if handler is None:
                raise ApiError(404, "PGRST125", "Invalid path specified in request URL")
            if scope["method"] != "POST":
                raise ApiError(405, "PGRST101", f"Cannot use the {scope['method']} method here", None,
                               "providers POST their events", {"Allow": "POST"})
            no_query(scope)
            if not service.state.cache.loaded:
                raise _cache_loading()
            body = await _body(receive, headers, service.config.max_body_bytes)
            answer = await handler(service, headers, body, client_address(scope, headers, service.config))
        except Exception as exc:  # every failure is answered in PostgREST's shape
            await _send_error(send, info, exc)
            return
        info["webhook_answer"] = answer if isinstance(answer, dict) else None  # for the metrics' outcome
        await _send(send, 200, msgspec.json.encode(answer), [("Content-Type", JSON)])
        service.payments.worker.after(answer)

    return webhooks


def _allowed(service: Service, name: str) -> str:
    """The methods a function's path takes, as the OpenAPI document offers them: GET only for non-volatile ones."""
    found = [fn for schema in service.config.schemas for fn in service.state.cache.overloads(schema, name)]
    return "GET, HEAD, POST" if not found or any(fn.readable for fn in found) else "POST"


def _error_headers(err: ApiError) -> dict[str, str]:
    return {"Content-Type": JSON, "Proxy-Status": f"PostgREST; error={err.code}", **err.headers}


@get(["/rest/v1/", "/"], status_code=200)
async def openapi_document(request: Request) -> Response:
    service: Service = request.app.state.service
    if not service.state.cache.loaded:
        return error_response(_cache_loading())
    try:  # as PostgREST: the document of the schema Accept-Profile names
        schema = rpc_request.exposed(request.headers.get("accept-profile", service.config.schemas[0]), service.config)
    except ApiError as err:
        return error_response(err)
    body = openapi.document(service.state.cache, request.url.path.rstrip("/"), schema)
    return Response(content=body, media_type="application/openapi+json; charset=utf-8")


def _framework_error(request: Request, exc: Exception) -> Response:
    """Whatever Litestar refuses before our handlers run (no such route, body too large) in PostgREST's shape, and
    the errors Litestar routes raise as values (ApiError)."""
    if isinstance(exc, ApiError):
        return error_response(exc)
    if isinstance(exc, HTTPException):
        status = exc.status_code
        if status == 404:
            return error_response(ApiError(404, "PGRST125", "Invalid path specified in request URL"))
        if status == 413:
            return error_response(_too_large(request.app.state.service.config.max_body_bytes))
        if status == 405:
            allow = {"Allow": exc.headers["allow"]} if exc.headers and "allow" in exc.headers else None
            return error_response(ApiError(405, "PGRST101", f"Cannot use the {request.method} method here",
                                           headers=allow))
        return error_response(ApiError(status, str(status), str(exc.detail)))
    log.exception("unexpected error", extra={"event": "unhandled"})
    return error_response(ApiError(500, "PGRST000", "Internal server error"))


def _request_id_source():
    """Ids unique across processes and restarts without the cost of a uuid4 per request: a random prefix for
    this process, then a counter."""
    prefix = uuid.uuid4().hex[:16]
    for n in itertools.count(1):
        yield f"{prefix}{n:016x}"


new_ids = _request_id_source()


def request_ids(app, metrics: Metrics | None = None):
    """ASGI middleware: a request id on every response and log line, one access log line a request, and the
    request in the metrics when they are on."""
    async def middleware(scope, receive, send):
        if scope["type"] != "http":
            return await app(scope, receive, send)
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        rid = incoming if 0 < len(incoming) <= 128 and incoming.isprintable() else next(new_ids)
        method, path = scope["method"], scope["path"]  # before a mounted handler rewrites the path
        token = logs.request_id.set(rid)
        info_token = logs.request_info.set(info := {})
        began = time.perf_counter()
        status = 500

        async def send_with_id(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", rid.encode("latin-1"))]
            await send(message)

        try:
            await app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - began
            if metrics is not None:
                metrics.observe(method, path, status, seconds, info)
            info.pop("webhook_answer", None)  # the database's answer is the metrics', never the log's
            log.info("request", extra={"method": method, "path": path, "status": status,
                                       "ms": round(seconds * 1000, 2), **info})
            logs.request_info.reset(info_token)
            logs.request_id.reset(token)
    return middleware


def create_app(config: Config | None = None):
    """The ASGI application: the Litestar app inside the request-id layer, so that even the responses Litestar
    makes itself (no such route) carry an id and an access log line."""
    app = build(config or Config.from_env())
    return request_ids(app, app.state.service.metrics)


def build(config: Config) -> Litestar:
    logs.configure(config.log_level)
    service = Service(config)
    cors = None
    if config.cors_origins:
        cors = CORSConfig(allow_origins=list(config.cors_origins), allow_methods=["GET", "POST", "HEAD", "OPTIONS"],
                          allow_headers=CORS_HEADERS, expose_headers=CORS_EXPOSE, max_age=86400)
    app = Litestar(
        route_handlers=[rpc_handler(service), webhook_handler(service), openapi_document, health, ready,
                        payments_checkout, ticket_image, templates_preview, unsubscribe_page,
                        unsubscribe_one_click,
                        *([metrics_handler(service.metrics)] if service.metrics else [])],
        openapi_config=None,
        cors_config=cors,
        request_max_body_size=config.max_body_bytes,
        exception_handlers={Exception: _framework_error},
        on_startup=[service.start],
        on_shutdown=[service.stop],
        logging_config=None,
    )
    app.state.service = service
    app.state.config = config
    app.state.unsubscribe = links_for(config)
    return app
