"""`tessera bench worker`: messages per second from the outbox through SMTP, with two `tessera worker` processes.

It builds a scratch database from the plan on the current server (so no real message is ever sent, and nothing
is left behind), adds an organization with an e-mail template, starts an SMTP server on 127.0.0.1 (aiosmtpd, which
accepts and counts), starts two workers (one loop each, as `tessera worker` runs), queues N messages in one
transaction and times until every one is recorded sent. It also counts what the server received by Message-ID:
each exactly once. Prints one JSON document; the issue's target is 200 messages/s on a 2-core machine.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter

from tessera.errors import Refusal
from tessera.localdb import free_port
from tessera.project import Project
from tessera.scratch import run_engine, scratch_database
from tessera.server import current_server

TARGET_PER_SECOND = 200
WORKERS = 2
_DOMAIN = "bench.example"


class _Counting:
    def __init__(self) -> None:
        self.ids: Counter[str] = Counter()
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        from email.parser import BytesHeaderParser

        headers = BytesHeaderParser().parsebytes(envelope.content)
        with self.lock:
            self.ids[str(headers["Message-ID"])] += 1
        return "250 OK"


def worker(project: Project, messages: int) -> int:
    from aiosmtpd.controller import Controller

    server = current_server(project)
    with scratch_database(server, "bench_worker") as name:
        run_engine(server, name, project.plan(), project.registry, "deploy")
        conninfo = server.conninfo(name)
        with server.connect(name, autocommit=True) as conn:
            org = conn.execute("INSERT INTO app.organizations (name, slug) VALUES ('Bench Rooms', 'bench-rooms') "
                               "RETURNING id").fetchone()[0]
            conn.execute("UPDATE app.org_settings SET currency = 'GBP' WHERE org_id = %s", (org,))
            conn.execute("""
                INSERT INTO app.notification_templates (org_id, kind, channel, locale, subject, html, body)
                VALUES (%s, 'payment_received', 'email', 'en', 'Payment {{ n }} to {{ org.name }}',
                        '<p>Thank you: {{ amount_minor | money }} received {{ at | datetime }}.</p>',
                        'Thank you: {{ amount_minor | money }} received {{ at | datetime }}.')""", (org,))
            counting = _Counting()
            port = free_port()
            smtp = Controller(counting, hostname="127.0.0.1", port=port)
            smtp.start()
            env = {**os.environ, "DATABASE_URL": conninfo, "TESSERA_SMTP_HOST": "127.0.0.1",
                   "TESSERA_SMTP_PORT": str(port), "TESSERA_MAIL_FROM": f"Bench <mail@{_DOMAIN}>",
                   "TESSERA_PROJECT": str(project.root)}
            procs = [subprocess.Popen([sys.executable, "-m", "tessera.cli", "worker", "--batch", "50",
                                       "--poll", "0.05"], env=env, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True) for _ in range(WORKERS)]
            try:
                for proc in procs:  # each says when it is delivering
                    line = proc.stderr.readline()
                    if "delivering" not in line:
                        raise Refusal(f"a bench worker did not start: {line.strip() or proc.wait()}")
                started = time.monotonic()
                conn.execute("""
                    SELECT private.enqueue_notification(%s, 'payment_received', 'guest' || i || '@example.com',
                             jsonb_build_object('n', i, 'amount_minor', 1000 + i, 'at', now(),
                                                'timezone', 'Europe/London'), 'bench:' || i)
                      FROM generate_series(1, %s) i""", (org, messages))
                left = messages
                deadline = started + max(60.0, messages / 10)
                while left and time.monotonic() < deadline:
                    time.sleep(0.02)
                    left = conn.execute("SELECT count(*) FROM app.notifications_outbox WHERE status <> 'sent'"
                                        ).fetchone()[0]
                seconds = time.monotonic() - started
            finally:
                for proc in procs:
                    proc.send_signal(signal.SIGTERM)
                outputs = [proc.communicate(timeout=60) for proc in procs]
                smtp.stop()
            attempts = conn.execute("SELECT count(*) FROM app.notification_attempts").fetchone()[0]
    if left:
        raise Refusal(f"{left} of {messages} messages were not sent in {seconds:.0f} s; see the workers' errors: "
                      + " | ".join(err.strip()[-300:] for _, err in outputs if err.strip()))
    per_worker = []
    for out, _ in outputs:
        try:
            per_worker.append(json.loads(out[out.index("{"):])["sent"])
        except (ValueError, KeyError):
            per_worker.append(None)
    per_second = messages / seconds
    report = {
        "messages": messages,
        "workers": WORKERS,
        "seconds": round(seconds, 3),
        "messages_per_second": round(per_second, 1),
        "sent_per_worker": per_worker,
        "attempts": attempts,
        "smtp": {"received": sum(counting.ids.values()), "distinct_message_ids": len(counting.ids),
                 "exactly_once": len(counting.ids) == messages and max(counting.ids.values()) == 1},
        "target_per_second": TARGET_PER_SECOND,
        "target_met": per_second >= TARGET_PER_SECOND,
    }
    print(json.dumps(report, indent=2))
    return 0
