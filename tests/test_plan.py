"""The plan parser reads Sqitch's format completely and refuses, in one line, what Sqitch would refuse."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from tessera.errors import Refusal
from tessera.sqitch.plan import ScriptDirs, canonical_uri, format_change_line, parse_plan, read_plan, sqitch_id

HEAD = "%syntax-version=1.0.0\n%project=demo\n\n"
P = "2026-01-05T10:00:00Z Jane Dev <jane@example.com>"


def dirs(root: Path) -> ScriptDirs:
    return ScriptDirs(root / "deploy", root / "revert", root / "verify")


def parse(text: str, root: Path = Path("/nowhere")):
    return parse_plan(text, root / "sqitch.plan", dirs(root))


def refused(text: str) -> str:
    with pytest.raises(Refusal) as exc:
        parse(text)
    message = str(exc.value)
    assert "\n" not in message
    return message


def test_id_framing_is_gits_object_hash():
    content = "project demo\nchange ünïcode"
    git = subprocess.run(["git", "hash-object", "--stdin"], input=content.encode(), capture_output=True, check=True)
    assert sqitch_id("blob", content) == git.stdout.decode().strip()


def test_parses_pragmas_changes_dependencies_tags_and_notes():
    plan = parse(
        "%syntax-version=1.0.0\n%project=demo\n%uri=https://Example.COM:443/demo\n\n"
        "# a comment line\n"
        f"appschema {P} # App schema.\n"
        f"users [appschema] {P} # Users \\\\ with\\na second line\n"
        f"@v1.0 {P} # Tag v1.0.\n"
        "\n"
        f"+bookings [users !oldthing other:thing@v2 users@v1.0] {P}\n"
    )
    assert plan.project == "demo"
    assert plan.uri == "https://Example.COM:443/demo"
    assert [c.name for c in plan.changes] == ["appschema", "users", "bookings"]
    users, bookings = plan.changes[1], plan.changes[2]
    assert users.note == "Users \\ with\na second line"
    assert [t.name for t in users.tags] == ["v1.0"]
    assert [d.as_string("demo") for d in bookings.requires] == ["users", "other:thing@v2", "users@v1.0"]
    assert [d.as_string("demo") for d in bookings.conflicts] == ["oldthing"]
    assert bookings.parent is users and users.parent is plan.changes[0]
    assert len({c.id for c in plan.changes}) == 3


def test_change_info_lists_requires_conflicts_and_note_as_sqitch_hashes_them():
    plan = parse(HEAD + f"a {P}\nb [a !c] {P} # note\n")
    info = plan.changes[1].info("demo", None).splitlines()
    assert info[0:3] == ["project demo", "change b", f"parent {plan.changes[0].id}"]
    assert info[-6:] == ["requires", "  + a", "conflicts", "  - c", "", "note"]


def test_uri_is_canonicalised_in_ids():
    assert canonical_uri("HTTPS://Example.COM:443/demo") == "https://example.com/demo"
    assert canonical_uri("http://example.com:8080/x") == "http://example.com:8080/x"
    one = parse("%project=demo\n%uri=https://Example.COM:443/demo\n\n" + f"a {P}\n")
    two = parse("%project=demo\n%uri=https://example.com/demo\n\n" + f"a {P}\n")
    assert one.changes[0].id == two.changes[0].id


def test_reworked_change_uses_the_tagged_script_and_has_its_own_id(tmp_path: Path):
    text = HEAD + f"users {P}\n@v1.0 {P}\nbookings [users] {P}\n@v1.1 {P}\nusers [users@v1.1] {P}\n"
    text += f"widgets [users] {P}\n"
    for kind in ("deploy", "revert", "verify"):
        (tmp_path / kind).mkdir()
        for name in ("users.sql", "users@v1.1.sql", "bookings.sql", "widgets.sql"):
            (tmp_path / kind / name).write_text("SELECT 1;")
    plan = parse(text, tmp_path)
    old, new = plan.changes[0], plan.changes[2]
    assert [t.name for t in old.rework_tags] == ["v1.1", "v1.0"]
    assert plan.script(old, "deploy").name == "users@v1.1.sql"
    assert plan.script(new, "deploy").name == "users.sql"
    assert old.id != new.id
    assert plan.resolve_requirement(new, new.requires[0]) is old
    # Sqitch resolves a bare name to the first instance, even after a rework; the registry must agree.
    widgets = plan.changes[3]
    assert plan.resolve_requirement(widgets, widgets.requires[0]) is old


def test_change_names_may_hold_folders(tmp_path: Path):
    plan = parse(HEAD + f"func/add_user {P}\n", tmp_path)
    assert plan.script(plan.changes[0], "revert") == tmp_path / "revert" / "func" / "add_user.sql"


def test_change_specs_resolve_as_sqitch_does():
    plan = parse(HEAD + f"a {P}\n@one {P}\nb {P}\nc {P}\n@two {P}\n")
    assert plan.index_of("@one") == 0
    assert plan.index_of("@two") == 2
    assert plan.index_of("@HEAD") == 2
    assert plan.index_of("@ROOT") == 0
    assert plan.index_of("@HEAD^") == 1
    assert plan.index_of("c~2") is None
    assert plan.index_of("a~2") == 2
    assert plan.index_of("b@two") == 1
    assert plan.index_of(plan.changes[1].id) == 1
    assert plan.index_of("nope") is None


def test_reworked_name_alone_is_ambiguous():
    plan = parse(HEAD + f"a {P}\n@one {P}\na [a@one] {P}\n")
    with pytest.raises(Refusal, match="ambiguous"):
        plan.index_of("a")
    assert plan.index_of("a@one") == 0
    assert plan.index_of("a@HEAD") == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("%syntax-version=1.0.0\n\n" + f"a {P}\n", "missing %project"),
        (HEAD + f"b [a] {P}\n", "requires unknown change 'a'"),
        (HEAD + f"a [b] {P}\nb [a] {P}\n", "planned before its requirement 'b'"),
        (HEAD + f"a [a] {P}\n", "cannot require itself"),
        (HEAD + f"a {P}\na {P}\n", "duplicates the declaration on line 4"),
        (HEAD + f"@v1 {P}\n", "declared without a preceding change"),
        (HEAD + f"a {P}\n@v1 {P}\nb {P}\n@v1 {P}\n", "duplicates the declaration"),
        (HEAD + f"HEAD {P}\n", "reserved name"),
        (HEAD + f"a-{P}\n", "invalid name"),
        (HEAD + "a 2026-01-05T10:00:00Z\n", "missing planner"),
        (HEAD + "a Jane <j@x>\n", "missing timestamp"),
        (HEAD + f"a [x@@y] {P}\n", "not a valid dependency"),
        (HEAD + f"a [b b] {P}\n", "duplicate dependency"),
        (HEAD + f"a {P}\n@v/1 {P}\n", "invalid name"),
        (HEAD + "a 2026-02-30T10:00:00Z Jane <j@x>\n", "not a real date"),
        (HEAD + f"a\u00a0b {P}\n", "invalid name"),
        (HEAD + f"a {P}\n@v1 {P}\na {P}\n@v2 {P}\nb [a@v1] {P}\n", "requires unknown change 'a@v1'"),
        ("%project=demo\nnot a pragma\n", "invalid pragma"),
    ],
)
def test_bad_plans_are_refused_with_the_line(text: str, expected: str):
    assert expected in refused(text)


def test_a_change_without_its_scripts_is_refused(tmp_path: Path):
    (tmp_path / "sqitch.plan").write_text(HEAD + f"a {P}\n")
    for kind in ("deploy", "revert"):
        (tmp_path / kind).mkdir()
        (tmp_path / kind / "a.sql").write_text("SELECT 1;")
    with pytest.raises(Refusal, match="has no verify script"):
        read_plan(tmp_path / "sqitch.plan", dirs(tmp_path))


def test_formatted_change_lines_parse_back_unchanged():
    line = format_change_line("b", ["a"], ["c"], "Jane Dev", "jane@example.com", "two\nlines \\ here")
    plan = parse(HEAD + f"a {P}\n" + line + "\n")
    change = plan.changes[1]
    assert change.note == "two\nlines \\ here"
    assert [d.key for d in change.requires] == ["a"]
    assert [d.key for d in change.conflicts] == ["c"]


def test_a_reworked_change_may_require_its_earlier_instance_by_name():
    plan = parse(HEAD + f"a {P}\n@v1 {P}\na [a] {P}\n")
    assert plan.resolve_requirement(plan.changes[1], plan.changes[1].requires[0]) is plan.changes[0]


def test_only_newlines_end_plan_lines():
    plan = parse(HEAD + f"a {P} # form\ffeed and \x85 next line\r\n")
    assert plan.changes[0].note == "form\ffeed and \x85 next line"


def test_tag_ids_resolve_as_change_specs():
    plan = parse(HEAD + f"a {P}\n@one {P}\nb {P}\n")
    assert plan.index_of(plan.changes[0].tags[0].id) == 0
