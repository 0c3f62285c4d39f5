"""GET /rest/v1/: an OpenAPI 3 document of the exposed functions, generated from the schema cache.

Each function is a path /rpc/{name} with POST (a JSON object of its named arguments) and, for STABLE and IMMUTABLE
functions only, GET (the same as query parameters): a VOLATILE function may change data, which a GET cannot (it
runs read-only), so the document does not offer it. Types come from the catalogue (enums list their labels), the
description is the function's COMMENT, and every error response (4XX, 5XX) has PostgREST's four keys. Results are
described as nullable, since nothing in a function's signature promises a value is not NULL; a row always has
every column, and a set is an array even when empty. Overloads share one path; the document shows the first.
"""

from __future__ import annotations

import msgspec

from api.schema_cache import Function, Param, SchemaCache, TypeInfo

_INTEGERS = {"smallint": "int32", "integer": "int32", "bigint": "int64"}
# JSON Schema's formats the database's JSON output meets (its times without a zone are not RFC 3339 times).
_FORMATS = {"uuid": "uuid", "date": "date", "timestamp with time zone": "date-time"}

ERROR = {
    "type": "object",
    "required": ["code", "message", "details", "hint"],
    "properties": {"code": {"type": "string"}, "message": {"type": "string"},
                   "details": {"type": "string", "nullable": True},
                   "hint": {"type": "string", "nullable": True}},
}


def json_schema(type_oid: int, types: dict[int, TypeInfo]) -> dict:
    info = types.get(type_oid)
    if info is None:
        return {}
    if info.labels:
        return {"type": "string", "enum": list(info.labels)}
    if info.category == "A" and info.element is not None:
        return {"type": "array", "items": json_schema(info.element, types)}
    if info.name in _INTEGERS:
        return {"type": "integer", "format": _INTEGERS[info.name]}
    if info.category == "N":
        return {"type": "number"}
    if info.category == "B":
        return {"type": "boolean"}
    if info.name in ("json", "jsonb"):
        return {}
    if info.category == "C":
        return {"type": "object"}
    schema: dict = {"type": "string"}
    if fmt := _FORMATS.get(info.name):
        schema["format"] = fmt
    return schema


def _param(param: Param, types: dict[int, TypeInfo]) -> dict:
    """The argument's JSON schema, with its SQL type, and its SQL default when it has one."""
    schema = json_schema(param.type_oid, types)
    note = f"SQL type {param.type}" + (f"; default {param.default}" if param.default is not None else "")
    return {**schema, "description": note}


def _nullable(schema: dict) -> dict:
    """The schema, allowing null at every level (an enum lists null among its values, as validators require)."""
    if not schema:
        return schema
    out = {**schema, "nullable": True}
    if "enum" in out:
        out["enum"] = [*out["enum"], None]
    if "items" in out:
        out["items"] = _nullable(out["items"])
    return out


def _result(fn: Function, types: dict[int, TypeInfo]) -> dict:
    if fn.returns_row:
        item: dict = {"type": "object",
                      "properties": {c.name: _nullable(json_schema(c.type_oid, types)) for c in fn.columns},
                      "required": [c.name for c in fn.columns]}  # a NULL row still comes with its columns
    else:
        item = _nullable(json_schema(fn.returns_oid, types))
    return {"type": "array", "items": item} if fn.returns_set else item


def _operation(fn: Function, types: dict[int, TypeInfo], method: str) -> dict:
    error = {"content": {"application/json": {"schema": ERROR}}}
    responses: dict = {"4XX": {"description": "A refused request, in PostgREST's shape", **error},
                       "5XX": {"description": "The service or the database failed, in PostgREST's shape", **error}}
    if fn.returns_void:
        responses["204"] = {"description": "Done; no content"}
    else:
        responses["200"] = {"description": "The result",
                            "content": {"application/json": {"schema": _result(fn, types)}}}
    op: dict = {"summary": (fn.comment or fn.qualified).split("\n")[0][:120],
                "description": fn.comment or "", "operationId": f"{method}_{fn.schema}_{fn.name}",
                "tags": [fn.schema], "responses": responses}
    named = [p for p in fn.params if p.name]
    if method == "post":
        if fn.single_unnamed_json:
            body_schema: dict = {}
        else:
            body_schema = {"type": "object", "additionalProperties": False,
                           "properties": {p.name: _param(p, types) for p in named},
                           "required": sorted(p.name for p in named if not p.has_default)}
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": body_schema}}}
    else:
        op["parameters"] = [{"name": p.name, "in": "query", "required": not p.has_default,
                             "schema": _param(p, types)} for p in named]
    return op


def document(cache: SchemaCache, base: str) -> bytes:
    paths: dict = {}
    for (schema, name), overloads in sorted(cache.functions.items()):
        fn = overloads[0]
        if schema != cache.schemas[0]:
            continue  # one schema per document: the default one, as PostgREST describes its default schema
        if any(not p.name for p in fn.params) and not fn.single_unnamed_json:
            continue  # not callable by name
        operations = {"post": _operation(fn, cache.types, "post")}
        if not fn.single_unnamed_json and not fn.volatile:
            operations["get"] = _operation(fn, cache.types, "get")
        paths[f"/rpc/{name}"] = operations
    doc = {
        "openapi": "3.0.3",
        "info": {"title": "Tessera API", "version": "1",
                 "description": f"The functions of schema {cache.schemas[0]}, called as PostgREST calls them."},
        "servers": [{"url": base or "/"}],
        "paths": paths,
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}},
        "security": [{}, {"bearer": []}],
    }
    return msgspec.json.encode(doc)
