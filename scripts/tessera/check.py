"""`tessera db check`: proof that the plan, the declarative files and the revert scripts tell one story.

1. Every change has its deploy, revert and verify script (reading the plan refuses otherwise).
2. The schema deployed from the plan equals the plan plus db/functions and db/policies: identical schema dumps.
3. Every function in app, api, private and audit is declared in db/functions.
4. Every verify script passes.
5. Revert to the start leaves the database as it was before the first deploy, and deploying again gives the
   identical schema.
6. db/schema.sql is the plan's schema as `tessera db schema` writes it.
7. No change after tessera.locks.CHECKED_AFTER takes a long lock on a table an earlier change made without a
   `-- lock: ok <reason>` comment (tessera/locks.py).
"""

from __future__ import annotations

from tessera import locks
from tessera.errors import Failed, Refusal
from tessera.project import Project
from tessera.schema_file import REGENERATE, render
from tessera.scratch import (
    OWN_SCHEMAS,
    apply_declarative,
    declared_functions,
    dump_diff,
    run_engine,
    schema_dump,
    scratch_database,
)
from tessera.server import current_server
from tessera.sqitch.engine import Engine


def check(project: Project) -> int:
    plan = project.plan()
    server = current_server(project)
    registry = project.registry
    files = project.declarative_files()
    problems: list[str] = []

    def report(ok: bool, what: str, detail: str = "") -> None:
        print(f"  {'ok' if ok else 'FAIL'}  {what}")
        if not ok:
            problems.append(what)
            if detail:
                print("\n".join(f"        {line}" for line in detail.splitlines()))

    with scratch_database(server, "check") as db, scratch_database(server, "declared") as declared_db:
        # Only once the server answered: a check that cannot start prints its one line and nothing else.
        print(f"Checking {len(plan.changes)} change(s) and {len(files)} declarative file(s):")
        report(True, "every change has deploy, revert and verify scripts")
        long_locks = locks.findings(project)
        report(not long_locks, f"no change after {locks.CHECKED_AFTER} takes a long lock on an existing table "
               "unless it says so (`-- lock: ok <reason>`)",
               "\n".join(f.render(project.root) for f in long_locks))
        empty = schema_dump(server, db, registry)
        run_engine(server, db, plan, registry, "deploy")
        deployed = schema_dump(server, db, registry)

        run_engine(server, declared_db, plan, registry, "deploy")
        apply_declarative(server, declared_db, files)
        declared = schema_dump(server, declared_db, registry)
        report(deployed == declared, "the plan's schema equals the plan plus db/functions and db/policies",
               dump_diff(deployed, declared, "plan", "plan + declarative files")
               + "\n(run `tessera db diff NAME` to generate the missing change)")

        current = project.schema_file.exists() and project.schema_file.read_text(encoding="utf-8") == render(
            server, db, project)
        report(current, "db/schema.sql is the plan's schema (`tessera db schema` writes it)",
               f"db/schema.sql is stale; {REGENERATE}")

        names = set(declared_functions(files))
        with server.connect(db) as conn:
            rows = conn.execute(
                "SELECT n.nspname || '.' || p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
                " WHERE n.nspname = ANY(%s)"
                # A range type's constructors belong to the type, not to db/functions.
                " AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass"
                "                 AND d.objid = p.oid AND d.deptype = 'i')", (list(OWN_SCHEMAS),)).fetchall()
        undeclared = sorted({r[0] for r in rows} - names)
        report(not undeclared, "every function in app, api, private and audit is declared in db/functions",
               "not declared: " + ", ".join(undeclared))

        with server.connect(db, autocommit=True) as conn:
            try:
                Engine(plan, conn, registry, say=lambda _: None).verify()
                report(True, "every verify script passes")
            except (Failed, Refusal) as exc:
                report(False, "every verify script passes", str(exc))

        restores, redeploys = "reverting every change restores the empty database", \
            "deploy, revert, deploy again gives the identical schema"
        if error := _attempt(run_engine, server, db, plan, registry, "revert"):
            report(False, restores, error)
        else:
            reverted = schema_dump(server, db, registry)
            report(reverted == empty, restores, dump_diff(empty, reverted, "before deploy", "after revert"))
            if error := _attempt(run_engine, server, db, plan, registry, "deploy"):
                report(False, redeploys, error)
            else:
                again = schema_dump(server, db, registry)
                report(again == deployed, redeploys, dump_diff(deployed, again, "first deploy", "second deploy"))
    if problems:
        raise Failed(f"{len(problems)} check(s) failed: {'; '.join(problems)}")
    print("all checks passed")
    return 0


def _attempt(fn, *args) -> str | None:
    """Run one step of the check; its refusal becomes a finding instead of ending the check."""
    try:
        fn(*args)
    except Refusal as exc:
        return str(exc)
    return None


