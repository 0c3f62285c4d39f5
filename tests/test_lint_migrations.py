"""Migration safety in `tessera db check`: a new change may not hold a long lock on a table an earlier change
made unless it says so (`-- lock: ok <reason>`); tessera/locks.py has the rules."""

from __future__ import annotations

from pathlib import Path

import pytest
from tessera import locks
from tessera.migrations import add_change
from tessera.project import Project

REVERT = {"revert": "SELECT 1;", "verify": "SELECT 1;"}


def findings_of(tmp_path: Path, sql: str) -> list[str]:
    script = tmp_path / "deploy.sql"
    script.write_text(sql)
    return [f.why for f in locks.script_findings(script)]


@pytest.mark.parametrize("statement", [
    "ALTER TABLE app.bookings ADD COLUMN note text NOT NULL",
    "ALTER TABLE app.bookings ADD COLUMN token uuid DEFAULT gen_random_uuid()",
    "ALTER TABLE app.bookings ADD COLUMN cents bigint GENERATED ALWAYS AS (party_size * 100) STORED",
    "ALTER TABLE app.bookings ALTER COLUMN party_size TYPE bigint",
    "ALTER TABLE ONLY app.bookings ALTER party_size SET NOT NULL",
    "ALTER TABLE app.bookings ADD CONSTRAINT bookings_small CHECK (party_size < 100)",
    "ALTER TABLE app.bookings ADD FOREIGN KEY (org_id) REFERENCES app.organizations (id)",
    "ALTER TABLE app.bookings ADD CONSTRAINT bookings_once UNIQUE (org_id, id)",
    "ALTER TABLE app.bookings ADD COLUMN x int, ADD CONSTRAINT x_pos CHECK (x > 0)",
    "CREATE INDEX bookings_party ON app.bookings (party_size)",
    "CREATE UNIQUE INDEX IF NOT EXISTS bookings_party ON ONLY app.bookings (party_size)",
    "VACUUM FULL app.bookings",
    "REINDEX TABLE app.bookings",
])
def test_a_long_lock_on_an_existing_table_is_found(tmp_path, statement):
    assert len(findings_of(tmp_path, f"BEGIN;\n{statement};\nCOMMIT;\n")) == 1


@pytest.mark.parametrize("statement", [
    "ALTER TABLE app.bookings ADD COLUMN note text",
    "ALTER TABLE app.bookings ADD COLUMN note text NOT NULL DEFAULT ''",
    "ALTER TABLE app.bookings ADD COLUMN at timestamptz NOT NULL DEFAULT now()",
    "ALTER TABLE app.bookings ADD CONSTRAINT bookings_small CHECK (party_size < 100) NOT VALID",
    "ALTER TABLE app.bookings VALIDATE CONSTRAINT bookings_small",
    "ALTER TABLE app.bookings ADD CONSTRAINT bookings_once UNIQUE USING INDEX bookings_once_idx",
    "ALTER TABLE app.bookings DROP COLUMN note, ALTER COLUMN note SET DEFAULT 'x'",
    "CREATE INDEX CONCURRENTLY bookings_party ON app.bookings (party_size)",
    "COMMENT ON TABLE app.bookings IS 'ALTER TABLE app.x ALTER COLUMN y TYPE int; CREATE INDEX i ON app.x (y)'",
    "CREATE FUNCTION f() RETURNS void LANGUAGE sql AS $$ CREATE INDEX i ON app.bookings (id) $$",
])
def test_a_short_lock_is_not_found(tmp_path, statement):
    assert findings_of(tmp_path, f"BEGIN;\n{statement};\nCOMMIT;\n") == []


def test_a_table_the_same_script_made_is_exempt(tmp_path):
    sql = ("BEGIN;\nCREATE TABLE app.fresh (id int PRIMARY KEY);\nCREATE INDEX fresh_id ON app.fresh (id);\n"
           "ALTER TABLE app.fresh ADD COLUMN n int NOT NULL;\nCREATE INDEX old_id ON app.bookings (id);\nCOMMIT;\n")
    assert len(findings_of(tmp_path, sql)) == 1


def test_the_marker_accepts_a_statement_or_the_whole_script_and_needs_a_reason(tmp_path):
    statement = "CREATE INDEX bookings_party ON app.bookings (party_size);\n"
    assert findings_of(tmp_path, "BEGIN;\n-- lock: ok app.bookings is small\n" + statement + statement) \
        == findings_of(tmp_path, "BEGIN;\n" + statement)
    assert findings_of(tmp_path, "-- why\n-- lock: ok built by hand CONCURRENTLY first\nBEGIN;\n" + statement * 2) == []
    assert len(findings_of(tmp_path, "BEGIN;\n-- lock: ok\n" + statement)) == 1


def test_db_check_refuses_a_bad_change_naming_file_and_statement(project_copy: Project, cli, pg_server):
    bad = {"deploy": "ALTER TABLE app.bookings ADD COLUMN channel text NOT NULL;",
           "revert": "ALTER TABLE app.bookings DROP COLUMN channel;",
           "verify": "SELECT channel FROM app.bookings WHERE false;"}
    add_change(project_copy, "booking_channel", [], [], "", bodies=bad)
    script = (project_copy.root / "db/migrations/deploy/booking_channel.sql").read_text().splitlines()
    at = next(n for n, line in enumerate(script, 1) if line.startswith("ALTER TABLE"))
    run = cli(project_copy, "db", "check", database=pg_server.conninfo("postgres"))
    assert run.code == 1
    lines = [line.strip() for line in run.out.splitlines()
             if line.strip().startswith("db/migrations/deploy/booking_channel.sql:")]
    assert lines == [f"db/migrations/deploy/booking_channel.sql:{at}: "
                     "`ALTER TABLE app.bookings ADD COLUMN channel text NOT NULL` adds a NOT NULL column without a "
                     "default: it fails on a populated table, or scans it "
                     "under ACCESS EXCLUSIVE (app.bookings existed before this change); mark it `-- lock: ok "
                     "<reason>` if that is fine"]


def test_the_marker_lets_the_change_through_db_check(project_copy: Project):
    marked = {"deploy": "-- lock: ok app.bookings is empty at this release\n"
                        "ALTER TABLE app.bookings ADD COLUMN channel text NOT NULL;", **REVERT}
    add_change(project_copy, "booking_channel", [], [], "", bodies=marked)
    assert locks.findings(project_copy) == []
    unmarked = project_copy.root / "db/migrations/deploy/booking_channel.sql"
    unmarked.write_text(unmarked.read_text().replace("-- lock: ok app.bookings is empty at this release\n", ""))
    assert [f.path for f in locks.findings(project_copy)] == [unmarked]


def test_this_checkout_has_no_unmarked_long_lock():
    from tests.helpers import ROOT

    assert locks.findings(Project(ROOT)) == []
