"""What a channel's sender is given and answers: one rendered message out, the provider's id or a failure back.

A sender never raises for a delivery that did not work: it answers Failed, saying whether trying again can help
(permanent: the provider refused this message for good) and whether the provider could not be reached at all
(unreachable: the rest of the batch would fail the same way, so the worker does not try them one by one).
"""

from __future__ import annotations

from typing import Protocol

import msgspec


class Attachment(msgspec.Struct, frozen=True, kw_only=True):
    """A file sent with a message; inline (shown in the HTML body as cid:<content_id>) when content_id is set."""

    filename: str
    content_type: str
    data: bytes
    content_id: str | None = None


class Outgoing(msgspec.Struct, frozen=True, kw_only=True):
    """One rendered message. message_id is the outbox id: the provider's idempotency key (the e-mail's Message-ID
    is derived from it), so a message sent again after a worker was killed is recognisable as the same one."""

    message_id: str
    channel: str
    recipient: str
    body: str
    subject: str | None = None
    html: str | None = None
    attachments: tuple[Attachment, ...] = ()
    # A marketing message's one-click unsubscribe URL (RFC 8058): e-mail carries it as List-Unsubscribe headers.
    unsubscribe_url: str | None = None


class Sent(msgspec.Struct, frozen=True):
    provider_message_id: str


class Failed(msgspec.Struct, frozen=True, kw_only=True):
    error: str
    permanent: bool = False
    unreachable: bool = False


class Sender(Protocol):
    """A channel's way out. Not shared between threads: each worker loop has its own."""

    channel: str

    def send(self, message: Outgoing) -> Sent | Failed: ...

    def close(self) -> None: ...
