"""The native engine: one transaction per change, clear refusals that change nothing, Sqitch's lock."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from tessera.errors import Refusal
from tessera.project import Project
from tessera.server import Server
from tessera.sqitch import engine as engine_module
from tessera.sqitch.engine import Engine
from tessera.sqitch.registry import ADVISORY_LOCK_KEY

P = "2026-01-05T10:00:00Z Jane Dev <jane@example.com>"


def make_project(root: Path, changes: dict[str, tuple[str, str, str]], plan_lines: list[str] | None = None) -> Project:
    """A small project: each change's deploy, revert and verify body, wrapped as Sqitch scripts are."""
    (root / "sqitch.conf").write_text(
        "[core]\n\tengine = pg\n\ttop_dir = db\n\tplan_file = db/sqitch.plan\n"
        "\tdeploy_dir = db/migrations/deploy\n\trevert_dir = db/migrations/revert\n"
        "\tverify_dir = db/migrations/verify\n"
    )
    lines = plan_lines or [f"{name} {P}" for name in changes]
    (root / "db").mkdir()
    (root / "db" / "sqitch.plan").write_text("%syntax-version=1.0.0\n%project=eng\n\n" + "\n".join(lines) + "\n")
    for name, bodies in changes.items():
        write_scripts(root, name, *bodies)
    return Project(root)


def write_scripts(root: Path, name: str, deploy: str, revert: str, verify: str) -> None:
    for kind, body in (("deploy", deploy), ("revert", revert), ("verify", verify)):
        folder = root / "db" / "migrations" / kind
        folder.mkdir(parents=True, exist_ok=True)
        end = "ROLLBACK;" if kind == "verify" else "COMMIT;"
        (folder / f"{name}.sql").write_text(f"-- {kind} {name}\nBEGIN;\n\n{body}\n\n{end}\n")


TABLES = {
    "one": ("CREATE TABLE public.one (id int);", "DROP TABLE public.one;", "SELECT id FROM public.one WHERE false;"),
    "two": ("CREATE TABLE public.two (id int);", "DROP TABLE public.two;", "SELECT id FROM public.two WHERE false;"),
}


def tables(conninfo: str) -> set[str]:
    with psycopg.connect(conninfo) as conn:
        return {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}


def registry_rows(conninfo: str) -> tuple:
    with psycopg.connect(conninfo) as conn:
        if conn.execute("SELECT to_regclass('sqitch.changes')").fetchone()[0] is None:
            return ((), ())
        return (
            tuple(conn.execute("SELECT change FROM sqitch.changes ORDER BY committed_at").fetchall()),
            tuple(conn.execute("SELECT event, change FROM sqitch.events ORDER BY committed_at").fetchall()),
        )


def test_a_failing_change_leaves_nothing_behind_and_earlier_changes_stay(tmp_path, cli, empty_db):
    broken = ("CREATE TABLE public.half (id int);\nSELECT no_such_column FROM public.half;",
              "DROP TABLE public.half;", "SELECT 1;")
    project = make_project(tmp_path, {**TABLES, "broken": broken})
    run = cli(project, "db", "deploy", database=empty_db)
    assert run.code == 2
    assert run.err.count("\n") == 1
    assert "db/migrations/deploy/broken.sql line 5" in run.err and "no_such_column" in run.err
    assert tables(empty_db) == {"one", "two"}, "the half-run change left no table"
    changes, events = registry_rows(empty_db)
    assert changes == (("one",), ("two",))
    assert events[-1] == ("fail", "broken")


def test_verify_failure_rolls_the_change_back(tmp_path, cli, empty_db):
    lying = ("CREATE TABLE public.lie (id int);", "DROP TABLE public.lie;", "SELECT missing FROM public.lie;")
    project = make_project(tmp_path, {**TABLES, "lie": lying})
    assert cli(project, "db", "deploy", "--verify", database=empty_db).code == 2
    assert tables(empty_db) == {"one", "two"}
    assert registry_rows(empty_db)[0] == (("one",), ("two",))
    assert cli(project, "db", "deploy", database=empty_db).code == 0, "without --verify the same change deploys"
    assert cli(project, "db", "verify", database=empty_db).code == 1


