"""`tessera bench availability|booking`: timings on a `seed --scale` database, printed as JSON.

availability: api.check_availability over a 30-day window of the busiest private session, as its staff.
booking: api.create_booking throughput, uncontended (each client books its own organization's free starts) and
contended (every client on one ticketed session), then a sell-out race; every run ends by checking that no
slot holds more than its capacity and that each counter equals its live bookings.
"""

from __future__ import annotations

import json
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import psycopg

from tessera.errors import Refusal
from tessera.project import Project
from tessera.server import Server, current_server


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def _as_user(server: Server, user_id: str) -> psycopg.Connection:
    conn = psycopg.connect(server.conninfo(), autocommit=True)
    conn.execute("SELECT set_config('role', 'authenticated', false), set_config('request.jwt.claims', %s, false)",
                 (json.dumps({"role": "authenticated", "sub": user_id}),))
    return conn


def _scale_org(conn: psycopg.Connection, k: int) -> tuple[str, str, str, str, int]:
    """Organization k of the scale seed: (staff user, first room game, event, venue time zone, seeded days)."""
    row = conn.execute("""
        SELECT m.user_id, e0.id, e2.id, v.timezone,
               (SELECT count(DISTINCT (s.starts_at AT TIME ZONE v.timezone)::date)::int FROM app.slots s
                 WHERE s.experience_id = e2.id)
          FROM app.organizations o
          JOIN app.memberships m ON m.org_id = o.id
          JOIN app.venues v ON v.org_id = o.id
          JOIN app.experiences e0 ON e0.org_id = o.id AND e0.name = 'Room game 0'
          JOIN app.experiences e2 ON e2.org_id = o.id AND e2.kind = 'ticketed_event'
         WHERE o.slug = %s""", (f"scale-{k:04d}",)).fetchone()
    if row is None:
        raise Refusal("no scale data here; run `tessera seed --scale 1000000` on this database first")
    return tuple(str(x) if i < 4 else x for i, x in enumerate(row))


def availability(project: Project, runs: int, days: int) -> int:
    server = current_server(project)
    with server.connect() as conn:
        # The busiest venue: the organization with the most bookings (all are alike; take the first).
        staff, experience, _event, _tz, _seeded = _scale_org(conn, 1)
        busy = conn.execute("SELECT count(*) FROM app.bookings b JOIN app.experiences e ON e.id = %s "
                            "WHERE b.org_id = e.org_id AND b.experience_id = e.id", (experience,)).fetchone()[0]
    start = date.today()
    with _as_user(server, staff) as conn:
        query = "SELECT count(*) FROM api.check_availability(%s, %s, %s, 4)"
        args = (experience, start, start + timedelta(days=days - 1))
        for _ in range(10):
            rows = conn.execute(query, args).fetchone()[0]
        timings = []
        for _ in range(runs):
            began = time.perf_counter()
            rows = conn.execute(query, args).fetchone()[0]
            timings.append((time.perf_counter() - began) * 1000)
    print(json.dumps({
        "benchmark": "availability", "function": "api.check_availability", "window_days": days, "runs": runs,
        "slots_returned": rows, "experience_bookings": busy,
        "p50_ms": round(percentile(timings, 50), 2), "p95_ms": round(percentile(timings, 95), 2),
        "p99_ms": round(percentile(timings, 99), 2), "mean_ms": round(statistics.fmean(timings), 2),
    }))
    return 0


def _oversold(server: Server) -> dict:
    with server.connect() as conn:
        over = conn.execute("SELECT count(*) FROM app.slots WHERE taken > capacity").fetchone()[0]
        drift = conn.execute("""
            SELECT count(*) FROM app.slots s
              LEFT JOIN (SELECT slot_id, sum(places) AS places FROM app.bookings
                          WHERE private.booking_is_live(status) GROUP BY slot_id) l ON l.slot_id = s.id
             WHERE s.taken <> coalesce(l.places, 0)""").fetchone()[0]
    return {"slots_over_capacity": over, "counters_off": drift}


