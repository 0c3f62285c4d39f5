"""A waitlist under fire: cancellations, run-out holds and offers, new bookings, joins, leaves and accepts racing on
one session over real connections. Whatever the timing, the session is never oversold, a place is never offered to
two entries, an entry holds one offer at most, every offer has exactly one message, and once the dust settles no
free place is left while a waiting entry would fit it."""

from __future__ import annotations

import json
import random
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest

from tests.helpers import COUNTER_DRIFT

ORG = "0000000a-0000-4000-8000-000000000000"
STAFF = "00000000-0000-4000-8000-0000000000a4"
VENUE = "a1000000-0000-4000-8000-000000000001"
QUIZ = "a3000000-0000-4000-8000-000000000003"
STANDARD = "a5000000-0000-4000-8000-000000000001"
KEY = "wk_waitlist_races"
CAPACITY = 20

FIXTURE = f"""
INSERT INTO auth.users (id, email) VALUES ('{STAFF}', 'staff@a.example');
INSERT INTO app.organizations (id, name, slug) VALUES ('{ORG}', 'Org A', 'org-a');
INSERT INTO app.memberships (org_id, user_id, role) VALUES ('{ORG}', '{STAFF}', 'staff');
INSERT INTO app.venues (org_id, id, name, timezone, embed_key) VALUES ('{ORG}', '{VENUE}', 'Venue', 'Europe/London',
                                                                       '{KEY}');
INSERT INTO app.experiences (org_id, venue_id, id, kind, name, duration_minutes, max_party, capacity, currency)
VALUES ('{ORG}', '{VENUE}', '{QUIZ}', 'ticketed_event', 'Quiz', 120, 10, {CAPACITY}, 'GBP');
INSERT INTO app.ticket_types (org_id, experience_id, id, name, price_minor)
  VALUES ('{ORG}', '{QUIZ}', '{STANDARD}', 'Standard', 1000);
INSERT INTO app.schedules (org_id, experience_id, weekday, start_time, valid_from)
SELECT '{ORG}', '{QUIZ}', d, '19:00', current_date FROM generate_series(1, 7) d;
"""


def connect(conninfo: str, role: str) -> psycopg.Connection:
    """An autocommit connection running as the API runs `role`: staff (signed in), anon or service_role; or as the
    database's owner."""
    conn = psycopg.connect(conninfo, autocommit=True)
    if role == "owner":  # the database's owner, as a catalogue change runs
        return conn
    claims = {"role": "authenticated", "sub": STAFF} if role == "staff" else {"role": role}
    conn.execute("SELECT set_config('role', %s, false), set_config('request.jwt.claims', %s, false)",
                 (claims["role"], json.dumps(claims)))
    return conn


def race(conninfo: str, calls: list[tuple[str, str, tuple]]) -> list[tuple[str, object]]:
    """Run each (role, sql, params) on its own connection, all released at one instant: ('ok', row) or
    (sqlstate, detail) each."""
    connections = [connect(conninfo, role) for role, _, _ in calls]
    gate = threading.Barrier(len(calls))

    def client(i: int):
        _, sql, params = calls[i]
        gate.wait()
        try:
            return "ok", connections[i].execute(sql, params).fetchone()
        except psycopg.Error as exc:
            return exc.sqlstate, exc.diag.message_detail

    try:
        with ThreadPoolExecutor(len(calls)) as pool:
            return list(pool.map(client, range(len(calls))))
    finally:
        for conn in connections:
            conn.close()


@pytest.fixture
def session(tessera_databases, pg_server) -> tuple[str, str]:
    """A fresh clone with the fixture, and the start of the session everyone races for (in 10 days)."""
    conninfo = pg_server.conninfo(tessera_databases.clone("waitlist_races"))
    with psycopg.connect(conninfo) as conn:
        conn.execute(FIXTURE)
        starts = conn.execute(
            "SELECT private.local_to_instant((current_date + 10) + time '19:00', 'Europe/London')").fetchone()[0]
    return conninfo, starts.isoformat()