def test_status_exit_code_follows_pending_changes(tmp_path, cli, empty_db):
    project = make_project(tmp_path, TABLES)
    assert cli(project, "db", "status", database=empty_db).code == 1
    assert cli(project, "db", "deploy", "--to", "one", database=empty_db).code == 0
    run = cli(project, "db", "status", database=empty_db)
    assert run.code == 1 and "pending: 1" in run.out and "* two" in run.out
    assert cli(project, "db", "deploy", database=empty_db).code == 0
    run = cli(project, "db", "status", database=empty_db)
    assert run.code == 0 and "up to date" in run.out


def test_revert_to_a_tag_and_to_a_change(tmp_path, cli, empty_db):
    three = {**TABLES, "three": ("CREATE TABLE public.three ();", "DROP TABLE public.three;", "SELECT 1;")}
    project = make_project(tmp_path, three, [f"one {P}", f"@v1 {P}", f"two {P}", f"three {P}"])
    assert cli(project, "db", "deploy", database=empty_db).code == 0
    assert cli(project, "db", "revert", "--to", "two", "-y", database=empty_db).code == 0
    assert tables(empty_db) == {"one", "two"}
    assert cli(project, "db", "revert", "--to", "@v1", "-y", database=empty_db).code == 0
    assert tables(empty_db) == {"one"}
    assert cli(project, "db", "revert", "-y", database=empty_db).code == 0
    assert tables(empty_db) == set()
    events = registry_rows(empty_db)[1]
    assert [e for e, _ in events].count("revert") == 3


def test_revert_without_confirmation_is_refused_and_changes_nothing(tmp_path, cli, empty_db):
    project = make_project(tmp_path, TABLES)
    assert cli(project, "db", "deploy", database=empty_db).code == 0
    run = cli(project, "db", "revert", database=empty_db)
    assert run.code == 2 and "pass -y" in run.err
    assert tables(empty_db) == {"one", "two"}


@pytest.mark.parametrize("tamper", ["edit_deployed_script", "drop_deployed_change_from_plan"])
def test_a_registry_the_plan_cannot_explain_is_refused(tmp_path, cli, empty_db, tamper):
    project = make_project(tmp_path, TABLES)
    assert cli(project, "db", "deploy", database=empty_db).code == 0
    before = registry_rows(empty_db)
    if tamper == "edit_deployed_script":
        path = project.root / "db/migrations/deploy/one.sql"
        path.write_text(path.read_text().replace("(id int)", "(id bigint)"))
        expected = "changed since it was deployed"
    else:
        plan = project.plan_file
        plan.write_text(plan.read_text().replace(f"two {P}\n", ""))
        expected = "not in sqitch.plan"
    for command in (["db", "deploy"], ["db", "status"], ["db", "revert", "-y"], ["db", "verify"]):
        run = cli(project, *command, database=empty_db)
        assert run.code == 2 and expected in run.err and run.err.count("\n") == 1, command
    assert registry_rows(empty_db) == before


def test_a_plan_with_a_missing_script_or_unknown_dependency_is_refused_before_touching_the_database(
        tmp_path, cli, empty_db):
    project = make_project(tmp_path, TABLES, [f"one {P}", f"two [nothing] {P}"])
    run = cli(project, "db", "deploy", database=empty_db)
    assert run.code == 2 and "requires unknown change 'nothing'" in run.err
    (project.root / "db/sqitch.plan").write_text("%project=eng\n\n" + f"one {P}\ntwo {P}\n")
    (project.root / "db/migrations/verify/two.sql").unlink()
    run = cli(project, "db", "deploy", database=empty_db)
    assert run.code == 2 and "has no verify script" in run.err
    assert tables(empty_db) == set() and registry_rows(empty_db) == ((), ())


def test_scripts_that_cannot_run_in_one_transaction_are_refused(tmp_path, cli, empty_db):
    mid = ("CREATE TABLE public.a ();\nCOMMIT;\nCREATE TABLE public.b ();", "SELECT 1;", "SELECT 1;")
    project = make_project(tmp_path, {"mid": mid})
    run = cli(project, "db", "deploy", database=empty_db)
    assert run.code == 2 and "COMMIT inside the script" in run.err
    write_scripts(project.root, "mid", "\\set x 1\nSELECT 1;", "SELECT 1;", "SELECT 1;")
    run = cli(project, "db", "deploy", database=empty_db)
    assert run.code == 2 and "psql meta-command" in run.err
    assert tables(empty_db) == set()


