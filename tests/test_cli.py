"""Every CLI error is one line that says what and what to do, exit 2, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from tessera.project import Project

from tests.helpers import ROOT, run_tessera


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        (["frobnicate"], {}, "invalid choice"),
        (["db"], {}, "required"),
        (["db", "deploy", "--to", "no_such_change"], None, "unknown change 'no_such_change'"),
        (["db", "status"], {"DATABASE_URL": "postgresql://nobody@127.0.0.1:1/nothing"}, "cannot connect"),
        (["db", "status"], {"DATABASE_URL": "this is not a url"}, "not a valid PostgreSQL URL"),
        (["serve", "--port", "not-a-number"], {}, "invalid int value"),
        (["serve"], {"TESSERA_PORT": "abc"}, "invalid int value"),
    ],
)
def test_errors_are_one_line_with_exit_2(args, env, expected, pg_server, test_db):
    env = {"DATABASE_URL": pg_server.conninfo(test_db)} if env is None else env
    run = run_tessera(*args, cwd=ROOT, env=env)
    assert run.code == 2, run
    assert run.err.startswith("tessera: ") and run.err.count("\n") == 1, run.err
    assert expected in run.err
    assert "Traceback" not in run.err + run.out


def test_outside_a_checkout_says_where_to_go(tmp_path: Path):
    run = run_tessera("db", "status", cwd=tmp_path, env={"TESSERA_PROJECT": ""})
    assert run.code == 2 and "not inside a Tessera checkout" in run.err


def test_db_add_writes_the_triple_and_the_plan_line(project_copy: Project, cli, empty_db):
    run = cli(project_copy, "db", "add", "venues", "--requires", "schemas", "-n", "Venues and their hours.")
    assert run.code == 0, run.err
    plan = project_copy.plan()
    change = plan.changes[-1]
    assert (change.name, [d.key for d in change.requires], change.note) == (
        "venues", ["schemas"], "Venues and their hours.")
    deploy = plan.script(change, "deploy").read_text()
    assert deploy.startswith("-- Deploy tessera:venues to pg\n-- requires: schemas\n")
    assert "BEGIN;" in deploy and deploy.rstrip().endswith("COMMIT;")
    assert plan.script(change, "verify").read_text().rstrip().endswith("ROLLBACK;")
    # A verify nobody has written yet must not pass.
    run = cli(project_copy, "db", "deploy", "--verify", database=empty_db)
    assert run.code == 2 and "verify script of venues is not written yet" in run.err


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["roles"], "already in the plan"),
        (["bad name!"], "not a valid change name"),
        (["HEAD"], "not a valid change name"),
        (["venues", "--requires", "nowhere"], "requires unknown change 'nowhere'"),
    ],
)
def test_db_add_refuses_and_writes_nothing(project_copy: Project, cli, args, expected):
    before = project_copy.plan_file.read_text()
    files = sorted(project_copy.root.rglob("*"))
    run = cli(project_copy, "db", "add", *args)
    assert run.code == 2 and expected in run.err
    assert project_copy.plan_file.read_text() == before
    assert sorted(project_copy.root.rglob("*")) == files


def test_a_plan_that_is_not_utf8_is_one_line(project_copy):
    project_copy.plan_file.write_bytes(project_copy.plan_file.read_bytes() + b"broken \xff\n")
    run = run_tessera("db", "status", cwd=project_copy.root, env={"DATABASE_URL": "postgresql://x@127.0.0.1:1/x"})
    assert run.code == 2 and "is not UTF-8" in run.err and "Traceback" not in run.err


def test_an_unreadable_script_is_one_line(project_copy, pg_server, tessera_databases):
    (project_copy.root / "db/migrations/deploy/roles.sql").write_bytes(b"\xff\xfe")
    url = pg_server.conninfo(tessera_databases.empty("unreadable"))
    run = run_tessera("db", "deploy", cwd=project_copy.root, env={"DATABASE_URL": url})
    assert run.code == 2 and run.err.count("\n") == 1 and "Traceback" not in run.err
