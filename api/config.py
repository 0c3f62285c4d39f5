"""Service configuration, from TESSERA_* environment variables only (README: "Configuration").

Every setting is read and checked once, at start: a bad value stops the service with one line saying which
variable and what it needs, never a half-configured server.
"""

from __future__ import annotations

import os
import urllib.parse
from pathlib import Path

import msgspec

MIN_JWT_SECRET = 32


class ConfigError(Exception):
    """A setting the service cannot start with; the message names the variable."""


class Secret:
    """A credential: compared and sent, never shown. Its repr and str are a placeholder, so a Config printed in a
    traceback or a log line cannot carry a key."""

    __slots__ = ("_value",)

    def __init__(self, value: str):
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


class Payments(msgspec.Struct, frozen=True, kw_only=True):
    """The payment providers' settings (README: "Take a payment"). A provider is offered when its secret key is set;
    several webhook secrets may be configured at once, so a secret rotates without a moment of refused events."""
    stripe_secret_key: Secret | None = None
    stripe_webhook_secrets: tuple[Secret, ...] = ()
    stripe_api_base: str = "https://api.stripe.com"
    moyasar_secret_key: Secret | None = None
    moyasar_webhook_secrets: tuple[Secret, ...] = ()
    moyasar_api_base: str = "https://api.moyasar.com"
    # Where customers and providers reach this service (Moyasar's callback URL is built from it).
    public_url: str = "http://127.0.0.1:8000"
    # Origins (scheme://host[:port]) a checkout's success and cancel URLs may point to.
    return_origins: tuple[str, ...] = ()
    # Seconds an outgoing provider call may take before the caller gets 504.
    provider_timeout: float = 10.0
    # Seconds between the refund executor's sweeps (it also wakes on NOTIFY tessera_refunds).
    refund_sweep_seconds: float = 30.0

    def offered(self) -> tuple[str, ...]:
        return tuple(name for name, key in (("stripe", self.stripe_secret_key), ("moyasar", self.moyasar_secret_key))
                     if key is not None)


def origin(url: str) -> str | None:
    """scheme://host[:port] of an absolute http(s) URL, lower-cased; None for anything else."""
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    default = {"http": 80, "https": 443}[parts.scheme]
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    return f"{parts.scheme}://{host}" + (f":{port}" if port not in (None, default) else "")


