"""Structured logs: one JSON object a line on stderr, each with the request id of the request it belongs to.

What is logged is chosen field by field (method, path, status, timing, role, function, SQLSTATE): never a header,
a body or a query string, so no token and no customer's data can reach a log line by accident.
"""

from __future__ import annotations

import contextvars
import logging
import sys
import time

import msgspec

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
# Fields a handler adds to its request's access log line (role, function, error code).
request_info: contextvars.ContextVar[dict | None] = contextvars.ContextVar("request_info", default=None)

# Attributes every LogRecord has; anything else on a record came from `extra=` and is a field of ours.
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "msg": record.getMessage(),
        }
        if rid := request_id.get():
            line["request_id"] = rid
        line.update({k: v for k, v in record.__dict__.items() if k not in _STANDARD})
        if record.exc_info:
            line["error"] = repr(record.exc_info[1])
        return msgspec.json.encode(line).decode()


def configure(level: str) -> logging.Logger:
    log = logging.getLogger("tessera.api")
    if not any(isinstance(h.formatter, JsonFormatter) for h in log.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        log.addHandler(handler)
    log.setLevel(level.upper() if level.upper() in logging.getLevelNamesMapping() else "INFO")
    log.propagate = False
    return log
