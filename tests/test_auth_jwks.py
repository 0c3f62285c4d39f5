"""Asymmetric JWTs as Supabase's JWT signing keys make them (README: "Signing keys"): RS256, ES256 and EdDSA tokens
checked against a JWKS served over HTTP on 127.0.0.1 by this test (or read from a file) by the real service, with
rotation, a revoked key, unknown kids, the refetch cooldown, aud/iss and the classic algorithm-confusion attacks."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import stat
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm
from tessera.tokens import generate_key, mint_with_key, thumbprint

from tests.api_support import OWNER, SECRET, login_conninfo, serve, token
from tests.helpers import ROOT, run_tessera

ISS = "https://testref.supabase.co/auth/v1"


class JwksServer:
    """A JWKS over HTTP on 127.0.0.1: documents by path, changeable while the service runs, and a count of GETs."""

    def __init__(self):
        self.documents: dict[str, object] = {}
        self.status: dict[str, int] = {}
        self.gets: dict[str, int] = {}
        self.gates: dict[str, threading.Event] = {}  # a read of the path waits until its gate is set
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                owner.gets[self.path] = owner.gets.get(self.path, 0) + 1
                if gate := owner.gates.get(self.path):
                    gate.wait(30)
                body = json.dumps(owner.documents.get(self.path, {})).encode()
                self.send_response(owner.status.get(self.path, 200 if self.path in owner.documents else 404))
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class Pair:
    """A key pair made by `tessera token keys` (tessera.tokens.generate_key) in a folder of its own."""

    def __init__(self, folder: Path, alg: str):
        made = generate_key(folder, alg)
        self.kid, self.alg, self.pem = made["kid"], alg, Path(made["private_key"])
        self.public = json.loads(Path(made["jwks"]).read_text())["keys"][-1]
        self.private = serialization.load_pem_private_key(self.pem.read_bytes(), password=None)

    def mint(self, role: str = "authenticated", sub: str | None = OWNER, **claims) -> str:
        return mint_with_key(self.pem, role, sub=sub, extra=claims or None)

    def sign(self, claims: dict, **header) -> str:
        """A token signed by this key with exactly these header fields (besides alg and kid unless given)."""
        fields = {"kid": self.kid, **header}
        algorithm = fields.pop("alg", self.alg)
        return jwt.encode(claims, self.private, algorithm=algorithm, headers=fields)


def raw_sign(pair: Pair, header: dict, payload: dict) -> str:
    """Exactly this header, signed by the pair's key (PyJWT's encode would refuse a header it finds wrong)."""
    signed = f"{b64(json.dumps(header))}.{b64(json.dumps(payload))}"
    algorithm = jwt.algorithms.get_default_algorithms()[pair.alg]
    return f"{signed}.{b64(algorithm.sign(signed.encode(), pair.private))}"


def jwks(*pairs: Pair) -> dict:
    return {"keys": [p.public for p in pairs]}


def b64(data: bytes | str) -> str:
    return base64.urlsafe_b64encode(data.encode() if isinstance(data, str) else data).rstrip(b"=").decode()


def claims(**more) -> dict:
    now = int(time.time())
    return {"role": "authenticated", "sub": OWNER, "aud": "authenticated", "iss": ISS, "iat": now,
            "exp": now + 600, **more}


def whoami(api, value: str) -> httpx.Response:
    return httpx.post(f"{api.url}/rest/v1/rpc/whoami", json={}, headers={"Authorization": f"Bearer {value}"},
                      timeout=30)


def refused(response: httpx.Response, code: str, message: str) -> None:
    assert response.status_code == 401, response.text
    assert response.json() == {"code": code, "message": message, "details": None, "hint": None}
    assert response.headers["www-authenticate"].startswith('Bearer error="invalid_token"')


NO_KEY = ("PGRST301", "No suitable key or wrong key type")
CRYPTO = ("PGRST301", "JWT cryptographic operation failed")
UNSUPPORTED = ("PGRST301", "Wrong or unsupported encoding algorithm")


def accepted(response: httpx.Response) -> None:
    assert response.status_code == 200, response.text
    assert response.json()["role"] == "authenticated" and response.json()["user_id"] == OWNER


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    folder = tmp_path_factory.mktemp("keys")
    made = {name: Pair(folder / name, alg) for name, alg in
            (("rsa", "RS256"), ("ec", "ES256"), ("ed", "EdDSA"), ("new", "ES256"), ("old", "ES256"),
             ("revoked", "RS256"), ("attacker", "ES256"), ("attacker_rsa", "RS256"))}
    return made


@pytest.fixture(scope="module")
def jwks_server():
    server = JwksServer()
    yield server
    server.close()


@pytest.fixture(scope="module")
def from_file(rpc_db, tmp_path_factory, keys):
    """The service with a JWKS file of three keys (RS256, ES256, EdDSA) and aud and iss configured."""
    folder = tmp_path_factory.mktemp("file")
    path = folder / "jwks.json"
    path.write_text(json.dumps(jwks(keys["rsa"], keys["ec"], keys["ed"])))
    with serve(login_conninfo(rpc_db), folder, jwks_file=str(path), jwt_aud="authenticated", jwt_iss=ISS) as api:
        yield api


@pytest.fixture(scope="module")
def rotating(rpc_db, tmp_path_factory, jwks_server):
    """The service reading the test's JWKS URL with no cache and no cooldown: it sees each change at once."""
    jwks_server.documents["/rotating.json"] = {"keys": []}
    with serve(login_conninfo(rpc_db), tmp_path_factory.mktemp("rotating"), jwks_url=jwks_server.url("/rotating.json"),
               jwks_cache_seconds="0", jwks_cooldown_seconds="0") as api:
        yield api


