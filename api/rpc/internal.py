"""api functions called from inside the service (the payments worker, ticket images), through the RPC pipeline
exactly as a request would call them: the same pool, the same per-request settings (role, claims, headers), the same
error mapping. So a service_role call here is what `POST /rest/v1/rpc/<fn>` with a service_role token would be, and
nothing bypasses the database's own checks."""

from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec

from api.auth import Caller
from api.rpc import Call

if TYPE_CHECKING:
    from api.rpc import Pipeline

SERVICE = Caller("service_role", msgspec.json.encode({"role": "service_role"}).decode())
_JSON = {"content-type": "application/json"}


class Database:
    def __init__(self, pipeline: Pipeline, client: str = "tessera-payments"):
        self.pipeline, self.client = pipeline, client

    async def call(self, name: str, args: dict, caller: Caller = SERVICE, *, raw: dict[str, bytes] | None = None,
                   client: str | None = None, headers: dict[str, str] | None = None) -> object:
        """api.<name>(args) as caller; its JSON answer decoded (None for void). `raw` adds arguments that are
        already JSON (a verified webhook's exact bytes), passed through without being decoded and encoded again.
        `headers` are the request's, for a call made on a client's behalf (the database reads them as PostgREST's
        request.headers). Database errors raise ApiError, mapped as for any RPC call."""
        body = msgspec.json.encode({k: v for k, v in args.items() if v is not None})
        if raw:
            extra = b",".join(msgspec.json.encode(k) + b":" + v for k, v in raw.items())
            body = body[:-1] + (b"," if len(body) > 2 else b"") + extra + b"}"
        result = await self.pipeline.run(Call("POST", name, headers or _JSON, [], body, client or self.client), caller)
        return msgspec.json.decode(result.body) if result.body else None