class Config(msgspec.Struct, frozen=True, kw_only=True):
    database_url: str
    jwt_secret: str = ""
    # Exposed schemas; the first is the default when a request names none.
    schemas: tuple[str, ...] = ("api",)
    extra_search_path: tuple[str, ...] = ("public",)
    anon_role: str = "anon"
    # The roles a request may run as: the anonymous role, authenticated, service_role and TESSERA_EXTRA_ROLES,
    # each only if the login role may become it (read from the catalogue with the schema).
    roles: tuple[str, ...] = ("anon", "authenticated", "service_role")
    # Supabase-style non-JWT API keys (sb_publishable_…, sb_secret_…) that stand for the anon and service roles.
    anon_key: str | None = None
    service_key: str | None = None
    pool_size: int = 8
    pool_timeout: float = 5.0
    max_body_bytes: int = 1024 * 1024
    # Bounds on a request head (request line and headers), enforced by the HTTP server before the app sees it:
    # its bytes (16 KiB, as nginx's large buffers and warp under PostgREST), its header fields, and the seconds a
    # client may take to send it (a slow client otherwise holds a connection for ever).
    max_header_bytes: int = 16384
    max_headers: int = 100
    header_timeout: float = 10.0
    # Requests per second a client may sustain, and the burst it may spend at once; 0 turns the limit off.
    rate_limit: float = 50.0
    rate_burst: int = 100
    cors_origins: tuple[str, ...] = ()
    # Trust X-Forwarded-For from the peer (set only behind a proxy you run); otherwise the peer is the client.
    trust_forwarded: bool = False
    # Full error details and hints for every error, including constraint violations (development only).
    verbose_errors: bool = False
    plan_file: Path | None = None
    registry: str = "sqitch"
    log_level: str = "info"
    payments: Payments = Payments()
    # -- replica lane: a streaming read replica (README: "Read replica"). GET/HEAD calls of STABLE and IMMUTABLE
    # functions go to read_database_url when set; everything else, and every GET while the replica is away, goes
    # to database_url. read_pool_timeout: seconds a GET waits for a replica connection before the primary answers
    # it instead; read_check_seconds: how often the service tries the replica again while it is away.
    read_database_url: str | None = None
    read_pool_size: int = 8
    read_pool_timeout: float = 0.5
    read_check_seconds: float = 2.0
    # ops lane (README: "Operating it"): GET /metrics behind its own bearer token (off while unset); how long a
    # connection attempt may take; the TCP keepalive idle seconds on the pool's connections; how long a request
    # waits for the database's answer once it has a connection (0: no bound; keep it above the roles'
    # statement_timeout, so that the database's own cancel answers first).
    metrics_token: Secret | None = None
    connect_timeout: int = 5
    keepalives_idle: int = 30
    database_timeout: float = 10.0
    # -- jwks lane: asymmetric JWTs (RS256, ES256, EdDSA) checked against a JWKS document (README: "Signing keys"),
    # beside the HS256 secret. jwks_url or jwks_file (one of them); the set is kept jwks_cache_seconds, an unknown
    # kid re-reads it at most once per jwks_cooldown_seconds; jwks_timeout bounds a fetch. jwt_aud / jwt_iss: when
    # set, every JWT's aud must name jwt_aud (as PostgREST's jwt-aud: an absent aud passes) and its iss must be one
    # of jwt_iss (an absent iss fails).
    jwks_url: str | None = None
    jwks_file: Path | None = None
    jwks_cache_seconds: float = 600.0
    jwks_cooldown_seconds: float = 30.0
    jwks_timeout: float = 5.0
    jwt_aud: str | None = None
    jwt_iss: tuple[str, ...] = ()
    # False once a project has revoked its legacy HS256 secret: only JWKS-signed tokens are taken.
    jwt_hs256: bool = True
    # -- pooler lane: behind PgBouncer in transaction mode (README: "Behind a pooler"). db_pooler "transaction" makes
    # the pipeline send unnamed statements only (a pooled server connection may change between transactions, and
    # PgBouncer 1.18 does not carry prepared statements across); "none" (the default) prepares each statement once
    # per connection. LISTEN cannot work through transaction pooling: listen_database_url, when set, is the direct
    # connection the schema listener LISTENs on; behind a pooler without it the listener polls, reloading the
    # schema cache every schema_poll_seconds.
    db_pooler: str = "none"
    listen_database_url: str | None = None
    schema_poll_seconds: float = 5.0

    @property
    def unnamed_statements(self) -> bool:
        return self.db_pooler == "transaction"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Config:
        env = dict(os.environ if env is None else env)

        def get(name: str) -> str | None:
            value = env.get(f"TESSERA_{name}")
            return value if value not in (None, "") else None

        def number(name: str, kind, default, minimum):
            raw = get(name)
            if raw is None:
                return default
            try:
                value = kind(raw)
            except ValueError:
                wanted = "a whole number" if kind is int else "a number"
                raise ConfigError(f"TESSERA_{name}={raw!r} is not {wanted}; give {wanted}") from None
            if value < minimum:
                raise ConfigError(f"TESSERA_{name} must be at least {minimum}")
            return value

        def names(name: str, default: tuple[str, ...]) -> tuple[str, ...]:
            raw = get(name)
            return default if raw is None else tuple(p.strip() for p in raw.split(",") if p.strip())

        def flag(name: str) -> bool:
            raw = (get(name) or "0").lower()
            if raw not in ("0", "1", "true", "false", "yes", "no"):
                raise ConfigError(f"TESSERA_{name}={raw!r}: use 1 or 0")
            return raw in ("1", "true", "yes")

        secret = get("JWT_SECRET") or ""
        if len(secret) < MIN_JWT_SECRET:
            raise ConfigError(f"TESSERA_JWT_SECRET must be at least {MIN_JWT_SECRET} characters; "
                              "`tessera serve` sets the project's own, or export a longer one")
        schemas = names("SCHEMAS", ("api",))
        if not schemas:
            raise ConfigError("TESSERA_SCHEMAS names no schema; give a comma-separated list such as api")
        if {"pg_catalog", "information_schema"} & set(schemas):
            raise ConfigError("TESSERA_SCHEMAS may not expose pg_catalog or information_schema")
        anon_role = get("ANON_ROLE") or "anon"
        extra_roles = names("EXTRA_ROLES", ())
        if refused := [r for r in extra_roles if r.lower() in ("none", "public") or r.startswith("pg_")]:
            raise ConfigError(f"TESSERA_EXTRA_ROLES may not name {', '.join(refused)}: give roles of your own that "
                              "the login role is granted")
        payments = _payments(get, number, names)
        plan = get("PLAN_FILE")
        database_url = get("DATABASE_URL") or env.get("DATABASE_URL")
        if not database_url:
            raise ConfigError("TESSERA_DATABASE_URL is not set; give the login role's (authenticator) conninfo or URL")
        pooler = (get("DB_POOLER") or "none").lower()
        if pooler not in ("none", "transaction"):
            raise ConfigError(f"TESSERA_DB_POOLER={pooler!r}: use transaction (behind PgBouncer's transaction "
                              "pooling) or none")
        return cls(
            database_url=database_url,
            jwt_secret=secret,
            schemas=schemas,
            extra_search_path=names("EXTRA_SEARCH_PATH", ("public",)),
            anon_role=anon_role,
            roles=tuple(dict.fromkeys((anon_role, "authenticated", "service_role", *extra_roles))),
            anon_key=get("ANON_KEY"),
            service_key=get("SERVICE_KEY"),
            pool_size=number("POOL_SIZE", int, 8, 1),
            pool_timeout=number("POOL_TIMEOUT", float, 5.0, 0.01),
            max_body_bytes=number("MAX_BODY_BYTES", int, 1024 * 1024, 1),
            max_header_bytes=number("MAX_HEADER_BYTES", int, 16384, 1024),
            max_headers=number("MAX_HEADERS", int, 100, 10),
            header_timeout=number("HEADER_TIMEOUT", float, 10.0, 0.1),
            rate_limit=number("RATE_LIMIT", float, 50.0, 0),
            rate_burst=number("RATE_BURST", int, 100, 1),
            cors_origins=names("CORS_ORIGINS", ()),
            trust_forwarded=flag("TRUST_FORWARDED"),
            verbose_errors=flag("VERBOSE_ERRORS"),
            plan_file=Path(plan) if plan else _default_plan(),
            registry=get("REGISTRY") or "sqitch",
            log_level=(get("LOG_LEVEL") or "info").lower(),
            payments=payments,
            # replica lane
            read_database_url=get("READ_DATABASE_URL"),
            read_pool_size=number("READ_POOL_SIZE", int, number("POOL_SIZE", int, 8, 1), 1),
            read_pool_timeout=number("READ_POOL_TIMEOUT", float, 0.5, 0.01),
            read_check_seconds=number("READ_CHECK_SECONDS", float, 2.0, 0.1),
            **_ops(get, number),
            # jwks lane
            **_jwks(get, number, names),
            # pooler lane
            db_pooler=pooler,
            listen_database_url=get("LISTEN_DATABASE_URL"),
            schema_poll_seconds=number("SCHEMA_POLL_SECONDS", float, 5.0, 0.1),
        )


