"""POST /webhooks/stripe: a Stripe event, verified on its raw bytes with stripe-python against every configured
secret (rotation), then applied by one SQL call as service_role, which records it in the inbox (UNIQUE provider +
event id) and applies it in the same transaction.

Refused with 400 and nothing written: no or malformed Stripe-Signature, a signature no configured secret made, a
body changed after signing, a timestamp older than 300 s (stripe-python's tolerance, never disabled) or more than
300 s ahead (stripe-python accepts those; a clock that far ahead is no clock we trust), a body that is not an
event. What the database asks to be done at a provider (refunds, expiring a checkout) runs after the answer."""

from __future__ import annotations

import time

import stripe

from api.errors import ApiError, bad_signature
from api.rpc.request import json_value

TOLERANCE = 300


def verify(payload: bytes, header: str | None, secrets: tuple, now: float | None = None) -> dict:
    """The event a valid signature covers, or raises ApiError 400."""
    if not secrets:
        raise ApiError(503, "PT503", "Stripe webhooks are not configured on this service", "not_configured",
                       "set TESSERA_STRIPE_WEBHOOK_SECRETS; Stripe retries the delivery")
    if not header:
        raise bad_signature("stripe", "no Stripe-Signature header")
    stamps = [part[2:] for part in header.split(",") if part.strip().startswith("t=")]
    if len(stamps) != 1 or not stamps[0].strip().isdigit():
        raise bad_signature("stripe", "malformed Stripe-Signature header")
    if int(stamps[0]) > (now or time.time()) + TOLERANCE:
        raise bad_signature("stripe", "timestamp in the future")
    for secret in secrets:
        # stripe-python's own check, the one stripe.Webhook.construct_event makes before it builds a StripeObject
        # tree we would not use (that tree costs some 35 times the check itself).
        try:
            stripe.WebhookSignature.verify_header(payload, header, secret.reveal(), TOLERANCE)
        except stripe.SignatureVerificationError:
            continue
        break
    else:
        raise bad_signature("stripe", "no valid signature for this body and time")
    try:
        event = json_value(payload)
    except ApiError:  # signed, but not JSON (or nested past any event's depth)
        raise bad_signature("stripe", "the body is not a JSON event") from None
    if not (isinstance(event, dict) and isinstance(event.get("id"), str) and isinstance(event.get("type"), str)
            and isinstance(event.get("data"), dict)):
        raise bad_signature("stripe", "the body is not a Stripe event")
    return event


async def receive(service, headers: dict[str, str], body: bytes, client: str) -> dict:
    """One delivery: verified, then recorded and applied; the database's answer."""
    verify(body, headers.get("stripe-signature"), service.config.payments.stripe_webhook_secrets)
    # The verified bytes themselves go to the database: no re-encoding between the signature and the record.
    return await service.payments.db.call("apply_payment_event", {"provider": "stripe"}, raw={"event": body},
                                          client=client)
