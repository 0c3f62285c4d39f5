"""The published OpenAPI document describes exactly what the server does, and Schemathesis holds it to that: every
operation fuzzed as anonymous and as an owner with Schemathesis's conformance checks (no server error, documented
status codes, content types, headers and response schemas), and every error body has PostgREST's four keys.
Bounded and derandomized, so a run is repeatable and takes seconds."""

from __future__ import annotations

import httpx
import psycopg
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks
from schemathesis.core.failures import FailureGroup

from tests.api_support import OWNER, token

# Per operation. About 40 % of the cases of a function with a result carry a generated `select` or `order`, mostly
# garbage the server rightly refuses (400) before the arguments matter: enough examples that the rest still count.
EXAMPLES = 15
CONFORMANCE = [checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
               checks.response_headers_conformance, checks.response_schema_conformance]
HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


@pytest.fixture(scope="module")
def document(api):
    document = httpx.get(f"{api.url}/rest/v1/").json()
    assert document["openapi"].startswith("3.") and document["paths"]
    return document


@pytest.fixture(scope="module")
def schema(document):
    return schemathesis.openapi.from_dict(document)


@pytest.fixture(scope="module")
def test_document(api):
    """The document of the rpc_test schema (Accept-Profile), whose functions cover every return shape."""
    response = httpx.get(f"{api.url}/rest/v1/", headers={"Accept-Profile": "rpc_test"})
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture(scope="module")
def volatility(rpc_db) -> dict[str, str]:
    """Each api function's volatility, from the catalogue: the document's methods must follow it."""
    with psycopg.connect(rpc_db) as conn:
        rows = conn.execute("SELECT p.proname, p.provolatile FROM pg_proc p JOIN pg_namespace n ON n.oid = "
                            "p.pronamespace WHERE n.nspname = 'api' AND p.prokind = 'f'").fetchall()
    return dict(rows)


