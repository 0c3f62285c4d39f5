"""pg_cron runs the nightly refresh where it is installed: the test cluster loads it at start (as the README tells a
DBA to), the README's schedule is accepted for the test's own database, and the command it stores refreshes every
organization when run the way pg_cron runs it: as the job's user, with no claims, in the job's database."""

from __future__ import annotations

from tests.test_booking_races import FIXTURE, ORG

SCHEDULE = "30 3 * * *"
COMMAND = "SELECT api.refresh_all_customer_segments()"


def test_pg_cron_schedules_the_nightly_refresh_whose_command_refreshes_every_organization(tessera_databases,
                                                                                         pg_server):
    name = tessera_databases.clone("segments_cron")
    with pg_server.connect("postgres", autocommit=True) as conn:
        launchers = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'pg_cron launcher'")
        assert launchers.fetchone()[0] == 1, "pg_cron is not loaded (shared_preload_libraries = 'pg_cron')"
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_cron")
        job = conn.execute("SELECT cron.schedule_in_database(%s, %s, %s, %s)",
                           (f"tessera-customer-segments-{name}", SCHEDULE, COMMAND, name)).fetchone()[0]
        try:
            schedule, command, database, username, active = conn.execute(
                "SELECT schedule, command, database, username, active FROM cron.job WHERE jobid = %s",
                (job,)).fetchone()
        finally:
            conn.execute("SELECT cron.unschedule(%s)", (job,))
    assert (schedule, command, database, active) == (SCHEDULE, COMMAND, name, True)

    with pg_server.connect(database, user=username, autocommit=True) as conn:
        conn.execute(FIXTURE)
        conn.execute("INSERT INTO app.customers (org_id, email, booking_count, first_visit_at, last_visit_at,"
                     " lifetime_value_minor) VALUES (%s, 'ada@example.com', 1, now(), now(), 5000)", (ORG,))
        organizations = conn.execute("SELECT count(*) FROM app.organizations").fetchone()[0]
        assert conn.execute("SELECT current_setting('request.jwt.claims', true)").fetchone()[0] in (None, "")
        answer = conn.execute(command).fetchone()[0]
        runs = conn.execute("SELECT count(*) FROM app.customer_segment_runs").fetchone()[0]
        ada = conn.execute("SELECT s.segment FROM app.customer_segments s JOIN app.customers c"
                           " ON c.id = s.customer_id WHERE s.org_id = %s", (ORG,)).fetchall()
    assert answer["organizations"] == organizations == runs
    assert ada == [("new",)]
