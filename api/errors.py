"""Every error the service sends, in PostgREST's shape: {code, message, details, hint}, all four keys, always.

Errors are values (ApiError) until the HTTP layer in `api/app.py` turns them into a response: `error_response`
for Litestar's routes, the RPC handler's own send for calls, both with the headers of `_error_headers`.
Database errors map by SQLSTATE with PostgREST's table (first match wins). What a database error may reveal is
decided here too: details and hints of integrity violations and server-side failures can show other customers'
data (an exclusion violation prints the other booking's time), so they are withheld unless verbose errors are on;
errors our functions raise on purpose (P0001, PTxyz, or any code of our own) pass through whole.
"""

from __future__ import annotations

import msgspec

JSON = "application/json; charset=utf-8"


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, details: str | None = None, hint: str | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.details, self.hint = details, hint
        self.headers = headers or {}

    def body(self) -> bytes:
        return msgspec.json.encode({"code": self.code, "message": self.message, "details": self.details,
                                    "hint": self.hint})


# SQLSTATE (prefix) → HTTP status, in PostgREST's order; the first match wins.
_STATUS: tuple[tuple[str, int], ...] = (
    ("08", 503), ("09", 500), ("0L", 403), ("0P", 403), ("23503", 409), ("23505", 409), ("25006", 405),
    ("21000", 500), ("25", 500), ("28", 403), ("2D", 500), ("38", 500), ("39", 500), ("3B", 500), ("40", 500),
    ("53400", 500), ("53", 503), ("54", 500), ("55", 500), ("57P01", 503), ("57", 500), ("58", 500), ("F0", 500),
    ("HV", 500), ("P0001", 400), ("P0", 500), ("XX", 500), ("42883", 404), ("42P01", 404), ("42P17", 500),
)


def status_for(sqlstate: str, message: str, anonymous: bool) -> int:
    if sqlstate.startswith("PT"):
        return int(sqlstate[2:]) if sqlstate[2:].isdigit() and 100 <= int(sqlstate[2:]) <= 599 else 500
    if sqlstate == "42501":
        return 401 if anonymous else 403
    if sqlstate == "22023" and message.startswith("role ") and message.endswith("does not exist"):
        return 401
    if sqlstate == "21000" and message.endswith("requires a WHERE clause"):
        return 400
    for prefix, status in _STATUS:
        if sqlstate.startswith(prefix):
            return status
    return 400


def _withheld(sqlstate: str, status: int) -> bool:
    """Integrity violations and server-side failures keep their details to themselves."""
    return sqlstate.startswith("23") or status >= 500


def from_database(sqlstate: str | None, message: str | None, details: str | None, hint: str | None, *,
                  anonymous: bool, verbose: bool) -> ApiError:
    sqlstate = sqlstate or "XX000"
    message = message or "database error"
    status = status_for(sqlstate, message, anonymous)
    if _withheld(sqlstate, status) and not verbose:
        details = hint = None
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
    if sqlstate == "25006":  # a GET (read-only) that tried to write: POST is the method that may
        headers["Allow"] = "POST"
    return ApiError(status, sqlstate, message, details, hint, headers)


def not_found(message: str, hint: str | None = None) -> ApiError:
    return ApiError(404, "PGRST202", message, None, hint)


def bad_request(code: str, message: str, details: str | None = None, hint: str | None = None) -> ApiError:
    return ApiError(400, code, message, details, hint)


def jwt_error(code: str, message: str) -> ApiError:
    return ApiError(401, code, message, None, None,
                    {"WWW-Authenticate": 'Bearer error="invalid_token", error_description="'
                                         + message.replace('"', "'").replace("\\", "/") + '"'})


class ProviderError(Exception):
    """A payment provider's call that did not succeed, as a value the routes turn into an ApiError here.

    kind: "timeout" (no answer in time: the call may have happened, so a retry must reuse its idempotency key),
    "unreachable" (no connection), "refused" (the provider answered with an error), "key_reused" (an idempotency
    key first used with other parameters)."""

    def __init__(self, provider: str, kind: str, message: str, status: int | None = None):
        super().__init__(f"{provider} {kind}: {message}")
        self.provider, self.kind, self.message, self.status = provider, kind, message, status


_PROVIDER_NAMES = {"stripe": "Stripe", "moyasar": "Moyasar"}


def from_provider(err: ProviderError, hint: str = "the order is still pending: retry the checkout") -> ApiError:
    """504 for a timeout, 502 for every other provider failure."""
    name = _PROVIDER_NAMES.get(err.provider, err.provider)
    if err.kind == "timeout":
        return ApiError(504, "PT504", f"{name} did not answer in time", "provider_timeout", hint)
    answered = f" (HTTP {err.status})" if err.status else ""
    return ApiError(502, "PT502", f"{name} answered with an error{answered}: {err.message}", "provider_error", hint)


def bad_signature(provider: str, why: str) -> ApiError:
    """A webhook whose authenticity could not be established: 400, and nothing was written."""
    return ApiError(400, "PT400", f"{_PROVIDER_NAMES.get(provider, provider)} webhook refused: {why}",
                    "invalid_signature", "nothing was recorded; the provider retries a refused delivery")


def not_configured(provider: str, offered: tuple[str, ...]) -> ApiError:
    listed = ", ".join(offered) if offered else "none"
    return ApiError(400, "PT400", f"payments by {provider} are not offered by this service", "provider_unavailable",
                    f"use one of the configured providers: {listed}")