def _run(clients: int, work) -> tuple[int, int, float]:
    """Run work(i) in `clients` threads released together; returns (ok, refused, seconds)."""
    gate = threading.Barrier(clients + 1)
    results: list[tuple[int, int]] = []

    def client(i: int):
        gate.wait()
        results.append(work(i))

    with ThreadPoolExecutor(clients) as pool:
        for i in range(clients):
            pool.submit(client, i)
        gate.wait()
        began = time.perf_counter()
    elapsed = time.perf_counter() - began
    return sum(r[0] for r in results), sum(r[1] for r in results), elapsed


# The triggers that queue a booking's messages (confirmation, cancellation, move, expiry).
OUTBOX_TRIGGERS = ("bookings_notify_insert", "bookings_notify_update")


def _outbox_cost(server: Server, clients: int, work, give_back) -> dict:
    """What queuing a booking's messages costs: uncontended rounds of bookings made and confirmed (the
    confirmation; reminders are queued later, by the worker), alternately without the outbox's triggers on
    app.bookings and with them (sixteen rounds each, in the order off-on-on-off, so that a warming cache favours
    neither), each round's bookings given back after it (give_back). The triggers are disabled for the whole database
    while a round runs, which is why this is a benchmark of a `--scale` database only; they are enabled again
    whatever happens."""
    def rate(enabled: bool) -> float:
        with server.connect(autocommit=True) as conn:
            for trigger in OUTBOX_TRIGGERS:
                conn.execute(f"ALTER TABLE app.bookings {'ENABLE' if enabled else 'DISABLE'} TRIGGER {trigger}")
        ok, _refused, seconds = _run(clients, work)
        give_back()
        return ok / seconds

    rates: dict[bool, list[float]] = {False: [], True: []}
    try:
        for enabled in (False, True, True, False) * 8:
            rates[enabled].append(rate(enabled))
    finally:
        with server.connect(autocommit=True) as conn:
            for trigger in OUTBOX_TRIGGERS:
                conn.execute(f"ALTER TABLE app.bookings ENABLE TRIGGER {trigger}")
    # Medians: one round disturbed by something else on the machine moves neither side.
    without, with_ = (statistics.median(rates[False]), statistics.median(rates[True]))
    return {"rounds_each": len(rates[True]),
            "confirmed_bookings_per_second_without": round(without, 1),
            "confirmed_bookings_per_second_with": round(with_, 1),
            "added_cost_percent": round(100 * (without - with_) / without, 1), "limit_percent": 10}


