"""Request parsing: what an HTTP request asks of the pipeline (PostgREST's ApiRequest): the schema from the
profile headers, the media type from Accept, the arguments from the body or the query string, and the values of
the request settings."""

from __future__ import annotations

import itertools
import re
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
    return exposed(header, config), True


def exposed(profile: str, config: Config) -> str:
    """The schema a profile header names, refused as PostgREST refuses one not exposed."""
    if profile not in config.schemas:
        raise ApiError(406, "PGRST106", f"Invalid schema: {profile}", None,
                       f"Only the following schemas are exposed: {', '.join(config.schemas)}")
    return profile


# The media types this service answers in, by what the response is to be.
PRODUCED = {"application/json": "json", "*/*": "json", "application/*": "json", "": "json", CSV: "csv",
            OBJECT: "object", "application/vnd.pgrst.object": "object"}
_QUALITY = re.compile(r"[0-9]+(?:\.[0-9]*)?")


def media(call: Call) -> str:
    """What the response is to be: "object" (vnd.pgrst.object+json), "csv" or "json": the most wanted of the
    Accept header's types that this service produces; none is 406 PGRST107, as PostgREST answers."""
    accept = call.headers.get("accept")
    if not accept:
        return "json"
    ranked = accepted(accept)
    for kind, quality in ranked:
        if quality > 0 and kind in PRODUCED:
            return PRODUCED[kind]
    raise ApiError(406, "PGRST107", f"None of these media types are available: {', '.join(k for k, _ in ranked)}")


def accepted(accept: str) -> list[tuple[str, float]]:
    """The Accept header's media types (lower-cased, parameters off) with their q-values, most wanted first, as
    PostgREST ranks them (wai's parseHttpAccept): by q-value, then by specificity (each parameter before q counts
    for it, each wildcard against it, so `*/*, text/csv` prefers CSV), then in the order given. A q-value that
    is not a number counts as 1; a q of 0 is kept here, and the caller takes it for "not acceptable" (RFC 9110,
    where PostgREST would still serve it)."""
    ranked = []
    for part in accept.split(","):
        kind, has_q, rest = "".join(part.split()).partition(";q=")
        number = _QUALITY.match(rest) if has_q else None
        quality = float(number.group()) if number else 1.0
        ranked.append((kind.split(";", 1)[0].lower(), quality, kind.count(";") - kind.count("*")))
    ranked.sort(key=lambda item: (item[1], item[2]), reverse=True)  # stable: ties keep the order given
    return [(kind, quality) for kind, quality, _ in ranked]


def shaping(call: Call, csv: bool) -> query.Shaping | None:
    """The result shaping the request asks for, or None (the plain call: nothing is parsed)."""
    if not query.requested(call.query, call.method, call.headers, csv):
        return None
    return query.parse(call.query, call.method, call.headers, csv)


class Arguments(msgspec.Struct, frozen=True):
    """The arguments a request gives, before the function is known."""
    keys: frozenset[str]  # the names given: what overload resolution matches
    raw: bytes | None = None  # a JSON body as sent, for a function of one unnamed json parameter
    body: bytes | None = None  # a JSON object of the arguments, passed as it came
    values: dict[str, list[str]] | None = None  # query or form values, every value of each name, in order


_NO_ARGUMENTS = Arguments(frozenset())


def arguments(call: Call) -> Arguments:
    if call.method == "POST":
        raw = call.body.strip() or b"{}"
        content_type = call.headers.get("content-type", "application/json").split(";")[0].strip().lower()
        if content_type == "application/x-www-form-urlencoded":
            return _values(urllib.parse.parse_qsl(call.body.decode("utf-8", "replace"), keep_blank_values=True))
        if content_type not in ("application/json", ""):
            raise ApiError(415, "PGRST107", f"Content-Type {content_type} is not supported; send application/json")
        value = json_value(raw)
        if isinstance(value, dict):
            return Arguments(frozenset(value), raw, raw)
        if isinstance(value, list) and value:
            # PostgREST calls with the first object, once every element is an object with the same keys.
            first = value[0]
            if not isinstance(first, dict) or any(not isinstance(v, dict) or v.keys() != first.keys() for v in value):
                raise errors.bad_request("PGRST102", "All object keys must match")
            return Arguments(frozenset(first), raw, msgspec.json.encode(first))
        return Arguments(frozenset(), raw)  # an empty array or a bare value: no arguments (as PostgREST)
    pairs = []
    for key, value in call.query:
        if query.is_shaping_key(key) or query.is_filter(key, value, call.method):
            continue  # the result's shaping (api.rpc.query), not an argument: PostgREST's rule
        pairs.append((key, value))
    return _values(pairs) if pairs else _NO_ARGUMENTS


def _values(pairs: list[tuple[str, str]]) -> Arguments:
    """Query or form values: whether a repeated name is an array depends on the function, chosen later."""
    values: dict[str, list[str]] = {}
    for key, value in pairs:
        values.setdefault(key, []).append(value)
    return Arguments(frozenset(values), values=values)


# Deeper JSON than this is refused before it is decoded whole: a parser's recursion (ours, or the database's on
# a json argument) must not be what stops it. No booking document comes near it.
MAX_JSON_DEPTH = 100


def json_value(raw: bytes) -> object:
    """The client's JSON, refused as PostgREST refuses bad JSON (400 PGRST102) when invalid or nested deeper
    than MAX_JSON_DEPTH. Counting brackets first keeps the usual small body free of the depth walk."""
    if raw.count(b"[") + raw.count(b"{") > MAX_JSON_DEPTH and _too_deep(raw):
        raise errors.bad_request("PGRST102", "Empty or invalid json",
                                 f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
    try:
        return msgspec.json.decode(raw)
    except msgspec.DecodeError as exc:
        raise errors.bad_request("PGRST102", "Empty or invalid json", str(exc)) from None


def _too_deep(raw: bytes) -> bool:
    """Whether brackets outside strings nest deeper than the limit; a scan, not a parse (invalid JSON is the
    decoder's to refuse), and in C all the way: strings dropped, then the running depth over the brackets left."""
    brackets = _STRING.sub(b"", raw).translate(None, _NOT_BRACKET)
    return max(itertools.accumulate(map(_STEP.__getitem__, brackets)), default=0) > MAX_JSON_DEPTH


_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')  # unrolled: one pass, no backtracking
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}
_NOT_BRACKET = bytes(b for b in range(256) if b not in _STEP)


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
