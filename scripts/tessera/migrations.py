"""Writing new changes: the deploy/revert/verify triple and its plan line, as `sqitch add` would."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tessera.errors import Refusal
from tessera.project import Project
from tessera.sqitch.engine import identity
from tessera.sqitch.plan import Change, Plan, format_change_line, parse_plan, valid_name

HEADER = "-- {verb} {project}:{name} {prep} pg\n{requires}--\n{about}\n"


def _about(note: str, default: str) -> str:
    text = note.strip() or default
    return "\n".join(f"-- {line}".rstrip() for line in text.splitlines())


def render(kind: str, project: str, name: str, requires: list[str], note: str, body: str = "") -> str:
    verb = {"deploy": "Deploy", "revert": "Revert", "verify": "Verify"}[kind]
    reqs = "".join(f"-- requires: {r}\n" for r in requires) if kind == "deploy" else ""
    about = {
        "deploy": _about(note, "What this change is for, and why."),
        "revert": "-- Undoes exactly what the deploy script did, leaving the schema as it was before it.",
        "verify": "-- Raises when something the deploy script made is missing; changes nothing.",
    }[kind]
    closer = "ROLLBACK;" if kind == "verify" else "COMMIT;"
    if not body:
        body = (f"DO $$ BEGIN RAISE EXCEPTION 'verify script of {name} is not written yet'; END $$;\n"
                if kind == "verify" else "")
    prep = {"deploy": "to", "revert": "from", "verify": "on"}[kind]
    head = HEADER.format(verb=verb, prep=prep, project=project, name=name, requires=reqs, about=about)
    return f"{head}\nBEGIN;\n\n{body.rstrip()}\n\n{closer}\n".replace("\n\n\n", "\n\n")


def check_new_change(plan: Plan, name: str, requires: list[str], conflicts: list[str]) -> None:
    if not valid_name(name):
        raise Refusal(f"{name!r} is not a valid change name: no leading or trailing punctuation, "
                      "no '@', ':', '#', '\\' or blanks, and not HEAD or ROOT")
    if any(c.name == name for c in plan.changes):
        raise Refusal(f"change {name!r} is already in the plan; pick a new name (or rework it with `sqitch rework`)")
    line = format_change_line(name, requires, conflicts, "x", "x@x", "")
    # Parse the plan with the new line appended: the same validation as reading it, one code path.
    parse_plan(with_line(plan, line), plan.path, plan.dirs)


def with_line(plan: Plan, line: str) -> str:
    """The plan's text with one more line; the first change also gets the blank line that ends the pragmas."""
    text = plan.path.read_text(encoding="utf-8").rstrip("\n") + "\n"
    if not plan.changes and not text.endswith("\n\n"):
        text += "\n"
    return text + line + "\n"


def add_change(project: Project, name: str, requires: list[str], conflicts: list[str], note: str,
               bodies: dict[str, str] | None = None, when: datetime | None = None) -> dict[str, Path]:
    """Write the triple and append the plan line; nothing is written when any part would be refused."""
    plan = project.plan(check_files=False)
    check_new_change(plan, name, requires, conflicts)
    probe = Change(name=name, timestamp="", planner_name="", planner_email="", note="", lineno=0, index=0)
    paths = {kind: plan.script(probe, kind) for kind in ("deploy", "revert", "verify")}
    for path in paths.values():
        if path.exists():
            raise Refusal(f"{path} already exists; remove it or choose another change name")
    who = identity()
    for kind, path in paths.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(kind, plan.project, name, requires, note, (bodies or {}).get(kind, "")),
                        encoding="utf-8")
    line = format_change_line(name, requires, conflicts, who.name, who.email, note, when or datetime.now(UTC))
    plan.path.write_text(with_line(plan, line), encoding="utf-8")
    return paths
