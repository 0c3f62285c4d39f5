"""Webhook routes: one module per provider (`api/webhooks/<provider>.py`): stripe, moyasar.

A provider's module has `receive(service, headers, body, client)` for POST `/webhooks/<provider>`: it verifies the
provider's signature itself before reading the body as data, raises `api.errors.ApiError` for a refusal, and
answers the database's answer. `api.app.webhook_handler` mounts them as a plain ASGI handler (as the RPC path is:
webhooks come in bursts, and Litestar's request and response objects would cost more than the check), sends the
answer, then hands its actions to the payments worker. It works on the service's one runtime state: the same pool,
schema cache and database up/down as the RPC pipeline, never a pool or connection of its own (its SQL calls go
through the pipeline itself: api.rpc.internal).
"""
