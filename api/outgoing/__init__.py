"""Outgoing webhooks: sign (Standard Webhooks) and post the deliveries the database queued, refusing non-public
addresses at send time (guard.py) and pinning the connection to the address that was checked (sender.py)."""