def test_the_document_describes_every_exposed_api_function(document, volatility):
    assert {path.removeprefix("/rpc/") for path in document["paths"]} == set(volatility)
    check = document["paths"]["/rpc/check_availability"]
    assert check["post"]["description"].startswith("Every start of an experience")
    body = check["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body["required"] == ["experience_id", "from_date", "to_date"]
    assert body["properties"]["party_size"] == {"type": "integer", "format": "int32",
                                                "description": "SQL type integer; default NULL::integer"}
    assert body["properties"]["experience_id"] == {"type": "string", "format": "uuid", "description": "SQL type uuid"}
    # Statuses are text checked in words by the database; the description lists the values.
    assert "pending, confirmed, cancelled" in document["paths"]["/rpc/batch_update_booking_status"]["post"][
        "description"]
    assert "204" in document["paths"]["/rpc/set_display_name"]["post"]["responses"]
    assert not any(path.startswith("/rpc/org_ids") for path in document["paths"])  # private stays private


def test_get_is_offered_exactly_for_the_functions_that_cannot_change_data(document, volatility):
    for name, kind in volatility.items():
        methods = set(document["paths"][f"/rpc/{name}"])
        assert methods == ({"post"} if kind == "v" else {"get", "post"}), (name, kind, methods)


def _resolved(document: dict, node: dict) -> dict:
    """The node, its $ref followed (the document shares parameters and answers as components)."""
    while "$ref" in node:
        for part in node["$ref"].removeprefix("#/").split("/"):
            document = document[part.replace("~1", "/").replace("~0", "~")]
        node = document
    return node


def _answer(document: dict, path: str, method: str = "post", media: str = "application/json") -> dict:
    response = _resolved(document, document["paths"][path][method]["responses"]["200"])
    return response["content"][media]["schema"]


def _leaves(schema: dict):
    """Every value a result schema describes: the schema itself, array items, object properties, recursively."""
    yield schema
    if "items" in schema:
        yield from _leaves(schema["items"])
    for prop in schema.get("properties", {}).values():
        yield from _leaves(prop)


def test_results_are_described_as_nullable_since_functions_may_return_nulls(document):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if "200" not in operation["responses"]:
                continue
            result = _answer(document, path, method)
            for leaf in _leaves(result):
                if "properties" in leaf:
                    # `select` may name fewer columns; a row of a set is never null (a NULL row has null columns),
                    # the one row of a single result is when a filter or limit=0 leaves none.
                    assert "required" not in leaf and leaf.get("nullable", False) is (leaf is result), path
                elif leaf is result and leaf.get("type") == "array" and "nullable" not in leaf:
                    pass  # a set: an array, [] when there are no rows
                else:
                    assert leaf == {} or leaf.get("nullable") is True, (method, path, leaf)
                    assert "enum" not in leaf or None in leaf["enum"], (method, path, leaf)
    chain = _answer(document, "/rpc/verify_audit_chain")["items"]["properties"]
    assert chain["broken_seal_id"] == {"type": "integer", "format": "int64", "nullable": True}


def test_verify_audit_chain_returns_nulls_and_the_document_allows_them(api, rpc_db, document, schema):
    with psycopg.connect(rpc_db) as conn:
        org = str(conn.execute("SELECT id FROM app.organizations WHERE slug = 'rpc-rooms'").fetchone()[0])
    response = api.rpc("verify_audit_chain", {"org_id": org}, headers={"Authorization": f"Bearer {token(sub=OWNER)}"})
    assert response.status_code == 200, response.text
    nulls = {key for row in response.json() for key, value in row.items() if value is None}
    assert nulls, response.text
    columns = _answer(document, "/rpc/verify_audit_chain")["items"]["properties"]
    case = schema["/rpc/verify_audit_chain"]["POST"].Case(body={"org_id": org})
    case.validate_response(response, checks=[checks.response_schema_conformance])
    assert all(columns[key]["nullable"] for key in nulls)


def test_a_method_not_allowed_is_405_with_the_allowed_methods(api, document, volatility):
    for path, operations in document["paths"].items():
        documented = {m.upper() for m in operations}
        allowed = documented | ({"HEAD"} if "GET" in documented else set())
        for method in HTTP_METHODS:
            if method in allowed:
                continue
            response = httpx.request(method, f"{api.url}/rest/v1{path}", json={})
            if method in ("GET", "HEAD") and response.status_code != 405:
                continue  # a volatile function under GET runs read-only, as PostgREST runs it: it may not write
            assert response.status_code == 405, (method, path, response.text)
            assert {m.strip() for m in response.headers["allow"].split(",")} == allowed, (method, path)
            assert set(response.json()) == {"code", "message", "details", "hint"}


def test_get_of_a_function_that_writes_is_405_with_allow_post(api):
    response = api.rpc("write_note", method="GET", params={"body": "hi"}, headers={"Accept-Profile": "rpc_test"})
    assert response.status_code == 405 and response.json()["code"] == "25006"
    assert response.headers["allow"] == "POST"


def test_other_routes_name_their_methods_on_405(api):
    response = httpx.post(f"{api.url}/health")
    assert response.status_code == 405 and "GET" in response.headers["allow"]


@pytest.mark.parametrize("who", ["anon", "owner"])
def test_the_server_conforms_to_its_document_under_schemathesis(api, document, schema, who):
    headers = {"Authorization": f"Bearer {token(sub=OWNER) if who == 'owner' else token(role='anon')}"}
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == sum(len(methods) for methods in document["paths"].values()) > 30

    def fuzz_one(operation):
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def fuzz(case):
            response = case.call(base_url=f"{api.url}/rest/v1", headers=headers, timeout=30)
            where = f"{operation.method.upper()} {operation.path} -> {response.status_code}: {response.text[:200]}"
            try:
                case.validate_response(response, checks=CONFORMANCE)
            except FailureGroup as group:
                failures.append(f"{where}\n  " + "\n  ".join(str(f.title) for f in group.exceptions))
            except AssertionError as exc:
                failures.append(f"{where}\n  {exc}")
            if response.status_code >= 400:
                body = response.json()
                if set(body) != {"code", "message", "details", "hint"} or not isinstance(body["code"], str):
                    failures.append(where)

        fuzz()

    for operation in operations:
        fuzz_one(operation)
    assert not failures, "\n".join(failures[:20])


SHAPING = {"select", "order", "limit", "offset", "Prefer"}
SHAPED_MEDIA = {"application/json", "application/vnd.pgrst.object+json", "text/csv"}


@pytest.mark.parametrize("profile", ["api", "rpc_test"])
def test_the_shaping_parameters_are_documented_exactly_for_functions_with_a_result(api, document, test_document,
                                                                                      rpc_db, profile):
    doc = document if profile == "api" else test_document
    with psycopg.connect(rpc_db) as conn:
        void = {name for (name,) in conn.execute(
            "SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = %s "
            "AND p.prokind = 'f' AND p.prorettype = 'void'::regtype", (profile,))}
    assert void, profile
    seen = set()
    for path, operations in doc["paths"].items():
        name = path.removeprefix("/rpc/")
        for method, operation in operations.items():
            parameters = [_resolved(doc, p) for p in operation.get("parameters", [])]
            given = {p["name"] for p in parameters if p["in"] == "header" or p["name"] in SHAPING}
            responses = {status: _resolved(doc, r) for status, r in operation["responses"].items()}
            if name in void:
                assert not given and set(responses) == {"204", "4XX", "5XX"}, (method, path)
                assert "<column>=<operator>.<value>" not in operation["description"]
                continue
            seen.add(name)
            assert given == SHAPING | ({"Range", "Range-Unit"} if method == "get" else set()), (method, path, given)
            assert "<column>=<operator>.<value>" in operation["description"], (method, path)
            assert len(parameters) == len({p["name"] for p in parameters}), (method, path)
            for status in ("200", "206"):
                assert set(responses[status]["content"]) == SHAPED_MEDIA, (method, path)
                assert _resolved(doc, responses[status]["headers"]["Content-Range"])["required"] is True
    assert seen, profile
    # A void function takes a shaping as PostgREST does and still answers 204, with no Content-Range (an order is
    # refused: void has no ordering): the document offers nothing to shape.
    done = httpx.post(f"{api.url}/rest/v1/rpc/nothing?limit=1&offset=1&select=pgrst_scalar", json={},
                      headers={"Content-Profile": "rpc_test", "Prefer": "count=exact"})
    assert done.status_code == 204 and "content-range" not in done.headers


def test_a_document_of_an_unexposed_schema_is_refused_as_postgrest_refuses_it(api):
    response = httpx.get(f"{api.url}/rest/v1/", headers={"Accept-Profile": "private"})
    assert (response.status_code, response.json()["code"]) == (406, "PGRST106")


def test_the_documented_shaping_answers_as_documented(api, test_document):
    """Every documented shaping over a set: a counted part is 206 with Content-Range, the object media type one
    row, CSV text; each answer validated against the document."""
    schema = schemathesis.openapi.from_dict(test_document)
    operation = schema["/rpc/catalogue"]["GET"]
    cases = [({"limit": 2, "offset": 1, "order": "id.desc", "select": "id,name"}, {"Prefer": "count=exact"}, 206),
             ({"id": "eq.3"}, {"Accept": "application/vnd.pgrst.object+json"}, 200),
             ({"select": "id", "limit": 2}, {"Accept": "text/csv"}, 200),
             ({}, {"Range": "0-1", "Range-Unit": "items", "Prefer": "count=estimated"}, 206),
             ({}, {"Range": "0-1", "Prefer": "count=planned"}, 200)]  # no total: "0-1/*"
    for query, headers, status in cases:
        response = httpx.get(f"{api.url}/rest/v1/rpc/catalogue", params=query,
                             headers={"Accept-Profile": "rpc_test", **headers})
        assert response.status_code == status, (query, headers, response.text)
        operation.Case(query=query, headers=headers).validate_response(response, checks=CONFORMANCE)


def test_a_bare_record_is_described_as_the_object_it_answers(api, test_document):
    schema = schemathesis.openapi.from_dict(test_document)
    for name, args, single in (("bare_record", {"n": 2}, True), ("bare_records", {"n": 3}, False)):
        result = _answer(test_document, f"/rpc/{name}")
        item = result if single else result["items"]
        assert item["type"] == "object" and item["additionalProperties"] is True and item["nullable"], (name, item)
        response = httpx.post(f"{api.url}/rest/v1/rpc/{name}", json=args, headers={"Content-Profile": "rpc_test"})
        answer = response.json()
        assert all(isinstance(row, dict) for row in ([answer] if single else answer)), answer
        schema[f"/rpc/{name}"]["POST"].Case(body=args).validate_response(response, checks=CONFORMANCE)
