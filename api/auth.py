"""Who is calling: the request's credentials turned into a database role and the claims the functions read.

As PostgREST behind Supabase's gateway: `Authorization: Bearer <JWT>` (HS256 with the configured secret, or RS256,
ES256 and EdDSA with a key of the configured JWKS by its kid, api/jwks.py; exp/nbf/iat with 30 s of skew, aud and
iss when configured) wins; without one (or with a `Bearer sb_…` key) the `apikey` header is read, a configured
publishable or secret key standing for anon or service_role and any other value taken as the bearer token. No
credentials at all means the anonymous role. The role comes from the `role` claim (anon when absent).

A token that cannot be read is answered with PostgREST's codes and messages (its Auth/Jwt.hs), never a decoder's
own words. The role is checked before the request reaches the database (`admit`): only the exposed roles (anon,
authenticated, service_role and TESSERA_EXTRA_ROLES) that the login role may become are taken; anything else,
such as "none" (which would return to the login role) or the login role itself, is 401.
"""

from __future__ import annotations

import hmac
import time
from collections import OrderedDict

import jwt
import msgspec

from api import jwks
from api.config import Config
from api.errors import ApiError, jwt_error
from api.schema_cache import SchemaCache

SKEW_SECONDS = 30


class Caller(msgspec.Struct, frozen=True):
    role: str
    claims: str  # the JSON the database sees as request.jwt.claims, role always present
    subject: str | None = None
    anonymous: bool = False  # the anonymous role: permission errors are 401 (sign in), not 403


def _as(role: str, config: Config) -> Caller:
    return Caller(role, msgspec.json.encode({"role": role}).decode(), None, role == config.anon_role)


def caller(headers, config: Config, wait: bool = True) -> Caller:
    """The Caller for these request headers, or raises ApiError (401, PostgREST's codes). With wait=False (on the
    event loop) a token whose check needs the signing keys read raises jwks.ReadNeeded instead of reading."""
    authorization = headers.get("authorization")
    token: str | None = None
    if authorization:
        scheme, _, value = authorization.strip().partition(" ")
        if scheme.lower() != "bearer":
            raise jwt_error("PGRST301", "Authorization header must be `Bearer <token>`")
        if not value.strip():
            raise jwt_error("PGRST301", "Empty JWT is sent in Authorization header")
        token = value.strip()
    if token is None or token.startswith("sb_"):
        apikey = headers.get("apikey")
        key = token if token is not None else apikey
        if key is not None:
            for configured, role in ((config.anon_key, config.anon_role), (config.service_key, "service_role")):
                if configured and hmac.compare_digest(key.encode(), configured.encode()):
                    return _as(role, config)
            if key.startswith("sb_"):
                raise jwt_error("PGRST301", "Invalid API key")
            token = key
    if token is None:
        return _as(config.anon_role, config)
    return _verified(token, config, wait)


# Verified tokens, kept until they expire: a client sends the same token with every request, and checking its
# signature again each time would cost more than the rest of the request's Python. Bounded; oldest out first.
CACHE_SIZE = 10_000


# An entry signed by a JWKS key remembers the key (kid and fingerprint): it stands only while the set still holds
# that key, so a key removed from the set (revoked) stops its tokens at the next read of the set.
_verified_tokens: OrderedDict[str, tuple[Caller, float, tuple[str | None, str] | None]] = OrderedDict()


def _verified(token: str, config: Config, wait: bool) -> Caller:
    hit = _verified_tokens.get(token)
    if hit is not None:
        known, expires, signer = hit
        if time.time() <= expires and (signer is None or _still_held(signer, config, wait)):
            return known
        _verified_tokens.pop(token, None)  # pop: a worker thread may have dropped it meanwhile
    known, signer = _verify(token, config, wait)
    exp = msgspec.json.decode(known.claims).get("exp")
    if isinstance(exp, int | float):
        _verified_tokens[token] = (known, float(exp) + SKEW_SECONDS, signer)
        while len(_verified_tokens) > CACHE_SIZE:
            _verified_tokens.popitem(last=False)
    return known


# PostgREST's answers (Error.hs), by what is wrong with the token.
_CRYPTO = "JWT cryptographic operation failed"  # unreadable, or a signature that does not match
_ALGORITHM = "Wrong or unsupported encoding algorithm"  # alg none, or no alg
_NO_KEY = "No suitable key or wrong key type"  # an algorithm the HS256 secret cannot verify
_JWS = jwt.PyJWS(algorithms=["HS256"])


_ASYMMETRIC = jwt.PyJWS(algorithms=list(jwks.ALGORITHMS))


def signing_keys(config: Config) -> jwks.KeySet | None:
    if config.jwks_url is None and config.jwks_file is None:
        return None
    return jwks.keyset(config.jwks_url, config.jwks_file, config.jwks_cache_seconds, config.jwks_cooldown_seconds,
                       config.jwks_timeout)


def _unavailable() -> ApiError:
    return ApiError(503, "PGRST300", "The JWT signing keys could not be read. Retrying.", None,
                    "the JWKS URL or file of TESSERA_JWKS_URL / TESSERA_JWKS_FILE did not answer", {"Retry-After": "5"})


