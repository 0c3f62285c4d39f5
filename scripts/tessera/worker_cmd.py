"""`tessera worker`: deliver the outbox (api/notify/worker.py) until stopped, or one pass with --once.

It connects as `tessera jobs run` does (the database owner, or DATABASE_URL's role, which must be the owner or
service_role) and sends e-mail through the SMTP server of TESSERA_SMTP_* (api.config.Mail); in-app messages are
recorded delivered. --concurrency N runs N loops in threads, each with its own database and SMTP connection and
its own lease name; SMS goes through Twilio and/or Unifonic when TESSERA_TWILIO_* / TESSERA_UNIFONIC_* are set
(api/notify/sms.py), and is left queued otherwise. Each pass also sends the outgoing webhooks that are due
(api/outgoing/sender.py; TESSERA_WEBHOOKS_TIMEOUT, and TESSERA_WEBHOOKS_ALLOW_HOSTS for development), unless
--no-webhooks; and the first loop expires run-out holds (api.expire_holds), whose news is queued then, and
queues the session reminders whose time has come (private.queue_due_reminders, at least every 30 seconds). SIGTERM or
Ctrl-C stops it after the message in hand (the rest of its batch is given back, due at once); it then prints the
counts as JSON.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import threading
import time

import psycopg

from tessera.errors import Refusal
from tessera.project import Project
from tessera.server import current_server

WORKER_STATEMENT_TIMEOUT = "60s"  # a statement of the worker's passes takes well under a second
REMINDER_SWEEP_SECONDS = 30.0  # how late a reminder may be queued, at most, beyond the worker's poll
KEEP_DAYS = 90  # finished messages and webhook deliveries are kept this long (TESSERA_WORKER_KEEP_DAYS; 0: for ever)
PURGE_SECONDS = 3600.0  # how often the first loop purges them, and again at once while a batch comes back full
PURGE_BATCH = 5000
REMINDER_BATCH = 1000  # bookings a sweep queues for at most; a full batch sweeps again on the next pass


def worker_conninfo(url: str) -> str:
    """Bounded as the service's connections are: a vanished database is noticed by the keepalives, and no statement
    of a pass (claims, the hold and reminder sweeps) holds a loop longer than WORKER_STATEMENT_TIMEOUT."""
    from api.state import with_guards

    return with_guards(url, connect_timeout=10, options=f"-c statement_timeout={WORKER_STATEMENT_TIMEOUT}")


def run(project: Project, once: bool, batch: int, concurrency: int, lease: float, poll: float,
        webhooks: bool = True) -> int:
    from api.config import ConfigError, Mail, Sms
    from api.notify.sms import SmsSender
    from api.notify.smtp import SmtpSender
    from api.notify.unsubscribe import Links
    from api.notify.worker import Counts, Settings, worker_name
    from api.notify.worker import run as loop
    from api.outgoing import sender as hooks
    from api.outgoing.guard import Guard
    from tessera.tokens import jwt_secret

    try:
        mail = Mail.from_env()
        sms = Sms.from_env()
        # Marketing e-mails' unsubscribe links, signed as the service verifies them (the project's JWT secret,
        # as `tessera serve` uses it, when TESSERA_UNSUBSCRIBE_SECRET is not set).
        env = dict(os.environ)
        if not env.get("TESSERA_UNSUBSCRIBE_SECRET") and not env.get("TESSERA_JWT_SECRET"):
            env["TESSERA_JWT_SECRET"] = jwt_secret(project.state_dir)
        links = Links.from_env(env)
    except ConfigError as exc:
        raise Refusal(str(exc)) from None
    guard = Guard.from_env()
    raw_timeout = os.environ.get("TESSERA_WEBHOOKS_TIMEOUT", "10")
    try:
        hook_timeout = float(raw_timeout)
        if not 1 <= hook_timeout <= 60:
            raise ValueError
    except ValueError:
        raise Refusal(f"TESSERA_WEBHOOKS_TIMEOUT={raw_timeout!r} is not 1 to 60 seconds") from None
    raw_keep = os.environ.get("TESSERA_WORKER_KEEP_DAYS", str(KEEP_DAYS))
    try:
        keep_days = int(raw_keep)
        if not 0 <= keep_days <= 36500:
            raise ValueError
    except ValueError:
        raise Refusal(f"TESSERA_WORKER_KEEP_DAYS={raw_keep!r} is not 0 (keep for ever) or a number of days up to "
                      "36500") from None
    server = current_server(project)
    with server.connect(autocommit=True) as conn:  # an unreachable database is one line, before any thread
        deployed = conn.execute("SELECT to_regprocedure('private.claim_messages(text, integer, interval, text[])')"
                                " IS NOT NULL").fetchone()[0]
        webhooks = webhooks and conn.execute(
            "SELECT to_regprocedure('private.claim_webhook_deliveries(text, integer, interval)') IS NOT NULL"
        ).fetchone()[0]
    if not deployed:
        raise Refusal("the database has no delivery functions; deploy the plan (`tessera db deploy`)")
    logging.basicConfig(level=logging.WARNING, format="tessera worker: %(message)s", stream=sys.stderr)
    conninfo = worker_conninfo(server.conninfo())
    stop = threading.Event()
    if not once:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
    names = [worker_name(i) for i in range(concurrency)]
    results: list[Counts | BaseException] = [Counts() for _ in names]
    hook_counts = [hooks.Counts() for _ in names]
    expired_total = [0 for _ in names]
    reminded_total = [0 for _ in names]
    purged_total = {"messages": 0, "deliveries": 0, "expired_secrets": 0}

    def senders() -> dict:
        made: dict = {"email": SmtpSender(mail)}
        if sms.offered:
            made["sms"] = SmsSender(sms)
        return made

    channels = "email, sms and in_app" if sms.offered else "email and in_app (no SMS provider is configured)"

    def work(i: int) -> None:
        settings = Settings(name=names[i], batch=batch, lease_seconds=lease, poll_seconds=poll,
                            margin_seconds=min(60.0, lease / 3), domain=mail.domain, links=links)
        hook_settings = hooks.Settings(name=names[i], lease_seconds=max(lease, 4 * hook_timeout),
                                       timeout_seconds=hook_timeout)

        def send_hooks(conn: psycopg.Connection, stop_: threading.Event) -> int:
            counts = hooks.run_once(conn, hook_settings, guard, stop=stop_)
            hook_counts[i].add(counts)
            return counts.claimed

        swept = [float("-inf")]
        purged = [float("-inf")]

        def step(conn: psycopg.Connection, stop_: threading.Event) -> int:
            # The first loop also expires run-out holds, so that their news (booking_expired, the places offered
            # to the waitlist) is queued within a pass, not when someone next books that session; and, at least
            # every REMINDER_SWEEP_SECONDS and while there is more, queues the reminders whose time has come.
            expired = reminded = 0
            if i == 0:
                expired = conn.execute("SELECT api.expire_holds()").fetchone()[0]
                if time.monotonic() - swept[0] >= REMINDER_SWEEP_SECONDS:
                    reminded = conn.execute("SELECT private.queue_due_reminders(NULL, %s)",
                                            (REMINDER_BATCH,)).fetchone()[0]
                    swept[0] = time.monotonic() if reminded < REMINDER_BATCH else float("-inf")
                if time.monotonic() - purged[0] >= PURGE_SECONDS:
                    # Keeping every message (0) still forgets the webhook secrets whose overlap is over.
                    gone = conn.execute("SELECT private.purge_finished_messages(make_interval(days => %s), %s)",
                                        (keep_days or None, PURGE_BATCH)).fetchone()[0]
                    for kind in purged_total:
                        purged_total[kind] += gone[kind]
                    full = max(gone.values()) >= PURGE_BATCH
                    purged[0] = float("-inf") if full else time.monotonic()
            expired_total[i] += expired
            reminded_total[i] += reminded
            return expired + reminded + (send_hooks(conn, stop_) if webhooks else 0)

        try:
            results[i] = loop(lambda: psycopg.connect(conninfo, autocommit=True),
                              senders, settings, stop, once=once, also=step)
        except Exception as exc:  # one loop's failure stops them all, and is said once below
            results[i] = exc
            stop.set()

    started = time.monotonic()
    threads = [threading.Thread(target=work, args=(i,), name=names[i], daemon=True) for i in range(concurrency)]
    for t in threads:
        t.start()
    if not once:
        print(f"tessera worker: {concurrency} loop(s) delivering {channels}, e-mail through {mail.smtp_host}:"
              f"{mail.smtp_port}; SIGTERM or Ctrl-C stops", file=sys.stderr, flush=True)
    while any(t.is_alive() for t in threads):
        for t in threads:
            t.join(timeout=0.2)
    errors = [r for r in results if isinstance(r, BaseException)]
    if errors:
        raise Refusal(f"delivery stopped: {type(errors[0]).__name__}: {str(errors[0]).splitlines()[0]}")
    total = Counts()
    for r in results:
        total.add(r)
    hook_total = hooks.Counts()
    for c in hook_counts:
        hook_total.add(c)
    summary = {"workers": names, **{f: getattr(total, f) for f in total.__struct_fields__},
               "webhooks": {f: getattr(hook_total, f) for f in hook_total.__struct_fields__},
               "holds_expired": sum(expired_total),
               "reminders_queued": sum(reminded_total),
               "purged": purged_total,
               "seconds": round(time.monotonic() - started, 3)}
    print(json.dumps(summary, indent=2))
    return 0
