"""Plain calls answer as PostgREST answers them: the shape a signature decides (bare `record`, a single OUT, INOUT
or TABLE column), GET and form values decided per parameter, JSON array bodies, repeated response headers, and
JSON nested too deep refused before anything recurses over it."""

from __future__ import annotations

import httpx
import pytest

from tests.test_rpc_protocol import RPC_TEST, RPC_TEST_GET, error_of

FORM = {**RPC_TEST, "Content-Type": "application/x-www-form-urlencoded"}


def get(api, name: str, params) -> httpx.Response:
    return httpx.get(f"{api.url}/rest/v1/rpc/{name}", params=params, headers=RPC_TEST_GET, timeout=30)


def form(api, name: str, content: str) -> httpx.Response:
    return httpx.post(f"{api.url}/rest/v1/rpc/{name}", content=content, headers=FORM, timeout=30)


def ok(response: httpx.Response):
    assert response.status_code == 200, response.text
    return response.json()


# 1. A bare record is what its body built; PostgREST calls it in the select list, so no column definition list.
def test_a_bare_record_is_the_object_its_body_built(api):
    assert ok(api.rpc("bare_record", {}, headers=RPC_TEST)) == {"id": 1, "name": "item 1"}
    assert ok(api.rpc("bare_record", {"n": 4}, headers=RPC_TEST)) == {"id": 4, "name": "item 4"}
    assert ok(get(api, "bare_record", {"n": "2"})) == {"id": 2, "name": "item 2"}
    assert ok(api.rpc("plpgsql_record", {}, headers=RPC_TEST)) == {"id": 7, "name": "seven"}


def test_a_set_of_bare_records_is_an_array_of_objects(api):
    assert ok(api.rpc("bare_records", {"n": 2}, headers=RPC_TEST)) == [{"id": 1, "name": "item 1"},
                                                                        {"id": 2, "name": "item 2"}]
    empty = api.rpc("bare_records", {"n": 0}, headers=RPC_TEST)
    assert ok(empty) == [] and empty.headers["content-range"] == "*/*"


def test_a_record_of_out_parameters_is_an_object_of_them(api):
    assert ok(api.rpc("out_pair", {"n": 3}, headers=RPC_TEST)) == {"doubled": 6, "label": "n=3"}


# 2. One OUT, INOUT or TABLE column is still a row: an object, named by the parameter.
def test_a_single_out_or_inout_parameter_is_an_object(api):
    assert ok(get(api, "single_out", {"num": "5"})) == {"num_plus_one": 6}
    assert ok(api.rpc("single_inout", {"num": 2}, headers=RPC_TEST)) == {"num": 3}


def test_a_one_column_table_is_an_array_of_objects(api):
    assert ok(get(api, "single_column", {})) == [{"a": "A"}]
    assert ok(api.rpc("single_column", {"n": 2}, headers=RPC_TEST)) == [{"a": "A"}, {"a": "AA"}]
    assert ok(api.rpc("out_setof", {"n": 2}, headers=RPC_TEST)) == [{"i": 1}, {"i": 2}]
    one = api.rpc("single_column", {}, headers={**RPC_TEST, "Accept": "application/vnd.pgrst.object+json"})
    assert ok(one) == {"a": "A"}


# 3. GET and form values, decided per parameter of the function the names chose.
@pytest.mark.parametrize("send", [get, lambda api, name, params: form(api, name, str(httpx.QueryParams(params)))],
                         ids=["get", "form"])
def test_a_repeated_value_of_a_scalar_parameter_is_the_last(api, send):
    assert ok(send(api, "add", [("a", "1"), ("a", "5")])) == 15
    assert ok(send(api, "greet", [("name", "ignored"), ("name", "world"), ("v", "x")])) == "Hello, world (1)"


@pytest.mark.parametrize("send", [get, lambda api, name, params: form(api, name, str(httpx.QueryParams(params)))],
                         ids=["get", "form"])
def test_variadic_parameters_take_every_value_even_one(api, send):
    assert ok(send(api, "variadic_texts", [("v", "hi")])) == ["hi"]
    assert ok(send(api, "variadic_texts", [("v", "hi"), ("v", "there")])) == ["hi", "there"]
    assert ok(send(api, "variadic_texts", [])) == []
    assert ok(send(api, "total", [("parts", "4")])) == 4


@pytest.mark.parametrize("send", [get, lambda api, name, params: form(api, name, str(httpx.QueryParams(params)))],
                         ids=["get", "form"])
def test_array_parameters_take_bare_values_as_an_array_and_literals_as_they_are(api, send):
    assert ok(send(api, "tags", [("names", "pending")])) == 1
    assert ok(send(api, "tags", [("names", "a"), ("names", "b")])) == 2
    assert ok(send(api, "tags", [("names", "{a,b,c}")])) == 3  # PostgREST's array literal
    assert ok(send(api, "count_labels", [("labels", "x"), ("labels", "y"), ("suffix", "!")])) == "x,y!"  # a domain


def test_list_bookings_takes_one_status_on_get(api, rpc_db):
    import psycopg

    from tests.api_support import OWNER, token

    with psycopg.connect(rpc_db) as conn:
        org_id = str(conn.execute("SELECT id FROM app.organizations WHERE slug = 'rpc-rooms'").fetchone()[0])
    for statuses in (["pending"], ["pending", "confirmed"], ["{pending,confirmed}"]):
        response = httpx.get(f"{api.url}/rest/v1/rpc/list_bookings",
                             params=[("org_id", org_id), *(("statuses", s) for s in statuses)],
                             headers={"Authorization": f"Bearer {token(sub=OWNER)}"})
        assert response.status_code == 200, response.text
        assert isinstance(response.json(), list)


