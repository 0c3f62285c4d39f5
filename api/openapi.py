"""GET /rest/v1/: an OpenAPI 3 document of the exposed functions, generated from the schema cache (of the schema
Accept-Profile names, else the first exposed one, as PostgREST serves it).

Each function is a path /rpc/{name} with POST (a JSON object of its named arguments) and, for STABLE and IMMUTABLE
functions only, GET (the same as query parameters): a VOLATILE function may change data, which a GET cannot (it
runs read-only), so the document does not offer it. Types come from the catalogue (enums list their labels), the
description is the function's COMMENT, and every error response (4XX, 5XX) has PostgREST's four keys. Results are
described as nullable, since nothing in a function's signature promises a value is not NULL, and a set is an array
even when empty. A function with a result takes PostgREST's shaping (api.rpc.query): `select`, `order`, `limit`,
`offset`, `Prefer: count=…` and, on GET, `Range`, as parameters; the free-form `<column>=<operator>.<value>`
filters in the description, with the result's columns. So its row may lack a column (`select`), its one value or
row may be filtered away (null), a counted part is 206 with `Content-Range`, and it answers in JSON, CSV or as
PostgREST's single object. What operations share (the error, the shaping parameters, each function's answer for
GET and POST, 200 and 206) is a component they refer to, which keeps the document small. Overloads share one path;
the document shows the first.
"""

from __future__ import annotations

import msgspec

from api.rpc.query import FTS, IS_VALUES, OPERATORS, is_shaping_key
from api.rpc.request import CSV, OBJECT
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
    if info.name == "record":  # a bare record: the object its body built, fields unknown to the catalogue
        return {"type": "object", "additionalProperties": True}
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


def _item(fn: Function, types: dict[int, TypeInfo]) -> dict:
    """One row or value of the result. A row's columns are not required: `select` may name fewer (a NULL row
    still comes with every column it selects)."""
    if fn.returns_row:
        return {"type": "object",
                "properties": {c.name: _nullable(json_schema(c.type_oid, types)) for c in fn.columns}}
    return _nullable(json_schema(fn.returns_oid, types))


def _result(fn: Function, types: dict[int, TypeInfo]) -> dict:
    item = _item(fn, types)
    if fn.returns_set:
        return {"type": "array", "items": item}
    return {**item, "nullable": True}  # a filter or limit=0 leaves no row: null


def _answer(fn: Function, types: dict[int, TypeInfo]) -> dict:
    """The response of a function with a result, shared by its 200 and 206, on GET and POST: JSON, PostgREST's
    single object (one row of a set, else 406; of a single result, that result) and CSV."""
    result = _result(fn, types)
    single = _item(fn, types) if fn.returns_set else result
    return {"description": "The result; 206 when it is part of a counted one (Prefer: count=…)",
            "headers": {"Content-Range": _ref("headers", "Content-Range")},
            "content": {"application/json": {"schema": result}, OBJECT: {"schema": single},
                        CSV: {"schema": {"type": "string"}}}}


def _ref(kind: str, name: str) -> dict:
    return {"$ref": f"#/components/{kind}/{name}"}


# PostgREST's shaping, as parameters (api.rpc.query reads them; on POST from the query string too), shared by every
# function with a result. Range only on GET, where PostgREST reads it.
_SHAPING = {
    "select": {"name": "select", "in": "query", "required": False, "schema": {"type": "string"},
               "description": "The columns to answer with, PostgREST's syntax: `a,b`, renames `alias:a`, casts "
                              "`a::text`, JSON paths `a->k`; without it every column. A rename or cast changes the "
                              "answer's keys and types from those described."},
    "order": {"name": "order", "in": "query", "required": False, "schema": {"type": "string"},
              "description": "Sort by columns: `a.desc.nullslast,b`"},
    "limit": {"name": "limit", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 0},
              "description": "At most this many rows"},
    "offset": {"name": "offset", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 0},
               "description": "Skip this many rows first"},
    "Prefer": {"name": "Prefer", "in": "header", "required": False,
               "schema": {"type": "string", "enum": ["count=exact", "count=planned", "count=estimated"]},
               "description": "Count the filtered rows into Content-Range (its total), part of them then 206; "
                              "`count=planned` is taken and leaves the total `*`"},
    "Range": {"name": "Range", "in": "header", "required": False,
              "schema": {"type": "string", "pattern": "^[0-9]+-[0-9]*$"},
              "description": "Rows first-last (from 0), as limit and offset; GET only, as PostgREST reads it"},
    "Range-Unit": {"name": "Range-Unit", "in": "header", "required": False,
                   "schema": {"type": "string", "enum": ["items"]}, "description": "The unit of Range: rows"},
}
_POST_SHAPING = ("select", "order", "limit", "offset", "Prefer")
_GET_SHAPING = (*_POST_SHAPING, "Range", "Range-Unit")
_CONTENT_RANGE = {"required": True, "description": "The rows answered and the total: `0-9/42`; `*` for none, or "
                  "for a total not counted", "schema": {"type": "string",
                                                        "pattern": "^(\\*|[0-9]+-[0-9]+)/(\\*|[0-9]+)$"}}
