"""A won lead becomes one booking, however many staff convert it at the same instant: the lead is locked, so the
first conversion books and links it and every other one is told it was converted already."""

from __future__ import annotations

import json
from collections import Counter

import psycopg
import pytest

from tests.test_booking_races import CLIENTS, FIXTURE, ORG, STAFF, VAULT, race


@pytest.fixture
def won_lead(tessera_databases, pg_server) -> tuple[str, str, str]:
    """A fresh clone with the booking races' shop and a won lead; its conninfo, the lead and a start in 10 days."""
    conninfo = pg_server.conninfo(tessera_databases.clone("lead_races"))
    with psycopg.connect(conninfo) as conn:
        conn.execute(FIXTURE)
        lead = conn.execute("INSERT INTO app.leads (org_id, contact_name, email, party_size, status)"
                            " VALUES (%s, 'Grace Hopper', 'grace@navy.example', 4, 'won') RETURNING id::text",
                            (ORG,)).fetchone()[0]
        starts = conn.execute(
            "SELECT private.local_to_instant((current_date + 10) + time '19:00', 'Europe/London')").fetchone()[0]
    return conninfo, lead, starts.isoformat()


def test_many_staff_convert_one_won_lead_and_it_becomes_one_booking(won_lead):
    conninfo, lead, starts = won_lead
    results = race(conninfo, "SELECT api.convert_lead(%s, %s, %s) #>> '{booking,id}'",
                   lambda i: (lead, VAULT, starts))
    outcomes = Counter(kind for kind, _ in results)
    assert outcomes == {"ok": 1, "PT409": CLIENTS - 1}, results
    assert {message for kind, message in results if kind == "PT409"} == {
        "this lead was already turned into a booking"}
    booked = next(row[0] for kind, row in results if kind == "ok")
    with psycopg.connect(conninfo) as conn:
        assert conn.execute("SELECT booking_id::text FROM app.leads WHERE id = %s", (lead,)).fetchone()[0] == booked
        assert conn.execute("SELECT count(*) FROM app.bookings b JOIN app.customers c ON c.id = b.customer_id"
                            " WHERE c.email_key = 'grace@navy.example'").fetchone()[0] == 1
        assert conn.execute("SELECT count(*) FROM audit.log WHERE table_name = 'app.leads' AND operation = 'UPDATE'"
                            " AND actor = %s", (STAFF,)).fetchone()[0] == 1, json.dumps(results[:3])
