"""Asymmetric JWT signing keys (README: "Signing keys"): a JWKS document by URL or file, as Supabase publishes its
project's keys at https://<ref>.supabase.co/auth/v1/.well-known/jwks.json.

Keys are parsed by PyJWT's PyJWK (cryptography underneath); only RS256, ES256 and EdDSA signing keys are taken,
each with the one algorithm it is for (its `alg`, else the one its type implies), so a token cannot choose how it
is checked. Symmetric (`oct`) entries, encryption keys and keys of other algorithms are left out: a shared secret
never comes from a document fetched over the network.

The set is kept for `cache_seconds`, then read again when a token needs it. A token whose `kid` is not in the set
makes one early re-read, at most once per `cooldown_seconds` (since the last read), so rotation is picked up at
once and a flood of made-up kids costs one fetch. A failed read keeps the last good set. Not PyJWKClient: it
re-fetches on every unknown kid and reads no files.

A read blocks for up to `timeout`, so the service never reads on its event loop: it asks with `wait=False`, which
raises ReadNeeded instead of reading, and asks again from a worker thread (api/app.py `admitted`). The request
that needs the read waits for it; the others go on. The service also reads the set once at start (`warm`).
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import jwt

# The algorithms accepted, and the one each key type stands for when its JWK names none.
ALGORITHMS = ("RS256", "ES256", "EdDSA")


@dataclass(frozen=True)
class Key:
    """One verification key: PyJWT's parsed key, and its JWK as text (the same key when read again)."""
    jwk: jwt.PyJWK
    fingerprint: str

    @property
    def algorithm(self) -> str:
        return self.jwk.algorithm_name


class JwksError(Exception):
    """The signing keys could not be read (unreachable URL, unreadable file, not a JWKS)."""


class ReadNeeded(Exception):
    """Answering needs a read of the set, and the caller asked not to wait for one (wait=False)."""


def parse(document: object) -> dict[str, Key]:
    """The usable verification keys of a JWKS document, by kid (a key without a kid is listed under "")."""
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise JwksError('not a JWKS document: expected {"keys": [...]}')
    keys: dict[str, Key] = {}
    for entry in document["keys"]:
        if not isinstance(entry, dict) or entry.get("kty") not in ("RSA", "EC", "OKP"):
            continue
        if entry.get("use", "sig") != "sig":
            continue
        ops = entry.get("key_ops")
        if ops is not None and (not isinstance(ops, list) or "verify" not in ops):
            continue
        if entry.get("kty") == "OKP" and entry.get("crv") != "Ed25519":
            continue
        if any(name in entry for name in ("d", "p", "q", "dp", "dq", "qi", "k")):
            continue  # private material in a public document: refuse to use it rather than guess
        try:
            key = jwt.PyJWK(entry)
        except (jwt.PyJWKError, jwt.InvalidKeyError, ValueError, TypeError):
            continue
        if key.algorithm_name not in ALGORITHMS:
            continue
        kid = entry.get("kid")
        kid = kid if isinstance(kid, str) else ""
        keys.setdefault(kid, Key(key, json.dumps(entry, sort_keys=True)))
    return keys


class KeySet:
    """The signing keys of one JWKS source, cached; thread-safe (reads happen under a lock, one at a time)."""

    def __init__(self, url: str | None, file: Path | None, cache_seconds: float, cooldown_seconds: float,
                 timeout: float):
        self.url, self.file = url, file
        self.cache_seconds, self.cooldown_seconds, self.timeout = cache_seconds, cooldown_seconds, timeout
        self._keys: dict[str, Key] | None = None
        self._read_at = float("-inf")  # monotonic time of the last read attempt
        self._fresh_until = float("-inf")
        self._lock = threading.Lock()
        self.reads = 0  # attempts, for tests and logs

    def _read(self) -> dict[str, Key]:
        self.reads += 1
        try:
            if self.file is not None:
                document = json.loads(self.file.read_text())
            else:
                response = httpx.get(self.url, timeout=self.timeout, follow_redirects=False,
                                     headers={"Accept": "application/json"})
                if response.status_code != 200:
                    raise JwksError(f"the JWKS URL answered {response.status_code}")
                document = response.json()
        except (OSError, ValueError, httpx.HTTPError) as exc:
            raise JwksError(f"the JWKS could not be read: {type(exc).__name__}") from None
        return parse(document)

    def _refresh(self, now: float) -> None:
        self._read_at = now
        try:
            self._keys = self._read()
            self._fresh_until = now + self.cache_seconds
        except JwksError:
            if self._keys is None:
                raise
            # keep the last good set; try again after the cooldown
            self._fresh_until = now + self.cooldown_seconds

    def key(self, kid: str | None, wait: bool = True) -> Key | None:
        """The key of this kid (None: no such key, even after the one re-read allowed now). With no kid, the only
        key of the set. Raises JwksError when no set could ever be read, and ReadNeeded when a read is due and
        wait is False (ask again with wait=True, off the event loop)."""
        if not self._lock.acquire(blocking=wait):
            raise ReadNeeded  # a read is under way in a worker thread: wait for it there, not on the event loop
        try:
            now = time.monotonic()
            refreshed = False
            if self._keys is None or now >= self._fresh_until:
                if self._keys is None and now - self._read_at < self.cooldown_seconds:
                    raise JwksError("the JWKS could not be read; the next try is after the cooldown")
                if not wait:
                    raise ReadNeeded
                self._refresh(now)
                refreshed = True
            found = self._find(kid)
            if found is None and not refreshed and now - self._read_at >= self.cooldown_seconds:
                if not wait:
                    raise ReadNeeded
                self._refresh(now)
                found = self._find(kid)
            return found
        finally:
            self._lock.release()

    def warm(self) -> None:
        """Read the set now unless one is held (at the service's start, in a thread); a failure is left for the
        first token that needs the keys to report."""
        with contextlib.suppress(JwksError):
            self.key(None)

    def _find(self, kid: str | None) -> Key | None:
        keys = self._keys or {}
        if kid is None:
            return next(iter(keys.values())) if len(keys) == 1 else None
        return keys.get(kid)


_sets: dict[tuple, KeySet] = {}
_sets_lock = threading.Lock()


def keyset(url: str | None, file: Path | None, cache_seconds: float, cooldown_seconds: float,
           timeout: float) -> KeySet:
    """The process's one KeySet for these settings."""
    marker = (url, file, cache_seconds, cooldown_seconds, timeout)
    with _sets_lock:
        found = _sets.get(marker)
        if found is None:
            found = _sets[marker] = KeySet(url, file, cache_seconds, cooldown_seconds, timeout)
        return found
