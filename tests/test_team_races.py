"""Real connections racing on the team rules: an organization keeps an owner, a token is used once, and one
address has one open invitation, whatever the timing."""

from __future__ import annotations

from collections import Counter

import psycopg
import pytest

from tests.races import race, signed_in

CLIENTS = 20
ORG = "0000000b-0000-4000-8000-000000000000"
OWNERS = [f"00000000-0000-4000-8000-0000000002{i:02d}" for i in range(CLIENTS)]
INVITEE = "00000000-0000-4000-8000-000000000300"
OWNER_ARRAY = "ARRAY[" + ", ".join(f"'{m}'" for m in OWNERS) + "]"

FIXTURE = f"""
INSERT INTO auth.users (id, email) SELECT m::uuid, 'owner' || n || '@b.example'
  FROM unnest({OWNER_ARRAY}) WITH ORDINALITY AS t(m, n);
INSERT INTO auth.users (id, email) VALUES ('{INVITEE}', 'invitee@b.example');
INSERT INTO app.organizations (id, name, slug) VALUES ('{ORG}', 'Org B', 'org-b');
INSERT INTO app.memberships (org_id, user_id, role) SELECT '{ORG}', m::uuid, 'owner' FROM unnest({OWNER_ARRAY}) m;
"""


@pytest.fixture
def org(tessera_databases, pg_server) -> str:
    """A fresh clone with an organization of twenty owners."""
    conninfo = pg_server.conninfo(tessera_databases.clone("team_races"))
    with psycopg.connect(conninfo) as conn:
        conn.execute(FIXTURE)
    return conninfo


def owners(conninfo: str) -> int:
    with psycopg.connect(conninfo) as conn:
        return conn.execute("SELECT count(*) FROM app.memberships WHERE org_id = %s AND role = 'owner'",
                            (ORG,)).fetchone()[0]


def test_twenty_owners_stepping_down_at_once_leave_exactly_one(org):
    results = race(org, OWNERS, lambda i: ("SELECT api.change_member_role(%s, %s, 'admin')", (ORG, OWNERS[i])))
    assert Counter(kind for kind, _ in results) == {"ok": CLIENTS - 1, "PT409": 1}, results
    assert {detail for kind, detail in results if kind == "PT409"} == {"last_owner"}, results
    assert owners(org) == 1


def test_twenty_owners_demoting_each_other_at_once_never_leave_none(org):
    # Owner i demotes owner i+1, round the circle: applied all at once, nobody would be left.
    results = race(org, OWNERS, lambda i: ("SELECT api.change_member_role(%s, %s, 'staff')",
                                           (ORG, OWNERS[(i + 1) % CLIENTS])))
    kinds = Counter(kind for kind, _ in results)
    assert owners(org) >= 1, results
    assert kinds["ok"] == CLIENTS - owners(org) and set(kinds) <= {"ok", "PT409", "PT403"}, results
    assert {detail for kind, detail in results if kind == "PT409"} <= {"last_owner"}, results


def test_one_token_accepted_twenty_times_at_once_makes_one_membership(org):
    with signed_in(org, OWNERS[0]) as conn:
        token = conn.execute("SELECT api.invite_member(%s, 'invitee@b.example', 'staff') ->> 'token'",
                             (ORG,)).fetchone()[0]
    results = race(org, [INVITEE] * CLIENTS, lambda i: ("SELECT api.accept_invitation(%s)", (token,)))
    assert Counter(kind for kind, _ in results) == {"ok": 1, "PT409": CLIENTS - 1}, results
    assert {detail for kind, detail in results if kind == "PT409"} == {"invitation_used"}, results
    with psycopg.connect(org) as conn:
        assert conn.execute("SELECT role::text FROM app.memberships WHERE user_id = %s",
                            (INVITEE,)).fetchall() == [("staff",)]


def test_twenty_owners_inviting_one_address_at_once_leave_one_open_invitation(org):
    results = race(org, OWNERS, lambda i: ("SELECT api.invite_member(%s, 'invitee@b.example', 'staff') ->> 'token'",
                                           (ORG,)))
    assert Counter(kind for kind, _ in results) == {"ok": CLIENTS}, results
    with psycopg.connect(org) as conn:
        open_ones = conn.execute("""SELECT count(*) FILTER (WHERE accepted_at IS NULL AND revoked_at IS NULL),
                                           count(*) FROM app.invitations WHERE org_id = %s""", (ORG,)).fetchone()
        queued = conn.execute("SELECT count(*) FROM app.notifications_outbox WHERE kind = 'invitation'").fetchone()[0]
    assert open_ones == (1, CLIENTS) and queued == CLIENTS
    # The one open invitation is the last made: every earlier token was replaced.
    tokens = [row[0] for kind, row in results]
    accepted = race(org, [INVITEE] * CLIENTS, lambda i: ("SELECT api.accept_invitation(%s)", (tokens[i],)))
    assert Counter(kind for kind, _ in accepted) == {"ok": 1, "PT409": CLIENTS - 1}, accepted
