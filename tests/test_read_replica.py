"""The read replica (README: "Read replica"), against a real streaming replica of the test cluster made by
pg_basebackup -R: GETs of STABLE functions are answered by it, every POST by the primary; a replica that lags
behind shows places as free that the primary has sold, and the primary refuses to sell them again; with the
replica stopped, reads are answered by the primary, and go back to the replica once it returns."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

import httpx
import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict
from tessera.replica import Replica, replica_of

from api.config import Config, ConfigError
from tests.api_support import SECRET, STAFF, login_conninfo, serve, token
from tests.helpers import ROOT, run_tessera

CHECK_SECONDS = 0.5  # how often the service tries a replica that went away


@pytest.fixture(scope="module")
def replica(pg_server, rpc_db):
    if pg_server.cluster is None:
        pytest.fail("the replica tests make a replica of the local test cluster; unset DATABASE_URL", pytrace=False)
    with replica_of(pg_server.cluster, "test-replica") as running:
        yield running


@pytest.fixture(scope="module")
def service(replica: Replica, rpc_db, tmp_path_factory):
    dbname = conninfo_to_dict(rpc_db)["dbname"]
    read = login_conninfo(replica.conninfo(dbname))
    with serve(login_conninfo(rpc_db), tmp_path_factory.mktemp("replica"), read_database_url=read,
               read_check_seconds=str(CHECK_SECONDS)) as running:
        yield running


@pytest.fixture
def event(rpc_db, replica: Replica) -> dict:
    """A venue of its own with a ticketed event of 20 places every evening (parties of up to 10), on the replica
    too; its embed key, the event, its ticket type and a day."""
    with psycopg.connect(rpc_db, autocommit=True) as conn:
        key, event_id, ticket = conn.execute("""
            WITH org AS (INSERT INTO app.organizations (name, slug) VALUES ('Replica Rooms', %s) RETURNING id),
                 m AS (INSERT INTO app.memberships (org_id, user_id, role) SELECT id, %s, 'staff' FROM org),
                 v AS (INSERT INTO app.venues (org_id, name, timezone) SELECT id, 'Soho', 'Europe/London' FROM org
                       RETURNING org_id, id, embed_key),
                 e AS (INSERT INTO app.experiences (org_id, venue_id, kind, name, duration_minutes, max_party,
                                                    capacity, currency)
                       SELECT org_id, id, 'ticketed_event', 'Quiz night', 120, 10, 20, 'GBP' FROM v
                       RETURNING org_id, id),
                 t AS (INSERT INTO app.ticket_types (org_id, experience_id, name, price_minor)
                       SELECT org_id, id, 'Standard', 1000 FROM e RETURNING id),
                 s AS (INSERT INTO app.schedules (org_id, experience_id, weekday, start_time, valid_from)
                       SELECT org_id, id, d, '19:00', current_date FROM e, generate_series(1, 7) d)
            SELECT (SELECT embed_key FROM v), (SELECT id FROM e)::text, (SELECT id FROM t)::text""",
                                     (f"replica-{uuid.uuid4().hex[:12]}", STAFF)).fetchone()
    replica.catch_up()
    return {"key": key, "event": event_id, "ticket": ticket, "day": (date.today() + timedelta(days=10)).isoformat()}


ANON = {"Authorization": f"Bearer {token(role='anon')}"}


def availability(service, event: dict) -> httpx.Response:
    return httpx.get(f"{service.url}/rest/v1/rpc/widget_availability", headers=ANON, timeout=10,
                     params={"embed_key": event["key"], "experience_id": event["event"], "from_date": event["day"],
                             "to_date": event["day"], "party_size": 1})


def remaining(service, event: dict) -> int:
    answer = availability(service, event)
    assert answer.status_code == 200, answer.text
    return sum(slot["remaining"] for slot in answer.json())


def book(service, event: dict, starts_at: str, party: int) -> httpx.Response:
    return httpx.post(f"{service.url}/rest/v1/rpc/widget_create_booking", headers=ANON, timeout=10,
                      json={"embed_key": event["key"], "experience_id": event["event"], "starts_at": starts_at,
                            "customer_email": f"{uuid.uuid4().hex[:8]}@example.com",
                            "tickets": [{"ticket_type_id": event["ticket"], "quantity": party}]})


def backends(conninfo: str, function: str) -> list[tuple[str, str]]:
    """(application_name, user) of the sessions whose last statement called `function`."""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        return conn.execute("SELECT application_name, usename FROM pg_stat_activity "
                            "WHERE query LIKE %s AND pid <> pg_backend_pid()", (f"%{function}%",)).fetchall()


def ready(service) -> dict:
    return httpx.get(f"{service.url}/health/ready", timeout=10).json()


def test_a_get_of_a_stable_function_is_answered_by_the_replica_a_post_by_the_primary(service, replica, rpc_db,
                                                                                    event):
    dbname = conninfo_to_dict(rpc_db)["dbname"]
    assert remaining(service, event) == 20
    assert ready(service)["replica"] == "up"
    # The replica's sessions of the service's read pool ran it; none of the primary's did.
    assert ("tessera-read", "authenticator") in backends(replica.conninfo(dbname), "widget_availability")
    assert backends(rpc_db, "widget_availability") == []
    starts_at = availability(service, event).json()[0]["starts_at"]
    booked = book(service, event, starts_at, 2)
    assert booked.status_code == 200, booked.text
    assert backends(replica.conninfo(dbname), "widget_create_booking") == []
    assert [user for _, user in backends(rpc_db, "widget_create_booking")] == ["authenticator"]
    # A GET of a VOLATILE function runs on the primary too (read-only there), never on the replica.
    tried = httpx.get(f"{service.url}/rest/v1/rpc/widget_create_booking", headers=ANON, timeout=10,
                      params={"embed_key": event["key"], "experience_id": event["event"], "starts_at": starts_at,
                              "customer_email": "get@example.com", "party_size": 1})
    assert tried.status_code == 400 and tried.json()["code"] == "PT400", tried.text  # the primary's answer
    assert backends(replica.conninfo(dbname), "widget_create_booking") == []


def test_replica_lag_cannot_oversell_the_primary_decides(service, replica, rpc_db, event):
    starts_at = availability(service, event).json()[0]["starts_at"]
    replica.pause_replay()
    try:
        # The last 20 places sold on the primary, while the replica replays nothing.
        assert [book(service, event, starts_at, 10).status_code for _ in range(2)] == [200, 200]
        with psycopg.connect(rpc_db) as conn:
            sold = conn.execute("SELECT sum(places) FROM app.bookings WHERE experience_id = %s",
                                (event["event"],)).fetchone()[0]
        assert sold == 20
        # The replica still shows them free ...
        assert remaining(service, event) == 20
        # ... and the booking that believes it is refused by the primary, which re-checks.
        refused = book(service, event, starts_at, 1)
        assert (refused.status_code, refused.json()["message"]) == (
            409, "sold out: not enough places left in this session"), refused.text
        with psycopg.connect(rpc_db) as conn:
            assert conn.execute("SELECT sum(places) FROM app.bookings WHERE experience_id = %s",
                                (event["event"],)).fetchone()[0] == 20
    finally:
        replica.resume_replay()
    replica.catch_up()
    assert remaining(service, event) == 0


def test_with_the_replica_down_reads_go_to_the_primary_and_come_back(service, replica, rpc_db, event):
    dbname = conninfo_to_dict(rpc_db)["dbname"]
    replica.stop()
    try:
        # Bounded by the client's timeout: the first read waits at most TESSERA_READ_POOL_TIMEOUT for the replica,
        # the reads after it go to the primary at once.
        assert [remaining(service, event) for _ in range(5)] == [20] * 5
        assert ready(service)["replica"] == "away"
        assert ("", "authenticator") in backends(rpc_db, "widget_availability")
        # A booking meanwhile reaches the primary as ever.
        starts_at = availability(service, event).json()[0]["starts_at"]
        assert book(service, event, starts_at, 5).status_code == 200
    finally:
        replica.start()
    replica.catch_up()
    deadline = time.monotonic() + 30  # the service tries the replica every CHECK_SECONDS
    while ready(service)["replica"] != "up" and time.monotonic() < deadline:
        time.sleep(0.1)
    assert ready(service)["replica"] == "up"
    assert remaining(service, event) == 15
    assert ("tessera-read", "authenticator") in backends(replica.conninfo(dbname), "widget_availability")


def frozen(replica: Replica, sig: int) -> None:
    """Send sig (SIGSTOP / SIGCONT) to the replica's postmaster and every process it started."""
    postmaster = int((replica.data / "postmaster.pid").read_text().split()[0])
    children = [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()
                and _parent(p) == postmaster]
    for pid in (postmaster, *children):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)


