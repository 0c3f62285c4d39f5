"""A booking's confirmation e-mail is written in the transaction of the booking, on real connections: a transaction
rolled back leaves no message, one committed always leaves exactly one, and a retried request (the same idempotency
key) queues no second."""

from __future__ import annotations

import uuid

import psycopg
import pytest

ORG, USER, VENUE, EXPERIENCE, TICKET = (str(uuid.uuid4()) for _ in range(5))
BOOK = """SELECT (api.create_booking(%s, private.local_to_instant((current_date + 5) + time '10:00', 'Europe/London'),
                                  %s, tickets => jsonb_build_array(jsonb_build_object('ticket_type_id', %s::uuid,
                                                                                      'quantity', 1)),
                                  idempotency_key => %s)).id::text"""


@pytest.fixture(scope="module")
def db(pg_server, test_db) -> str:
    """A ticketed event that needs no payment (bookings are confirmed at once) and a staff member to book it."""
    conninfo = pg_server.conninfo(test_db)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("INSERT INTO app.organizations (id, name, slug) VALUES (%s, 'Commit Rooms', %s)",
                     (ORG, f"commit-{ORG[:8]}"))
        conn.execute("INSERT INTO auth.users (id, email) VALUES (%s, %s)", (USER, f"staff-{USER[:8]}@example.com"))
        conn.execute("INSERT INTO app.memberships (org_id, user_id, role) VALUES (%s, %s, 'staff')", (ORG, USER))
        conn.execute("INSERT INTO app.venues (org_id, id, name, timezone) VALUES (%s, %s, 'Soho', 'Europe/London')",
                     (ORG, VENUE))
        conn.execute("""INSERT INTO app.experiences (org_id, venue_id, id, kind, name, duration_minutes, max_party,
                                                     capacity, currency, requires_payment)
                        VALUES (%s, %s, %s, 'ticketed_event', 'Quiz', 60, 10, 50, 'GBP', false)""",
                     (ORG, VENUE, EXPERIENCE))
        conn.execute("INSERT INTO app.ticket_types (org_id, experience_id, id, name, price_minor)"
                     " VALUES (%s, %s, %s, 'Standard', 1000)", (ORG, EXPERIENCE, TICKET))
        conn.execute("""INSERT INTO app.schedules (org_id, experience_id, weekday, start_time, valid_from)
                        SELECT %s, %s, d, '10:00', current_date FROM generate_series(1, 7) d""", (ORG, EXPERIENCE))
    return conninfo


def as_staff(conn: psycopg.Connection) -> None:
    conn.execute("SELECT set_config('request.jwt.claims', %s, true), set_config('role', 'authenticated', true)",
                 (f'{{"role": "authenticated", "sub": "{USER}"}}',))


def confirmations(conninfo: str, email: str) -> int:
    with psycopg.connect(conninfo) as conn:
        return conn.execute("SELECT count(*) FROM app.notifications_outbox WHERE kind = 'booking_confirmed'"
                            " AND recipient = %s", (email,)).fetchone()[0]


def test_a_rollback_leaves_no_message_and_a_commit_exactly_one(db):
    email = f"ada-{uuid.uuid4().hex[:8]}@example.com"
    with psycopg.connect(db) as conn:
        as_staff(conn)
        conn.execute(BOOK, (EXPERIENCE, email, TICKET, None))
        conn.rollback()
    assert confirmations(db, email) == 0
    key = uuid.uuid4().hex
    with psycopg.connect(db) as conn:
        as_staff(conn)
        first = conn.execute(BOOK, (EXPERIENCE, email, TICKET, key)).fetchone()[0]
        conn.commit()
    assert confirmations(db, email) == 1
    with psycopg.connect(db) as conn:  # the client retries: the same booking, no second message
        as_staff(conn)
        again = conn.execute(BOOK, (EXPERIENCE, email, TICKET, key)).fetchone()[0]
        conn.commit()
    assert again == first
    assert confirmations(db, email) == 1