# 4. A JSON array body: the first object, once all have the same keys (PostgREST).
def test_an_array_body_calls_with_its_first_object(api):
    assert ok(api.rpc("add", [{"a": 1, "b": 2}, {"a": 4, "b": 6}], headers=RPC_TEST)) == 3
    # Prefer: params=multiple-objects went with PostgREST 10; the versions Supabase runs ignore it, so do we.
    many = api.rpc("add", [{"a": 1, "b": 2}, {"a": 4, "b": 6}],
                   headers={**RPC_TEST, "Prefer": "params=multiple-objects"})
    assert ok(many) == 3


@pytest.mark.parametrize("body", [[1, 2], [{"a": 1}, {"b": 2}], [{"a": 1}, 3]])
def test_an_array_body_of_other_things_is_400(api, body):
    response = api.rpc("add", body, headers=RPC_TEST)
    assert response.status_code == 400
    assert error_of(response) == {"code": "PGRST102", "message": "All object keys must match", "details": None,
                                  "hint": None}


@pytest.mark.parametrize("body", [[], "text", 3, None])
def test_an_empty_array_or_a_bare_value_is_no_arguments(api, body):
    content = httpx.Request("POST", "http://x", json=body).content if body is not None else b"null"
    called = httpx.post(f"{api.url}/rest/v1/rpc/whoami", content=content, headers={"Content-Type": "application/json"})
    assert called.status_code == 200 and called.json()["role"] == "anon"
    missing = httpx.post(f"{api.url}/rest/v1/rpc/add", content=content,
                         headers={**RPC_TEST, "Content-Type": "application/json"})
    assert missing.status_code == 404 and error_of(missing)["code"] == "PGRST202"


# 5. Headers a function sets keep their repeats.
def test_two_set_cookie_headers_both_arrive(api):
    response = api.rpc("two_cookies", {}, headers=RPC_TEST)
    assert ok(response) == "baked"
    assert response.headers.get_list("set-cookie") == ["a=1; Path=/", "b=2; Path=/"]
    assert response.headers.get_list("content-type") == ["application/json"]  # it replaced ours


# 6. Deep JSON is refused before it is parsed whole, as bad JSON.
@pytest.mark.parametrize("opening, closing", [(b"[", b"]"), (b'{"a":', b"}")], ids=["arrays", "objects"])
@pytest.mark.parametrize("depth", [101, 100_000])
def test_json_nested_too_deep_is_400_not_500(api, opening, closing, depth):
    nested = opening * depth + b"1" + closing * depth
    for name, body in (("echo", nested), ("add", b'{"a": 1, "b": ' + nested + b"}"),
                       ("whoami", b'[{"x": ' + nested + b"}]")):
        schema = RPC_TEST if name != "whoami" else {}
        response = httpx.post(f"{api.url}/rest/v1/rpc/{name}", content=body,
                              headers={**schema, "Content-Type": "application/json"}, timeout=30)
        assert response.status_code == 400, (name, response.text[:200])
        body_of = error_of(response)
        assert body_of["code"] == "PGRST102" and "100" in body_of["details"]


def test_json_at_the_depth_limit_and_brackets_in_strings_pass(api):
    at_limit = {"a": 1}
    for _ in range(99):
        at_limit = {"a": at_limit}
    assert ok(api.rpc("echo", at_limit, headers=RPC_TEST)) == at_limit
    text = {"note": "[" * 500 + "{" * 500}
    assert ok(api.rpc("echo", text, headers=RPC_TEST)) == text


@pytest.mark.parametrize("part", ["header", "claims"])
@pytest.mark.parametrize("depth", [1_000, 10_000])
def test_a_token_of_deeply_nested_json_is_refused_not_500(api, part, depth):
    import base64

    def segment(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    nested = segment(b'{"a":' * depth + b"1" + b"}" * depth)
    plain = segment(b'{"alg":"HS256","typ":"JWT"}'), segment(b'{"role":"anon"}')
    jwt = ".".join((nested, plain[1], "c2ln") if part == "header" else (plain[0], nested, "c2ln"))
    response = httpx.post(f"{api.url}/rest/v1/rpc/whoami", json={}, headers={"Authorization": f"Bearer {jwt}"})
    assert 400 <= response.status_code < 500, response.text[:200]
    if response.status_code == 401:
        assert error_of(response)["code"] == "PGRST301"


def test_supabase_py_sees_the_same_shapes_and_array_arguments(api):
    from supabase import ClientOptions, create_client

    from tests.api_support import token

    client = create_client(api.url, token(role="anon"), options=ClientOptions(schema="rpc_test"))
    assert client.rpc("single_out", {"num": 5}).execute().data == {"num_plus_one": 6}
    assert client.rpc("single_column", {"n": 1}, get=True).execute().data == [{"a": "A"}]
    assert client.rpc("bare_records", {"n": 1}).execute().data == [{"id": 1, "name": "item 1"}]
    # On GET supabase-py (like supabase-js) sends a list as an array literal, `names={a,b}`, which an array
    # parameter takes whole; a VARIADIC parameter takes each value as one element, `{hi}` included, as PostgREST.
    assert client.rpc("tags", {"names": ["only"]}, get=True).execute().data == 1
    assert client.rpc("tags", {"names": ["a", "b"]}, get=True).execute().data == 2
    assert client.rpc("variadic_texts", {"v": ["hi"]}, get=True).execute().data == ["{hi}"]
    assert client.rpc("variadic_texts", {"v": ["hi", "there"]}).execute().data == ["hi", "there"]
