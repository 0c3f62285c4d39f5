"""One-click unsubscribe (RFC 8058): the signed link every marketing e-mail carries, and the routes it leads to.

The link is `{TESSERA_PUBLIC_URL}/unsubscribe?t=<token>`. The token names the organization, the customer and the
channel, and is signed with HMAC-SHA256 over those and its purpose ("tessera/unsubscribe/v1"), so it opens nothing
else and cannot be altered: 34 bytes of subject (a version byte, the two UUIDs, a channel byte) and the 32-byte MAC,
base64url without padding (88 characters). Its key is TESSERA_UNSUBSCRIBE_SECRET when set (at least 32 characters),
else derived from TESSERA_JWT_SECRET as HMAC-SHA256(secret, "tessera unsubscribe link key v1"), so that a link's
key is never the key of the service's tokens. A link does not expire (a customer may unsubscribe from an old
e-mail); changing the secret makes every link sent before invalid.

The delivery worker makes the link at send time (api/notify/worker.py): no token is stored in the outbox, the
audit log or anywhere else. The service answers it:

- `POST /unsubscribe?t=…` with the form body `List-Unsubscribe=One-Click` (what a mail client sends after the
  user's click, without cookies or credentials) records the opt-out (api.unsubscribe as service_role, idempotent)
  and answers 200, never a redirect;
- `GET /unsubscribe?t=…` answers a small page with a button that makes that POST: a GET never unsubscribes, since
  mail scanners fetch the links of the messages they read;
- a token that is malformed or was not signed with the key is 400 in PostgREST's shape (PT400, detail
  invalid_token), never a 500.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import html
import os
import urllib.parse
import uuid

import msgspec
from litestar import Request, Response, get, post

from api.config import MIN_JWT_SECRET, ConfigError, Secret, origin
from api.errors import JSON, ApiError

PURPOSE = b"tessera/unsubscribe/v1"
KEY_LABEL = b"tessera unsubscribe link key v1"
VERSION = 1
CHANNELS = {"email": 1, "sms": 2, "in_app": 3}
_CHANNEL_NAMES = {v: k for k, v in CHANNELS.items()}
SUBJECT_BYTES = 34
TOKEN_CHARS = 88  # base64url of 34 + 32 bytes, unpadded
_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


class Subject(msgspec.Struct, frozen=True):
    """Whom a link unsubscribes, and from which channel's marketing."""
    org_id: uuid.UUID
    customer_id: uuid.UUID
    channel: str


class Invalid(msgspec.Struct, frozen=True):
    """Why a token was refused (for the log, never shown in detail to the caller)."""
    reason: str


def derive_key(secret: str) -> bytes:
    return hmac.new(secret.encode(), KEY_LABEL, hashlib.sha256).digest()


class Links(msgspec.Struct, frozen=True, kw_only=True):
    """How links are signed and where they point. key is the 32-byte signing key, hex, kept as a Secret."""
    key: Secret
    public_url: str = "http://127.0.0.1:8000"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Links:
        env = dict(os.environ if env is None else env)

        def get_(name: str) -> str | None:
            value = env.get(f"TESSERA_{name}")
            return value if value not in (None, "") else None

        own = get_("UNSUBSCRIBE_SECRET")
        if own is not None and len(own) < MIN_JWT_SECRET:
            raise ConfigError(f"TESSERA_UNSUBSCRIBE_SECRET must be at least {MIN_JWT_SECRET} characters")
        secret = own or get_("JWT_SECRET")
        if secret is None or len(secret) < MIN_JWT_SECRET:
            raise ConfigError("set TESSERA_UNSUBSCRIBE_SECRET (or TESSERA_JWT_SECRET, which the unsubscribe links' "
                              f"key is derived from) to at least {MIN_JWT_SECRET} characters")
        public_url = (get_("PUBLIC_URL") or "http://127.0.0.1:8000").rstrip("/")
        if origin(public_url) is None:
            raise ConfigError("TESSERA_PUBLIC_URL must be an http(s) URL such as https://book.example.com")
        return cls(key=Secret((derive_key(own) if own else derive_key(secret)).hex()), public_url=public_url)

    def _key(self) -> bytes:
        return bytes.fromhex(self.key.reveal())

    def token(self, subject: Subject) -> str:
        return sign(self._key(), subject)

    def url(self, subject: Subject) -> str:
        return f"{self.public_url}/unsubscribe?t={self.token(subject)}"

    def verify(self, token: str) -> Subject | Invalid:
        return verify(self._key(), token)


def _mac(key: bytes, payload: bytes) -> bytes:
    return hmac.new(key, PURPOSE + b"\x00" + payload, hashlib.sha256).digest()


def sign(key: bytes, subject: Subject) -> str:
    payload = (bytes([VERSION]) + subject.org_id.bytes + subject.customer_id.bytes
               + bytes([CHANNELS[subject.channel]]))
    return base64.urlsafe_b64encode(payload + _mac(key, payload)).rstrip(b"=").decode("ascii")


def verify(key: bytes, token: str) -> Subject | Invalid:
    """The subject a token was signed for, or why it is refused. Constant-time on the MAC."""
    if not isinstance(token, str) or len(token) != TOKEN_CHARS or not _ALPHABET.issuperset(token):
        return Invalid("malformed")
    try:
        raw = base64.urlsafe_b64decode(token + "==")
    except (binascii.Error, ValueError):
        return Invalid("malformed")
    payload, mac = raw[:SUBJECT_BYTES], raw[SUBJECT_BYTES:]
    if len(payload) != SUBJECT_BYTES or len(mac) != 32 or not hmac.compare_digest(mac, _mac(key, payload)):
        return Invalid("bad_signature")
    if payload[0] != VERSION or payload[33] not in _CHANNEL_NAMES:
        return Invalid("unknown_version")
    return Subject(uuid.UUID(bytes=payload[1:17]), uuid.UUID(bytes=payload[17:33]), _CHANNEL_NAMES[payload[33]])