@pytest.fixture(scope="module")
def cooled(rpc_db, tmp_path_factory, jwks_server, keys):
    """The service with the default-like long cache and an hour's cooldown between reads."""
    jwks_server.documents["/cooled.json"] = jwks(keys["ec"])
    with serve(login_conninfo(rpc_db), tmp_path_factory.mktemp("cooled"), jwks_url=jwks_server.url("/cooled.json"),
               jwks_cache_seconds="3600", jwks_cooldown_seconds="3600") as api:
        yield api


# -- what is accepted


@pytest.mark.parametrize("name", ["rsa", "ec", "ed"])
def test_rs256_es256_and_eddsa_tokens_of_the_set_are_accepted(from_file, keys, name):
    accepted(whoami(from_file, keys[name].mint(iss=ISS)))
    header = jwt.get_unverified_header(keys[name].mint())
    assert header["kid"] == keys[name].kid and header["alg"] == keys[name].alg


def test_hs256_tokens_of_the_secret_still_work_beside_a_jwks(rotating, from_file, keys):
    accepted(whoami(rotating, token(sub=OWNER)))
    accepted(whoami(from_file, token(sub=OWNER, iss=ISS)))
    # a legacy HS256 token carrying a kid (as Supabase's may) is still checked with the secret alone
    accepted(whoami(from_file, _hs256({"alg": "HS256", "typ": "JWT", "kid": keys["ec"].kid}, claims(),
                                      SECRET.encode())))


def test_the_claims_reach_the_database_as_for_hs256(from_file, keys):
    body = whoami(from_file, keys["ec"].mint(iss=ISS, email="owner@rpc.example")).json()
    assert body == {"role": "authenticated", "user_id": OWNER, "email": "owner@rpc.example"}


