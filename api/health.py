"""GET /health: the process is alive and answering."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

import msgspec
from litestar import get


class Health(msgspec.Struct):
    status: str
    version: str


def _version() -> str:
    try:
        return version("tessera")
    except PackageNotFoundError:
        return "unknown"


@get("/health", sync_to_thread=False)
def health() -> Health:
    return Health(status="ok", version=_version())
