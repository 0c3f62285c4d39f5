"""`tessera db diff NAME`: a change generated from db/functions and db/policies, proven before it is kept.

Two scratch databases: A from the plan, B from the plan plus the declarative files. migra drafts A→B (deploy) and
B→A (revert); migra does not see function privileges, comments or FORCE ROW LEVEL SECURITY, so those statements
come from the catalogue. The change is then deployed into a third scratch database: its schema dump must equal
B's, and after reverting it A's. Otherwise nothing is written and the difference is shown.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from psycopg import sql

from tessera.errors import Refusal
from tessera.migrations import add_change, check_new_change
from tessera.project import Project
from tessera.schema_file import render, write
from tessera.scratch import (
    apply_declarative,
    dump_diff,
    run_engine,
    schema_dump,
    scratch_database,
    sqlalchemy_url,
)
from tessera.server import Server, current_server

_SYSTEM = "('pg_catalog', 'information_schema', 'pg_toast')"

_FUNCTIONS = f"""
SELECT p.oid::regprocedure::text AS sig,
       pg_get_functiondef(p.oid) AS def,
       obj_description(p.oid, 'pg_proc') AS comment,
       pg_get_userbyid(p.proowner) AS owner,
       coalesce((SELECT array_agg(g ORDER BY g) FROM (
                   SELECT DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC'
                                        ELSE quote_ident(pg_get_userbyid(a.grantee)) END AS g
                     FROM aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
                    WHERE a.grantee <> p.proowner) grants), '{{}}') AS grantees
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname NOT IN {_SYSTEM} AND n.nspname NOT LIKE 'pg\\_%%' AND n.nspname <> %s
   AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                                             AND d.deptype = 'e')
"""

_TABLES = f"""
SELECT c.oid::regclass::text, c.relrowsecurity, c.relforcerowsecurity
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN {_SYSTEM} AND n.nspname <> %s
"""

_POLICIES = """
SELECT format('%%I.%%I', schemaname, tablename), policyname FROM pg_policies WHERE schemaname <> %s
"""


@dataclass(frozen=True)
class Function:
    sig: str
    definition: str
    comment: str | None
    grantees: tuple[str, ...]


class Catalogue:
    """What migra cannot see, read from one database with every name schema-qualified."""

    def __init__(self, server: Server, dbname: str, registry: str):
        with server.connect(dbname) as conn:
            conn.execute("SET search_path = ''")
            self.functions = {
                sig: Function(sig, d, c, tuple(g))
                for sig, d, c, _owner, g in conn.execute(_FUNCTIONS, (registry,)).fetchall()
            }
            self.tables = {t: (rls, force) for t, rls, force in conn.execute(_TABLES, (registry,)).fetchall()}
            self.policies = {tuple(r) for r in conn.execute(_POLICIES, (registry,)).fetchall()}


def _literal(value: str | None) -> str:
    return "NULL" if value is None else sql.Literal(value).as_string(None)


def extra_statements(have: Catalogue, want: Catalogue) -> list[str]:
    """Function privileges, function comments and RLS switches that take `have` to `want`."""
    out: list[str] = []
    for sig, fn in sorted(want.functions.items()):
        old = have.functions.get(sig)
        redefined = old is None or old.definition != fn.definition
        if redefined or old.grantees != fn.grantees:
            everyone = sorted({"PUBLIC", *fn.grantees, *(old.grantees if old else ())})
            out.append(f"REVOKE ALL ON FUNCTION {sig} FROM {', '.join(everyone)};")
            for grantee in fn.grantees:
                out.append(f"GRANT EXECUTE ON FUNCTION {sig} TO {grantee};")
        if (redefined and fn.comment is not None) or (old is not None and old.comment != fn.comment):
            out.append(f"COMMENT ON FUNCTION {sig} IS {_literal(fn.comment)};")
    for table, (rls, force) in sorted(want.tables.items()):
        if table not in have.tables:
            continue
        old_rls, old_force = have.tables[table]
        if rls != old_rls:
            out.append(f"ALTER TABLE {table} {'ENABLE' if rls else 'DISABLE'} ROW LEVEL SECURITY;")
        if force != old_force:
            out.append(f"ALTER TABLE {table} {'FORCE' if force else 'NO FORCE'} ROW LEVEL SECURITY;")
    return out


def verify_statements(have: Catalogue, want: Catalogue) -> str:
    """A verify body that raises unless `want`'s functions, grants and policies are there."""
    checks: list[str] = []
    for sig, fn in sorted(want.functions.items()):
        old = have.functions.get(sig)
        if old == fn:
            continue
        checks.append(f"  PERFORM {_literal(sig)}::pg_catalog.regprocedure;")
        for grantee in fn.grantees:
            role = "public" if grantee == "PUBLIC" else grantee.strip('"')
            checks.append(
                f"  IF NOT pg_catalog.has_function_privilege({_literal(role)}, {_literal(sig)}, 'EXECUTE') THEN\n"
                f"    RAISE EXCEPTION '% cannot execute %', {_literal(role)}, {_literal(sig)};\n  END IF;"
            )
    for sig in sorted(set(have.functions) - set(want.functions)):
        checks.append(f"  IF pg_catalog.to_regprocedure({_literal(sig)}) IS NOT NULL THEN\n"
                      f"    RAISE EXCEPTION '% should be gone', {_literal(sig)};\n  END IF;")
    for table, policy in sorted(want.policies - have.policies):
        checks.append(
            f"  IF NOT EXISTS (SELECT FROM pg_catalog.pg_policies WHERE format('%I.%I', schemaname, tablename) = "
            f"{_literal(table)} AND policyname = {_literal(policy)}) THEN\n"
            f"    RAISE EXCEPTION 'policy % on % is missing', {_literal(policy)}, {_literal(table)};\n  END IF;"
        )
    if not checks:
        return ""
    return "DO $verify$\nBEGIN\n" + "\n".join(checks) + "\nEND\n$verify$;\n"


