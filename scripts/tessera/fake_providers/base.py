"""What both fake providers share: a threaded HTTP server on 127.0.0.1 with a route table, the error modes tests
switch on through the control API (402, 500, slow), and webhook delivery to the service.

These are the only fakes the project allows: they play the providers' HTTP APIs in their real shapes, so the code
under test is the code that talks to Stripe and Moyasar, pointed here by its base-URL setting.
"""

from __future__ import annotations

import contextlib
import json
import re
import secrets
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx


@dataclass
class Request:
    method: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]  # lower-cased names
    body: bytes
    params: dict = field(default_factory=dict)  # the path's named groups

    def json(self) -> dict:
        try:
            value = json.loads(self.body or b"{}")
        except ValueError:
            raise Reply(400, {"error": "the body is not JSON"}) from None
        if not isinstance(value, dict):
            raise Reply(400, {"error": "the body must be a JSON object"})
        return value


class Reply(Exception):  # raised to answer at once, as a web framework's abort
    def __init__(self, status: int, body: object, headers: dict[str, str] | None = None):
        super().__init__(status)
        self.status, self.body, self.headers = status, body, headers or {}


Route = tuple[str, re.Pattern, Callable[[Request], Reply], bool]  # method, path, handler, is the provider's API


class Mode:
    """How the provider's API answers the next requests: normally, 402, 500, or slowly (then normally). Set through
    POST /_control/mode {"mode": "ok"|"402"|"500"|"slow", "seconds": S, "count": N (default: until reset)}."""

    def __init__(self):
        self.kind, self.seconds, self.count = "ok", 0.0, None
        self._lock = threading.Lock()

    def set(self, body: dict) -> dict:
        kind = str(body.get("mode", "ok"))
        if kind not in ("ok", "402", "500", "slow"):
            raise Reply(400, {"error": "mode must be ok, 402, 500 or slow"})
        with self._lock:
            self.kind, self.seconds = kind, float(body.get("seconds", 5.0))
            self.count = None if body.get("count") is None else int(body["count"])
        return {"mode": self.kind, "seconds": self.seconds, "count": self.count}

    def take(self) -> tuple[str, float]:
        with self._lock:
            kind, seconds = self.kind, self.seconds
            if kind != "ok" and self.count is not None:
                self.count -= 1
                if self.count <= 0:
                    self.kind, self.count = "ok", None
        return kind, seconds


class Provider:
    """One fake provider: its routes, its error mode, where its webhooks go. Subclasses add the API."""

    name = "provider"

    def __init__(self, webhook_url: str | None):
        self.webhook_url = webhook_url
        self.mode = Mode()
        self.lock = threading.RLock()  # the provider's objects: one request changes them at a time
        self.routes: list[Route] = []
        self.base_url = ""
        self.route("POST", "/_control/mode", lambda r: Reply(200, self.mode.set(r.json())), api=False)
        self.route("POST", "/_control/webhook", self._set_webhook, api=False)

    def route(self, method: str, pattern: str, handler: Callable[[Request], Reply], api: bool = True) -> None:
        regex = re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern) + "$")
        self.routes.append((method, regex, handler, api))

    def _set_webhook(self, request: Request) -> Reply:
        self.webhook_url = request.json().get("url") or None
        return Reply(200, {"url": self.webhook_url})

    def failure(self, kind: str) -> Reply:
        """The provider's own error body for a forced 402 or 500."""
        raise NotImplementedError

    def authorized(self, request: Request) -> bool:
        raise NotImplementedError

    def unauthorized(self) -> Reply:
        raise NotImplementedError

    def handle(self, request: Request) -> Reply:
        for method, regex, handler, api in self.routes:
            found = regex.match(request.path)
            if found is None or method != request.method:
                continue
            request.params = found.groupdict()
            if api:
                if not self.authorized(request):
                    return self.unauthorized()
                kind, seconds = self.mode.take()
                if kind == "slow":
                    time.sleep(seconds)
                elif kind in ("402", "500"):
                    return self.failure(kind)
            try:
                return handler(request)
            except Reply as reply:
                return reply
        return Reply(404, {"error": f"no route {request.method} {request.path}"})

    def deliver(self, body: bytes, headers: dict[str, str]) -> int | None:
        """POST a webhook to the service; its status, or None when there is no URL or it did not answer."""
        if not self.webhook_url:
            return None
        try:
            return httpx.post(self.webhook_url, content=body, headers=headers, timeout=10).status_code
        except httpx.HTTPError:
            return None

    def later(self, fn: Callable[[], object], delay: float = 0.05) -> None:
        """Run fn shortly, on its own thread (as a provider sends its webhook after answering the API call)."""
        timer = threading.Timer(delay, fn)
        timer.daemon = True
        timer.start()


def new_id(prefix: str) -> str:
    return prefix + secrets.token_hex(12)


class _Handler(BaseHTTPRequestHandler):
    provider: Provider
    protocol_version = "HTTP/1.1"

    def _serve(self) -> None:
        parts = urllib.parse.urlsplit(self.path)
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        request = Request(self.command, parts.path, urllib.parse.parse_qsl(parts.query, keep_blank_values=True),
                          {k.lower(): v for k, v in self.headers.items()}, body)
        try:
            reply = self.provider.handle(request)
        except Reply as raised:
            reply = raised
        data = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body, indent=2).encode()
        self.send_response(reply.status)
        headers = {"Content-Type": "application/json", **reply.headers}
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # a client that gave up waiting
            self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = _serve

    def log_message(self, format, *args) -> None:  # quiet: tests and ./scripts/dev print what matters
        pass


class Server:
    """A provider on its own port, served from a daemon thread until `close()`."""

    def __init__(self, provider: Provider, host: str = "127.0.0.1", port: int = 0):
        handler = type("Handler", (_Handler,), {"provider": provider})
        self.httpd = ThreadingHTTPServer((host, port), handler)
        self.httpd.daemon_threads = True
        self.provider = provider
        self.url = f"http://{host}:{self.httpd.server_address[1]}"
        provider.base_url = self.url
        self.thread = threading.Thread(target=self.httpd.serve_forever, name=f"fake-{provider.name}", daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
