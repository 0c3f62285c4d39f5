"""The RPC proxy speaks PostgREST's protocol: URLs, arguments, overloads, result shapes, profiles, the object
media type, response settings, the access mode and the error table."""

from __future__ import annotations

import httpx
import pytest

from tests.api_support import OWNER, token

OWNER_TOKEN = {"Authorization": f"Bearer {token(sub=OWNER)}"}
RPC_TEST = {"Content-Profile": "rpc_test"}
RPC_TEST_GET = {"Accept-Profile": "rpc_test"}

FOUR_KEYS = {"code", "message", "details", "hint"}


def error_of(response: httpx.Response) -> dict:
    body = response.json()
    assert set(body) == FOUR_KEYS, body
    assert isinstance(body["code"], str)
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    return body


def test_both_url_prefixes_reach_the_same_function(api):
    for prefix in ("/rest/v1", ""):
        response = api.rpc("whoami", {}, prefix=prefix)
        assert response.status_code == 200, response.text
        assert response.json()["role"] == "anon"


def test_post_arguments_by_name_with_sql_defaults(api):
    assert api.rpc("add", {"a": 1, "b": 2}, headers=RPC_TEST).json() == 3
    assert api.rpc("add", {"a": 1}, headers=RPC_TEST).json() == 11


def test_get_arguments_from_the_query_string(api):
    response = httpx.get(f"{api.url}/rest/v1/rpc/add", params={"a": "5"}, headers=RPC_TEST_GET)
    assert response.status_code == 200 and response.json() == 15
    repeated = httpx.get(f"{api.url}/rest/v1/rpc/total", params=[("parts", "1"), ("parts", "2"), ("parts", "4")],
                         headers=RPC_TEST_GET)
    assert repeated.json() == 7
    array = httpx.get(f"{api.url}/rest/v1/rpc/tags", params={"names": "{a,b,c}"}, headers=RPC_TEST_GET)
    assert array.json() == 3


def test_json_arrays_and_variadic_arguments_in_post(api):
    assert api.rpc("tags", {"names": ["x", "y"]}, headers=RPC_TEST).json() == 2
    assert api.rpc("total", {"parts": [1, 2, 3]}, headers=RPC_TEST).json() == 6


def test_form_encoded_post_is_accepted_as_postgrest_does(api):
    response = httpx.post(f"{api.url}/rest/v1/rpc/add", content="a=2&b=3", headers={
        **RPC_TEST, "Content-Type": "application/x-www-form-urlencoded"})
    assert response.json() == 5


def test_result_shapes_scalar_object_array_table_and_void(api):
    assert api.rpc("make_pair", {"n": 1, "label": "one"}, headers=RPC_TEST).json() == {"left_side": 1,
                                                                                        "right_side": "one"}
    assert api.rpc("numbers", {"n": 3}, headers=RPC_TEST).json() == [1, 2, 3]
    assert api.rpc("numbers", {"n": 0}, headers=RPC_TEST).json() == []
    assert api.rpc("labelled", {"n": 2}, headers=RPC_TEST).json() == [{"i": 1, "label": "row 1"},
                                                                      {"i": 2, "label": "row 2"}]
    void = api.rpc("nothing", {}, headers=RPC_TEST)
    assert void.status_code == 204 and void.content == b"" and "content-type" not in void.headers


def test_set_results_carry_a_content_range(api):
    assert api.rpc("numbers", {"n": 3}, headers=RPC_TEST).headers["content-range"] == "0-2/*"
    assert api.rpc("numbers", {"n": 0}, headers=RPC_TEST).headers["content-range"] == "*/*"


def test_a_single_unnamed_json_parameter_receives_the_whole_body(api):
    body = {"anything": [1, {"nested": True}], "x": None}
    assert api.rpc("echo", body, headers=RPC_TEST).json() == body


def test_a_body_near_the_size_limit_goes_through_whole_both_ways(api):
    # Larger than a socket's buffer each way, so sending it and reading the answer both wait part-way.
    body = {"rows": [{"n": n, "text": "x" * 40} for n in range(15_000)]}
    response = api.rpc("echo", body, headers=RPC_TEST)
    assert response.status_code == 200, response.text[:200]
    assert response.json() == body


def test_wrong_or_missing_keys_are_404_with_a_hint(api):
    missing = api.rpc("add", {"b": 1}, headers=RPC_TEST)
    assert missing.status_code == 404
    body = error_of(missing)
    assert body["code"] == "PGRST202" and "rpc_test.add(b)" in body["message"]
    assert body["hint"] == "Perhaps you meant to call the function rpc_test.add(a, b)"
    extra = api.rpc("add", {"a": 1, "zzz": 2}, headers=RPC_TEST)
    assert extra.status_code == 404 and error_of(extra)["code"] == "PGRST202"


def test_unknown_functions_are_404_with_perhaps_you_meant(api):
    response = api.rpc("whoamy", {})
    assert response.status_code == 404
    body = error_of(response)
    assert body["code"] == "PGRST202" and body["hint"] == "Perhaps you meant to call the function api.whoami()"
    assert error_of(api.rpc("zzzzzz", {}))["hint"] is None


