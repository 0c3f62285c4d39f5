"""Tessera's HTTP service: a thin Litestar app in front of the database (RPC proxy and webhooks arrive later)."""
