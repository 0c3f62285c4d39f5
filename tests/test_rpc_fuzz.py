"""Schemathesis fuzzes every operation of the published OpenAPI document, as anonymous and as an owner: no input
may produce a server error, and every error body has PostgREST's four keys. Bounded and derandomized, so a run is
repeatable and takes seconds."""

from __future__ import annotations

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.api_support import OWNER, token

EXAMPLES = 10


@pytest.fixture(scope="module")
def schema(api):
    document = httpx.get(f"{api.url}/rest/v1/").json()
    assert document["openapi"].startswith("3.") and document["paths"]
    return schemathesis.openapi.from_dict(document)


def test_the_document_describes_every_exposed_api_function(api, schema):
    document = httpx.get(f"{api.url}/rest/v1/").json()
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


@pytest.mark.parametrize("who", ["anon", "owner"])
def test_no_input_produces_a_server_error_and_every_error_has_four_keys(api, schema, who):
    headers = {"Authorization": f"Bearer {token(sub=OWNER) if who == 'owner' else token(role='anon')}"}
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 40

    def fuzz_one(operation):
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def fuzz(case):
            response = case.call(base_url=f"{api.url}/rest/v1", headers=headers, timeout=30)
            where = f"{operation.method.upper()} {operation.path} -> {response.status_code}: {response.text[:200]}"
            if response.status_code >= 500:
                failures.append(where)
            elif response.status_code >= 400:
                body = response.json()
                if set(body) != {"code", "message", "details", "hint"} or not isinstance(body["code"], str):
                    failures.append(where)

        fuzz()

    for operation in operations:
        fuzz_one(operation)
    assert not failures, "\n".join(failures[:20])
