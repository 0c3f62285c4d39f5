"""Every CLI error is one line that says what and what to do, exit 2, never a traceback."""

from __future__ import annotations

import argparse
import base64
import json
from pathlib import Path

import psycopg
import pytest
from tessera.cli import Bounded, build_parser
from tessera.errors import Refusal
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
        (["serve"], {"TESSERA_WORKERS": "abc"}, "invalid int value"),
        (["db", "deploy", "--to", ""], None, "argument --to: an empty value names nothing"),
        (["db", "revert", "--to", "", "-y"], None, "argument --to: an empty value names nothing"),
        (["db", "revert", "--to", " ", "-y"], None, "argument --to: an empty value names nothing"),
        (["serve"], {"TESSERA_HOST": " "}, "argument --host: an empty value names nothing"),
        (["token", "--role", "anon", "--ttl", "0"], {}, "argument --ttl: 0 is out of range"),
        (["token", "--role", "anon", "--ttl", "-60"], {}, "argument --ttl: -60 is out of range"),
        (["token", "--role", "anon", "--ttl", "1000000000000"], {}, "give 1 to 31536000 seconds"),
        (["token", "--sub", "not-a-uuid"], {}, "argument --sub: 'not-a-uuid' is not a uuid"),
        (["token", "--sub", ""], {}, "argument --sub: '' is not a uuid"),
        (["seed", "--scale", "1000000000000"], {}, "argument --scale: 1000000000000 is out of range"),
        (["seed", "--scale", "100", "--seed", "99999999999"], {}, "argument --seed: 99999999999 is out of range"),
        (["bench", "rpc", "--concurrency", "0,8"], {}, "argument --concurrency"),
    ],
)
def test_errors_are_one_line_with_exit_2(args, env, expected, pg_server, tessera_databases):
    if env is None:
        env = {"DATABASE_URL": pg_server.conninfo(tessera_databases.clone("cli_errors"))}
    # Refused before any database is needed; should that break, it must not reach this checkout's own cluster.
    env = {"DATABASE_URL": "postgresql://nobody@127.0.0.1:1/nothing", **env}
    run = run_tessera(*args, cwd=ROOT, env=env)
    assert run.code == 2, run
    assert run.err.startswith("tessera: ") and run.err.count("\n") == 1, run.err
    assert expected in run.err
    assert run.out == "", "nothing but the one line: no half-printed report before it"
    assert "Traceback" not in run.err + run.out


NEEDS_THE_DATABASE = [
    ["db", "status"], ["db", "deploy"], ["db", "revert", "-y"], ["db", "verify"], ["db", "diff", "x"],
    ["db", "check"], ["db", "schema"], ["db", "url"], ["db", "backup"], ["seed", "--demo"], ["seed", "--scale", "100"],
    ["bench", "availability"], ["bench", "booking"], ["token", "--org", "x"],
]


@pytest.mark.parametrize("args", NEEDS_THE_DATABASE, ids=" ".join)
def test_every_command_on_an_unreachable_server_prints_its_one_line_and_nothing_else(args, cli, project_copy):
    run = cli(project_copy, *args, database="postgresql://nobody@127.0.0.1:1/nothing")
    if args == ["db", "url"]:  # prints the URL it was given, without connecting
        assert run.code == 0 and run.out == "postgresql://nobody@127.0.0.1:1/nothing\n"
        return
    assert run.code == 2 and run.out == "", run
    assert run.err == ("tessera: cannot connect to postgresql://nobody@127.0.0.1:1/nothing: Connection refused; "
                       "check the server and DATABASE_URL\n")