def test_aud_and_iss_are_checked_when_configured(from_file, keys):
    ec_ = keys["ec"]
    refused(whoami(from_file, ec_.sign(claims(aud="someone-else"))), "PGRST303", "JWT not in audience")
    refused(whoami(from_file, ec_.sign(claims(aud=["a", "b"]))), "PGRST303", "JWT not in audience")
    accepted(whoami(from_file, ec_.sign(claims(aud=["a", "authenticated"]))))
    refused(whoami(from_file, ec_.sign(claims(iss="https://evil.example/auth/v1"))), "PGRST303",
            "JWT issuer not accepted")
    no_iss = claims()
    del no_iss["iss"]
    refused(whoami(from_file, ec_.sign(no_iss)), "PGRST303", "JWT issuer not accepted")
    refused(whoami(from_file, token(sub=OWNER)), "PGRST303", "JWT issuer not accepted")  # HS256 too, when set
    refused(whoami(from_file, ec_.sign(claims(exp=int(time.time()) - 120))), "PGRST303", "JWT expired")


# -- rotation, revocation, unknown kids


def test_rotation_overlap_then_the_old_key_is_refused(rotating, jwks_server, keys):
    old, new = keys["old"], keys["new"]
    old_token, new_token = old.mint(), new.mint()
    jwks_server.documents["/rotating.json"] = jwks(old)
    accepted(whoami(rotating, old_token))
    refused(whoami(rotating, new_token), *NO_KEY)  # not published yet
    jwks_server.documents["/rotating.json"] = jwks(old, new)  # the overlap: both stand
    accepted(whoami(rotating, old_token))
    accepted(whoami(rotating, new_token))
    jwks_server.documents["/rotating.json"] = jwks(new)  # the old key removed
    refused(whoami(rotating, old_token), *NO_KEY)  # even though this very token was accepted (and cached) before
    refused(whoami(rotating, old.mint()), *NO_KEY)
    accepted(whoami(rotating, new_token))


def test_a_revoked_key_stops_its_unexpired_tokens(rotating, jwks_server, keys):
    revoked, new = keys["revoked"], keys["new"]
    long_lived = revoked.mint()
    jwks_server.documents["/rotating.json"] = jwks(revoked, new)
    for _ in range(3):
        accepted(whoami(rotating, long_lived))
    jwks_server.documents["/rotating.json"] = jwks(new)
    refused(whoami(rotating, long_lived), *NO_KEY)
    # The kid taken over by another key (published under the revoked one's kid): the old token's signature fails.
    jwks_server.documents["/rotating.json"] = {"keys": [{**keys["attacker_rsa"].public, "kid": revoked.kid}]}
    refused(whoami(rotating, long_lived), *CRYPTO)


def test_a_kid_that_is_not_in_the_set_is_refused(rotating, from_file, jwks_server, keys):
    jwks_server.documents["/rotating.json"] = jwks(keys["new"])
    stranger = keys["attacker"]
    refused(whoami(rotating, stranger.mint()), *NO_KEY)
    refused(whoami(rotating, keys["new"].sign(claims(), kid="no-such-kid")), *NO_KEY)
    refused(whoami(rotating, raw_sign(keys["new"], {"alg": "ES256", "kid": 5}, claims())), *CRYPTO)
    refused(whoami(from_file, stranger.mint(iss=ISS)), *NO_KEY)


def test_without_a_kid_only_a_set_of_one_key_is_tried(rotating, jwks_server, keys):
    new = keys["new"]
    bare = jwt.encode(claims(), new.private, algorithm="ES256")
    jwks_server.documents["/rotating.json"] = jwks(new)
    accepted(whoami(rotating, bare))
    jwks_server.documents["/rotating.json"] = jwks(new, keys["old"])
    refused(whoami(rotating, bare), *NO_KEY)


def test_a_failed_read_keeps_the_last_good_set(rotating, jwks_server, keys):
    new = keys["new"]
    jwks_server.documents["/rotating.json"] = jwks(new)
    accepted(whoami(rotating, new.mint()))
    jwks_server.status["/rotating.json"] = 500
    try:
        accepted(whoami(rotating, new.mint(email="x@example.com")))
    finally:
        del jwks_server.status["/rotating.json"]