MIN_METRICS_TOKEN = 16


def _ops(get, number) -> dict:
    """The ops lane's settings: metrics, connection and request timeouts."""
    token = get("METRICS_TOKEN")
    if token is not None and len(token) < MIN_METRICS_TOKEN:
        raise ConfigError(f"TESSERA_METRICS_TOKEN must be at least {MIN_METRICS_TOKEN} characters")
    timeout = number("DATABASE_TIMEOUT", float, 10.0, 0)
    if 0 < timeout < 0.1:
        raise ConfigError("TESSERA_DATABASE_TIMEOUT must be 0 (no bound) or at least 0.1 seconds")
    return {"metrics_token": None if token is None else Secret(token),
            "connect_timeout": number("CONNECT_TIMEOUT", int, 5, 2),
            "keepalives_idle": number("KEEPALIVES_IDLE", int, 30, 1),
            "database_timeout": timeout}


def _payments(get, number, names) -> Payments:
    def secret(name: str) -> Secret | None:
        value = get(name)
        return None if value is None else Secret(value)

    def base(name: str, default: str) -> str:
        value = (get(name) or default).rstrip("/")
        if origin(value) is None:
            raise ConfigError(f"TESSERA_{name} must be an http(s) URL such as {default}")
        return value

    public_url = base("PUBLIC_URL", "http://127.0.0.1:8000")
    origins = []
    for raw in names("CHECKOUT_RETURN_ORIGINS", (public_url,)):
        found = origin(raw)
        if found is None:
            raise ConfigError(f"TESSERA_CHECKOUT_RETURN_ORIGINS: {raw!r} is not an origin; give scheme://host[:port] "
                              "values, comma-separated")
        origins.append(found)
    return Payments(
        stripe_secret_key=secret("STRIPE_SECRET_KEY"),
        stripe_webhook_secrets=tuple(Secret(s) for s in names("STRIPE_WEBHOOK_SECRETS", ())),
        stripe_api_base=base("STRIPE_API_BASE", "https://api.stripe.com"),
        moyasar_secret_key=secret("MOYASAR_SECRET_KEY"),
        moyasar_webhook_secrets=tuple(Secret(s) for s in names("MOYASAR_WEBHOOK_SECRETS", ())),
        moyasar_api_base=base("MOYASAR_API_BASE", "https://api.moyasar.com"),
        public_url=public_url,
        return_origins=tuple(dict.fromkeys(origins)),
        provider_timeout=number("PROVIDER_TIMEOUT", float, 10.0, 0.1),
        refund_sweep_seconds=number("REFUND_SWEEP_SECONDS", float, 30.0, 0.1),
    )


