"""Who is calling: the request's credentials turned into a database role and the claims the functions read.

As PostgREST behind Supabase's gateway: `Authorization: Bearer <JWT>` (HS256, the configured secret, exp/nbf/iat
with 30 s of skew) wins; without one (or with a `Bearer sb_…` key) the `apikey` header is read, a configured
publishable or secret key standing for anon or service_role and any other value taken as the bearer token. No
credentials at all means the anonymous role. The role comes from the `role` claim (anon when absent); whether it
exists and may be taken is the database's answer, when the request sets it.
"""

from __future__ import annotations

import hmac
import time
from collections import OrderedDict

import jwt
import msgspec

from api.config import Config
from api.errors import jwt_error

SKEW_SECONDS = 30


class Caller(msgspec.Struct, frozen=True):
    role: str
    claims: str  # the JSON the database sees as request.jwt.claims, role always present
    subject: str | None = None
    anonymous: bool = False  # the anonymous role: permission errors are 401 (sign in), not 403


def _as(role: str, config: Config) -> Caller:
    return Caller(role, msgspec.json.encode({"role": role}).decode(), None, role == config.anon_role)


def caller(headers, config: Config) -> Caller:
    """The Caller for these request headers, or raises ApiError (401, PostgREST's codes)."""
    authorization = headers.get("authorization")
    token: str | None = None
    if authorization:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise jwt_error("PGRST301", "Authorization header must be `Bearer <token>`")
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
    return _verified(token, config)


# Verified tokens, kept until they expire: a client sends the same token with every request, and checking its
# signature again each time would cost more than the rest of the request's Python. Bounded; oldest out first.
_verified_tokens: OrderedDict[str, tuple[Caller, float]] = OrderedDict()
CACHE_SIZE = 10_000


def _verified(token: str, config: Config) -> Caller:
    hit = _verified_tokens.get(token)
    if hit is not None:
        known, expires = hit
        if time.time() <= expires:
            return known
        del _verified_tokens[token]
    known = _verify(token, config)
    exp = msgspec.json.decode(known.claims).get("exp")
    if isinstance(exp, int | float):
        _verified_tokens[token] = (known, float(exp) + SKEW_SECONDS)
        while len(_verified_tokens) > CACHE_SIZE:
            _verified_tokens.popitem(last=False)
    return known


def _verify(token: str, config: Config) -> Caller:
    if token.count(".") != 2:
        raise jwt_error("PGRST301", f"Expected 3 parts in JWT; got {token.count('.') + 1}")
    try:
        claims = jwt.decode(token, config.jwt_secret, algorithms=["HS256"], leeway=SKEW_SECONDS,
                            options={"verify_aud": False, "require": []})
    except jwt.ExpiredSignatureError:
        raise jwt_error("PGRST303", "JWT expired") from None
    except jwt.ImmatureSignatureError:
        raise jwt_error("PGRST303", "JWT not yet valid") from None
    except jwt.InvalidSignatureError:
        raise jwt_error("PGRST301", "JWT signature does not match") from None
    except jwt.InvalidAlgorithmError:
        raise jwt_error("PGRST301", "JWT algorithm must be HS256") from None
    except jwt.InvalidTokenError as exc:
        raise jwt_error("PGRST301", f"JWT cannot be decoded: {_reason(exc)}") from None
    if not isinstance(claims, dict):
        raise jwt_error("PGRST301", "JWT claims must be a JSON object")
    role = claims.get("role", config.anon_role)
    if not isinstance(role, str) or not role:
        raise jwt_error("PGRST303", "JWT role claim must be a non-empty string")
    claims["role"] = role
    sub = claims.get("sub")
    return Caller(role, msgspec.json.encode(claims).decode(), sub if isinstance(sub, str) else None,
                  role == config.anon_role)


def _reason(exc: Exception) -> str:
    # PyJWT's messages name what is wrong without echoing the token.
    return str(exc).rstrip(".") or type(exc).__name__
