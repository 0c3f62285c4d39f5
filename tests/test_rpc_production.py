"""How the proxy behaves as a production service: limits, a pool that runs dry or loses its database and comes
back by itself, nothing leaking between requests on one connection, CORS, logs without secrets, reloading the
schema when told, and readiness that reports what is not deployed."""

from __future__ import annotations

import json
import threading
import time

import httpx
import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from tests.api_support import OWNER, STAFF, SocketForwarder, login_conninfo, serve, token

RPC_TEST = {"Content-Profile": "rpc_test"}


def call(api, name: str, body=None, headers=None, timeout=30) -> httpx.Response:
    return httpx.post(f"{api.url}/rest/v1/rpc/{name}", json={} if body is None else body,
                      headers={**RPC_TEST, **(headers or {})}, timeout=timeout)


@pytest.fixture(scope="module")
def small(rpc_db, tmp_path_factory):
    """One connection, small limits: pool exhaustion, body and rate limits, and isolation on one connection."""
    with serve(login_conninfo(rpc_db), tmp_path_factory.mktemp("small"), pool_size="1", pool_timeout="0.5",
               max_body_bytes="2048", rate_limit="2", rate_burst="5") as api:
        yield api


def test_nothing_leaks_between_requests_on_one_pooled_connection(small):
    signed_in = {"Authorization": f"Bearer {token(sub=STAFF)}", "X-Secret": "s3", "Cookie": "session=abc"}
    first = call(small, "context", headers=signed_in).json()
    assert first["claims"]["sub"] == STAFF and first["headers"]["x-secret"] == "s3"
    # A function that leaves session-level settings behind, on the same single connection.
    careless = call(small, "careless", headers={"Authorization": f"Bearer {token(sub=OWNER)}"})
    assert careless.status_code == 202 and careless.headers["x-careless"] == "yes"  # its own response only
    second = call(small, "context").json()
    assert second["backend"] == first["backend"], "the test needs both requests on one connection"
    assert second["role"] == "anon"
    assert second["claims"] == {"role": "anon"}
    assert "x-secret" not in second["headers"] and "authorization" not in second["headers"]
    assert second["cookies"] == {}
    after = call(small, "whoami", headers={"Content-Profile": "api"})
    assert after.status_code == 200 and "x-careless" not in after.headers


def test_a_body_over_the_limit_is_413(small):
    response = call(small, "echo", {"blob": "x" * 5000}, headers={"Authorization": f"Bearer {token(sub='big')}"})
    assert response.status_code == 413
    body = response.json()
    assert set(body) == {"code", "message", "details", "hint"} and body["details"] == "the limit is 2048 bytes"


def test_the_rate_limit_is_per_client_with_retry_after(small):
    hurried = {"Authorization": f"Bearer {token(sub='00000000-0000-4000-8000-0000000000f1')}"}
    responses = [call(small, "add", {"a": 1}, headers=hurried) for _ in range(8)]
    assert [r.status_code for r in responses[:5]] == [200] * 5  # the burst
    limited = next(r for r in responses[5:] if r.status_code == 429)
    assert int(limited.headers["retry-after"]) >= 1
    assert set(limited.json()) == {"code", "message", "details", "hint"}
    # Another user is not held back by the first one.
    other = {"Authorization": f"Bearer {token(sub='00000000-0000-4000-8000-0000000000f2')}"}
    assert call(small, "add", {"a": 1}, headers=other).status_code == 200


def test_an_exhausted_pool_is_504_after_the_timeout(small):
    holder = {"Authorization": f"Bearer {token(sub='00000000-0000-4000-8000-0000000000f3')}"}
    waiter = {"Authorization": f"Bearer {token(sub='00000000-0000-4000-8000-0000000000f4')}"}
    slow = threading.Thread(target=call, args=(small, "slow", {"seconds": 2}, holder))
    slow.start()
    time.sleep(0.3)
    began = time.monotonic()
    response = call(small, "add", {"a": 1}, headers=waiter)
    waited = time.monotonic() - began
    slow.join()
    assert response.status_code == 504 and response.json()["code"] == "PGRST003"
    assert 0.4 < waited < 1.9


def test_database_down_is_503_and_the_service_recovers_by_itself(rpc_db, tmp_path):
    parts = conninfo_to_dict(rpc_db)
    forwarder = SocketForwarder(parts["host"], parts["port"], tmp_path)
    try:
        with serve(login_conninfo(rpc_db, host=str(tmp_path)), tmp_path, pool_size="2", pool_timeout="1") as api:
            assert call(api, "add", {"a": 1}).status_code == 200
            forwarder.cut()
            down = [call(api, "add", {"a": 1}) for _ in range(3)]
            assert {r.status_code for r in down} == {503}, [r.text for r in down]
            assert {r.json()["code"] for r in down} <= {"PGRST001"}
            assert httpx.get(f"{api.url}/health/ready").json()["database"] == "down"
            assert httpx.get(f"{api.url}/health").status_code == 200  # alive, though not ready
            forwarder.restore()
            deadline = time.monotonic() + 30
            while (status := call(api, "add", {"a": 1}).status_code) != 200 and time.monotonic() < deadline:
                time.sleep(0.25)
            assert status == 200, "the service did not recover within 30 s of the database coming back"
            assert httpx.get(f"{api.url}/health/ready").json()["database"] == "up"
    finally:
        forwarder.close()


