"""`db diff` writes changes that keep every security setting; `db check` catches every kind of drift."""

from __future__ import annotations

import os

import pytest
from tessera.migrations import add_change
from tessera.project import Project

THINGS = {
    "deploy": "CREATE TABLE app.things (id int PRIMARY KEY, owner uuid NOT NULL);\n"
              "CREATE INDEX things_owner_idx ON app.things (owner);\n"
              "ALTER TABLE app.things ENABLE ROW LEVEL SECURITY;",
    "revert": "DROP TABLE app.things;",
    "verify": "SELECT id, owner FROM app.things WHERE false;",
}
POLICIES = """\
ALTER TABLE app.things FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS things_owner_reads ON app.things;
CREATE POLICY things_owner_reads ON app.things FOR SELECT TO authenticated USING (owner = (SELECT auth.uid()));
"""
FUNCTIONS = """\
CREATE OR REPLACE FUNCTION api.thing_count() RETURNS bigint
LANGUAGE sql STABLE SET search_path = ''
AS $$ SELECT count(*) FROM app.things $$;
COMMENT ON FUNCTION api.thing_count() IS 'How many things the caller may see.';
REVOKE ALL ON FUNCTION api.thing_count() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.thing_count() TO authenticated;
"""


@pytest.fixture
def with_things(project_copy: Project, pg_server, monkeypatch) -> Project:
    monkeypatch.setenv("DATABASE_URL", pg_server.conninfo("postgres"))
    add_change(project_copy, "things", ["schemas"], [], "Things, owned by users.", bodies=THINGS)
    project_copy.policies_dir.mkdir(exist_ok=True)
    (project_copy.policies_dir / "things.sql").write_text(POLICIES)
    (project_copy.functions_dir / "things.sql").write_text(FUNCTIONS)
    return project_copy


def test_diff_generates_a_change_that_keeps_force_rls_privileges_and_comments(with_things: Project, cli):
    url = os.environ["DATABASE_URL"]
    drift = cli(with_things, "db", "check", database=url)
    assert drift.code == 1 and "FAIL  the plan's schema equals the plan plus db/functions" in drift.out

    assert "db/schema.sql is stale; run `tessera db schema` to regenerate it" in drift.out, "a hand-written change"

    made = cli(with_things, "db", "diff", "thing_rules", "-n", "Who may see things.", database=url)
    assert made.code == 0, made.err
    schema = with_things.schema_file.read_text()
    for needle in ("CREATE TABLE app.things (", "CREATE INDEX things_owner_idx ON app.things",
                   "CREATE POLICY things_owner_reads ON app.things",
                   "ALTER TABLE ONLY app.things FORCE ROW LEVEL SECURITY",
                   "CREATE FUNCTION api.thing_count() RETURNS bigint",
                   "AS $$ … $$;  -- body: db/functions/things.sql",
                   "GRANT ALL ON FUNCTION api.thing_count() TO authenticated;"):
        assert needle in schema, f"db diff rewrote db/schema.sql with {needle}"
    change = with_things.plan().changes[-1]
    deploy = with_things.plan().script(change, "deploy").read_text()
    revert = with_things.plan().script(change, "revert").read_text()
    for needle in ("ALTER TABLE app.things FORCE ROW LEVEL SECURITY",
                   "GRANT EXECUTE ON FUNCTION api.thing_count() TO authenticated",
                   "COMMENT ON FUNCTION api.thing_count() IS 'How many things the caller may see.'",
                   "things_owner_reads"):
        assert needle in deploy
    assert "NO FORCE ROW LEVEL SECURITY" in revert and "thing_count" in revert

    assert cli(with_things, "db", "check", database=url).code == 0

    # Each setting migra cannot see is still proven by the dump comparison: drop it, and check fails.
    path = with_things.plan().script(change, "deploy")
    for needle in ("FORCE ROW LEVEL SECURITY", "GRANT EXECUTE", "COMMENT ON FUNCTION"):
        mutated = "\n".join(line for line in deploy.splitlines() if needle not in line)
        path.write_text(mutated)
        run = cli(with_things, "db", "check", database=url)
        assert run.code == 1, f"check missed a deploy without {needle}"
    path.write_text(deploy)


def test_a_change_that_drops_a_function_retires_earlier_checks_of_it(with_things: Project, cli):
    url = os.environ["DATABASE_URL"]
    assert cli(with_things, "db", "diff", "thing_rules", database=url).code == 0
    first = with_things.plan().script(with_things.plan().changes[-1], "verify")
    assert "api.thing_count()" in first.read_text()

    (with_things.functions_dir / "things.sql").write_text("DROP FUNCTION IF EXISTS api.thing_count();\n")
    made = cli(with_things, "db", "diff", "no_thing_count", database=url)
    assert made.code == 0, made.err
    assert "retired checks it supersedes from db/migrations/verify/thing_rules.sql" in made.out
    assert "api.thing_count()" not in first.read_text()
    assert "no_thing_count changed are retired" in first.read_text()
    # Every verify script passes against the final schema, which is what Sqitch's verify runs them on.
    assert cli(with_things, "db", "check", database=url).code == 0