def _parent(proc: Path) -> int | None:
    try:
        return int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def test_a_hung_replica_is_504_once_then_reads_go_to_the_primary(replica, rpc_db, event, tmp_path):
    dbname = conninfo_to_dict(rpc_db)["dbname"]
    read = login_conninfo(replica.conninfo(dbname))
    with serve(login_conninfo(rpc_db), tmp_path, read_database_url=read, read_check_seconds=str(CHECK_SECONDS),
               database_timeout="2") as service:
        assert remaining(service, event) == 20  # answered by the replica, whose connection is now pooled
        frozen(replica, signal.SIGSTOP)
        try:
            hung = availability(service, event)
            assert hung.status_code == 504 and hung.json()["code"] == "PT504", hung.text
            assert ready(service)["replica"] == "away"
            assert [remaining(service, event) for _ in range(3)] == [20] * 3  # by the primary
            assert ("", "authenticator") in backends(rpc_db, "widget_availability")
        finally:
            frozen(replica, signal.SIGCONT)
        deadline = time.monotonic() + 30
        while ready(service)["replica"] != "up" and time.monotonic() < deadline:
            time.sleep(0.1)
        assert ready(service)["replica"] == "up"
        assert remaining(service, event) == 20


def test_the_read_settings_are_read_and_checked():
    base = {"TESSERA_DATABASE_URL": "dbname=x", "TESSERA_JWT_SECRET": SECRET, "TESSERA_POOL_SIZE": "5"}
    plain = Config.from_env(base)
    assert (plain.read_database_url, plain.read_pool_size) == (None, 5)
    replica = Config.from_env({**base, "TESSERA_READ_DATABASE_URL": "dbname=x host=replica"})
    assert (replica.read_database_url, replica.read_pool_size, replica.read_pool_timeout,
            replica.read_check_seconds) == ("dbname=x host=replica", 5, 0.5, 2.0)
    with pytest.raises(ConfigError, match="TESSERA_READ_CHECK_SECONDS must be at least"):
        Config.from_env({**base, "TESSERA_READ_CHECK_SECONDS": "0"})


