"""`tessera db check`: proof that the plan, the declarative files and the revert scripts tell one story.

1. Every change has its deploy, revert and verify script (reading the plan refuses otherwise).
2. The schema deployed from the plan equals the plan plus db/functions and db/policies: identical schema dumps.
3. Every function in app, api, private and audit is declared in db/functions.
4. Every verify script passes.
5. Revert to the start leaves the database as it was before the first deploy, and deploying again gives the
   identical schema.
"""

from __future__ import annotations

from tessera.errors import Failed, Refusal
from tessera.project import Project
from tessera.scratch import (
    OWN_SCHEMAS,
    apply_declarative,
    declared_functions,
    deploy,
    dump_diff,
    revert,
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

    print(f"Checking {len(plan.changes)} change(s) and {len(files)} declarative file(s):")
    report(True, "every change has deploy, revert and verify scripts")
    with scratch_database(server, "check") as db, scratch_database(server, "declared") as declared_db:
        empty = schema_dump(server, db, registry)
        deploy(server, db, plan, registry)
        deployed = schema_dump(server, db, registry)

        deploy(server, declared_db, plan, registry)
        apply_declarative(server, declared_db, files)
        declared = schema_dump(server, declared_db, registry)
        report(deployed == declared, "the plan's schema equals the plan plus db/functions and db/policies",
               dump_diff(deployed, declared, "plan", "plan + declarative files")
               + "\n(run `tessera db diff NAME` to generate the missing change)")

        names = set(declared_functions(files))
        with server.connect(db) as conn:
            rows = conn.execute(
                "SELECT n.nspname || '.' || p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
                " WHERE n.nspname = ANY(%s)", (list(OWN_SCHEMAS),)).fetchall()
        undeclared = sorted({r[0] for r in rows} - names)
        report(not undeclared, "every function in app, api, private and audit is declared in db/functions",
               "not declared: " + ", ".join(undeclared))

        with server.connect(db, autocommit=True) as conn:
            try:
                Engine(plan, conn, registry, say=lambda _: None).verify()
                report(True, "every verify script passes")
            except (Failed, Refusal) as exc:
                report(False, "every verify script passes", str(exc))

        try:
            revert(server, db, plan, registry)
        except Refusal as exc:
            report(False, "reverting every change restores the empty database", str(exc))
        else:
            reverted = schema_dump(server, db, registry)
            report(reverted == empty, "reverting every change restores the empty database",
                   dump_diff(empty, reverted, "before deploy", "after revert"))
            try:
                deploy(server, db, plan, registry)
            except Refusal as exc:
                report(False, "deploy, revert, deploy again gives the identical schema", str(exc))
            else:
                again = schema_dump(server, db, registry)
                report(again == deployed, "deploy, revert, deploy again gives the identical schema",
                       dump_diff(deployed, again, "first deploy", "second deploy"))
    if problems:
        raise Failed(f"{len(problems)} check(s) failed: {'; '.join(problems)}")
    print("all checks passed")
    return 0