def test_diff_with_nothing_to_generate_writes_nothing(project_copy: Project, cli, pg_server):
    before = project_copy.plan_file.read_text()
    run = cli(project_copy, "db", "diff", "nothing_new", database=pg_server.conninfo("postgres"))
    assert run.code == 0 and "nothing to generate" in run.out
    assert project_copy.plan_file.read_text() == before
    assert not (project_copy.root / "db/migrations/deploy/nothing_new.sql").exists()


def test_check_fails_on_a_function_not_declared_in_db_functions(project_copy: Project, cli, pg_server):
    sneaky = {"deploy": "CREATE FUNCTION api.sneaky() RETURNS int LANGUAGE sql SET search_path = '' AS 'SELECT 1';",
              "revert": "DROP FUNCTION api.sneaky();", "verify": "SELECT 'api.sneaky()'::regprocedure;"}
    add_change(project_copy, "sneaky", [], [], "", bodies=sneaky)
    run = cli(project_copy, "db", "check", database=pg_server.conninfo("postgres"))
    assert run.code == 1 and "not declared: api.sneaky" in run.out


def test_check_fails_when_a_revert_leaves_something_behind(project_copy: Project, cli, pg_server):
    leaky = {"deploy": "CREATE TABLE app.leak (id int);\nCREATE TABLE public.kept (id int);",
             "revert": "DROP TABLE app.leak;", "verify": "SELECT id FROM app.leak WHERE false;"}
    add_change(project_copy, "leaky", [], [], "", bodies=leaky)
    run = cli(project_copy, "db", "check", database=pg_server.conninfo("postgres"))
    assert run.code == 1
    assert "FAIL  reverting every change restores the empty database" in run.out
    assert "+CREATE TABLE public.kept" in run.out


def test_check_fails_when_a_revert_script_fails(project_copy: Project, cli, pg_server):
    blocking = {"deploy": "CREATE TABLE app.blocker (id int);", "revert": "SELECT 1;",
                "verify": "SELECT id FROM app.blocker WHERE false;"}
    add_change(project_copy, "blocking", [], [], "", bodies=blocking)
    run = cli(project_copy, "db", "check", database=pg_server.conninfo("postgres"))
    assert run.code == 1
    assert "FAIL  reverting every change restores the empty database" in run.out
    assert "cannot drop schema app because other objects depend on it" in run.out


def test_check_passes_on_this_checkout(cli, pg_server):
    from tests.helpers import ROOT

    run = cli(Project(ROOT), "db", "check", database=pg_server.conninfo("postgres"))
    assert run.code == 0, run.out + run.err
    assert "all checks passed" in run.out


def test_check_reports_a_stale_schema_sql_and_db_schema_regenerates_it(project_copy: Project, cli, pg_server):
    from tests.helpers import ROOT

    url = pg_server.conninfo("postgres")
    committed = (ROOT / "db" / "schema.sql").read_text()
    project_copy.schema_file.write_text(committed.replace("CREATE TABLE app.bookings (", "CREATE TABLE app.booking ("))
    run = cli(project_copy, "db", "check", database=url)
    assert run.code == 1
    assert "FAIL  db/schema.sql is the plan's schema" in run.out
    assert "db/schema.sql is stale; run `tessera db schema` to regenerate it" in run.out
    assert run.err == "tessera: 1 check(s) failed: db/schema.sql is the plan's schema (`tessera db schema` writes it)\n"

    made = cli(project_copy, "db", "schema", database=url)
    assert made.code == 0 and made.out == "wrote db/schema.sql\n", made
    assert project_copy.schema_file.read_text() == committed, "regenerating gives the committed file, byte for byte"
    again = cli(project_copy, "db", "schema", database=url)
    assert again.code == 0 and again.out == "db/schema.sql is current\n"

    project_copy.schema_file.unlink()
    assert cli(project_copy, "db", "schema", database=url).code == 0
    assert project_copy.schema_file.read_text() == committed


def test_schema_sql_shows_the_schema_and_nothing_that_varies():
    from tests.helpers import ROOT

    schema = (ROOT / "db" / "schema.sql").read_text()
    for needle in ("CREATE SCHEMA api;", "CREATE TYPE app.booking_status AS ENUM", "CREATE TABLE app.bookings (",
                   "ADD CONSTRAINT bookings_pkey PRIMARY KEY", "FOREIGN KEY", "CREATE INDEX", "CREATE TRIGGER",
                   "CREATE POLICY", "ENABLE ROW LEVEL SECURITY", "FORCE ROW LEVEL SECURITY",
                   "COMMENT ON FUNCTION api.create_booking(", "REVOKE ALL ON FUNCTION api.create_booking(",
                   "GRANT ALL ON FUNCTION api.create_booking("):
        assert needle in schema, needle
    for noise in ("\\restrict", "Dumped from", "Dumped by", "Owner:", "OWNER TO", "SET default_", "-- Name:",
                  "CREATE SCHEMA sqitch", "CREATE SCHEMA auth", "nowhere: declare"):
        assert noise not in schema, noise
    functions = schema.count("\nCREATE FUNCTION ")
    assert functions > 40 and schema.count("AS $$ … $$;  -- body: db/functions/") == functions
    assert "$$ LANGUAGE" not in schema and "\nBEGIN\n" not in schema, "no function bodies"
