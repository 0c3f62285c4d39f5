"""Builds the Litestar application from its configuration."""

from __future__ import annotations

from litestar import Litestar

from api.config import Config
from api.health import health


def create_app(config: Config | None = None) -> Litestar:
    app = Litestar(route_handlers=[health], openapi_config=None)
    app.state.config = config or Config.from_env()
    return app
