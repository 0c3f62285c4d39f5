"""Development JWTs, signed HS256 the way Supabase Auth signs them, with the project's own secret, or with a local
key pair the way Supabase's JWT signing keys sign them (README: "Signing keys").

The secret is TESSERA_JWT_SECRET when set, otherwise one generated on first use and kept in .tessera/jwt_secret
(readable by its owner only), so the API started by ./scripts/dev and the tokens it prints agree.

Key pairs: `generate_key` writes a private key (PEM, owner-only, named by its kid) and adds its public half to a
jwks.json beside it (the file TESSERA_JWKS_FILE reads, or any static server serves); running it again adds a second
key, the overlap of a rotation. `mint_with_key` signs with such a PEM, its kid the RFC 7638 thumbprint of the key.
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


def _claims(role: str, sub: str | None, email: str | None, ttl: int, extra: dict | None) -> dict:
    now = int(time.time())
    claims = {"role": role, "iat": now, "exp": now + ttl, **(extra or {})}
    if sub:
        claims |= {"sub": sub, "aud": "authenticated"}
    if email:
        claims["email"] = email
    return claims


def mint(secret: str, role: str, sub: str | None = None, email: str | None = None, ttl: int = 3600,
         extra: dict | None = None) -> str:
    """A signed token carrying role (and sub/email for signed-in users), valid for ttl seconds."""
    claims = _claims(role, sub, email, ttl, extra)
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
    signature = hmac.new(secret.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64(signature)}"


# -- jwks lane: local key pairs for asymmetric tokens.
ALGORITHMS = ("ES256", "RS256", "EdDSA")


def _public_jwk(private_key) -> tuple[dict, str]:
    """The public JWK of a private key (cryptography object) and the algorithm it signs with."""
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
    from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm

    public = private_key.public_key()
    if isinstance(private_key, rsa.RSAPrivateKey):
        if private_key.key_size < 2048:
            raise Refusal("an RSA signing key has at least 2048 bits")
        return RSAAlgorithm.to_jwk(public, as_dict=True), "RS256"
    if isinstance(private_key, ec.EllipticCurvePrivateKey) and isinstance(private_key.curve, ec.SECP256R1):
        return ECAlgorithm.to_jwk(public, as_dict=True), "ES256"
    if isinstance(private_key, ed25519.Ed25519PrivateKey):
        return OKPAlgorithm.to_jwk(public, as_dict=True), "EdDSA"
    raise Refusal("the key is not an RSA, P-256 or Ed25519 private key: make one with `tessera token keys`")


def thumbprint(jwk: dict) -> str:
    """RFC 7638: the SHA-256 of the key's required members, as the kid."""
    members = {"RSA": ("e", "kty", "n"), "EC": ("crv", "kty", "x", "y"), "OKP": ("crv", "kty", "x")}[jwk["kty"]]
    canonical = json.dumps({m: jwk[m] for m in members}, separators=(",", ":"), sort_keys=True)
    return _b64(hashlib.sha256(canonical.encode()).digest())


def load_private_key(path: Path):
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    try:
        return load_pem_private_key(path.read_bytes(), password=None)
    except OSError as exc:
        raise Refusal(f"cannot read the signing key {path}: {exc.strerror}") from None
    except (ValueError, TypeError):
        raise Refusal(f"{path} is not an unencrypted PEM private key; make one with `tessera token keys`") from None


def generate_key(directory: Path, alg: str = "ES256") -> dict:
    """A new key pair: the private key at DIRECTORY/<kid>.pem (0600), its public JWK added to DIRECTORY/jwks.json."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

    if alg not in ALGORITHMS:
        raise Refusal(f"--alg {alg}: use one of {', '.join(ALGORITHMS)}")
    private = {"ES256": lambda: ec.generate_private_key(ec.SECP256R1()),
               "RS256": lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048),
               "EdDSA": ed25519.Ed25519PrivateKey.generate}[alg]()
    jwk, _ = _public_jwk(private)
    kid = thumbprint(jwk)
    jwks_path = directory / "jwks.json"
    document = {"keys": []}
    if jwks_path.exists():
        try:
            document = json.loads(jwks_path.read_text())
        except ValueError:
            raise Refusal(f"{jwks_path} is not JSON: move it away or fix it") from None
        if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
            raise Refusal(f"{jwks_path} is not a JWKS document ({{\"keys\": [...]}})")
    directory.mkdir(parents=True, exist_ok=True)
    key_path = directory / f"{kid}.pem"
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption()))
    document["keys"].append({**jwk, "kid": kid, "alg": alg, "use": "sig", "key_ops": ["verify"]})
    scratch = jwks_path.with_suffix(".json.tmp")
    scratch.write_text(json.dumps(document, indent=2) + "\n")
    scratch.replace(jwks_path)
    return {"kid": kid, "alg": alg, "private_key": str(key_path), "jwks": str(jwks_path)}


def mint_with_key(path: Path, role: str, sub: str | None = None, email: str | None = None, ttl: int = 3600,
                  extra: dict | None = None) -> str:
    """As mint, signed with the private key at path (RS256, ES256 or EdDSA by its type), kid its thumbprint."""
    import jwt

    private = load_private_key(path)
    jwk, alg = _public_jwk(private)
    return jwt.encode(_claims(role, sub, email, ttl, extra), private, algorithm=alg,
                      headers={"kid": thumbprint(jwk), "typ": "JWT"})
