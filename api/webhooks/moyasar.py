"""POST /webhooks/moyasar: a Moyasar event, authenticated by the secret token inside its JSON body (compared in
constant time against every configured token), then applied from the payment as RE-FETCHED from Moyasar's API,
never from the body: the body only says which payment to look at. One SQL call as service_role records and applies
it (inbox UNIQUE provider + event id).

Refused with 401 and nothing written: a missing or wrong token; 400: a body that is not a Moyasar event. A payment
the API cannot give is 502, so Moyasar retries."""

from __future__ import annotations

import hmac

from api.errors import ApiError, ProviderError, from_provider
from api.rpc.request import json_value


def authenticate(body: bytes, tokens: tuple) -> dict:
    if not tokens:
        raise ApiError(503, "PT503", "Moyasar webhooks are not configured on this service", "not_configured",
                       "set TESSERA_MOYASAR_WEBHOOK_SECRETS")
    try:
        event = json_value(body)  # the RPC body's decoder: nesting bounded, so no body can exhaust the stack
    except ApiError:
        event = None
    if not isinstance(event, dict):
        raise ApiError(400, "PT400", "Moyasar webhook refused: the body is not a JSON object", "invalid")
    given = event.get("secret_token")
    given = given.encode() if isinstance(given, str) else b""
    # Every token compared, whatever matched, so the time taken says nothing about which or how much matched.
    matched = False
    for token in tokens:
        matched |= hmac.compare_digest(given, token.reveal().encode())
    if not matched:
        raise ApiError(401, "PT401", "Moyasar webhook refused: wrong or missing secret_token", "invalid_signature",
                       "nothing was recorded; check TESSERA_MOYASAR_WEBHOOK_SECRETS against the webhook's token")
    data = event.get("data")
    if not (isinstance(event.get("id"), str) and isinstance(event.get("type"), str) and isinstance(data, dict)
            and isinstance(data.get("id"), str) and data["id"]):
        raise ApiError(400, "PT400", "Moyasar webhook refused: not a payment event", "invalid")
    return event


async def receive(service, headers: dict[str, str], body: bytes, client: str) -> dict:
    """One delivery: authenticated, the payment re-fetched, then recorded and applied; the database's answer."""
    event = authenticate(body, service.config.payments.moyasar_webhook_secrets)
    provider = service.payments.provider("moyasar")
    if provider is None:
        raise ApiError(503, "PT503", "Moyasar is not configured on this service", "not_configured",
                       "set TESSERA_MOYASAR_SECRET_KEY")
    try:
        payment = await provider.payment(event["data"]["id"])
    except ProviderError as err:
        raise from_provider(err, "nothing was recorded; Moyasar retries the delivery") from None
    return await service.payments.db.call(
        "apply_payment_event", {"provider": "moyasar", "event": {"id": event["id"], "type": event["type"],
                                                                 "data": payment}}, client=client)