def test_cors_preflight_allows_configured_origins_and_supabase_headers(rpc_db, tmp_path):
    with serve(login_conninfo(rpc_db), tmp_path, cors_origins="https://app.example") as api:
        preflight = httpx.options(f"{api.url}/rest/v1/rpc/whoami", headers={
            "Origin": "https://app.example", "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "apikey, authorization, x-client-info, content-type, content-profile"})
        assert preflight.status_code in (200, 204)
        assert preflight.headers["access-control-allow-origin"] == "https://app.example"
        allowed = preflight.headers["access-control-allow-headers"].lower()
        for header in ("apikey", "authorization", "x-client-info", "content-type", "content-profile"):
            assert header in allowed
        assert "POST" in preflight.headers["access-control-allow-methods"]
        real = httpx.post(f"{api.url}/rest/v1/rpc/whoami", json={}, headers={"Origin": "https://app.example"})
        assert real.headers["access-control-allow-origin"] == "https://app.example"
        assert "content-range" in real.headers["access-control-expose-headers"].lower()
        foreign = httpx.post(f"{api.url}/rest/v1/rpc/whoami", json={}, headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in foreign.headers


def test_without_configured_origins_no_origin_is_allowed(api):
    response = httpx.post(f"{api.url}/rest/v1/rpc/whoami", json={}, headers={"Origin": "https://app.example"})
    assert "access-control-allow-origin" not in response.headers


def test_logs_are_json_lines_with_request_ids_and_never_a_token(api):
    secret_token = token(sub=OWNER, email="owner@rpc.example")
    response = httpx.post(f"{api.url}/rest/v1/rpc/whoami", json={"card": "4242424242424242"},
                          headers={"Authorization": f"Bearer {secret_token}", "X-Request-Id": "log-check-1"})
    assert response.status_code == 404  # the body named an argument whoami does not take
    time.sleep(0.2)
    text = api.logged()
    assert secret_token not in text and secret_token.split(".")[1] not in text
    assert "4242424242424242" not in text and "owner@rpc.example" not in text
    lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    mine = [line for line in lines if line.get("request_id") == "log-check-1"]
    assert mine and mine[0]["status"] == 404 and mine[0]["function"] == "whoami"
    assert mine[0]["path"] == "/rest/v1/rpc/whoami" and mine[0]["method"] == "POST"
    assert mine[0]["role"] == "authenticated" and mine[0]["code"] == "PGRST202"


def test_the_schema_is_reloaded_on_notify(api, rpc_db):
    with psycopg.connect(rpc_db, autocommit=True) as conn:
        conn.execute("CREATE FUNCTION api.brand_new() RETURNS text LANGUAGE sql SET search_path = '' "
                     "AS $$ SELECT 'fresh' $$")
        conn.execute("GRANT EXECUTE ON FUNCTION api.brand_new() TO anon")
        try:
            assert httpx.post(f"{api.url}/rest/v1/rpc/brand_new", json={}).status_code == 404
            conn.execute("NOTIFY pgrst, 'reload schema'")
            deadline = time.monotonic() + 10
            while (response := httpx.post(f"{api.url}/rest/v1/rpc/brand_new", json={})).status_code == 404:
                assert time.monotonic() < deadline, "the schema cache was not reloaded"
                time.sleep(0.05)
            assert response.json() == "fresh"
        finally:
            conn.execute("DROP FUNCTION api.brand_new()")
            conn.execute("NOTIFY pgrst, 'reload schema'")


def test_readiness_lists_changes_that_are_not_deployed(tessera_databases, pg_server, project_copy, tmp_path):
    from tessera.migrations import add_change
    from tessera.sqitch.engine import Engine

    name = tessera_databases.clone("ready")  # the whole plan deployed
    add_change(project_copy, "later_change", [], [], "Comes after.",
               bodies={"deploy": "CREATE TABLE app.later (id int);", "revert": "DROP TABLE app.later;",
                       "verify": "SELECT id FROM app.later WHERE false;"})
    admin = pg_server.conninfo(name)
    with serve(login_conninfo(admin), tmp_path, schemas="api", plan_file=str(project_copy.plan_file)) as api:
        state = httpx.get(f"{api.url}/health/ready")
        assert state.status_code == 503
        assert state.json()["pending_changes"] == ["later_change"] and "tessera db deploy" in state.json()["reason"]
        with pg_server.connect(name, autocommit=True) as conn:
            Engine(project_copy.plan(), conn, project_copy.registry, say=lambda _: None).deploy()
        ready = httpx.get(f"{api.url}/health/ready")
        assert ready.status_code == 200
        assert ready.json() == {"status": "ready", "database": "up", "schema_cache": "loaded",
                                "pending_changes": [], "reason": None}


def test_readiness_says_what_failed_when_the_login_role_lacks_a_grant(rpc_db, tmp_path):
    """The database answers, but the login role may not read the registry: not "the database does not answer"."""
    with psycopg.connect(rpc_db, autocommit=True) as conn:
        conn.execute("DO $$ BEGIN CREATE ROLE rpc_test_nogrant LOGIN NOINHERIT; "
                     "EXCEPTION WHEN duplicate_object THEN END $$")
        conn.execute("GRANT anon, authenticated, service_role TO rpc_test_nogrant")
    parts = conninfo_to_dict(login_conninfo(rpc_db))
    conninfo = make_conninfo("", **{**parts, "user": "rpc_test_nogrant"})
    with serve(conninfo, tmp_path) as api:
        state = httpx.get(f"{api.url}/health/ready")
        assert state.status_code == 503
        body = state.json()
        assert body["status"] == "not_ready" and body["database"] == "up" and body["pending_changes"] is None
        assert body["reason"].startswith("reading the deployed changes (private.deployed_changes) failed: "
                                         "42501 insufficient_privilege"), body["reason"]
        assert "the database does not answer" not in body["reason"]
        assert call(api, "add", {"a": 1}).status_code == 200  # the service itself works
