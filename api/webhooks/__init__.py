"""Webhook routes: one module per provider (`api/webhooks/<provider>.py`): stripe, moyasar.

A provider's module holds its Litestar route handlers under `/webhooks/<provider>`, verifies the provider's
signature itself before reading the body as data, and maps its failures to `api.errors.ApiError` like every other
route. It works on the service's one runtime state (`request.app.state.service.state`, an `api.state.State`): the
same pool, schema cache and database up/down as the RPC pipeline, never a pool or connection of its own (its
SQL calls go through the pipeline itself: api.payments.db).
`api.app.build` lists its handlers beside the others.
"""