def booking(project: Project, clients: int, per_client: int) -> int:
    server = current_server(project)
    with server.connect() as conn:
        orgs = [_scale_org(conn, k) for k in range(1, clients + 1)]
    report: dict = {"benchmark": "booking", "clients": clients}
    refusals: set[str] = set()  # the first line of each kind of refusal, to show why bookings failed

    # Uncontended: each client books free starts of its own organization's room, beyond the seeded days (and, to
    # measure the outbox, confirms each as it goes: a confirmation is what queues messages).
    def booker(confirm: bool):
        statement = ("SELECT api.create_booking(%s, private.local_to_instant(%s::date + time '10:00' "
                     "+ make_interval(mins => 90 * %s), %s), %s, 3)")
        if confirm:
            statement = f"SELECT api.confirm_booking(({statement}).id)"
        return lambda i: uncontended(i, statement)

    def first_day(seeded: int) -> date:  # beyond the seeded days: nobody but the benchmark books there
        return date.today() + timedelta(days=seeded // 2 + 2)

    def give_back() -> None:
        # Every round books the same starts, so a round's bookings are cancelled after it (untimed), as are any an
        # earlier run left: runs repeat without marching past the rooms' booking window.
        with server.connect() as conn:
            for _staff, experience, _event, tz, seeded in orgs:
                conn.execute("UPDATE app.bookings SET status = 'cancelled', cancel_reason = 'tessera bench'"
                             " WHERE experience_id = %s AND status IN ('pending', 'confirmed')"
                             "   AND starts_at >= private.local_to_instant(%s::date + time '00:00', %s)",
                             (experience, first_day(seeded), tz))

    def uncontended(i: int, statement: str) -> tuple[int, int]:
        staff, experience, _event, tz, seeded = orgs[i]
        ok = refused = 0
        with _as_user(server, staff) as conn:
            for n in range(per_client):
                day, slot = first_day(seeded) + timedelta(days=n // 8), n % 8
                try:
                    conn.execute(statement, (experience, day, slot, tz, f"bench{i}-{n}@example.com"))
                    ok += 1
                except psycopg.Error as exc:
                    refused += 1
                    refusals.add(str(exc).splitlines()[0])
        return ok, refused

    give_back()
    ok, refused, seconds = _run(clients, booker(confirm=False))
    give_back()
    report["uncontended"] = {"bookings": ok, "refused": refused, "seconds": round(seconds, 2),
                             "bookings_per_second": round(ok / seconds, 1)}
    report["outbox"] = _outbox_cost(server, clients, booker(confirm=True), give_back)
    if refusals:
        report["refusals"] = sorted(refusals)

    # Contended: every client on one ticketed session with room for everyone, then a session of 200 places.
    staff, _experience, event, tz, seeded = orgs[0]
    with server.connect() as conn:
        ticket = conn.execute("SELECT id FROM app.ticket_types WHERE experience_id = %s", (event,)).fetchone()[0]
        # Sessions of earlier runs are left as they are; each run adds two at 21:30, within the venue's hours, on days
        # of their own.
        earlier = conn.execute("SELECT count(*) FROM app.slots WHERE experience_id = %s AND capacity <> %s",
                               (event, 60)).fetchone()[0]
        starts = []
        for n, capacity in ((earlier, clients * per_client), (earlier + 1, 200)):
            starts.append(conn.execute(
                "INSERT INTO app.slots (org_id, experience_id, starts_at, ends_at, capacity) "
                "SELECT org_id, id, private.local_to_instant(%s::date + time '21:30', %s), "
                "private.local_to_instant(%s::date + time '22:45', %s), %s FROM app.experiences WHERE id = %s "
                "RETURNING starts_at",
                (date.today() + timedelta(days=seeded // 2 + 3 + n), tz,
                 date.today() + timedelta(days=seeded // 2 + 3 + n), tz, capacity, event)).fetchone()[0])
        conn.commit()
    tickets = json.dumps([{"ticket_type_id": str(ticket), "quantity": 1}])

    def contended(at):
        def work(i: int) -> tuple[int, int]:
            ok = refused = 0
            with _as_user(server, staff) as conn:
                for n in range(per_client):
                    try:
                        conn.execute("SELECT api.create_booking(%s, %s, %s, tickets => %s)",
                                     (event, at, f"crowd{i}-{n}@example.com", tickets))
                        ok += 1
                    except psycopg.Error:
                        refused += 1
            return ok, refused
        return work

    ok, refused, seconds = _run(clients, contended(starts[0]))
    report["contended"] = {"bookings": ok, "refused": refused, "seconds": round(seconds, 2),
                           "bookings_per_second": round(ok / seconds, 1)}
    ok, refused, seconds = _run(clients, contended(starts[1]))
    report["sell_out"] = {"capacity": 200, "attempts": ok + refused, "sold": ok, "refused": refused,
                          "seconds": round(seconds, 2)}
    report |= _oversold(server)
    print(json.dumps(report))
    if report["slots_over_capacity"] or report["counters_off"] or report["sell_out"]["sold"] != min(200, ok + refused):
        raise Refusal("oversold or counters off: the guarantee failed; see the JSON above")
    return 0
