"""Real connections racing on the staff rules: the constraints decide, whatever the timing."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timedelta

import psycopg
import pytest

from tests.races import race, signed_in

CLIENTS = 20
ORG = "0000000a-0000-4000-8000-000000000000"
VENUE = "a1000000-0000-4000-8000-000000000001"
VAULT = "a3000000-0000-4000-8000-000000000001"
STAFF = "00000000-0000-4000-8000-0000000000a4"
MANAGERS = [f"00000000-0000-4000-8000-0000000001{i:02d}" for i in range(CLIENTS)]
MANAGER_ARRAY = "ARRAY[" + ", ".join(f"'{m}'" for m in MANAGERS) + "]"

FIXTURE = f"""
INSERT INTO auth.users (id, email) VALUES ('{STAFF}', 'staff@a.example');
INSERT INTO auth.users (id, email) SELECT m::uuid, 'manager' || n || '@a.example'
  FROM unnest({MANAGER_ARRAY}) WITH ORDINALITY AS t(m, n);
INSERT INTO app.organizations (id, name, slug) VALUES ('{ORG}', 'Org A', 'org-a');
INSERT INTO app.memberships (org_id, user_id, role) VALUES ('{ORG}', '{STAFF}', 'staff');
INSERT INTO app.memberships (org_id, user_id, role) SELECT '{ORG}', m::uuid, 'manager'
  FROM unnest({MANAGER_ARRAY}) m;
INSERT INTO app.venues (org_id, id, name, timezone) VALUES ('{ORG}', '{VENUE}', 'Venue', 'Europe/London');
INSERT INTO app.experiences (org_id, venue_id, id, kind, name, duration_minutes, max_party, currency)
  VALUES ('{ORG}', '{VENUE}', '{VAULT}', 'private_session', 'Vault', 60, 6, 'GBP');
INSERT INTO app.schedules (org_id, experience_id, weekday, start_time, valid_from)
SELECT '{ORG}', '{VAULT}', d, '19:00', current_date FROM generate_series(1, 7) d;
"""


@pytest.fixture
def team(tessera_databases, pg_server) -> str:
    """A fresh clone with an organization: one staff member, twenty managers, a venue with a game at 19:00 daily."""
    conninfo = pg_server.conninfo(tessera_databases.clone("staff_races"))
    with psycopg.connect(conninfo) as conn:
        conn.execute(FIXTURE)
    return conninfo


def test_twenty_simultaneous_clock_ins_make_one_open_entry(team):
    results = race(team, [STAFF] * CLIENTS, lambda i: ("SELECT api.clock_in(%s)", (VENUE,)))
    assert Counter(kind for kind, _ in results) == {"ok": 1, "PT409": CLIENTS - 1}, results
    assert {detail for kind, detail in results if kind == "PT409"} == {"already_clocked_in"}, results
    with psycopg.connect(team) as conn:
        assert conn.execute("SELECT count(*) FROM app.time_entries WHERE clock_out IS NULL").fetchone()[0] == 1


def test_twenty_managers_planning_overlapping_shifts_for_one_person_make_one_shift(team):
    start = datetime.fromisoformat("2030-01-07T10:00:00+00:00")

    def plan(i: int):
        # Each manager a different shift, every one overlapping every other: they all contain 17:00 to 18:00.
        begins = start + timedelta(minutes=10 * i)
        return ("SELECT api.create_shift(%s, %s, %s, %s)", (VENUE, STAFF, begins, begins + timedelta(hours=8)))

    results = race(team, MANAGERS, plan)
    assert Counter(kind for kind, _ in results) == {"ok": 1, "PT409": CLIENTS - 1}, results
    assert {detail for kind, detail in results if kind == "PT409"} == {"shift_overlap"}, results
    with psycopg.connect(team) as conn:
        assert conn.execute("SELECT count(*) FROM app.shifts WHERE user_id = %s", (STAFF,)).fetchone()[0] == 1


def test_a_shift_shortened_while_its_person_is_assigned_never_leaves_the_session_uncovered(team):
    with psycopg.connect(team) as conn:
        starts = conn.execute(
            "SELECT private.local_to_instant((current_date + 10) + time '19:00', 'Europe/London')").fetchone()[0]
    for _ in range(10):
        with signed_in(team, MANAGERS[0]) as conn:
            shift = conn.execute("SELECT (api.create_shift(%s, %s, %s, %s) ->> 'id')::uuid",
                                 (VENUE, STAFF, starts - timedelta(hours=1), starts + timedelta(hours=3))).fetchone()[0]
        shorten = json.dumps({"ends_at": (starts + timedelta(minutes=30)).isoformat()})
        statements = [("SELECT api.assign_session_staff(%s, %s, %s)", (VAULT, starts, STAFF)),
                      ("SELECT api.update_shift(%s, %s)", (shift, shorten))]
        results = race(team, MANAGERS[:2], statements.__getitem__)
        assert Counter(kind for kind, _ in results) == {"ok": 1, "PT409": 1}, results
        with psycopg.connect(team) as conn:
            uncovered = conn.execute("""
                SELECT count(*) FROM app.session_staff a JOIN app.slots s ON s.id = a.slot_id
                 WHERE NOT EXISTS (SELECT FROM app.shifts sh WHERE sh.user_id = a.user_id
                                      AND sh.during @> tstzrange(s.starts_at, s.ends_at))""").fetchone()[0]
            assert uncovered == 0, results
            conn.execute("DELETE FROM app.session_staff")
            conn.execute("DELETE FROM app.shifts")
