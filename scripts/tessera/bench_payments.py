"""`tessera bench payments`: the money path's figures, through the real HTTP service and the fake providers,
printed as JSON.

    checkout   POST /payments/checkout for fresh orders against the fake Stripe (8 at a time): p50 / p95 ms
    webhooks   every order paid at the fake, its checkout.session.completed delivered 5 times, shuffled, by 8
               concurrent senders, each delivery signed as Stripe signs it: deliveries per second; then
               exactly-once is checked (one payment per order, every order paid, nothing else)
    check_ins  api.check_in of 4,000 tickets over HTTP by 8, then 32, concurrent scanners, each ticket let in
               exactly once (tessera.bench_tickets)

The webhook figures also give each kind of delivery's latency (a first one does the payment's work in the
database, a duplicate only meets the inbox key) and the service's own CPU time per delivery, which holds steadier
than throughput on a busy machine.

It makes its own organization (a 10,000-place ticketed night) in the database the CLI uses, so it can run on the
demo or a scale database alike; the rows it writes stay there as any booking would.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import time
import uuid
from datetime import date, timedelta

import httpx
import psycopg
import stripe

from tessera import bench_tickets
from tessera.bench import percentile
from tessera.bench_http import request_bytes, send_all
from tessera.bench_rpc import _cpu_seconds
from tessera.errors import Refusal
from tessera.project import Project
from tessera.serve import launch, service_environment
from tessera.server import current_server
from tessera.tokens import mint

SENDERS = 8
SCANNERS = (8, 32)
CHECK_INS = 4000
DUPLICATES = 5
SHOP = "https://bench.example"


def payments(project: Project, orders: int) -> int:
    from tessera.fake_providers import STRIPE_WEBHOOK_SECRET
    from tessera.fake_providers import start as start_fakes

    server = current_server(project)
    with server.connect(autocommit=True) as conn:
        if conn.execute("SELECT to_regprocedure('api.apply_payment_event(text, jsonb)')").fetchone()[0] is None:
            raise Refusal("the payments functions are not deployed here; run `tessera db deploy` first")
        venue = _venue(conn)
    fakes = start_fakes()
    # The service of this bench: the caller's database and secret, the fake providers, nothing else of theirs.
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("TESSERA_") or k in ("TESSERA_DATABASE_URL", "TESSERA_JWT_SECRET")}
    env |= service_environment(project) | fakes.environment()
    env |= {"TESSERA_RATE_LIMIT": "0", "TESSERA_CHECKOUT_RETURN_ORIGINS": SHOP, "TESSERA_LOG_LEVEL": "warning"}
    log = project.state_dir / "bench-payments.log"
    proc, url = launch(env, log, "/health/ready")
    try:
        fakes.point_at(None)  # the bench delivers the events itself
        anon = mint(env["TESSERA_JWT_SECRET"], "anon", ttl=3600)
        made = asyncio.run(_orders(url, anon, venue, orders))
        latencies, pages = asyncio.run(_checkouts(url, anon, made))
        events = [httpx.post(f"{fakes.stripe.url}/_control/checkout/sessions/{page['provider_ref']}/pay",
                             json={"deliver": False}, timeout=30).json()["events"][0] for page in pages]
        deliveries = [e for e in events for _ in range(DUPLICATES)]
        random.Random(1).shuffle(deliveries)
        bodies = []
        for event in deliveries:
            body = json.dumps(event, indent=2)
            bodies.append((body.encode(), stripe.WebhookSignature.generate_signature_header(body,
                                                                                           STRIPE_WEBHOOK_SECRET)))
        cpu = _cpu_seconds(proc.pid)
        elapsed, statuses, latency = _deliver(url, bodies)
        cpu = _cpu_seconds(proc.pid) - cpu
        exactly_once = _exactly_once(server, [o["id"] for o in made])
        # A venue's doors (8 scanners), and a platform's doors at once (32): one figure each.
        check_ins = {str(n): bench_tickets.check_ins(server.conninfo(), url, env["TESSERA_JWT_SECRET"],
                                                     tickets=CHECK_INS, scanners=n) for n in SCANNERS}
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        fakes.close()
    result = {
        "orders": len(made),
        "checkout_ms": {"p50": round(percentile(latencies, 50), 2), "p95": round(percentile(latencies, 95), 2)},
        "webhooks": {"senders": SENDERS, "duplicates": DUPLICATES, "deliveries": len(bodies),
                     "seconds": round(elapsed, 3), "per_second": round(len(bodies) / elapsed, 1),
                     "statuses": {str(s): statuses.count(s) for s in sorted(set(statuses))}, "latency": latency,
                     "service_cpu_us_per_delivery": round(cpu * 1e6 / len(bodies), 1),
                     "exactly_once": exactly_once},
        "check_ins": check_ins,
        "targets": {"webhooks_per_second": 500, "check_ins_per_second": 1000},
    }
    print(json.dumps(result, indent=2))
    return 0 if exactly_once["holds"] and all(run["exactly_once"] for run in check_ins.values()) else 1


def _venue(conn: psycopg.Connection) -> dict:
    staff = str(uuid.uuid4())
    conn.execute("INSERT INTO auth.users (id, email) VALUES (%s, %s)", (staff, f"bench-{staff[:8]}@bench.example"))
    row = conn.execute("""
        WITH org AS (INSERT INTO app.organizations (name, slug) VALUES ('Bench Payments', %(slug)s) RETURNING id),
             m AS (INSERT INTO app.memberships (org_id, user_id, role) SELECT id, %(staff)s, 'staff' FROM org),
             v AS (INSERT INTO app.venues (org_id, name, timezone) SELECT id, 'Bench Hall', 'Europe/London'
                   FROM org RETURNING org_id, id, embed_key),
             e AS (INSERT INTO app.experiences (org_id, venue_id, kind, name, duration_minutes, max_party, capacity,
                                                currency)
                   SELECT org_id, id, 'ticketed_event', 'Bench night', 120, 10, 10000, 'GBP' FROM v
                   RETURNING org_id, id),
             t AS (INSERT INTO app.ticket_types (org_id, experience_id, name, price_minor)
                   SELECT org_id, id, 'Standard', 2500 FROM e RETURNING id),
             s AS (INSERT INTO app.schedules (org_id, experience_id, weekday, start_time, valid_from)
                   SELECT org_id, id, d, '19:00', current_date FROM e, generate_series(1, 7) d)
        SELECT (SELECT org_id FROM v)::text, (SELECT id FROM v)::text, (SELECT embed_key FROM v),
               (SELECT id FROM e)::text, (SELECT id FROM t)::text""",
                       {"slug": f"bench-pay-{uuid.uuid4().hex[:10]}", "staff": staff}).fetchone()
    return {"org": row[0], "venue": row[1], "key": row[2], "event": row[3], "ticket": row[4], "staff": staff}


async def _rpc(client: httpx.AsyncClient, name: str, body: dict, bearer: str) -> dict | list:
    answer = await client.post(f"/rest/v1/rpc/{name}", json=body, headers={"Authorization": f"Bearer {bearer}"})
    if answer.status_code != 200:
        raise Refusal(f"{name} answered {answer.status_code}: {answer.text[:200]}")
    return answer.json()


async def _orders(url: str, anon: str, venue: dict, count: int) -> list[dict]:
    day = (date.today() + timedelta(days=20)).isoformat()
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        starts = (await _rpc(client, "widget_availability", {"embed_key": venue["key"], "experience_id":
                                                             venue["event"], "from_date": day, "to_date": day},
                             anon))[0]["starts_at"]
        gate = asyncio.Semaphore(SENDERS)

        async def one(n: int) -> dict:
            email = f"bench-{n}-{uuid.uuid4().hex[:6]}@bench.example"
            async with gate:
                booking = await _rpc(client, "widget_create_booking", {
                    "embed_key": venue["key"], "experience_id": venue["event"], "starts_at": starts,
                    "customer_email": email, "tickets": [{"ticket_type_id": venue["ticket"], "quantity": 1}]}, anon)
                order = await _rpc(client, "create_order", {"booking_id": booking["id"], "embed_key": venue["key"],
                                                            "customer_email": email}, anon)
            return {"id": order["id"], "email": email, "code": booking["confirmation_code"], "key": venue["key"]}

        return await asyncio.gather(*(one(n) for n in range(count)))


async def _checkouts(url: str, anon: str, orders: list[dict]) -> tuple[list[float], list[dict]]:
    latencies: list[float] = []
    gate = asyncio.Semaphore(SENDERS)
    async with httpx.AsyncClient(base_url=url, timeout=60, headers={"Authorization": f"Bearer {anon}"}) as client:
        async def one(order: dict) -> dict:
            async with gate:
                began = time.perf_counter()
                answer = await client.post("/payments/checkout", json={
                    "order_id": order["id"], "provider": "stripe", "success_url": f"{SHOP}/paid",
                    "cancel_url": f"{SHOP}/cart", "embed_key": order["key"], "customer_email": order["email"]})
                latencies.append((time.perf_counter() - began) * 1000)
            if answer.status_code != 200:
                raise Refusal(f"checkout answered {answer.status_code}: {answer.text[:200]}")
            return answer.json()

        pages = await asyncio.gather(*(one(o) for o in orders))
    return latencies, pages


def _deliver(url: str, bodies: list[tuple[bytes, str]]) -> tuple[float, list[int], dict]:
    requests = [request_bytes(url, "/webhooks/stripe", body, {"Stripe-Signature": signature,
                                                               "Content-Type": "application/json"})
                for body, signature in bodies]
    elapsed, answers = asyncio.run(send_all(url, requests, SENDERS))
    # Where the time goes: a first delivery does the payment's work in the database, a duplicate only meets the
    # inbox's key.
    timings: dict[str, list[float]] = {"applied": [], "duplicate": []}
    for answer in answers:
        if answer.status == 200:
            timings["duplicate" if answer.json().get("duplicate") else "applied"].append(answer.ms)
    latency = {kind: {"count": len(ms), "p50_ms": round(percentile(ms, 50), 2), "p95_ms": round(percentile(ms, 95), 2)}
               for kind, ms in timings.items() if ms}
    return elapsed, [a.status for a in answers], latency


def _exactly_once(server, order_ids: list[str]) -> dict:
    with server.connect() as conn:
        payments, paid = conn.execute("""
            SELECT (SELECT count(*) FROM app.payments WHERE order_id = ANY(%(ids)s::uuid[])),
                   (SELECT count(*) FROM app.orders WHERE id = ANY(%(ids)s::uuid[]) AND status = 'paid')""",
                                      {"ids": order_ids}).fetchone()
    return {"payments": payments, "orders_paid": paid, "holds": payments == paid == len(order_ids)}
