"""Planning: which function a request calls (PostgREST's overload rule) and in which access mode (Plan.hs)."""

from __future__ import annotations

from api import errors
from api.errors import ApiError
from api.rpc.query import Shaping
from api.schema_cache import Function, SchemaCache


def function(cache: SchemaCache, schema: str, name: str, keys: frozenset[str], raw: bytes | None) -> Function:
    """The keys are the required parameters plus any of the defaulted ones; failing that, a function of one
    unnamed json parameter takes the whole JSON body (`raw`)."""
    candidates = cache.overloads(schema, name)
    matches = [fn for fn in candidates if not fn.single_unnamed_json and fn.required <= keys <= fn.names]
    if not matches and raw is not None:
        matches = [fn for fn in candidates if fn.single_unnamed_json]
    if len(matches) == 1:
        return matches[0]
    shown = f"{schema}.{name}({', '.join(sorted(keys))})"
    if len(matches) > 1:
        raise ApiError(300, "PGRST203", f"Could not choose the best candidate function between: "
                       f"{', '.join(fn.signature() for fn in matches)}", None,
                       "Try renaming the parameters or the function itself in the database so function "
                       "overloading can be resolved")
    hint = (f"Perhaps you meant to call the function {candidates[0].signature()}" if candidates
            else cache.suggestion(schema, name))
    raise errors.not_found(f"Could not find the function {shown} in the schema cache", hint)


def read_only(method: str, fn: Function) -> bool:
    """GET and HEAD are read-only; POST is read-write for a VOLATILE function only (PostgREST's table)."""
    return method != "POST" or not fn.volatile


def check_shaping(fn: Function, shaping: Shaping) -> None:
    """What PostgREST refuses once it knows the function: embeds it finds no relationship for (the exposed schema
    holds functions only, so there is none), then filters, orders and limits on resources not embedded. Unknown
    columns are the database's to refuse (42703, 400), as PostgREST leaves them."""
    if shaping.embeds:
        parent = fn.returns.rsplit(".", 1)[-1].strip('"') if fn.composite else fn.name
        child = shaping.embeds[0]
        raise ApiError(400, "PGRST200", f"Could not find a relationship between '{parent}' and '{child}' in the "
                       "schema cache", f"Searched for a foreign key relationship between '{parent}' and '{child}' "
                       f"in the schema '{fn.schema}', but no matches were found.")
    if shaping.aggregates:
        raise ApiError(400, "PGRST123", "Use of aggregate functions is not allowed")
    if shaping.not_embedded:
        name = shaping.not_embedded[0]
        raise ApiError(400, "PGRST108", f"'{name}' is not an embedded resource in this request", None,
                       f"Verify that '{name}' is included in the 'select' query parameter.")