def _options(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    """(argv before the option, option action) for every option of every command, with required positionals."""
    positionals = [a for a in parser._actions if not a.option_strings and a.dest != "help"
                   and not isinstance(a, argparse._SubParsersAction)]
    before = [*path, *(str(a.choices[0]) if a.choices else "x" for a in positionals)]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _options(sub, (*path, name))
        elif action.option_strings and action.dest != "help":
            yield before, action


OPTIONS = list(_options(build_parser()))
NUMERIC = [(before, a) for before, a in OPTIONS if isinstance(a.type, Bounded)]


def test_every_numeric_option_of_the_cli_is_bounded():
    assert len(NUMERIC) >= 12, "the walk found the numeric options"
    unbounded = [f"{' '.join(before)} {a.option_strings[-1]}" for before, a in OPTIONS if a.type in (int, float)]
    assert not unbounded, "give these a Bounded type (what range makes sense, and why)"


@pytest.mark.parametrize(("before", "action"), NUMERIC,
                         ids=[f"{' '.join(b)} {a.option_strings[-1]}" for b, a in NUMERIC])
def test_each_numeric_option_refuses_what_is_out_of_range(before, action):
    bounds: Bounded = action.type
    option = action.option_strings[-1]
    bad = [str(bounds.low - 1), str(bounds.high + 1), "abc", ""]
    if bounds.kind is float:
        bad += ["nan", "inf", "-inf"]
    for value in bad:
        with pytest.raises(Refusal, match=f"argument {'/'.join(action.option_strings)}: "):
            build_parser().parse_args([*before, option, value])
    for value in (bounds.low, bounds.high):
        assert getattr(build_parser().parse_args([*before, option, str(value)]), action.dest) == value


# Options for which an empty value means something: an empty plan note.
EMPTY_ALLOWED = {"--note"}
VALUED = [(before, a) for before, a in OPTIONS if isinstance(a, argparse._StoreAction | argparse._AppendAction)
          and a.option_strings[-1] not in EMPTY_ALLOWED]


@pytest.mark.parametrize(("before", "action"), VALUED,
                         ids=[f"{' '.join(b)} {a.option_strings[-1]}" for b, a in VALUED])
def test_each_option_refuses_an_empty_value_instead_of_taking_it_for_absent(before, action):
    option = action.option_strings[-1]
    for value in ("", "  "):
        with pytest.raises(Refusal, match=f"argument {'/'.join(action.option_strings)}: "):
            build_parser().parse_args([*before, option, value])


def test_the_engine_takes_an_empty_target_for_a_name_not_for_everything(pg_server, tessera_databases):
    from tessera.sqitch.engine import Engine

    with pg_server.connect(tessera_databases.clone("empty_target"), autocommit=True) as conn:
        engine = Engine(Project(ROOT).plan(), conn, "sqitch", say=lambda _: None)
        for command in (engine.deploy, engine.revert):
            with pytest.raises(Refusal, match="unknown change ''"):
                command(to="")
        assert engine.state().pending == [], "nothing was reverted"


def _claims(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_token_accepts_the_bounds_and_normalizes_the_sub(cli):
    run = cli(Project(ROOT), "token", "--sub", "D0000000-0000-4000-8000-000000000001", "--ttl", "1")
    assert run.code == 0, run.err
    claims = _claims(run.out.strip())
    assert claims["sub"] == "d0000000-0000-4000-8000-000000000001" and claims["exp"] - claims["iat"] == 1
    year = cli(Project(ROOT), "token", "--role", "anon", "--ttl", "31536000")
    assert year.code == 0 and _claims(year.out.strip())["exp"] - _claims(year.out.strip())["iat"] == 31536000


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


def test_user_add_makes_an_account_once_and_mints_its_token(project_copy: Project, cli, tessera_databases, pg_server):
    database = pg_server.conninfo(tessera_databases.clone("user_add"))
    first = cli(project_copy, "user", "add", " Sam@Example.com ", "--name", "Sam Door", database=database)
    assert first.code == 0, first.err
    made = json.loads(first.out)
    assert (made["email"], made["created"]) == ("sam@example.com", True)
    assert _claims(made["token"])["sub"] == made["user_id"]
    again = json.loads(cli(project_copy, "user", "add", "sam@example.com", database=database).out)
    assert (again["user_id"], again["created"]) == (made["user_id"], False)
    with psycopg.connect(database) as conn:
        assert conn.execute("SELECT display_name FROM app.profiles WHERE user_id = %s",
                            (made["user_id"],)).fetchone() == ("Sam Door",)
    bad = cli(project_copy, "user", "add", "not an address", database=database)
    assert bad.code == 2 and "is not an e-mail address" in bad.err and "Traceback" not in bad.err
