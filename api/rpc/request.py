"""Request parsing: what an HTTP request asks of the pipeline (PostgREST's ApiRequest): the schema from the
profile headers, the media type from Accept, the arguments from the body or the query string, and the values of
the request settings."""

from __future__ import annotations

import urllib.parse

import msgspec

from api import errors
from api.config import Config
from api.errors import ApiError
from api.rpc import query

OBJECT = "application/vnd.pgrst.object+json"
CSV = "text/csv"


class Call(msgspec.Struct, frozen=True):
    """A request, reduced to what the pipeline needs; built by the HTTP layer."""
    method: str  # GET, HEAD or POST
    name: str
    headers: dict[str, str]  # lower-cased names, duplicates joined
    query: list[tuple[str, str]]
    body: bytes
    client: str  # the client address, for the request.headers setting and the rate limit


def schema(call: Call, config: Config) -> tuple[str, bool]:
    """The schema the request names (Content-Profile for POST, Accept-Profile otherwise), and whether it was
    negotiated (then the response says which)."""
    header = call.headers.get("content-profile" if call.method == "POST" else "accept-profile")
    if header is None:
        return config.schemas[0], len(config.schemas) > 1
    if header not in config.schemas:
        raise ApiError(406, "PGRST106", f"Invalid schema: {header}", None,
                       f"Only the following schemas are exposed: {', '.join(config.schemas)}")
    return header, True


def media(call: Call) -> str:
    """What the response is to be: "object" (vnd.pgrst.object+json), "csv" or "json", the first of the Accept
    header's types this service produces."""
    accept = call.headers.get("accept")
    if not accept:
        return "json"
    for part in accept.split(","):
        kind = part.split(";")[0].strip().lower()
        if kind == OBJECT:
            return "object"
        if kind == CSV:
            return "csv"
        if kind in ("application/json", "*/*", "application/*", ""):
            return "json"
    raise ApiError(406, "PGRST107", f"None of these media types are available: {accept}")


def shaping(call: Call, csv: bool) -> query.Shaping | None:
    """The result shaping the request asks for, or None (the plain call: nothing is parsed)."""
    if not query.requested(call.query, call.method, call.headers, csv):
        return None
    return query.parse(call.query, call.method, call.headers, csv)


def arguments(call: Call) -> tuple[dict | None, bytes | None]:
    """(the argument names with their JSON values, the raw JSON body when it is passed whole)."""
    if call.method == "POST":
        raw = call.body.strip() or b"{}"
        content_type = call.headers.get("content-type", "application/json").split(";")[0].strip().lower()
        if content_type == "application/x-www-form-urlencoded":
            form = dict(urllib.parse.parse_qsl(call.body.decode("utf-8", "replace"), keep_blank_values=True))
            return form, msgspec.json.encode(form)
        if content_type not in ("application/json", ""):
            raise ApiError(415, "PGRST107", f"Content-Type {content_type} is not supported; send application/json")
        try:
            value = msgspec.json.decode(raw)
        except msgspec.DecodeError as exc:
            raise errors.bad_request("PGRST102", "Empty or invalid json", str(exc)) from None
        return (value if isinstance(value, dict) else None), raw
    args: dict[str, object] = {}
    for key, value in call.query:
        if query.is_shaping_key(key) or query.is_filter(key, value, call.method):
            continue
        if key in args:  # repeated: a variadic or array argument
            previous = args[key]
            args[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            args[key] = value
    return args, None


def request_headers(call: Call, config: Config) -> dict[str, str]:
    """The request.headers setting: every header but the cookies."""
    headers = {k: v for k, v in call.headers.items() if k != "cookie"}
    # The audit log reads the client address from here: keep what our own proxy wrote when it is trusted,
    # otherwise it is the connection's peer, whatever the client claims.
    if not (config.trust_forwarded and headers.get("x-forwarded-for")):
        headers["x-forwarded-for"] = call.client
    return headers


def cookies(header: str) -> dict[str, str]:
    jar = {}
    for part in header.split(";"):
        name, sep, value = part.strip().partition("=")
        if sep and name:
            jar[name] = value
    return jar
