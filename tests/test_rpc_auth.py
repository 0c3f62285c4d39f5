"""Who the proxy lets in, as PostgREST behind Supabase's gateway: HS256 JWTs with 30 s of skew, the role claim,
apikeys, and 401s with WWW-Authenticate for every credential it cannot accept."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time

import httpx
import psycopg
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
    assert_401(whoami(api, bearer(_sign({"role": "anon", "iat": now + 120}))), "PGRST303", "JWT issued at future")


def b64(data: bytes | str) -> str:
    return base64.urlsafe_b64encode(data.encode() if isinstance(data, str) else data).rstrip(b"=").decode()


def raw_token(header: bytes | str, payload: bytes | str, secret: str = SECRET) -> str:
    """A token over exactly these bytes, signed HS256 with `secret` whatever the bytes say."""
    signed = f"{b64(header)}.{b64(payload)}"
    return f"{signed}.{b64(hmac.new(secret.encode(), signed.encode(), hashlib.sha256).digest())}"


HS256 = '{"alg":"HS256","typ":"JWT"}'
CLAIMS = '{"role":"anon"}'
SERVICE = '{"role":"service_role"}'
CRYPTO = ("PGRST301", "JWT cryptographic operation failed")
UNSUPPORTED = ("PGRST301", "Wrong or unsupported encoding algorithm")
NO_KEY = ("PGRST301", "No suitable key or wrong key type")
UNPARSED = ("PGRST303", "Parsing claims failed")
# Every way a token can be malformed, with PostgREST's answer (the codes and messages of its Auth/Jwt.hs and
# Error.hs); the error_description of WWW-Authenticate repeats the message.
MALFORMED = {
    "one part": ("garbage", ("PGRST301", "Expected 3 parts in JWT; got 1")),
    "two parts": (f"{b64(HS256)}.{b64(CLAIMS)}", ("PGRST301", "Expected 3 parts in JWT; got 2")),
    "four parts": (raw_token(HS256, CLAIMS) + ".x", ("PGRST301", "Expected 3 parts in JWT; got 4")),
    "not base64": ("@@@.***.!!!", CRYPTO),
    "header not UTF-8": (raw_token(b"\xb7\xfa\x00", CLAIMS), CRYPTO),
    "header not JSON": (raw_token("not json", CLAIMS), CRYPTO),
    "header not an object": (raw_token("[1, 2]", CLAIMS), CRYPTO),
    "header without alg": (raw_token('{"typ":"JWT"}', CLAIMS), UNSUPPORTED),
    "alg none": (b64('{"alg":"none"}') + "." + b64(SERVICE) + ".", UNSUPPORTED),
    "alg RS256": (raw_token('{"alg":"RS256"}', CLAIMS), NO_KEY),
    "alg HS512": (raw_token('{"alg":"HS512"}', CLAIMS), NO_KEY),
    "another secret": (raw_token(HS256, SERVICE, "another-secret-that-is-long-enough-too"), CRYPTO),
    "signature not base64": (raw_token(HS256, CLAIMS).rsplit(".", 1)[0] + ".@@@", CRYPTO),
    "payload tampered": (f"{b64(HS256)}.{b64(SERVICE)}.{raw_token(HS256, CLAIMS).rsplit('.', 1)[1]}", CRYPTO),
    "payload not base64": (f"{b64(HS256)}.@@@.{b64('x')}", CRYPTO),
    "payload not UTF-8, signed": (raw_token(HS256, b"\xff\xfe"), UNPARSED),
    "payload not JSON, signed": (raw_token(HS256, "not json"), UNPARSED),
    "claims not an object": (raw_token(HS256, "[1]"), UNPARSED),
    "exp not a number": (raw_token(HS256, '{"exp":"soon"}'), ("PGRST303", "The JWT 'exp' claim must be a number")),
    "nbf not a number": (raw_token(HS256, '{"nbf":true}'), ("PGRST303", "The JWT 'nbf' claim must be a number")),
    "iat not a number": (raw_token(HS256, '{"iat":[1]}'), ("PGRST303", "The JWT 'iat' claim must be a number")),
    "aud not a string": (raw_token(HS256, '{"aud":5}'),
                         ("PGRST303", "The JWT 'aud' claim must be a string or an array of strings")),
    "issued in the future": (raw_token(HS256, json.dumps({"iat": int(time.time()) + 3600})),
                             ("PGRST303", "JWT issued at future")),
    "empty bearer": ("", ("PGRST301", "Empty JWT is sent in Authorization header")),
}


@pytest.mark.parametrize("case", MALFORMED)
def test_a_malformed_token_is_answered_as_postgrest_answers_it(api, case):
    value, (code, message) = MALFORMED[case]
    response = whoami(api, {"Authorization": f"Bearer {value}".strip()})
    assert response.status_code == 401, response.text
    assert response.json() == {"code": code, "message": message, "details": None, "hint": None}
    assert response.headers["www-authenticate"] == f'Bearer error="invalid_token", error_description="{message}"'


def test_a_wrong_scheme_is_refused(api):
    assert_401(whoami(api, {"Authorization": "Basic abc"}), "PGRST301", "Bearer")


# Roles a token may not name: the login role itself, "none" (SET ROLE none returns to the login role), superusers,
# PostgreSQL's predefined roles, roles outside the exposed set and roles that do not exist.
FORBIDDEN_ROLES = {"none": "22023", "NONE": "22023", "authenticator": "42501", "postgres": "42501",
                   "pg_read_all_data": "42501", "rpc_test_outsider": "42501", "no_such_role_at_all": "22023"}


@pytest.fixture(scope="module")
def one_connection(rpc_db, tmp_path_factory):
    with serve(login_conninfo(rpc_db), tmp_path_factory.mktemp("one"), pool_size="1", pool_timeout="1") as api:
        yield api


def test_roles_outside_the_exposed_set_are_401_before_the_database(one_connection):
    # The pool's one connection is busy: anything that needs the database waits and gets 504; a 401 that comes at
    # once did not touch the database.
    busy = threading.Thread(target=httpx.post, args=(f"{one_connection.url}/rest/v1/rpc/slow",),
                            kwargs={"json": {"seconds": 5}, "headers": {"Content-Profile": "rpc_test"}, "timeout": 30})
    busy.start()
    try:
        time.sleep(0.3)
        for role, code in FORBIDDEN_ROLES.items():
            began = time.monotonic()
            response = whoami(one_connection, bearer(token(role=role, sub=OWNER)))
            assert time.monotonic() - began < 0.9, f"{role}: the database was asked"  # it would take 1 s
            assert response.status_code == 401 and response.json()["code"] == code, (role, response.text)
            assert f'"{role}"' in response.json()["message"]
            assert response.headers["www-authenticate"] == "Bearer"
        assert whoami(one_connection, bearer(token(sub=OWNER))).status_code == 504  # the check above is sound
    finally:
        busy.join()


def test_an_empty_role_claim_is_401(api):
    assert_401(whoami(api, bearer(_sign({"role": ""}))), "PGRST303", "role")


def test_the_exposed_roles_reach_the_database(api):
    for role in ("anon", "authenticated", "service_role"):
        assert whoami(api, bearer(token(role=role, sub=OWNER))).status_code == 200, role


def test_extra_roles_are_exposed_only_when_the_login_role_may_become_them(rpc_db, tmp_path):
    with psycopg.connect(rpc_db, autocommit=True) as conn:
        conn.execute("DO $$ BEGIN CREATE ROLE rpc_test_extra NOLOGIN; EXCEPTION WHEN duplicate_object THEN END $$")
        conn.execute("GRANT anon TO rpc_test_extra")
        conn.execute("REVOKE rpc_test_extra FROM authenticator")
    extra = {"extra_roles": "rpc_test_extra,rpc_test_outsider"}

    def context(api, role: str) -> httpx.Response:
        return httpx.post(f"{api.url}/rest/v1/rpc/context", json={},
                          headers={"Content-Profile": "rpc_test", **bearer(token(role=role))})

    with serve(login_conninfo(rpc_db), tmp_path, **extra) as api:
        for role in ("rpc_test_extra", "rpc_test_outsider"):  # exposed, but not granted to the login role
            refused = context(api, role)
            assert refused.status_code == 401 and refused.json()["code"] == "42501", refused.text
    with psycopg.connect(rpc_db, autocommit=True) as conn:
        conn.execute("GRANT rpc_test_extra TO authenticator")
    try:
        with serve(login_conninfo(rpc_db), tmp_path, **extra) as api:
            seen = context(api, "rpc_test_extra")
            assert seen.status_code == 200 and seen.json()["role"] == "rpc_test_extra", seen.text
        with serve(login_conninfo(rpc_db), tmp_path) as api:  # granted, but not exposed
            assert context(api, "rpc_test_extra").status_code == 401
    finally:
        with psycopg.connect(rpc_db, autocommit=True) as conn:
            conn.execute("REVOKE rpc_test_extra FROM authenticator")


@pytest.mark.parametrize("names", ["pg_read_all_data", "none", "authenticated,NONE"])
def test_extra_roles_may_not_name_predefined_roles_or_none(rpc_db, names):
    run = run_tessera("serve", "--port", str(free_port()), cwd=ROOT,
                      env={"TESSERA_JWT_SECRET": SECRET, "TESSERA_DATABASE_URL": login_conninfo(rpc_db),
                           "TESSERA_EXTRA_ROLES": names}, timeout=30)
    assert run.code == 2 and run.err.strip().startswith("tessera: TESSERA_EXTRA_ROLES may not name"), run.err


def test_invalid_tokens_are_rate_limited_by_address_before_they_are_verified(rpc_db, tmp_path):
    with serve(login_conninfo(rpc_db), tmp_path, rate_limit="2", rate_burst="5") as api:
        began = time.monotonic()
        with httpx.Client() as client:
            statuses = [client.post(f"{api.url}/rest/v1/rpc/whoami", json={},
                                    headers=bearer(f"garbage.{n}.token")).status_code for n in range(250)]
        elapsed = time.monotonic() - began
        assert set(statuses) == {401, 429}
        assert statuses[:5] == [401] * 5
        assert statuses.count(401) <= 5 + 2 * elapsed + 1, (statuses.count(401), elapsed)  # burst + rate * time
        limited = httpx.post(f"{api.url}/rest/v1/rpc/whoami", json={}, headers=bearer("garbage"))
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
        assert set(limited.json()) == {"code", "message", "details", "hint"}
        time.sleep(3)  # the bucket refills; refused roles spend it as invalid tokens do
        refused = [whoami(api, bearer(token(role="authenticator"))).status_code for _ in range(20)]
        assert refused[0] == 401 and 429 in refused, refused


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