def _lookup(keys: jwks.KeySet, kid: str | None, wait: bool) -> jwks.Key | None:
    try:
        return keys.key(kid, wait)
    except jwks.JwksError:
        raise _unavailable() from None


def _still_held(signer: tuple[str | None, str], config: Config, wait: bool) -> bool:
    keys = signing_keys(config)
    if keys is None:
        return False
    key = _lookup(keys, signer[0], wait)
    return key is not None and key.fingerprint == signer[1]


def _verify(token: str, config: Config, wait: bool) -> tuple[Caller, tuple[str | None, str] | None]:
    """The token's Caller and, for a JWKS-signed one, its key (kid, fingerprint); raises ApiError."""
    parts = token.count(".") + 1
    if parts != 3:
        raise jwt_error("PGRST301", f"Expected 3 parts in JWT; got {parts}")
    try:
        header = _JWS.get_unverified_header(token)
    except jwt.InvalidTokenError:
        raise jwt_error("PGRST301", _CRYPTO) from None
    alg = header.get("alg")
    if alg in (None, "none"):
        raise jwt_error("PGRST301", _ALGORITHM)
    signer: tuple[str | None, str] | None = None
    if alg == "HS256":
        if not config.jwt_hs256:  # the legacy secret is revoked: its tokens are refused as an unknown key's
            raise jwt_error("PGRST301", _NO_KEY)
        try:
            payload = _JWS.decode_complete(token, config.jwt_secret, algorithms=["HS256"])["payload"]
        except jwt.InvalidTokenError:
            raise jwt_error("PGRST301", _CRYPTO) from None
    else:
        # The key is chosen by kid from the configured set only (a jwk, jku, x5u or x5c header is never read), and
        # the algorithm is the key's own: a header naming another is refused before any signature is checked.
        keys = signing_keys(config)
        kid = header.get("kid")
        if keys is None or alg not in jwks.ALGORITHMS or not (kid is None or isinstance(kid, str)):
            raise jwt_error("PGRST301", _NO_KEY)
        key = _lookup(keys, kid, wait)
        if key is None or key.algorithm != alg:
            raise jwt_error("PGRST301", _NO_KEY)
        try:
            payload = _ASYMMETRIC.decode_complete(token, key.jwk.key, algorithms=[key.algorithm])["payload"]
        except jwt.InvalidTokenError:
            raise jwt_error("PGRST301", _CRYPTO) from None
        signer = (kid, key.fingerprint)
    try:
        claims = msgspec.json.decode(payload)
    except msgspec.DecodeError:
        claims = None
    if not isinstance(claims, dict):
        raise jwt_error("PGRST303", "Parsing claims failed")
    if problem := _claims_problem(claims, time.time()) or _audience_problem(claims, config):
        raise jwt_error("PGRST303", problem)
    role = claims.get("role", config.anon_role)
    if not isinstance(role, str) or not role:
        raise jwt_error("PGRST303", "JWT role claim must be a non-empty string")
    claims["role"] = role
    sub = claims.get("sub")
    return Caller(role, msgspec.json.encode(claims).decode(), sub if isinstance(sub, str) else None,
                  role == config.anon_role), signer


def _audience_problem(claims: dict, config: Config) -> str | None:
    """TESSERA_JWT_AUD as PostgREST's jwt-aud (an absent, null or empty aud passes); TESSERA_JWT_ISS: the iss must
    be one of those configured."""
    aud = claims.get("aud")
    if config.jwt_aud is not None and aud not in (None, []) and \
            config.jwt_aud not in ([aud] if isinstance(aud, str) else aud):
        return "JWT not in audience"
    if config.jwt_iss and claims.get("iss") not in config.jwt_iss:
        return "JWT issuer not accepted"
    return None


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _claims_problem(claims: dict, now: float) -> str | None:
    """PostgREST's claim checks in its order (exp, nbf, iat, aud), with 30 s of skew; a null claim is absent."""
    for name, late in (("exp", False), ("nbf", True), ("iat", True)):
        value = claims.get(name)
        if value is None:
            continue
        if not _number(value):
            return f"The JWT '{name}' claim must be a number"
        if late and value > now + SKEW_SECONDS:
            return "JWT not yet valid" if name == "nbf" else "JWT issued at future"
        if not late and value < now - SKEW_SECONDS:
            return "JWT expired"
    aud = claims.get("aud")
    if aud is not None and not (isinstance(aud, str) or (isinstance(aud, list)
                                                         and all(isinstance(a, str) for a in aud))):
        return "The JWT 'aud' claim must be a string or an array of strings"
    return None


def admit(caller: Caller, cache: SchemaCache, config: Config) -> None:
    """Refuses (401, as the database would answer SET ROLE, but without asking it) a role outside the exposed set
    or one the login role may not become."""
    role = caller.role
    if role in config.roles and cache.roles.get(role):
        return
    if role in cache.roles:
        raise ApiError(401, "42501", f'permission denied to set role "{role}"', None, None,
                       {"WWW-Authenticate": "Bearer"})
    raise ApiError(401, "22023", f'role "{role}" does not exist', None, None, {"WWW-Authenticate": "Bearer"})
