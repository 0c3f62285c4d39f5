"""The webhook sender: claim due deliveries, sign them (Standard Webhooks), post them, record every attempt.

run_once claims a batch under a lease (private.claim_webhook_deliveries: FOR UPDATE SKIP LOCKED, so senders beside
each other never take one delivery twice), and for each in turn vets the endpoint's URL (guard.py: every address
the host resolves to must be public), posts the payload to one of the vetted addresses (the connection is pinned
to it: the URL's host is replaced by the address, the Host header and the TLS server name stay the endpoint's, so
the certificate is checked against the endpoint's name and no second DNS answer is ever used), and records the
outcome at once (private.complete_webhook_delivery / private.fail_webhook_delivery). Only a 2xx answer is a
delivery; redirects are not followed (a 3xx is a failure), proxies from the environment are not used. A URL the
guard refuses is dead at once; anything else is retried with backoff by the database, and counts against the
endpoint, which the database disables after 20 failures in a row (or a day of failing).

Every attempt of a delivery carries the same webhook-id (the delivery's), a fresh webhook-timestamp and
webhook-signature: `v1,` and the base64 HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{body}` under the
endpoint's secret (standardwebhooks.Webhook.sign), so receivers verify with Webhook(secret).verify(body, headers)
and deduplicate on webhook-id. While a rotated-out secret still signs (api.rotate_webhook_secret's overlap), the
header holds a second signature under it, so receivers still on the old secret verify too.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import msgspec
import psycopg
from psycopg.rows import dict_row
from standardwebhooks import Webhook

from api.outgoing.guard import Guard, Refused, Resolver, Unresolved

log = logging.getLogger("tessera.webhooks")

USER_AGENT = "Tessera-Webhooks/1"


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """name: the lease's holder (unique to the loop); timeout_seconds bounds each request (connecting: at most 5 s)."""

    name: str
    batch: int = 20
    lease_seconds: float = 120.0
    margin_seconds: float = 30.0
    timeout_seconds: float = 10.0


class Counts(msgspec.Struct, kw_only=True):
    claimed: int = 0
    delivered: int = 0
    retried: int = 0
    dead: int = 0
    lost: int = 0
    left: int = 0

    def add(self, other: Counts) -> None:
        for field in self.__struct_fields__:
            setattr(self, field, getattr(self, field) + getattr(other, field))


class Outcome(msgspec.Struct, frozen=True, kw_only=True):
    ok: bool
    status_code: int | None = None
    error: str | None = None
    permanent: bool = False
    duration_ms: int = 0


_CLAIM = "SELECT * FROM private.claim_webhook_deliveries(%s, %s, make_interval(secs => %s))"
_COMPLETE = "SELECT private.complete_webhook_delivery(%s, %s, %s, %s)"
_FAIL = "SELECT private.fail_webhook_delivery(%s, %s, %s, %s, %s, %s)"
_RELEASE = "SELECT private.release_webhook_deliveries(%s, %s)"