def migra(server: Server, source: str, target: str) -> str:
    """migra's DDL taking `source` to `target` (exit 2 means 'differences found', not failure)."""
    exe = Path(sys.executable).with_name("migra")
    proc = subprocess.run(
        [str(exe), "--unsafe", "--with-privileges",
         sqlalchemy_url(server.conninfo(source)), sqlalchemy_url(server.conninfo(target))],
        capture_output=True, text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    if proc.returncode not in (0, 2, 3):
        tail = proc.stderr.strip().splitlines()
        raise Refusal(f"migra failed: {tail[-1] if tail else proc.returncode}; is migra installed in this environment?")
    # migra's plain SET would outlive the script on a shared connection; keep it to the change's transaction.
    return re.sub(r"(?im)^set (check_function_bodies\b)", r"SET LOCAL \1", proc.stdout.strip())


def generate(server: Server, have_db: str, want_db: str, registry: str) -> tuple[str, str, str, set[str]]:
    """Deploy, revert and verify bodies, and the functions whose earlier checks the new verify supersedes."""
    have, want = Catalogue(server, have_db, registry), Catalogue(server, want_db, registry)
    forward = "\n".join(filter(None, [migra(server, have_db, want_db), *extra_statements(have, want)]))
    backward = "\n".join(filter(None, [migra(server, want_db, have_db), *extra_statements(want, have)]))
    changed = {sig for sig in set(have.functions) | set(want.functions)
               if have.functions.get(sig) != want.functions.get(sig)}
    return forward, backward, verify_statements(have, want), changed


def retire_checks(verify_scripts: list[Path], sigs: set[str], by: str) -> list[Path]:
    """Drop the generated checks on `sigs` from earlier verify scripts; returns the scripts edited.

    Sqitch runs every verify script against the database as it is now, so a check that an earlier change's
    function exists (or is gone, or has a grant) fails once a later change drops or alters it. The later change's
    own verify checks those functions as they are now; the earlier checks are retired, with a line saying so.
    Only the shapes verify_statements writes are recognised; hand-written checks stay.
    """
    edited = []
    for path in verify_scripts:
        text = original = path.read_text(encoding="utf-8")
        for sig in sorted(sigs):
            lit = re.escape(_literal(sig))
            text = re.sub(rf"(?m)^  PERFORM {lit}::pg_catalog\.regprocedure;\n", "", text)
            text = re.sub(rf"(?m)^  IF [^\n]*{lit}[^\n]*\n(?:    [^\n]*\n)*?  END IF;\n", "", text)
        if text != original:
            note = f"-- Checks of functions that {by} changed are retired; its verify checks them now.\n"
            text = text.replace("\nBEGIN;\n", f"\nBEGIN;\n\n{note}", 1)
            path.write_text(text, encoding="utf-8")
            edited.append(path)
    return edited


def diff_change(project: Project, name: str, requires: list[str], note: str) -> int:
    plan = project.plan()
    check_new_change(plan, name, requires, [])
    server = current_server(project)
    registry = project.registry
    with scratch_database(server, "plan") as have_db, scratch_database(server, "want") as want_db:
        run_engine(server, have_db, plan, registry, "deploy")
        run_engine(server, want_db, plan, registry, "deploy")
        apply_declarative(server, want_db, project.declarative_files())
        have_dump, want_dump = schema_dump(server, have_db, registry), schema_dump(server, want_db, registry)
        if have_dump == want_dump:
            print("nothing to generate: the plan already matches db/functions and db/policies")
            return 0
        forward, backward, verify_body, changed = generate(server, have_db, want_db, registry)
    plan_text = plan.path.read_text(encoding="utf-8")
    paths = add_change(project, name, requires, [], note or "Generated from db/functions and db/policies.",
                       bodies={"deploy": forward, "revert": backward, "verify": verify_body})
    try:
        schema = _prove(project, server, plan.changes[-1].name if plan.changes else None, have_dump, want_dump)
    except Refusal:
        plan.path.write_text(plan_text, encoding="utf-8")
        for path in paths.values():
            path.unlink(missing_ok=True)
        raise
    earlier = [plan.script(change, "verify") for change in plan.changes]
    for path in retire_checks([p for p in earlier if p.exists()], changed, name):
        print(f"retired checks it supersedes from {path.relative_to(project.root)}")
    write(project, schema)
    print(f"wrote {name}: {paths['deploy'].relative_to(project.root)} (+ revert, verify, db/schema.sql), proven "
          "against a scratch database; review it, then `tessera db deploy`")
    return 0


def _prove(project: Project, server: Server, previous: str | None, have_dump: str, want_dump: str) -> str:
    """Deploy and revert the new change on a scratch database; returns db/schema.sql for the new plan."""
    plan = project.plan()
    with scratch_database(server, "proof") as proof_db:
        run_engine(server, proof_db, plan, project.registry, "deploy")
        got = schema_dump(server, proof_db, project.registry)
        if got != want_dump:
            print(dump_diff(want_dump, got, "plan + declarative files", "plan + generated change"))
            raise Refusal("the generated change does not reproduce the declarative files (see the difference "
                          "above); nothing was written, write this change by hand with `tessera db add`")
        schema = render(server, proof_db, project)
        run_engine(server, proof_db, plan, project.registry, "revert", to=previous)
        got = schema_dump(server, proof_db, project.registry)
        if got != have_dump:
            print(dump_diff(have_dump, got, "plan", "plan + generated change, reverted"))
            raise Refusal("the generated revert does not restore the schema (see the difference above); nothing "
                          "was written, write this change by hand with `tessera db add`")
    return schema