def test_functions_outside_exposed_schemas_cannot_be_called(api):
    # private.org_ids exists, but private is not exposed: to the caller it does not exist.
    assert api.rpc("org_ids", {"min_role": "staff"}).status_code == 404
    assert api.rpc("org_ids", {}, headers={"Content-Profile": "private"}).status_code == 406


def test_ambiguous_overloads_are_300(api):
    response = api.rpc("twice", {"a": 2}, headers=RPC_TEST)
    assert response.status_code == 300 and error_of(response)["code"] == "PGRST203"
    assert api.rpc("twice", {"a": 2, "b": 1}, headers=RPC_TEST).json() == 5


def test_invalid_json_is_400(api):
    response = httpx.post(f"{api.url}/rest/v1/rpc/whoami", content=b"{not json",
                          headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and error_of(response)["code"] == "PGRST102"


def test_other_methods_are_405(api):
    for method in ("PUT", "PATCH", "DELETE"):
        response = httpx.request(method, f"{api.url}/rest/v1/rpc/whoami")
        assert response.status_code == 405 and error_of(response)["code"] == "PGRST101"


def test_head_answers_like_get_without_a_body(api):
    response = httpx.head(f"{api.url}/rest/v1/rpc/numbers", params={"n": "2"}, headers=RPC_TEST_GET)
    assert response.status_code == 200 and response.content == b""
    assert response.headers["content-range"] == "0-1/*"


def test_profiles_select_the_schema_and_unknown_ones_are_406(api):
    post = api.rpc("add", {"a": 1}, headers=RPC_TEST)
    assert post.headers["content-profile"] == "rpc_test"
    # GET reads Accept-Profile, POST reads Content-Profile.
    assert httpx.get(f"{api.url}/rest/v1/rpc/add?a=1", headers=RPC_TEST).status_code == 404
    unknown = api.rpc("whoami", {}, headers={"Content-Profile": "public"})
    assert unknown.status_code == 406
    body = error_of(unknown)
    assert body["code"] == "PGRST106" and body["hint"] == "Only the following schemas are exposed: api, rpc_test"


def test_object_media_type_unwraps_one_row_or_is_406(api):
    accept = {**RPC_TEST, "Accept": "application/vnd.pgrst.object+json"}
    one = api.rpc("labelled", {"n": 1}, headers=accept)
    assert one.status_code == 200 and one.json() == {"i": 1, "label": "row 1"}
    assert one.headers["content-type"] == "application/vnd.pgrst.object+json; charset=utf-8"
    many = api.rpc("labelled", {"n": 3}, headers=accept)
    assert many.status_code == 406
    body = error_of(many)
    assert body["code"] == "PGRST116" and body["details"] == "The result contains 3 rows"
    assert api.rpc("labelled", {"n": 0}, headers=accept).status_code == 406
    assert api.rpc("add", {"a": 1}, headers={**RPC_TEST, "Accept": "application/xml"}).status_code == 406


def test_response_status_and_headers_set_by_a_function_are_honoured(api):
    response = api.rpc("teapot", {}, headers=RPC_TEST)
    assert response.status_code == 418 and response.json() == "short and stout"
    assert response.headers["x-tea"] == "earl grey" and response.headers["cache-control"] == "no-store"
    bad = api.rpc("bad_status", {}, headers=RPC_TEST)
    assert bad.status_code == 500 and error_of(bad)["code"] == "PGRST112"


def test_get_runs_read_only_so_a_write_is_405(api):
    response = httpx.get(f"{api.url}/rest/v1/rpc/write_note", params={"body": "via get"}, headers=RPC_TEST_GET)
    assert response.status_code == 405 and error_of(response)["code"] == "25006"
    assert api.rpc("write_note", {"body": "via post"}, headers=RPC_TEST).status_code == 200


def test_stable_functions_run_read_only_even_on_post(api):
    assert api.rpc("context", {}, headers=RPC_TEST).json()["read_only"] == "on"
    assert httpx.get(f"{api.url}/rest/v1/rpc/context", headers=RPC_TEST_GET).json()["read_only"] == "on"


def test_the_database_sees_postgrest_settings(api):
    response = api.rpc("context", {}, headers={**RPC_TEST, **OWNER_TOKEN, "X-Custom": "Value",
                                                "Cookie": "session=abc; theme=dark"})
    seen = response.json()
    assert seen["role"] == "authenticated"
    assert seen["claims"]["sub"] == OWNER and seen["claims"]["role"] == "authenticated"
    assert seen["method"] == "POST" and seen["path"] == "/rpc/context"
    assert seen["headers"]["x-custom"] == "Value" and "cookie" not in seen["headers"]
    assert all(name == name.lower() for name in seen["headers"])
    assert seen["cookies"] == {"session": "abc", "theme": "dark"}
    assert seen["search_path"] == '"rpc_test", "public"'
    # authenticated's own ALTER ROLE setting applies, as PostgREST applies it.
    assert seen["statement_timeout"] == "8s"
    anon = api.rpc("context", {}, headers=RPC_TEST).json()
    assert anon["claims"] == {"role": "anon"} and anon["statement_timeout"] == "3s"


def test_the_client_address_comes_from_the_connection_not_the_client(api):
    seen = api.rpc("context", {}, headers={**RPC_TEST, "X-Forwarded-For": "6.6.6.6"}).json()
    assert seen["headers"]["x-forwarded-for"] == "127.0.0.1"


def test_behind_a_trusted_proxy_its_forwarded_address_is_kept(rpc_db, tmp_path):
    from tests.api_support import login_conninfo, serve

    with serve(login_conninfo(rpc_db), tmp_path, trust_forwarded="1") as behind:
        seen = behind.rpc("context", {}, headers={**RPC_TEST, "X-Forwarded-For": "203.0.113.7"}).json()
        assert seen["headers"]["x-forwarded-for"] == "203.0.113.7"
        direct = behind.rpc("context", {}, headers=RPC_TEST).json()
        assert direct["headers"]["x-forwarded-for"] == "127.0.0.1"


def test_errors_our_functions_raise_pass_through_whole(api):
    sold_out = api.rpc("sold_out", {}, headers=RPC_TEST)
    assert sold_out.status_code == 409
    assert error_of(sold_out) == {"code": "PT409", "message": "sold out", "details": "no places left on 2026-12-01",
                                  "hint": "pick another day"}
    plain = api.rpc("plain_raise", {}, headers=RPC_TEST)
    assert plain.status_code == 400
    assert error_of(plain) == {"code": "P0001", "message": "bad p 7", "details": "det", "hint": "hnt"}


def test_integrity_violations_are_409_without_their_details(api):
    assert api.rpc("write_note", {"body": "only once"}, headers=RPC_TEST).status_code == 200
    again = api.rpc("write_note", {"body": "only once"}, headers=RPC_TEST)
    assert again.status_code == 409
    body = error_of(again)
    assert body["code"] == "23505" and "notes_body_key" in body["message"]
    assert body["details"] is None and body["hint"] is None  # "Key (body)=(only once) already exists" withheld


def test_verbose_errors_show_what_is_withheld_by_default(rpc_db, tmp_path):
    from tests.api_support import login_conninfo, serve

    with serve(login_conninfo(rpc_db), tmp_path, verbose_errors="1") as verbose:
        assert verbose.rpc("write_note", {"body": "verbose twice"}, headers=RPC_TEST).status_code == 200
        again = verbose.rpc("write_note", {"body": "verbose twice"}, headers=RPC_TEST)
        assert again.status_code == 409
        assert error_of(again)["details"] == "Key (body)=(verbose twice) already exists."


def test_a_nul_character_in_an_argument_is_a_clear_400(api):
    nul = httpx.get(f"{api.url}/rest/v1/rpc/add", params={"a": "1\x00'; DROP TABLE rpc_test.notes; --"},
                    headers=RPC_TEST_GET)
    assert nul.status_code == 400 and error_of(nul)["code"] in ("22P05", "22021")
    assert api.rpc("write_note", {"body": "the table is still there"}, headers=RPC_TEST).status_code == 200


def test_bad_input_is_400_not_500(api):
    response = api.rpc("add", {"a": "not a number"}, headers=RPC_TEST)
    assert response.status_code == 400 and error_of(response)["code"] == "22P02"
    availability = api.rpc("check_availability", {"experience_id": "nope", "from_date": "2026-01-01",
                                                  "to_date": "2026-01-02"}, headers=OWNER_TOKEN)
    assert availability.status_code == 400 and error_of(availability)["code"] == "22P02"


def test_permission_errors_are_401_for_anon_and_403_for_others(api):
    anon = api.rpc("members_only", {}, headers=RPC_TEST)
    assert anon.status_code == 401 and error_of(anon)["code"] == "42501"
    assert anon.headers["www-authenticate"] == "Bearer"
    signed_in = api.rpc("members_only", {}, headers={**RPC_TEST, **OWNER_TOKEN})
    assert signed_in.status_code == 200
    service = api.rpc("purge_audit_log", {"before": "2000-01-01T00:00:00Z"}, headers=OWNER_TOKEN)
    assert service.status_code == 403 and error_of(service)["code"] == "42501"


def test_every_response_has_a_request_id_and_keeps_a_given_one(api):
    assert len(api.rpc("whoami", {}).headers["x-request-id"]) == 32
    assert api.rpc("whoami", {}, headers={"X-Request-Id": "trace-42"}).headers["x-request-id"] == "trace-42"
    assert "x-request-id" in httpx.get(f"{api.url}/no/such/path").headers


def test_unknown_paths_are_404_in_postgrest_shape(api):
    response = httpx.get(f"{api.url}/rest/v1/no_such_table")
    assert response.status_code == 404 and error_of(response)["code"] == "PGRST125"


@pytest.mark.parametrize("body", ["text", 3])
def test_a_body_that_is_not_an_object_matches_no_named_arguments(api, body):
    response = api.rpc("add", body, headers=RPC_TEST)
    assert response.status_code == 404 and error_of(response)["code"] == "PGRST202"
