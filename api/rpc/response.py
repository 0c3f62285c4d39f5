"""Response shaping: the status, the headers (Content-Type, Content-Profile, Content-Range) and the body of a call
that the database answered, after the function's own response.status and response.headers settings (PostgREST's
Response.hs)."""

from __future__ import annotations

import msgspec

from api.errors import ApiError
from api.rpc.request import OBJECT
from api.rpc.statement import Prepared


class Result(msgspec.Struct):
    status: int
    body: bytes
    headers: list[tuple[str, str]]  # pairs, in order: a name may repeat (two Set-Cookie)


def shape(prepared: Prepared, method: str, row: tuple) -> Result:
    """The call's row (body, rows, total, response.status, response.headers, each the server's text or None) as
    the HTTP answer."""
    body, count, total, status_setting, headers_setting = row
    fn, as_object, shaping = prepared.function, prepared.as_object, prepared.shaping
    count = int(count)
    total = None if total is None else int(total)
    csv = shaping is not None and shaping.csv
    kind = OBJECT if as_object else "text/csv" if csv else "application/json"
    headers = {"Content-Type": f"{kind}; charset=utf-8"}
    if prepared.negotiated:
        headers["Content-Profile"] = prepared.schema
    if shaping is not None and shaping.count:
        headers["Preference-Applied"] = f"count={shaping.count}"
    status = 200
    if fn.returns_void:
        status, body = 204, None
        del headers["Content-Type"]
    elif as_object and fn.returns_set and count != 1:
        raise ApiError(406, "PGRST116", "Cannot coerce the result to a single JSON object",
                       f"The result contains {count} rows")
    else:
        lower = shaping.offset if shaping is not None else 0
        status, headers["Content-Range"] = content_range(lower, count, total)
        if body is None:
            body = b"null"
    status, pairs = _apply_settings(status, headers, _text(status_setting), _text(headers_setting))
    return Result(status, b"" if body is None or method == "HEAD" else body, pairs)


def content_range(lower: int, count: int, total: int | None) -> tuple[int, str]:
    """PostgREST's status and Content-Range for rows lower.. of a result of total rows (None: not counted): 206
    for part of a counted result, 416 past its end."""
    upper = lower + count - 1
    shown = f"{lower}-{upper}" if total != 0 and lower <= upper else "*"
    header = f"{shown}/{'*' if total is None else total}"
    if total is None:
        return 200, header
    if lower > total:
        raise ApiError(416, "PGRST103", "Requested range not satisfiable",
                       f"An offset of {lower} was requested, but there are only {total} rows.",
                       headers={"Content-Range": header})
    return (206 if 1 + upper - lower < total else 200), header


def _text(value: bytes | None) -> str | None:
    return None if value is None else value.decode()


def _apply_settings(status: int, headers: dict[str, str], status_setting: str | None,
                    headers_setting: str | None) -> tuple[int, list[tuple[str, str]]]:
    """The function's response.status and response.headers over ours: a header it sets replaces ours of that
    name, and every one it sets is kept, repeated names too (as PostgREST does)."""
    if status_setting is not None:
        if not (status_setting.isascii() and status_setting.isdigit()) or not 100 <= int(status_setting) <= 599:
            raise ApiError(500, "PGRST112", "Invalid response.status", f"{status_setting!r} is not an HTTP status")
        status = int(status_setting)
    if headers_setting is None:
        return status, list(headers.items())
    try:
        extra = msgspec.json.decode(headers_setting)
        if not isinstance(extra, list) or not all(isinstance(h, dict) and len(h) == 1 for h in extra):
            raise ValueError
        pairs = [(str(name), str(value)) for item in extra for name, value in item.items()]
    except (msgspec.DecodeError, ValueError):
        raise ApiError(500, "PGRST111", "Invalid response.headers",
                       "response.headers must be a JSON array of single-key objects") from None
    replaced = {name.lower() for name, _ in pairs}
    return status, [(k, v) for k, v in headers.items() if k.lower() not in replaced] + pairs