def body_of(payload: Mapping[str, Any]) -> str:
    """The request body: the payload as compact JSON, the exact text that is signed."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False, sort_keys=True)


def signed_headers(secret: str, webhook_id: str, body: str, at: datetime | None = None,
                   previous_secret: str | None = None) -> dict[str, str]:
    """The Standard Webhooks headers of one attempt: during a rotation's overlap the signature header carries one
    signature under each secret, space-separated, the current one first (a receiver accepts any one it can
    verify)."""
    at = (at or datetime.now(UTC)).astimezone(UTC)
    signatures = [Webhook(s).sign(webhook_id, at, body) for s in (secret, previous_secret) if s]
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": " ".join(signatures),
    }


def make_client(settings: Settings) -> httpx.Client:
    return httpx.Client(timeout=httpx.Timeout(settings.timeout_seconds, connect=min(5.0, settings.timeout_seconds)),
                        follow_redirects=False, trust_env=False,
                        limits=httpx.Limits(max_keepalive_connections=0))


def post(client: httpx.Client, guard: Guard, url: str, headers: Mapping[str, str], body: str,
         resolve: Resolver | None = None) -> Outcome:
    """One attempt: vet, then post to a vetted address (pinned), never raising."""
    started = time.monotonic()

    def took() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        host, port, addresses = guard.vet(url, resolve)
    except Refused as refused:
        return Outcome(ok=False, error=f"refused before sending: {refused}", permanent=True, duration_ms=took())
    except Unresolved as unresolved:
        return Outcome(ok=False, error=str(unresolved)[:2000], duration_ms=took())
    parts = urlsplit(url)
    default_port = 443 if parts.scheme == "https" else 80
    host_header = (f"[{host}]" if ":" in host else host) + ("" if port == default_port else f":{port}")
    literal = any(c == ":" for c in host) or host.replace(".", "").isdigit()
    last_error = "no address to connect to"
    for address in addresses:
        pinned = f"[{address}]" if ":" in address else address
        target = urlunsplit((parts.scheme, f"{pinned}:{port}", parts.path or "/", parts.query, ""))
        extensions = {"sni_hostname": host} if parts.scheme == "https" and not literal else {}
        try:
            response = client.post(target, content=body.encode(), extensions=extensions,
                                   headers={**headers, "Host": host_header, "Content-Type": "application/json",
                                            "User-Agent": USER_AGENT})
        except httpx.ConnectError as exc:  # the next vetted address, if the host has several
            last_error = f"could not connect to {address}: {exc}"
            continue
        except httpx.TimeoutException:
            return Outcome(ok=False, error=f"no answer within {client.timeout.read} s", duration_ms=took())
        except httpx.HTTPError as exc:
            return Outcome(ok=False, error=f"{type(exc).__name__}: {exc}"[:2000], duration_ms=took())
        if 200 <= response.status_code < 300:
            return Outcome(ok=True, status_code=response.status_code, duration_ms=took())
        where = f" (to {response.headers.get('location', '')[:300]}; redirects are not followed)" \
            if 300 <= response.status_code < 400 else ""
        return Outcome(ok=False, status_code=response.status_code,
                       error=f"the endpoint answered HTTP {response.status_code}{where}"[:2000], duration_ms=took())
    return Outcome(ok=False, error=last_error[:2000], duration_ms=took())


def run_once(conn: psycopg.Connection, settings: Settings, guard: Guard | None = None,
             client: httpx.Client | None = None, resolve: Resolver | None = None,
             stop: threading.Event | None = None) -> Counts:
    """One claim and its deliveries, on an autocommit connection as the service (the database owner or
    service_role). When stop is set, or the lease runs short, the deliveries not tried yet are given back."""
    counts = Counts()
    guard = guard if guard is not None else Guard.from_env()
    own_client = client is None
    client = client or make_client(settings)
    started = time.monotonic()
    try:
        with conn.cursor(row_factory=dict_row) as cur:
            rows = cur.execute(_CLAIM, (settings.name, settings.batch, settings.lease_seconds)).fetchall()
        counts.claimed = len(rows)
        margin = max(settings.margin_seconds, settings.timeout_seconds * 2)
        deadline = started + settings.lease_seconds - margin
        gone: set = set()  # endpoints that answered 410 Gone in this batch: disabled, their other deliveries wait
        for i, row in enumerate(rows):
            if time.monotonic() > deadline or (stop is not None and stop.is_set()):
                counts.left = len(rows) - i
                conn.execute(_RELEASE, ([r["id"] for r in rows[i:] if r["endpoint_id"] not in gone], settings.name))
                break
            if row["endpoint_id"] in gone:
                counts.left += 1
                conn.execute(_RELEASE, ([row["id"]], settings.name))
                continue
            try:
                body = body_of(row["payload"])
                headers = signed_headers(row["secret"], row["webhook_id"], body,
                                         previous_secret=row["previous_secret"])
                outcome = post(client, guard, row["url"], headers, body, resolve)
            except Exception as exc:  # one bad delivery must not stop the others: it retries, then dies
                log.exception("webhook delivery %s could not be handled", row["id"])
                outcome = Outcome(ok=False, error=f"the sender failed: {type(exc).__name__}: {exc}"[:2000])
            _record(conn, counts, row, settings, outcome)
            if outcome.status_code == 410:
                gone.add(row["endpoint_id"])
    finally:
        if own_client:
            client.close()
    return counts


def _record(conn: psycopg.Connection, counts: Counts, row: Mapping[str, Any], settings: Settings,
            outcome: Outcome) -> None:
    if outcome.ok:
        ok = conn.execute(_COMPLETE, (row["id"], settings.name, outcome.status_code, outcome.duration_ms)).fetchone()[0]
        if ok:
            counts.delivered += 1
        else:
            counts.lost += 1
        return
    status = conn.execute(_FAIL, (row["id"], settings.name, outcome.status_code, outcome.error, outcome.duration_ms,
                                  outcome.permanent)).fetchone()[0]
    if status == "dead":
        counts.dead += 1
        log.warning("webhook delivery %s is dead: %s", row["id"], outcome.error)
    elif status == "queued":
        counts.retried += 1
    else:
        counts.lost += 1
