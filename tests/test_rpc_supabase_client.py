"""The official supabase-py client works against the proxy unchanged: rpc() by POST and GET, on the client's
schema and on client.schema('api'), with every result shape, and errors arriving as APIError with PostgREST's
four fields."""

from __future__ import annotations

import pytest
from postgrest.exceptions import APIError
from supabase import ClientOptions, create_client

from tests.api_support import OWNER, token


@pytest.fixture(scope="module")
def anon_client(api):
    return create_client(api.url, token(role="anon"), options=ClientOptions(schema="api"))


@pytest.fixture(scope="module")
def owner_client(api):
    client = create_client(api.url, token(role="anon"), options=ClientOptions(schema="api"))
    client.postgrest.auth(token(sub=OWNER, email="owner@rpc.example"))
    return client


def test_a_scalar_result(owner_client):
    assert owner_client.rpc("whoami", {}).execute().data == {"role": "authenticated", "user_id": OWNER,
                                                         "email": "owner@rpc.example"}
    assert owner_client.rpc("expire_holds").execute().data == 0


def test_an_object_result(owner_client):
    created = owner_client.rpc("create_organization", {"name": "Supabase Client Rooms",
                                                       "slug": "supabase-client-rooms"}).execute()
    assert created.data["slug"] == "supabase-client-rooms" and created.data["name"] == "Supabase Client Rooms"


def test_a_list_result(owner_client):
    orgs = owner_client.rpc("my_organizations").execute().data
    assert isinstance(orgs, list) and {"slug": "rpc-rooms", "role": "owner"}.items() <= next(
        o for o in orgs if o["slug"] == "rpc-rooms").items()


def test_a_void_result(owner_client):
    assert owner_client.rpc("set_display_name", {"display_name": "Olive Owner"}).execute().data == []


def test_get_calls(owner_client):
    assert owner_client.rpc("whoami", get=True).execute().data["role"] == "authenticated"
    orgs = owner_client.rpc("my_organizations", get=True).execute().data
    assert any(o["slug"] == "rpc-rooms" for o in orgs)


def test_the_schema_method_selects_the_schema(api):
    client = create_client(api.url, token(role="anon"))  # default schema: public, which is not exposed
    with pytest.raises(APIError) as refused:
        client.rpc("whoami", {}).execute()
    assert refused.value.code == "PGRST106"
    assert client.schema("api").rpc("whoami", {}).execute().data["role"] == "anon"
    assert client.schema("rpc_test").rpc("numbers", {"n": 2}).execute().data == [1, 2]
    assert client.schema("rpc_test").rpc("add", {"a": 1}, get=True).execute().data == 11


def test_errors_arrive_as_api_error_with_code_message_details_hint(api, anon_client):
    with pytest.raises(APIError) as raised:
        create_client(api.url, token(role="anon")).schema("rpc_test").rpc("sold_out", {}).execute()
    error = raised.value
    assert (error.code, error.message, error.details, error.hint) == (
        "PT409", "sold out", "no places left on 2026-12-01", "pick another day")
    with pytest.raises(APIError) as missing:
        anon_client.rpc("whoamy").execute()
    assert missing.value.code == "PGRST202" and missing.value.hint == \
        "Perhaps you meant to call the function api.whoami()"
    with pytest.raises(APIError) as denied:
        anon_client.rpc("set_display_name", {"display_name": "Eve"}).execute()
    assert denied.value.code == "42501" and denied.value.details is None


def test_a_signed_in_user_sees_their_own_business_rules_errors(owner_client):
    with pytest.raises(APIError) as taken:
        owner_client.rpc("create_organization", {"name": "Again", "slug": "rpc-rooms"}).execute()
    assert taken.value.code == "PT409" and taken.value.hint == "choose another slug"
