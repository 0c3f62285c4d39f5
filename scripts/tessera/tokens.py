"""Development JWTs, signed HS256 the way Supabase Auth signs them, with the project's own secret.

The secret is TESSERA_JWT_SECRET when set, otherwise one generated on first use and kept in .tessera/jwt_secret
(readable by its owner only), so the API started by ./scripts/dev and the tokens it prints agree.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from pathlib import Path

from tessera.errors import Refusal

MIN_SECRET_LENGTH = 32
# A development token is a bearer credential that cannot be revoked: one that outlives a year is one that is
# never rotated. Long-lived access belongs to API keys (TESSERA_ANON_KEY, TESSERA_SERVICE_KEY).
MAX_TTL = 365 * 86400


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt_secret(state_dir: Path) -> str:
    if env := os.environ.get("TESSERA_JWT_SECRET"):
        if len(env) < MIN_SECRET_LENGTH:
            raise Refusal(f"TESSERA_JWT_SECRET must be at least {MIN_SECRET_LENGTH} characters; use a longer one")
        return env
    path = state_dir / "jwt_secret"
    if not path.exists():
        state_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def mint(secret: str, role: str, sub: str | None = None, email: str | None = None, ttl: int = 3600,
         extra: dict | None = None) -> str:
    """A signed token carrying role (and sub/email for signed-in users), valid for ttl seconds."""
    now = int(time.time())
    claims = {"role": role, "iat": now, "exp": now + ttl, **(extra or {})}
    if sub:
        claims |= {"sub": sub, "aud": "authenticated"}
    if email:
        claims["email"] = email
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
    signature = hmac.new(secret.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64(signature)}"