def _jwks(get, number, names) -> dict:
    """The jwks lane's settings: a JWKS by URL (https, or http to this machine) or by file, read here once."""
    from api.jwks import JwksError, parse

    url, file = get("JWKS_URL"), get("JWKS_FILE")
    if url and file:
        raise ConfigError("TESSERA_JWKS_URL and TESSERA_JWKS_FILE are two sources of the same keys: set one")
    if url:
        parts = urllib.parse.urlsplit(url)
        local = parts.hostname in ("127.0.0.1", "::1", "localhost")
        if parts.scheme not in ("http", "https") or not parts.hostname or (parts.scheme == "http" and not local):
            raise ConfigError("TESSERA_JWKS_URL must be an https URL (http only to this machine), such as "
                              "https://<ref>.supabase.co/auth/v1/.well-known/jwks.json")
    if file:
        try:
            keys = parse(msgspec.json.decode(Path(file).read_bytes()))
        except (OSError, msgspec.DecodeError, JwksError) as exc:
            raise ConfigError(f"TESSERA_JWKS_FILE={file!r} is not a readable JWKS file ({exc}); "
                              "`tessera token keys` writes one") from None
        if not keys:
            raise ConfigError(f"TESSERA_JWKS_FILE={file!r} holds no RS256, ES256 or EdDSA verification key")
    hs256 = (get("JWT_HS256") or "on").lower()
    if hs256 not in ("on", "off"):
        raise ConfigError(f"TESSERA_JWT_HS256={hs256!r}: use on (HS256 tokens of TESSERA_JWT_SECRET are taken) or off")
    if hs256 == "off" and not (url or file):
        raise ConfigError("TESSERA_JWT_HS256=off leaves no way to check a token: set TESSERA_JWKS_URL or "
                          "TESSERA_JWKS_FILE too")
    return {"jwks_url": url, "jwks_file": Path(file) if file else None, "jwt_hs256": hs256 == "on",
            "jwks_cache_seconds": number("JWKS_CACHE_SECONDS", float, 600.0, 0),
            "jwks_cooldown_seconds": number("JWKS_COOLDOWN_SECONDS", float, 30.0, 0),
            "jwks_timeout": number("JWKS_TIMEOUT", float, 5.0, 0.1),
            "jwt_aud": get("JWT_AUD"), "jwt_iss": names("JWT_ISS", ())}


def _default_plan() -> Path | None:
    """The checkout's plan when the service runs from one, so /health/ready can tell what is not deployed."""
    here = Path(__file__).resolve().parent.parent / "db" / "sqitch.plan"
    return here if here.exists() else None