BOOK = "SELECT id FROM api.create_booking(%s, %s, %s, tickets => %s)"
WIDGET_BOOK = "SELECT id FROM api.widget_create_booking(%s, %s, %s, %s, tickets => %s)"
JOIN = "SELECT api.join_waitlist(%s, %s, %s, %s, 'Racer', %s, consent => true) ->> 'token'"
LEAVE = "SELECT api.leave_waitlist(%s, %s) ->> 'status'"
ACCEPT = "SELECT status FROM api.accept_waitlist_offer(%s, %s)"
CANCEL = "SELECT api.cancel_booking(%s)"


def tickets(n: int) -> str:
    return json.dumps([{"ticket_type_id": STANDARD, "quantity": n}])


def check(conninfo: str) -> dict:
    """The invariants, after a race, then again after the tidy-up that ends run-out holds: never oversold, one
    entry per offer and one offer per entry, one message per offer, and no free place a waiting entry fits."""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        for tidied in (False, True):
            if tidied:
                conn.execute("SELECT set_config('role', 'service_role', false),"
                             " set_config('request.jwt.claims', '{\"role\": \"service_role\"}', false)")
                conn.execute("SELECT api.expire_holds()")
                conn.execute("RESET role")
            assert conn.execute(COUNTER_DRIFT).fetchall() == [], "every counter equals the sum of its live bookings"
            taken, capacity, live, held = conn.execute(
                """SELECT s.taken, s.capacity,
                          coalesce(sum(b.places) FILTER (WHERE private.booking_is_live(b.status)), 0),
                          coalesce(sum(b.places) FILTER (WHERE b.status = 'pending' AND b.id IN (
                            SELECT w.booking_id FROM app.waitlist_entries w WHERE w.status = 'offered')), 0)
                     FROM app.slots s LEFT JOIN app.bookings b ON b.slot_id = s.id
                    WHERE s.experience_id = %s GROUP BY s.id, s.org_id""", (QUIZ,)).fetchone()
            assert taken <= capacity and live <= capacity, (taken, capacity, live)
            assert held <= live, "offered places are among the places held, and with the bookings within capacity"
            # Each offered entry holds exactly one pending booking of its own party, nobody else's.
            bad = conn.execute(
                """SELECT w.id, b.status, b.places, w.party_size FROM app.waitlist_entries w
                     LEFT JOIN app.bookings b ON b.id = w.booking_id
                    WHERE w.status = 'offered' AND (b.id IS NULL OR b.status <> 'pending' OR b.places <> w.party_size
                                                    OR b.slot_id <> w.slot_id)""").fetchall()
            assert bad == [], bad
            assert conn.execute("""SELECT booking_id FROM app.waitlist_entries WHERE booking_id IS NOT NULL
                                    GROUP BY booking_id HAVING count(*) > 1""").fetchall() == []
            # One message per offer, each for a booking of its own; an entry is offered once.
            messages = conn.execute(
                """SELECT w.id, w.offers, count(o.id), count(DISTINCT o.data -> 'booking' ->> 'id')
                     FROM app.waitlist_entries w
                     LEFT JOIN app.notifications_outbox o ON o.kind = 'waitlist_offer'
                                                         AND o.dedupe_key LIKE 'waitlist_offer:' || w.id || ':%%'
                    GROUP BY w.id, w.offers""").fetchall()
            assert all(offers <= 1 and sent == offers == distinct for _, offers, sent, distinct in messages), messages
            assert conn.execute("""SELECT count(*) - count(DISTINCT data -> 'booking' ->> 'id')
                                     FROM app.notifications_outbox WHERE kind = 'waitlist_offer'""").fetchone()[0] == 0
            if tidied:
                fits = conn.execute(
                    """SELECT w.id, w.party_size, s.capacity - s.taken FROM app.waitlist_entries w
                         JOIN app.slots s ON s.id = w.slot_id
                        WHERE w.status = 'waiting' AND w.party_size <= s.capacity - s.taken""").fetchall()
                assert fits == [], f"a waiting entry fits free places: {fits}"
        statuses = dict(conn.execute("SELECT status, count(*) FROM app.waitlist_entries GROUP BY 1").fetchall())
        return {"taken": taken, "statuses": statuses}