_FILTERS = ("A function with a result takes PostgREST's shaping: the `select`, `order`, `limit` and `offset` "
            "parameters, `Prefer: count=…` (and `Range` on GET), and filters `<column>=<operator>.<value>` on the "
            "result's columns (a scalar's one column is `pgrst_scalar`), in the query string of a POST, beside the "
            f"arguments of a GET (a value with an operator is a filter): {', '.join([*OPERATORS, *FTS])}, `in.(…)` "
            f"and `is.` {'|'.join(IS_VALUES)}, each negated by `not.`, and `or=(…)`/`and=(…)` trees of them.")


def _operation(fn: Function, types: dict[int, TypeInfo], method: str) -> dict:
    responses: dict = {"4XX": _ref("responses", "Refused"), "5XX": _ref("responses", "Failed")}
    description = fn.comment or ""
    shaping: list[dict] = []
    if fn.returns_void:
        # Nothing to shape: PostgREST takes a shaping and still answers 204, which the document does not invite.
        responses["204"] = {"description": "Done; no content"}
    else:
        responses["200"] = responses["206"] = _ref("responses", _answer_name(fn))
        shaping = [_ref("parameters", p) for p in (_GET_SHAPING if method == "get" else _POST_SHAPING)]
        columns = ", ".join(c.name for c in fn.columns) if fn.returns_row else "pgrst_scalar"
        description += f"\n\nFilters `<column>=<operator>.<value>` on: {columns} (see the document's description)."
    op: dict = {"summary": (fn.comment or fn.qualified).split("\n")[0][:120],
                "description": description, "operationId": f"{method}_{fn.schema}_{fn.name}",
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
        if shaping:
            op["parameters"] = shaping
    else:
        # On GET a name like `limit` is the shaping's, never an argument (PostgREST's rule).
        op["parameters"] = [{"name": p.name, "in": "query", "required": not p.has_default,
                             "schema": _param(p, types)} for p in named if not is_shaping_key(p.name)] + shaping
    return op


def _answer_name(fn: Function) -> str:
    return f"rpc_{fn.name}"


def document(cache: SchemaCache, base: str, schema_name: str) -> bytes:
    """The document of one exposed schema (PostgREST describes one per document)."""
    paths: dict = {}
    answers: dict = {}
    for (schema, name), overloads in sorted(cache.functions.items()):
        fn = overloads[0]
        if schema != schema_name:
            continue
        if any(not p.name for p in fn.params) and not fn.single_unnamed_json:
            continue  # not callable by name
        operations = {"post": _operation(fn, cache.types, "post")}
        if fn.readable:
            operations["get"] = _operation(fn, cache.types, "get")
        paths[f"/rpc/{name}"] = operations
        if not fn.returns_void:
            answers[_answer_name(fn)] = _answer(fn, cache.types)
    error = {"content": {"application/json": {"schema": _ref("schemas", "Error")}}}
    doc = {
        "openapi": "3.0.3",
        "info": {"title": "Tessera API", "version": "1",
                 "description": f"The functions of schema {schema_name}, called as PostgREST calls them. {_FILTERS}"},
        "servers": [{"url": base or "/"}],
        "paths": paths,
        "components": {
            "schemas": {"Error": ERROR},
            "parameters": _SHAPING,
            "headers": {"Content-Range": _CONTENT_RANGE},
            "responses": {"Refused": {"description": "A refused request, in PostgREST's shape", **error},
                          "Failed": {"description": "The service or the database failed, in PostgREST's shape",
                                     **error}, **answers},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}},
        "security": [{}, {"bearer": []}],
    }
    return msgspec.json.encode(doc)