class Mail(msgspec.Struct, frozen=True, kw_only=True):
    """How the delivery worker sends e-mail (README: "Delivery worker"): one SMTP server, STARTTLS and AUTH when
    configured. Read by `tessera worker`, not by the API, which sends nothing itself."""
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: Secret | None = None
    smtp_starttls: bool = False
    smtp_timeout: float = 10.0
    mail_from: str = "Tessera <no-reply@localhost>"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Mail:
        env = dict(os.environ if env is None else env)

        def get(name: str) -> str | None:
            value = env.get(f"TESSERA_{name}")
            return value if value not in (None, "") else None

        port_raw = get("SMTP_PORT") or "25"
        if not port_raw.isdigit() or not 1 <= int(port_raw) <= 65535:
            raise ConfigError(f"TESSERA_SMTP_PORT={port_raw!r} is not a TCP port; give 1 to 65535 (587 for STARTTLS)")
        timeout_raw = get("SMTP_TIMEOUT") or "10"
        try:
            timeout = float(timeout_raw)
        except ValueError:
            timeout = -1.0
        if not 0.1 <= timeout <= 300:
            raise ConfigError(f"TESSERA_SMTP_TIMEOUT={timeout_raw!r}: give seconds from 0.1 to 300")
        starttls_raw = (get("SMTP_STARTTLS") or "0").lower()
        if starttls_raw not in ("0", "1", "true", "false", "yes", "no"):
            raise ConfigError(f"TESSERA_SMTP_STARTTLS={starttls_raw!r}: use 1 or 0")
        starttls = starttls_raw in ("1", "true", "yes")
        host = get("SMTP_HOST") or "127.0.0.1"
        user, password = get("SMTP_USER"), get("SMTP_PASSWORD")
        if (user is None) != (password is None):
            raise ConfigError("TESSERA_SMTP_USER and TESSERA_SMTP_PASSWORD go together: set both, or neither")
        if user is not None and not starttls and host not in ("127.0.0.1", "::1", "localhost"):
            raise ConfigError("TESSERA_SMTP_USER is set without TESSERA_SMTP_STARTTLS=1: a password is never sent "
                              "in the clear to another machine")
        mail_from = get("MAIL_FROM") or "Tessera <no-reply@localhost>"
        address = mail_from.rsplit("<", 1)[-1].rstrip(">").strip()
        if "@" not in address or any(c in mail_from for c in "\r\n"):
            raise ConfigError(f"TESSERA_MAIL_FROM={mail_from!r} is not an address; give one such as "
                              "'Enigma Escapes <bookings@example.com>'")
        return cls(smtp_host=host, smtp_port=int(port_raw), smtp_user=user,
                   smtp_password=None if password is None else Secret(password), smtp_starttls=starttls,
                   smtp_timeout=timeout, mail_from=mail_from)

    @property
    def domain(self) -> str:
        """The sender's domain: the right side of the Message-IDs the worker writes."""
        return self.mail_from.rsplit("<", 1)[-1].rstrip(">").strip().rsplit("@", 1)[-1] or "localhost"


class Sms(msgspec.Struct, frozen=True, kw_only=True):
    """The delivery worker's SMS providers (README: "Delivery worker"): Twilio's Messages API and Unifonic's SMS API
    (for Saudi numbers, +966, when configured). A provider is used when its credentials are set; with neither, SMS
    messages wait for a worker that has one."""
    twilio_account_sid: str | None = None
    twilio_auth_token: Secret | None = None
    twilio_from: str | None = None
    twilio_api_base: str = "https://api.twilio.com"
    unifonic_app_sid: Secret | None = None
    unifonic_sender_id: str | None = None
    unifonic_api_base: str = "https://el.cloud.unifonic.com"
    timeout: float = 10.0

    @property
    def offered(self) -> bool:
        return self.twilio_auth_token is not None or self.unifonic_app_sid is not None

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Sms:
        env = dict(os.environ if env is None else env)

        def get(name: str) -> str | None:
            value = env.get(f"TESSERA_{name}")
            return value if value not in (None, "") else None

        def base(name: str, default: str) -> str:
            value = (get(name) or default).rstrip("/")
            if origin(value) is None:
                raise ConfigError(f"TESSERA_{name} must be an http(s) URL such as {default}")
            return value

        sid, token, sender = get("TWILIO_ACCOUNT_SID"), get("TWILIO_AUTH_TOKEN"), get("TWILIO_FROM")
        if any((sid, token, sender)) and not all((sid, token, sender)):
            raise ConfigError("TESSERA_TWILIO_ACCOUNT_SID, TESSERA_TWILIO_AUTH_TOKEN and TESSERA_TWILIO_FROM go "
                              "together: set all three, or none")
        app_sid = get("UNIFONIC_APP_SID")
        return cls(twilio_account_sid=sid, twilio_auth_token=None if token is None else Secret(token),
                   twilio_from=sender, twilio_api_base=base("TWILIO_API_BASE", "https://api.twilio.com"),
                   unifonic_app_sid=None if app_sid is None else Secret(app_sid),
                   unifonic_sender_id=get("UNIFONIC_SENDER_ID"),
                   unifonic_api_base=base("UNIFONIC_API_BASE", "https://el.cloud.unifonic.com"))