def test_bench_rpc_replica_measures_both_modes_and_prints_json(tessera_databases, pg_server, replica):
    admin = pg_server.conninfo(tessera_databases.clone("bench_replica"))
    env = {"DATABASE_URL": admin, "TESSERA_DATABASE_URL": login_conninfo(admin), "TESSERA_JWT_SECRET": SECRET,
           "TESSERA_READ_DATABASE_URL": login_conninfo(replica.conninfo(conninfo_to_dict(admin)["dbname"]))}
    assert run_tessera("seed", "--demo", cwd=ROOT, env=env).code == 0
    replica.catch_up()
    run = run_tessera("bench", "rpc", "--replica", "--seconds", "1", "--concurrency", "2", cwd=ROOT, env=env,
                      timeout=300)
    assert run.code == 0, run.err
    report = json.loads(run.out.strip().splitlines()[-1])
    assert report["benchmark"] == "rpc_replica"
    row = report["concurrency"]["2"]
    for mode in ("primary_only", "with_replica"):
        assert row[mode]["requests_per_second"] > 0 and row[mode]["p50_ms"] > 0
    assert row["replica_vs_primary_only"] > 0 and "added_requests_per_second" in row
    assert set(report["primary_transactions_per_read"]) == {"primary_only", "with_replica"}
    assert report["replica_sessions"] >= 1  # the replica's read pool ran the call
