"""Service configuration, from TESSERA_* environment variables only."""

from __future__ import annotations

import os

import msgspec


class Config(msgspec.Struct, frozen=True):
    database_url: str | None = None

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Config:
        env = os.environ if env is None else env
        return cls(database_url=env.get("TESSERA_DATABASE_URL") or env.get("DATABASE_URL"))
