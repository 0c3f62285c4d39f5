"""The HTTP/1.1 protocol `tessera serve` runs: uvicorn's httptools protocol with bounds on each request head.

uvicorn's httptools parser keeps whatever a client sends before the end of a head, for as long as it takes: a 50 MB
header is accepted, twenty clients sending unfinished 25 MB headers hold 600 MB, and a client that drips one header
a second (slowloris) keeps its connection for ever. Here a head is refused with 431 once it passes
TESSERA_MAX_HEADER_BYTES or TESSERA_MAX_HEADERS, and a connection is closed (408 if it had started a head) when a
head has not arrived whole within TESSERA_HEADER_TIMEOUT seconds of its first byte, or of the connection opening.
Bytes are counted as they arrive, so an unfinished head is refused as soon as it is too long; a head that arrives
within one read is measured whole when it completes. The body is the application's (TESSERA_MAX_BODY_BYTES).
"""

from __future__ import annotations

import asyncio
import functools

import msgspec
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from api.config import Config

# What a head costs beyond its names and values: "GET  HTTP/1.1\r\n" and ": " + "\r\n" per field.
_REQUEST_LINE, _PER_FIELD = 16, 4


class _Refused(Exception):
    """Raised from a parser callback to stop parsing; uvicorn's parser error path then closes the connection."""


@functools.cache
def _limits() -> tuple[int, int, float]:
    config = Config.from_env()
    return config.max_header_bytes, config.max_headers, config.header_timeout


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_header_bytes, self.max_headers, self.header_timeout = _limits()
        self._in_head = True  # between the end of one message (or the connection's start) and the next head's end
        self._head_bytes = 0
        self._fields = 0
        self._ended_message = False  # a message ended within the read being parsed
        self._started = False  # the current head has begun
        self._read = 0  # the size of the read being parsed
        self._head_timer: asyncio.TimerHandle | None = None
        self._refusal: tuple[int, str, str, str] | None = None

    def connection_made(self, transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        self._ended_message = False
        self._read = len(data)
        super().data_received(data)
        # Only a head under way needs its bytes counted and its timer: a read that held whole messages leaves
        # none, and between messages uvicorn's keep-alive timeout applies. (Arming a timer after every request
        # cost more than the rest of this class together.)
        if not self._started or self.transport.is_closing():
            return
        if not self._ended_message:  # otherwise part of this read was the previous message's
            self._head_bytes += len(data)
        if self._head_bytes > self.max_header_bytes:
            self._refuse(*self._too_large())
        elif self._head_timer is None:
            self._arm()

    # -- parser callbacks --------------------------------------------------------------------------------------
    def on_message_begin(self) -> None:
        self._started = True
        super().on_message_begin()

    def on_header(self, name: bytes, value: bytes) -> None:
        self._fields += 1
        if self._fields > self.max_headers:
            self._stop(self._too_large())
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        # The head is at most what arrived for it: measured whole only when that could be too much.
        if self._head_bytes + self._read > self.max_header_bytes:
            size = _REQUEST_LINE + len(self.url) + sum(len(n) + len(v) + _PER_FIELD for n, v in self.headers)
            if size > self.max_header_bytes:
                self._stop(self._too_large())
        self._in_head, self._started, self._head_bytes, self._fields = False, False, 0, 0
        self._disarm()
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._in_head, self._ended_message = True, True

    # -- refusing ----------------------------------------------------------------------------------------------
    def _too_large(self) -> tuple[int, str, str, str]:
        return (431, "Request header fields too large",
                f"a request head may have at most {self.max_header_bytes} bytes and {self.max_headers} header fields",
                "send fewer or smaller headers")

    def _stop(self, refusal: tuple[int, str, str, str]) -> None:
        self._refusal = refusal
        raise _Refused

    def send_400_response(self, msg: str) -> None:
        refusal, self._refusal = self._refusal, None
        if refusal is None:
            super().send_400_response(msg)
        else:
            self._refuse(*refusal)

    def _refuse(self, status: int, message: str, details: str, hint: str) -> None:
        """A PostgREST-shaped error, then the connection closes: what remains of the head is never read."""
        self._disarm()
        body = msgspec.json.encode({"code": str(status), "message": message, "details": details,
                                    "hint": hint})
        content = [STATUS_LINE[status]]
        for name, value in self.server_state.default_headers:
            content.extend([name, b": ", value, b"\r\n"])
        content.extend([b"content-type: application/json; charset=utf-8\r\n",
                        b"content-length: " + str(len(body)).encode() + b"\r\n", b"connection: close\r\n\r\n", body])
        self.transport.write(b"".join(content))
        self.transport.close()

    # -- the head timer ----------------------------------------------------------------------------------------
    def _arm(self) -> None:
        self._disarm()
        self._head_timer = self.loop.call_later(self.header_timeout, self._timed_out)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _timed_out(self) -> None:
        self._head_timer = None
        if not self._in_head or self.transport.is_closing():
            return
        if not self._started and self._head_bytes == 0:
            self.transport.close()  # nothing sent: an idle connection, closed without an answer
            return
        self._refuse(408, "Request timeout",
                     f"the request head did not arrive whole within {self.header_timeout:g} seconds",
                     "send the request line and headers at once")
