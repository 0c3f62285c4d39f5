"""Erasures of one person at the same instant: the customer is locked and read again, so one erasure does the work,
one privacy log row records it, and every caller gets the same answer."""

from __future__ import annotations

import json
from collections import Counter

import psycopg
import pytest

from tests.test_booking_races import CLIENTS, FIXTURE, ORG, VAULT, race

ADMIN = "00000000-0000-4000-8000-0000000000a2"


@pytest.fixture
def customer(tessera_databases, pg_server) -> tuple[str, str]:
    """A fresh clone with the booking races' shop, an admin, and a customer with a booking; conninfo and customer."""
    conninfo = pg_server.conninfo(tessera_databases.clone("erasure_races"))
    with psycopg.connect(conninfo) as conn:
        conn.execute(FIXTURE)
        conn.execute("INSERT INTO auth.users (id, email) VALUES (%s, 'admin@a.example')", (ADMIN,))
        conn.execute("INSERT INTO app.memberships (org_id, user_id, role) VALUES (%s, %s, 'admin')", (ORG, ADMIN))
        conn.execute("SELECT set_config('request.jwt.claims', %s, true)",
                     (json.dumps({"role": "authenticated", "sub": ADMIN}),))
        conn.execute("SELECT api.create_booking(%s, private.local_to_instant((current_date + 10) + time '19:00',"
                     " 'Europe/London'), 'ada@example.com', 2, 'Ada')", (VAULT,))
        found = conn.execute("SELECT id::text FROM app.customers WHERE org_id = %s AND email_key = 'ada@example.com'",
                             (ORG,)).fetchone()[0]
    return conninfo, found


def as_admin(conninfo: str) -> psycopg.Connection:
    conn = psycopg.connect(conninfo, autocommit=True)
    conn.execute("SELECT set_config('role', 'authenticated', false), set_config('request.jwt.claims', %s, false)",
                 (json.dumps({"role": "authenticated", "sub": ADMIN}),))
    return conn


def test_many_admins_erase_one_person_and_it_happens_once(customer):
    conninfo, person = customer
    results = race(conninfo, "SELECT api.erase_customer(%s, %s)::text", lambda i: (ORG, person), connect=as_admin)
    assert Counter(kind for kind, _ in results) == {"ok": CLIENTS}, results
    assert len({row[0] for _, row in results}) == 1, "every caller gets the first erasure's answer"
    with psycopg.connect(conninfo) as conn:
        assert conn.execute("SELECT count(*) FROM app.customer_requests WHERE customer_id = %s AND kind = 'erasure'",
                            (person,)).fetchone()[0] == 1
        assert conn.execute("SELECT count(*) FROM app.customers WHERE id = %s AND email = %s",
                            (person, f"erased-{person}@erased.invalid")).fetchone()[0] == 1