def test_a_slow_read_of_the_keys_holds_only_the_request_that_needs_it(rotating, jwks_server, keys):
    new = keys["new"]
    jwks_server.documents["/rotating.json"] = jwks(new)
    gate = jwks_server.gates["/rotating.json"] = threading.Event()
    answers: list[httpx.Response] = []
    waiting = threading.Thread(target=lambda: answers.append(whoami(rotating, new.mint())))
    before = jwks_server.gets.get("/rotating.json", 0)
    try:
        waiting.start()
        deadline = time.monotonic() + 10
        while jwks_server.gets.get("/rotating.json", 0) == before and time.monotonic() < deadline:
            time.sleep(0.01)
        assert jwks_server.gets["/rotating.json"] == before + 1, "the token's request never read the keys"
        # The JWKS read is held at the server; an HS256 request and the health check are answered meanwhile.
        accepted(whoami(rotating, token(sub=OWNER)))
        assert httpx.get(f"{rotating.url}/health", timeout=10).status_code == 200
        assert waiting.is_alive() and answers == []
    finally:
        gate.set()
        del jwks_server.gates["/rotating.json"]
        waiting.join(30)
    accepted(answers[0])


def test_without_the_hs256_secret_only_signing_keys_are_taken(rpc_db, tmp_path, keys):
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps(jwks(keys["ec"])))
    with serve(login_conninfo(rpc_db), tmp_path, jwks_file=str(path), jwt_hs256="off") as api:
        accepted(whoami(api, keys["ec"].mint()))
        refused(whoami(api, token(sub=OWNER)), *NO_KEY)


def test_unknown_kids_cost_at_most_one_fetch_per_cooldown(cooled, jwks_server, keys):
    accepted(whoami(cooled, keys["ec"].mint()))
    before = jwks_server.gets["/cooled.json"]
    for _ in range(20):
        refused(whoami(cooled, keys["ec"].sign(claims(), kid=uuid.uuid4().hex)), *NO_KEY)
    assert jwks_server.gets["/cooled.json"] - before <= 1
    accepted(whoami(cooled, keys["ec"].mint()))  # the known key never waits for the cooldown
    assert jwks_server.gets["/cooled.json"] - before <= 1


# -- algorithm confusion


@pytest.mark.parametrize("alg", ["none", "None", "NONE"])
def test_alg_none_is_refused(from_file, keys, alg):
    unsigned = b64(json.dumps({"alg": alg, "kid": keys["rsa"].kid})) + "." + b64(json.dumps(claims())) + "."
    response = whoami(from_file, unsigned)
    assert response.status_code == 401
    if alg == "none":
        refused(response, *UNSUPPORTED)


def _hs256(header: dict, payload: dict, secret: bytes) -> str:
    signed = f"{b64(json.dumps(header))}.{b64(json.dumps(payload))}"
    return f"{signed}.{b64(hmac.new(secret, signed.encode(), hashlib.sha256).digest())}"


def test_hs256_signed_with_the_public_key_as_secret_is_refused(from_file, keys):
    rsa_ = keys["rsa"]
    pem = rsa_.private.public_key().public_bytes(serialization.Encoding.PEM,
                                                 serialization.PublicFormat.SubjectPublicKeyInfo)
    for secret in (pem, pem.strip(), json.dumps(rsa_.public).encode(), rsa_.public["n"].encode()):
        refused(whoami(from_file, _hs256({"alg": "HS256", "kid": rsa_.kid, "typ": "JWT"}, claims(), secret)),
                *CRYPTO)