# The routes. ---------------------------------------------------------------------------------------------------------
def _invalid() -> ApiError:
    return ApiError(400, "PT400", "this unsubscribe link is not valid", "invalid_token",
                    "use the link of the e-mail as it was sent, whole")


def _subject(request: Request, links: Links) -> tuple[Subject, str]:
    query = urllib.parse.parse_qsl(request.scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    tokens = [v for k, v in query if k == "t"]
    if len(tokens) != 1 or len(query) != 1:
        raise _invalid()
    found = links.verify(tokens[0])
    if isinstance(found, Invalid):
        raise _invalid()
    return found, tokens[0]


def _one_click(body: bytes, content_type: str) -> bool:
    """RFC 8058's body: List-Unsubscribe=One-Click, form-encoded (or as one multipart/form-data field)."""
    if content_type.startswith("multipart/form-data"):
        text = body.decode("utf-8", "replace")
        return 'name="List-Unsubscribe"' in text and "One-Click" in text
    try:
        fields = urllib.parse.parse_qs(body.decode("ascii"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError:
        return False
    return fields.get("List-Unsubscribe") == ["One-Click"]


_PAGE_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex",
                 "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'"}
_STYLE = "<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem}</style>"
_CHANNEL_WORDS = {"email": "e-mails", "sms": "text messages", "in_app": "notifications"}


def _page(title: str, inner: str) -> str:
    return (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
            f"content=\"width=device-width\"><title>{title}</title>{_STYLE}</head><body><h1>{title}</h1>{inner}"
            f"</body></html>")


def links_for(config) -> Links | None:
    """The service's links: TESSERA_UNSUBSCRIBE_SECRET, else the configured JWT secret, and the public URL; None
    when neither secret will do (the routes then answer 503)."""
    env = {**os.environ, "TESSERA_JWT_SECRET": config.jwt_secret, "TESSERA_PUBLIC_URL": config.payments.public_url}
    try:
        return Links.from_env(env)
    except ConfigError:
        return None


def _links(request: Request) -> Links:
    links = request.app.state.unsubscribe
    if links is None:
        raise ApiError(503, "PT503", "unsubscribe links are not configured on this service", "not_configured",
                       "set TESSERA_UNSUBSCRIBE_SECRET or TESSERA_JWT_SECRET")
    return links


@get("/unsubscribe", status_code=200)
async def unsubscribe_page(request: Request) -> Response:
    """The page a person reaches by clicking the link: a button that POSTs it. Nothing is recorded here."""
    from api.app import error_response  # api.app imports this module

    try:
        subject, token = _subject(request, _links(request))
    except ApiError as err:
        return error_response(err)
    words = _CHANNEL_WORDS[subject.channel]
    form = (f"<p>Stop marketing {words} from this organization? Messages about your bookings and payments "
            f"still reach you.</p><form method=\"post\" action=\"/unsubscribe?t={html.escape(token)}\">"
            "<input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">"
            "<button type=\"submit\">Unsubscribe</button></form>")
    return Response(content=_page("Unsubscribe", form), media_type="text/html; charset=utf-8",
                    headers=_PAGE_HEADERS)


@post("/unsubscribe", status_code=200)
async def unsubscribe_one_click(request: Request) -> Response:
    """RFC 8058's one-click POST: verified, recorded as service_role, answered 200 (HTML for a browser)."""
    from api.app import _body, _headers, client_address, error_response, too_many  # api.app imports this module
    from api.rpc.internal import SERVICE, Database

    service = request.app.state.service
    headers = _headers(request.scope)
    client = client_address(request.scope, headers, service.config)
    try:
        if wait := service.limiter.take(client):
            raise too_many(wait)
        subject, _ = _subject(request, _links(request))
        body = await _body(request.receive, headers, 4096)
        if not _one_click(body, headers.get("content-type", "")):
            raise ApiError(400, "PT400", "an unsubscribe is confirmed with the body List-Unsubscribe=One-Click",
                           "one_click_required", "POST the form field List-Unsubscribe=One-Click (RFC 8058)")
        answer = await Database(service.pipeline, "tessera-unsubscribe").call(
            "unsubscribe", {"org_id": str(subject.org_id), "channel": subject.channel,
                            "customer_id": str(subject.customer_id)}, SERVICE, client=client)
    except ApiError as err:
        if err.status == 404:  # a signed link of a customer since deleted: nothing will reach them
            answer = {"org_id": str(subject.org_id), "customer_id": str(subject.customer_id),
                      "channel": subject.channel, "unsubscribed": True, "changed": False}
        else:
            return error_response(err)
    if "text/html" in headers.get("accept", ""):
        words = _CHANNEL_WORDS[subject.channel]
        return Response(content=_page("Unsubscribed", f"<p>You will receive no more marketing {words} from this "
                                                      "organization.</p>"),
                        media_type="text/html; charset=utf-8", headers=_PAGE_HEADERS)
    return Response(content=msgspec.json.encode(answer), media_type=JSON, headers={"Cache-Control": "no-store"})
