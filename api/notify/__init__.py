"""Delivering the outbox: the worker that claims due messages, renders them and sends them by their channel."""
