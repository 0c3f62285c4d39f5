"""GET /tickets/{id}.png and /tickets/{id}.svg: a ticket's QR code, for e-mails and the ticket page.

The payload comes from `api.ticket_payload(ticket_id)` called through the RPC pipeline as the request's caller (no
credentials: anon, as an <img> in an e-mail sends none), so the database decides who may see it: the random ticket
id is the capability, and an unknown or revoked ticket is its PostgREST-shaped 404. The image is never cached,
because a ticket revoked a minute later must stop showing.
"""

from __future__ import annotations

import io
import uuid

import segno
from litestar import Request, Response, get

from api.errors import ApiError
from api.rpc.internal import Database

KINDS = {"png": "image/png", "svg": "image/svg+xml"}
# Error correction M (15 %) holds the 79-character payload in a version 5 code; 8 pixels a module and the
# standard 4-module quiet zone scan off a phone screen and print sharply in an e-mail.
SCALE, BORDER = 8, 4


def _not_found() -> ApiError:
    return ApiError(404, "PT404", "ticket not found")


def parse(name: str) -> tuple[uuid.UUID, str]:
    """`<uuid>.png` or `<uuid>.svg`; anything else is a ticket that does not exist."""
    stem, dot, kind = name.rpartition(".")
    if not dot or kind not in KINDS:
        raise ApiError(404, "PGRST125", "Invalid path specified in request URL", None,
                       "ask for /tickets/<ticket id>.png or .svg")
    try:
        return uuid.UUID(stem), kind
    except ValueError:
        raise _not_found() from None


def render(payload: str, kind: str) -> bytes:
    qr = segno.make(payload, error="m", micro=False)
    out = io.BytesIO()
    qr.save(out, kind=kind, scale=SCALE, border=BORDER, **({"xmldecl": False} if kind == "svg" else {}))
    return out.getvalue()


@get("/tickets/{name:str}", status_code=200)
async def ticket_image(request: Request, name: str) -> Response:
    from api.app import admitted, client_address, error_response, no_query  # api.app imports this module

    service = request.app.state.service
    config = service.config
    headers = {k.lower(): v for k, v in request.headers.items()}
    client = client_address(request.scope, headers, config)
    try:
        ticket_id, kind = parse(name)
        no_query(request.scope)
        caller = await admitted(service, headers, client)
        payload = await Database(service.pipeline).call("ticket_payload", {"ticket_id": str(ticket_id)}, caller,
                                                        client=client, headers=headers)
        if not isinstance(payload, str):
            raise _not_found()
    except ApiError as err:
        return error_response(err)
    return Response(content=render(payload, kind), media_type=KINDS[kind], headers={"Cache-Control": "no-store"})
