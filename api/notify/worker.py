"""The delivery worker: claim due messages from the outbox, render them, send them by their channel, record it.

One pass (run_once) claims a batch under a lease (private.claim_messages: FOR UPDATE SKIP LOCKED, so loops and
processes beside each other never take one message twice), then for each message in turn renders its template
(api/templates.py, in the message's locale, the venue's zone and the organization's currency), sends it and
records the outcome at once (private.complete_message / private.fail_message), so a worker killed at any moment
leaves at most the one message it was sending unrecorded: its lease runs out, another worker takes it, and it is
sent again with the same Message-ID (at-least-once). A template that cannot render is dead at once (a retry would
render it no better); a provider that fails is retried with backoff, then dead. A message is not started once its
lease is about to run out: the rest of the batch is given back (private.release_messages), so that no two
workers send a message beside each other while both are alive; a worker told to stop gives back the same way.

In-app messages are delivered by recording them: their rendered title and text are stored for
api.my_notifications.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import msgspec
import psycopg
from psycopg.rows import dict_row

from api.notify.channels import Failed, Outgoing, Sender, Sent
from api.notify.smtp import ticket_attachments, ticket_cid
from api.notify.unsubscribe import Links, Subject
from api.templates import Formatting, Parts, TemplateRefused, render

log = logging.getLogger("tessera.worker")


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """One worker loop's settings. name is unique to the loop (the lease's holder); domain is the e-mail sender's
    (Message-IDs and ticket images' Content-IDs end with it)."""

    name: str
    batch: int = 50
    lease_seconds: float = 120.0
    poll_seconds: float = 1.0
    # A message is not started when less than this is left of its lease.
    margin_seconds: float = 10.0
    domain: str = "localhost"
    # How marketing e-mails' one-click unsubscribe links are signed (api/notify/unsubscribe.py); None: no links.
    links: Links | None = None


class Counts(msgspec.Struct, kw_only=True):
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    dead: int = 0
    # Reports refused because the lease had gone to another worker; left: claimed but given back untried (the
    # worker was stopping, or the lease ran short).
    lost: int = 0
    left: int = 0

    def add(self, other: Counts) -> None:
        for field in self.__struct_fields__:
            setattr(self, field, getattr(self, field) + getattr(other, field))


def worker_name(index: int = 0) -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{index}:{secrets.token_hex(3)}"


_CLAIM = "SELECT * FROM private.claim_messages(%s, %s, make_interval(secs => %s), %s)"
_COMPLETE = "SELECT private.complete_message(%s, %s, %s, %s, %s)"
_FAIL = "SELECT private.fail_message(%s, %s, %s, %s)"
_RELEASE = "SELECT private.release_messages(%s, %s)"
_SUBJECTS = "SELECT id, org_id, customer_id, channel FROM private.unsubscribe_subjects(%s, %s)"


def with_unsubscribe_links(conn: psycopg.Connection, rows: list[dict[str, Any]], settings: Settings) -> list[dict]:
    """The claimed rows, each marketing message to a customer (e-mail, SMS) with data.unsubscribe_url set to its
    signed link (made here, at send time, so no token is ever stored); an e-mail's headers carry it."""
    ids = [r["id"] for r in rows if r["channel"] != "in_app"]
    if settings.links is None or not ids:
        return rows
    subjects = {s[0]: Subject(s[1], s[2], s[3]) for s in conn.execute(_SUBJECTS, (ids, settings.name)).fetchall()}
    if not subjects:
        return rows
    return [r if r["id"] not in subjects else
            {**r, "data": {**(r["data"] or {}), "unsubscribe_url": settings.links.url(subjects[r["id"]])}}
            for r in rows]


def _render_data(row: Mapping[str, Any], domain: str) -> dict[str, Any]:
    data = dict(row["data"] or {})
    data.setdefault("org", {"name": row["org_name"]})
    if row["kind"] == "booking_confirmed":
        # Always there for a confirmation (empty when no ticket is live, and on channels other than e-mail), as its
        # sample data has it, so a template checked with the sample renders.
        data.setdefault("tickets", [{"id": str(t["id"]), "seat_no": t["seat_no"],
                                     "cid": ticket_cid(str(t["id"]), domain)} for t in row["tickets"] or []])
    return data


def prepare(row: Mapping[str, Any], domain: str) -> Outgoing | Failed:
    """The message a claimed row becomes, or why it cannot be one (always permanent: rendering again changes
    nothing)."""
    channel = row["channel"]
    if row["body"] is None or (channel == "email" and (row["subject"] is None or row["html"] is None)):
        return Failed(error=f"no {channel} template for {row['kind']} in {row['locale']} (nor in English)",
                      permanent=True)
    fmt = Formatting(locale=row["template_locale"] or row["locale"], tz=row["timezone"], currency=row["currency"])
    parts = Parts(body=row["body"], subject=row["subject"], html=row["html"] if channel == "email" else None)
    try:
        rendered = render(parts, _render_data(row, domain), fmt)
    except TemplateRefused as refused:
        return Failed(error=f"the template cannot be rendered: {refused}"[:2000], permanent=True)
    subject = " ".join((rendered.subject or "").splitlines()).strip() or None  # a header is one line
    attachments = ticket_attachments(row["tickets"], domain) if channel == "email" and row["tickets"] else ()
    unsubscribe = (row["data"] or {}).get("unsubscribe_url")
    if not (isinstance(unsubscribe, str) and unsubscribe.startswith(("https://", "http://"))
            and "\n" not in unsubscribe and "\r" not in unsubscribe and ">" not in unsubscribe):
        unsubscribe = None
    return Outgoing(message_id=str(row["id"]), channel=channel, recipient=row["recipient"], body=rendered.body,
                    subject=subject, html=rendered.html, attachments=attachments, unsubscribe_url=unsubscribe)


def run_once(conn: psycopg.Connection, senders: Mapping[str, Sender], settings: Settings,
             stop: threading.Event | None = None) -> Counts:
    """One claim and its deliveries, on an autocommit connection as the service (the database owner or
    service_role). senders maps a channel to its sender; only those channels (and in_app) are claimed. When stop
    is set, or the lease runs short, the messages not tried yet are given back, due at once."""
    counts = Counts()
    channels = sorted({*senders, "in_app"})
    started = time.monotonic()
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(_CLAIM, (settings.name, settings.batch, settings.lease_seconds, channels)).fetchall()
    counts.claimed = len(rows)
    rows = with_unsubscribe_links(conn, rows, settings)
    deadline = started + settings.lease_seconds - settings.margin_seconds
    unreachable: dict[str, Failed] = {}
    for i, row in enumerate(rows):
        if time.monotonic() > deadline or (stop is not None and stop.is_set()):
            counts.left = len(rows) - i
            conn.execute(_RELEASE, ([r["id"] for r in rows[i:]], settings.name))
            if not (stop is not None and stop.is_set()):
                log.warning("lease running short: %d message(s) given back untried", counts.left)
            break
        outcome: Sent | Failed
        prepared: Outgoing | Failed | None = None
        try:
            prepared = prepare(row, settings.domain)
            if isinstance(prepared, Failed):
                outcome = prepared
            elif prepared.channel == "in_app":
                outcome = Sent("")
            elif prepared.channel in unreachable:
                outcome = unreachable[prepared.channel]
            else:
                outcome = senders[prepared.channel].send(prepared)
                if isinstance(outcome, Failed) and outcome.unreachable:
                    unreachable[prepared.channel] = outcome
        except Exception as exc:  # a bug with one message must not stop delivery of the others: it retries, then dies
            log.exception("message %s could not be handled", row["id"])
            outcome = Failed(error=f"the worker failed on this message: {type(exc).__name__}: {exc}"[:2000])
        _record(conn, counts, row, settings, outcome, prepared if isinstance(prepared, Outgoing) else None)
    return counts


def _record(conn: psycopg.Connection, counts: Counts, row: Mapping[str, Any], settings: Settings,
            outcome: Sent | Failed, message: Outgoing | None) -> None:
    if isinstance(outcome, Sent):
        in_app = message is not None and message.channel == "in_app"
        ok = conn.execute(_COMPLETE, (row["id"], settings.name, outcome.provider_message_id or None,
                                      message.subject if in_app else None,
                                      message.body if in_app else None)).fetchone()[0]
        if ok:
            counts.sent += 1
        else:
            counts.lost += 1
        return
    status = conn.execute(_FAIL, (row["id"], settings.name, outcome.error, outcome.permanent)).fetchone()[0]
    if status == "dead":
        counts.dead += 1
        log.warning("message %s is dead: %s", row["id"], outcome.error)
    elif status == "queued":
        counts.retried += 1
    else:
        counts.lost += 1


def run(connect: Callable[[], psycopg.Connection], make_senders: Callable[[], Mapping[str, Sender]],
        settings: Settings, stop: threading.Event, once: bool = False,
        also: Callable[[psycopg.Connection, threading.Event], int] | None = None) -> Counts:
    """A worker loop until stop is set (or one pass with once): claim, deliver, and sleep poll_seconds when the
    claim found nothing. A lost database connection is opened again after a pause; messages it held come back when
    their leases run out. also, when given, is one more step of each pass on the same connection (the outgoing
    webhooks' sender), answering how much it claimed: the loop sleeps only when neither claimed anything."""
    total = Counts()
    senders = make_senders()
    conn: psycopg.Connection | None = None
    try:
        while not stop.is_set():
            try:
                if conn is None or conn.closed:
                    conn = connect()
                    # A record lost in a crash of the database only means the message goes again (at-least-once,
                    # same Message-ID): the worker's commits need not wait for the disk.
                    conn.execute("SET synchronous_commit = off")
                counts = run_once(conn, senders, settings, stop)
                more = also(conn, stop) if also is not None and not stop.is_set() else 0
            except psycopg.OperationalError as exc:
                log.warning("database connection lost (%s); trying again", exc)
                if conn is not None:
                    conn.close()
                conn = None
                if once:
                    raise
                stop.wait(max(settings.poll_seconds, 1.0))
                continue
            total.add(counts)
            if once:
                break
            if counts.claimed == 0 and more == 0:
                stop.wait(settings.poll_seconds)
    finally:
        for sender in senders.values():
            sender.close()
        if conn is not None:
            conn.close()
    return total