def test_a_scripts_session_settings_do_not_leak_into_the_next_change(tmp_path, cli, empty_db):
    changes = {
        "setter": ("CREATE SCHEMA elsewhere;\nSET search_path = elsewhere;", "DROP SCHEMA elsewhere;", "SELECT 1;"),
        "user": ("CREATE TABLE unqualified ();", "DROP TABLE public.unqualified;", "SELECT 1;"),
    }
    project = make_project(tmp_path, changes)
    assert cli(project, "db", "deploy", database=empty_db).code == 0
    assert "unqualified" in tables(empty_db)


def test_deploy_waits_for_sqitchs_advisory_lock_then_gives_up(tmp_path, pg_server: Server, empty_db, monkeypatch):
    project = make_project(tmp_path, TABLES)
    monkeypatch.setattr(engine_module, "LOCK_WAIT_SECONDS", 1)
    with psycopg.connect(empty_db, autocommit=True) as holder, psycopg.connect(empty_db, autocommit=True) as conn:
        holder.execute("SELECT pg_advisory_lock(%s)", (ADVISORY_LOCK_KEY,))
        with pytest.raises(Refusal, match="another deploy holds the registry lock"):
            Engine(project.plan(), conn, say=lambda _: None).deploy()
        holder.execute("SELECT pg_advisory_unlock(%s)", (ADVISORY_LOCK_KEY,))
        Engine(project.plan(), conn, say=lambda _: None).deploy()
    assert tables(empty_db) == {"one", "two"}


def test_a_change_conflicting_with_an_earlier_one_is_refused_before_anything_runs(tmp_path, cli, empty_db):
    changes = {**TABLES, "three": ("CREATE TABLE public.three ();", "DROP TABLE public.three;", "SELECT 1;")}
    project = make_project(tmp_path, changes, [f"one {P}", f"two {P}", f"three [!one] {P}"])
    run = cli(project, "db", "deploy", database=empty_db)
    assert run.code == 2 and "conflicts with 'one'" in run.err
    assert tables(empty_db) == set()


def test_a_tag_added_after_deploy_is_recorded_by_the_next_deploy(tmp_path, cli, empty_db):
    project = make_project(tmp_path, TABLES)
    assert cli(project, "db", "deploy", database=empty_db).code == 0
    project.plan_file.write_text(project.plan_file.read_text() + f"@v9 {P} # tagged later\n")
    run = cli(project, "db", "deploy", database=empty_db)
    assert run.code == 0 and "Nothing to deploy" in run.out
    with psycopg.connect(empty_db) as conn:
        rows = conn.execute("SELECT tag, tag_id, note FROM sqitch.tags").fetchall()
    assert rows == [("@v9", project.plan().changes[-1].tags[0].id, "tagged later")]


def test_sqitch_defaults_apply_to_a_minimal_sqitch_conf(tmp_path, cli, empty_db):
    """Sqitch's lookup: the plan defaults to $top_dir/sqitch.plan, scripts to $top_dir/<kind>, engine.pg overrides."""
    (tmp_path / "sqitch.conf").write_text('[core]\n\tengine = pg\n\ttop_dir = db\n[engine "pg"]\n\tregistry = reg\n')
    (tmp_path / "db").mkdir()
    (tmp_path / "db" / "sqitch.plan").write_text(f"%project=eng\n\none {P}\n")
    for kind, body in zip(("deploy", "revert", "verify"), TABLES["one"], strict=True):
        (tmp_path / "db" / kind).mkdir()
        (tmp_path / "db" / kind / "one.sql").write_text(body)
    project = Project(tmp_path)
    assert project.plan_file == tmp_path / "db" / "sqitch.plan" and project.registry == "reg"
    assert cli(project, "db", "deploy", database=empty_db).code == 0
    with psycopg.connect(empty_db) as conn:
        assert conn.execute("SELECT change FROM reg.changes").fetchall() == [("one",)]


def test_sql_standard_function_bodies_are_one_statement(tmp_path, cli, empty_db):
    atomic = ("CREATE FUNCTION public.sign(a int) RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n"
              "  SELECT CASE WHEN a > 0 THEN 1 WHEN a < 0 THEN -1 ELSE 0 END;\nEND;",
              "DROP FUNCTION public.sign(int);", "SELECT public.sign(-5);")
    project = make_project(tmp_path, {"atomic": atomic})
    run = cli(project, "db", "deploy", "--verify", database=empty_db)
    assert run.code == 0, run.err
