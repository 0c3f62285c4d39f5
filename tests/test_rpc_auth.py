"""Who the proxy lets in, as PostgREST behind Supabase's gateway: HS256 JWTs with 30 s of skew, the role claim,
apikeys, and 401s with WWW-Authenticate for every credential it cannot accept."""

from __future__ import annotations

import base64
import json
import time

import httpx
import pytest
from tessera.localdb import free_port

from tests.api_support import OWNER, SECRET, login_conninfo, serve, token
from tests.helpers import ROOT, run_tessera


def whoami(api, headers: dict) -> httpx.Response:
    return httpx.post(f"{api.url}/rest/v1/rpc/whoami", json={}, headers=headers)


def bearer(value: str) -> dict:
    return {"Authorization": f"Bearer {value}"}


def assert_401(response: httpx.Response, code: str, words: str) -> None:
    assert response.status_code == 401, response.text
    body = response.json()
    assert set(body) == {"code", "message", "details", "hint"} and body["code"] == code
    assert words in body["message"]
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_no_token_runs_as_anon(api):
    assert whoami(api, {}).json() == {"role": "anon", "user_id": None, "email": None}


def test_a_signed_in_user_runs_as_authenticated_with_their_id(api):
    body = whoami(api, bearer(token(sub=OWNER, email="owner@rpc.example"))).json()
    assert body == {"role": "authenticated", "user_id": OWNER, "email": "owner@rpc.example"}


def test_the_bearer_scheme_is_case_insensitive(api):
    assert whoami(api, {"Authorization": f"bearer {token(sub=OWNER)}"}).json()["role"] == "authenticated"


def test_a_token_without_a_role_claim_is_anon(api):
    now = int(time.time())
    assert whoami(api, bearer(_sign({"sub": OWNER, "exp": now + 60}))).json()["role"] == "anon"


def test_expired_tokens_are_refused_beyond_30_seconds_of_skew(api):
    now = int(time.time())
    assert_401(whoami(api, bearer(_sign({"role": "anon", "exp": now - 60}))), "PGRST303", "JWT expired")
    assert whoami(api, bearer(_sign({"role": "anon", "exp": now - 10}))).status_code == 200


def test_tokens_not_yet_valid_are_refused_beyond_the_skew(api):
    now = int(time.time())
    assert_401(whoami(api, bearer(_sign({"role": "anon", "nbf": now + 120}))), "PGRST303", "not yet valid")
    assert whoami(api, bearer(_sign({"role": "anon", "nbf": now + 10}))).status_code == 200
    assert_401(whoami(api, bearer(_sign({"role": "anon", "iat": now + 120}))), "PGRST303", "not yet valid")


def test_a_wrong_signature_is_refused(api):
    forged = _sign({"role": "service_role"}, secret="another-secret-that-is-long-enough-too")
    assert_401(whoami(api, bearer(forged)), "PGRST301", "signature")


def test_unsigned_and_malformed_tokens_are_refused(api):
    header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').rstrip(b"=").decode()
    payload = base64.urlsafe_b64encode(b'{"role":"service_role"}').rstrip(b"=").decode()
    assert_401(whoami(api, bearer(f"{header}.{payload}.")), "PGRST301", "JWT")
    assert_401(whoami(api, bearer("not-a-jwt")), "PGRST301", "Expected 3 parts in JWT; got 1")
    assert_401(whoami(api, {"Authorization": "Basic abc"}), "PGRST301", "Bearer")


def test_a_role_that_does_not_exist_is_401(api):
    response = whoami(api, bearer(token(role="superhero", sub=OWNER)))
    assert response.status_code == 401 and response.json()["code"] == "22023"
    assert response.headers["www-authenticate"] == "Bearer"


def test_a_role_not_granted_to_the_login_role_is_401(api):
    response = whoami(api, bearer(token(role="rpc_test_outsider", sub=OWNER)))
    assert response.status_code == 401 and response.json()["code"] == "42501"


def test_the_apikey_header_alone_is_the_bearer_as_supabase_maps_it(api):
    assert whoami(api, {"apikey": token(sub=OWNER)}).json()["role"] == "authenticated"
    # With both, Authorization wins (a signed-in user keeps sending the anon key as apikey).
    both = {"apikey": token(role="anon"), **bearer(token(sub=OWNER))}
    assert whoami(api, both).json()["role"] == "authenticated"
    assert_401(whoami(api, {"apikey": "sb_publishable_unknown"}), "PGRST301", "Invalid API key")


def test_configured_publishable_and_secret_keys_stand_for_anon_and_service_role(rpc_db, tmp_path):
    keys = {"anon_key": "sb_publishable_test123", "service_key": "sb_secret_test456"}
    with serve(login_conninfo(rpc_db), tmp_path, **keys) as api:
        assert whoami(api, {"apikey": keys["anon_key"]}).json()["role"] == "anon"
        assert whoami(api, {"apikey": keys["service_key"]}).json()["role"] == "service_role"
        # supabase-js sends new-style keys as the bearer too.
        assert whoami(api, {"apikey": keys["service_key"], **bearer(keys["service_key"])}).json()["role"] == \
            "service_role"


@pytest.mark.parametrize("secret", ["short-secret", "x" * 31])
def test_the_service_refuses_to_start_with_a_short_secret(rpc_db, secret):
    run = run_tessera("serve", "--port", str(free_port()), cwd=ROOT,
                      env={"TESSERA_JWT_SECRET": secret, "TESSERA_DATABASE_URL": login_conninfo(rpc_db)}, timeout=30)
    assert run.code == 2
    assert run.err.strip().splitlines() == [
        "tessera: TESSERA_JWT_SECRET must be at least 32 characters; `tessera serve` sets the project's own, "
        "or export a longer one"]


def _sign(claims: dict, secret: str = SECRET) -> str:
    import jwt

    return jwt.encode(claims, secret, algorithm="HS256")


def test_claims_reach_the_database_whole_with_the_role_always_present(api):
    now = int(time.time())
    tok = _sign({"sub": OWNER, "exp": now + 60, "app_metadata": {"plan": "pro"}})
    seen = httpx.post(f"{api.url}/rest/v1/rpc/context", json={}, headers={"Content-Profile": "rpc_test",
                                                                          **bearer(tok)}).json()
    assert seen["claims"] == {"sub": OWNER, "exp": now + 60, "app_metadata": {"plan": "pro"}, "role": "anon"}
    assert json.dumps(seen["claims"])  # valid JSON all the way


def test_tessera_token_mints_for_a_member_of_an_organization(api, rpc_db):
    env = {"DATABASE_URL": rpc_db, "TESSERA_JWT_SECRET": SECRET}
    owner = run_tessera("token", "--org", "rpc-rooms", cwd=ROOT, env=env)
    assert owner.code == 0, owner.err
    assert whoami(api, bearer(owner.out.strip())).json() == {"role": "authenticated", "user_id": OWNER,
                                                           "email": "owner@rpc.example"}
    stranger = run_tessera("token", "--org", "rpc-rooms", "--sub", "00000000-0000-4000-8000-0000000000ee",
                           cwd=ROOT, env=env)
    assert stranger.code == 2 and "is not a member of it" in stranger.err