def test_a_header_alg_other_than_the_keys_is_refused(from_file, keys):
    rsa_, ec_, ed = keys["rsa"], keys["ec"], keys["ed"]
    for alg in ("RS384", "RS512", "PS256"):  # the RSA key's own signature, another RSA algorithm
        refused(whoami(from_file, rsa_.sign(claims(), alg=alg)), *NO_KEY)
    refused(whoami(from_file, rsa_.sign(claims(), kid=ec_.kid)), *NO_KEY)  # RS256 under the EC key's kid
    refused(whoami(from_file, ec_.sign(claims(), kid=ed.kid)), *NO_KEY)  # ES256 under the Ed25519 key's kid
    refused(whoami(from_file, ed.sign(claims(), kid=rsa_.kid)), *NO_KEY)  # EdDSA under the RSA key's kid
    refused(whoami(from_file, _hs256({"alg": "HS256", "kid": ec_.kid}, claims(), b"x" * 40)), *CRYPTO)


def test_an_embedded_jwk_or_jku_is_never_used(from_file, jwks_server, keys):
    attacker = keys["attacker"]
    jwks_server.documents["/attacker.json"] = jwks(attacker)
    embedded = {"kty": attacker.public["kty"], "crv": "P-256", "x": attacker.public["x"], "y": attacker.public["y"]}
    refused(whoami(from_file, attacker.sign(claims(), jwk=embedded)), *NO_KEY)
    # the embedded key under a kid of the set: the set's key checks the signature, which fails
    refused(whoami(from_file, attacker.sign(claims(), jwk=embedded, kid=keys["ec"].kid)), *CRYPTO)
    refused(whoami(from_file, attacker.sign(claims(), jku=jwks_server.url("/attacker.json"))), *NO_KEY)
    refused(whoami(from_file, attacker.sign(claims(), jku=jwks_server.url("/attacker.json"),
                                            kid=keys["ec"].kid)), *CRYPTO)
    refused(whoami(from_file, attacker.sign(claims(), x5u=jwks_server.url("/attacker.json"))), *NO_KEY)
    assert jwks_server.gets.get("/attacker.json", 0) == 0
    # a jku on a genuine token changes nothing either: the set's key is used, the URL never fetched
    accepted(whoami(from_file, keys["ec"].sign(claims(), jku=jwks_server.url("/attacker.json"))))
    assert jwks_server.gets.get("/attacker.json", 0) == 0


def test_private_or_symmetric_entries_of_a_jwks_are_not_used(rotating, jwks_server, keys):
    new = keys["new"]
    private = {**ECAlgorithm.to_jwk(new.private, as_dict=True), "kid": new.kid, "alg": "ES256"}
    oct_key = {"kty": "oct", "kid": "shared", "k": b64(SECRET), "alg": "HS256"}
    jwks_server.documents["/rotating.json"] = {"keys": [private, oct_key]}
    refused(whoami(rotating, new.mint()), *NO_KEY)
    refused(whoami(rotating, _hs256({"alg": "HS256", "kid": "shared"}, claims(), b"wrong-secret-" * 3)), *CRYPTO)
    jwks_server.documents["/rotating.json"] = {"keys": [{**new.public, "use": "enc"}]}
    refused(whoami(rotating, new.mint()), *NO_KEY)


# -- the keys as `tessera token` makes them, and the settings


def test_tessera_token_keys_then_token_key(tmp_path):
    folder = tmp_path / "keys"
    first = run_tessera("token", "keys", "--dir", str(folder), cwd=ROOT)
    second = run_tessera("token", "keys", "--dir", str(folder), "--alg", "RS256", cwd=ROOT)
    assert first.code == 0 and second.code == 0, first.err + second.err
    made = [json.loads(first.out), json.loads(second.out)]
    document = json.loads((folder / "jwks.json").read_text())
    assert [k["kid"] for k in document["keys"]] == [m["kid"] for m in made]
    assert all("d" not in k for k in document["keys"])
    for m in made:
        assert stat.S_IMODE(os.stat(m["private_key"]).st_mode) == 0o600
    minted = run_tessera("token", "--key", made[1]["private_key"], "--role", "service_role", "--iss", ISS, cwd=ROOT)
    assert minted.code == 0, minted.err
    value = minted.out.strip()
    assert jwt.get_unverified_header(value) == {"alg": "RS256", "kid": made[1]["kid"], "typ": "JWT"}
    key = jwt.PyJWKSet.from_dict(document)[made[1]["kid"]]
    assert jwt.decode(value, key, algorithms=["RS256"])["role"] == "service_role"
    bad = run_tessera("token", "--key", str(folder / "jwks.json"), "--role", "anon", cwd=ROOT)
    assert bad.code == 2 and "not an unencrypted PEM private key" in bad.err and "Traceback" not in bad.err