def entries(conninfo: str, status: str) -> list[tuple[str, int]]:
    with psycopg.connect(conninfo) as conn:
        return conn.execute("SELECT email, party_size FROM app.waitlist_entries WHERE status = %s ORDER BY email",
                            (status,)).fetchall()


def live_bookings(conninfo: str, run_out: bool = False) -> list[str]:
    """Staff's bookings (not offers) that hold places, with a live hold or (run_out) a run-out one."""
    with psycopg.connect(conninfo) as conn:
        return [str(r[0]) for r in conn.execute(
            """SELECT b.id FROM app.bookings b WHERE private.booking_is_live(b.status)
                  AND NOT EXISTS (SELECT FROM app.waitlist_entries w WHERE w.booking_id = b.id)
                  AND (b.hold_expires_at <= now()) = %s ORDER BY b.id""", (run_out,)).fetchall()]


def test_cancellations_expiries_bookings_joins_leaves_and_accepts_never_oversell_or_offer_twice(session):
    conninfo, starts = session
    rng = random.Random(14)
    with connect(conninfo, "staff") as staff:  # sold out: ten bookings of two
        for i in range(10):
            staff.execute(BOOK, (QUIZ, starts, f"buyer{i}@example.com", tickets(2)))
    tokens: dict[str, str] = {}
    with connect(conninfo, "anon") as anon:  # 24 entries of 1 to 4
        for i in range(24):
            email = f"wait{i:02}@example.com"
            tokens[email] = anon.execute(JOIN, (KEY, QUIZ, starts, 1 + i % 4, email)).fetchone()[0]
    with psycopg.connect(conninfo) as conn:  # four holds (eight places) run out, unmarked
        conn.execute("""UPDATE app.bookings SET hold_expires_at = now() - interval '1 second'
                         WHERE id IN (SELECT id FROM app.bookings ORDER BY id LIMIT 4)""")
    assert check(conninfo)["taken"] <= CAPACITY

    # Round 1: five cancellations (offers' holds among them: staff may cancel those too), the tidy-up, six
    # newcomers, four leaves and four joins at one instant.
    with psycopg.connect(conninfo) as conn:
        fresh = [str(r[0]) for r in conn.execute(
            "SELECT id FROM app.bookings WHERE hold_expires_at > now() ORDER BY id").fetchall()]
    waiting = [email for email, _ in entries(conninfo, "waiting")]
    calls = ([("staff", CANCEL, (b,)) for b in fresh[:5]]
             + [("service_role", "SELECT api.expire_holds()", ())]
             + [("anon", WIDGET_BOOK, (KEY, QUIZ, starts, f"new{i}@example.com", tickets(1))) for i in range(6)]
             + [("anon", LEAVE, (KEY, tokens[email])) for email in rng.sample(waiting, 4)]
             + [("anon", JOIN, (KEY, QUIZ, starts, 1 + i % 2, f"late{i}@example.com")) for i in range(4)])
    rng.shuffle(calls)
    results = race(conninfo, calls)
    outcomes = Counter(kind for kind, _ in results)
    assert set(outcomes) <= {"ok", "PT409"}, outcomes
    tokens.update({params[4]: row[0] for (_, sql, params), (kind, row) in zip(calls, results, strict=True)
                   if sql == JOIN and kind == "ok"})
    after = check(conninfo)
    assert after["statuses"].get("offered", 0) > 0, after

    # Round 2: half the offers run out; every offered entry accepts, with cancellations, newcomers and leaves.
    offered = [email for email, _ in entries(conninfo, "offered")]
    run_out = set(rng.sample(offered, len(offered) // 2))
    with psycopg.connect(conninfo) as conn:
        conn.execute("""UPDATE app.bookings b SET hold_expires_at = now() - interval '1 second'
                          FROM app.waitlist_entries w WHERE w.booking_id = b.id AND w.email = ANY (%s)""",
                     (list(run_out),))
    waiting = [email for email, _ in entries(conninfo, "waiting") if email in tokens]
    calls = ([("anon", ACCEPT, (KEY, tokens[email])) for email in offered]
             + [("service_role", "SELECT api.expire_holds()", ())]
             + [("staff", CANCEL, (b,)) for b in live_bookings(conninfo)[:3]]
             + [("anon", WIDGET_BOOK, (KEY, QUIZ, starts, f"newer{i}@example.com", tickets(1))) for i in range(4)]
             + [("anon", LEAVE, (KEY, tokens[email])) for email in rng.sample(waiting, min(3, len(waiting)))])
    rng.shuffle(calls)
    results = race(conninfo, calls)
    assert {kind for kind, _ in results} <= {"ok", "PT409"}, results
    check(conninfo)
    with psycopg.connect(conninfo) as conn:
        booked = {r[0] for r in conn.execute("SELECT email FROM app.waitlist_entries WHERE status = 'booked'")}
        expired = {r[0] for r in conn.execute("SELECT email FROM app.waitlist_entries WHERE status = 'expired'")}
    assert booked == set(offered) - run_out, "every live offer was accepted, none that had run out"
    assert run_out <= expired, "the offers that ran out expired their entries"

    # Round 3: everything left is cancelled at once; the waitlist takes what fits, in order, and never more.
    with psycopg.connect(conninfo) as conn:
        rest = [str(r[0]) for r in conn.execute(
            "SELECT id FROM app.bookings WHERE status IN ('pending', 'confirmed') AND hold_expires_at > now()"
            " AND id NOT IN (SELECT booking_id FROM app.waitlist_entries WHERE booking_id IS NOT NULL)").fetchall()]
    calls = [("staff", CANCEL, (b,)) for b in rest] + [("service_role", "SELECT api.expire_holds()", ())]
    outcomes = Counter(kind for kind, _ in race(conninfo, calls))
    assert outcomes == {"ok": len(calls)}, outcomes
    check(conninfo)


def test_places_freed_at_once_go_to_the_first_entries_in_order_and_never_to_a_newcomer(session):
    conninfo, starts = session
    with connect(conninfo, "staff") as staff:  # sold out: twenty bookings of one
        bookings = [str(staff.execute(BOOK, (QUIZ, starts, f"buyer{i}@example.com", tickets(1))).fetchone()[0])
                    for i in range(CAPACITY)]
    with connect(conninfo, "anon") as anon:  # thirty entries of one, in a known order
        for i in range(30):
            anon.execute(JOIN, (KEY, QUIZ, starts, 1, f"wait{i:02}@example.com"))
    with psycopg.connect(conninfo) as conn:
        conn.execute("""UPDATE app.waitlist_entries
                           SET created_at = now() - make_interval(secs => 100 - substr(email, 5, 2)::int)""")
    # Twelve cancellations, three more places and ten newcomers at one instant.
    calls = ([("staff", CANCEL, (b,)) for b in bookings[:12]]
             + [("owner", "UPDATE app.slots SET capacity = capacity + 3 WHERE experience_id = %s RETURNING 1",
                 (QUIZ,))]
             + [("anon", WIDGET_BOOK, (KEY, QUIZ, starts, f"new{i}@example.com", tickets(1))) for i in range(10)])
    random.Random(7).shuffle(calls)
    results = race(conninfo, calls)
    newcomers = Counter(kind for (_, sql, _), (kind, _) in zip(calls, results, strict=True) if sql == WIDGET_BOOK)
    others = Counter(kind for (_, sql, _), (kind, _) in zip(calls, results, strict=True) if sql != WIDGET_BOOK)
    assert others == {"ok": 13}, results
    assert newcomers == {"PT409": 10}, "while an entry that fits waits, a freed place is never a newcomer's"
    check(conninfo)
    with psycopg.connect(conninfo) as conn:
        offered = [r[0] for r in conn.execute(
            "SELECT email FROM app.waitlist_entries WHERE status = 'offered' ORDER BY email").fetchall()]
        assert conn.execute("SELECT taken, capacity FROM app.slots WHERE experience_id = %s",
                            (QUIZ,)).fetchone() == (CAPACITY + 3, CAPACITY + 3)
    assert offered == [f"wait{i:02}@example.com" for i in range(15)], "the fifteen places went to the first fifteen"