def test_the_kid_is_the_rfc7638_thumbprint():
    # RFC 7638 section 3.1's example key and thumbprint
    jwk = {"kty": "RSA", "e": "AQAB",
           "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRX"
                "jBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0z"
                "gdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-c"
                "sFCur-kEgU8awapJzKnqDKgw"}
    assert thumbprint(jwk) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"


def test_settings_refuse_what_cannot_work(tmp_path):
    from api.config import Config, ConfigError

    base = {"TESSERA_DATABASE_URL": "dbname=x", "TESSERA_JWT_SECRET": SECRET}
    good = tmp_path / "jwks.json"
    good.write_text(json.dumps({"keys": [{**RSAAlgorithm.to_jwk(
        rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key(), as_dict=True), "kid": "k"}]}))
    empty = tmp_path / "empty.json"
    empty.write_text('{"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}')
    cases = {
        "TESSERA_JWKS_URL=http://auth.example/jwks.json": "https URL",
        "TESSERA_JWKS_URL=ftp://127.0.0.1/jwks.json": "https URL",
        f"TESSERA_JWKS_FILE={tmp_path / 'missing.json'}": "not a readable JWKS file",
        f"TESSERA_JWKS_FILE={empty}": "holds no RS256, ES256 or EdDSA",
        "TESSERA_JWKS_COOLDOWN_SECONDS=-1": "at least 0",
        "TESSERA_JWT_HS256=maybe": "use on",
        "TESSERA_JWT_HS256=off": "leaves no way to check a token",
    }
    for setting, words in cases.items():
        name, value = setting.split("=", 1)
        with pytest.raises(ConfigError, match=words):
            Config.from_env(base | {name: value})
    with pytest.raises(ConfigError, match="set one"):
        Config.from_env(base | {"TESSERA_JWKS_URL": "https://x.supabase.co/auth/v1/.well-known/jwks.json",
                                "TESSERA_JWKS_FILE": str(good)})
    config = Config.from_env(base | {"TESSERA_JWKS_FILE": str(good), "TESSERA_JWT_ISS": f"{ISS}, other"})
    assert config.jwks_file == good and config.jwt_iss == (ISS, "other") and config.jwks_cache_seconds == 600
    assert Config.from_env(base).jwks_url is None  # nothing configured: HS256 only, as before


def test_a_jwks_url_that_never_answered_is_503_not_a_hang(tmp_path, keys):
    from tessera.localdb import free_port

    from api import auth
    from api.config import Config

    config = Config.from_env({"TESSERA_DATABASE_URL": "dbname=x", "TESSERA_JWT_SECRET": SECRET,
                              "TESSERA_JWKS_URL": f"http://127.0.0.1:{free_port()}/jwks.json",
                              "TESSERA_JWKS_TIMEOUT": "1"})
    with pytest.raises(auth.ApiError) as raised:
        auth.caller({"authorization": f"Bearer {keys['ec'].mint()}"}, config)
    assert raised.value.status == 503 and raised.value.code == "PGRST300"
    before = auth.signing_keys(config).reads
    with pytest.raises(auth.ApiError):  # within the cooldown: refused again without another fetch
        auth.caller({"authorization": f"Bearer {keys['ec'].mint(email='a@b.c')}"}, config)
    assert auth.signing_keys(config).reads == before
