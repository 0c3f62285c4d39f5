"""plpgsql_check over every PL/pgSQL function and trigger function of the deployed schema: no error, and no
warning but the few accepted below, each with its reason.

Runs on a clone of the test template (the plan deployed), with the extension created in the clone only. Trigger
functions are checked against the relation of (each) trigger that runs them, as plpgsql_check needs a relation to
know NEW and OLD; a trigger function no trigger uses is a finding too.
"""

from __future__ import annotations

import psycopg
import pytest
from tessera.server import Server

# Warnings accepted: (function signature, the message's start) -> why it is fine.
ACCEPTED: dict[tuple[str, str], str] = {
    ("api.recommend_experiences(uuid,uuid,uuid,integer)", 'name of parameter "limit" is reserved keyword'):
        "`limit` is the HTTP argument's name (the JSON key callers send); the body reads it qualified",
    ("private.apply_changes(regclass,uuid,jsonb)", "text type variable is not sanitized"):
        "dynamic UPDATE: the table is a regclass, every column name passes quote_ident and must name a column "
        "of that table (checked key by key before), the values are bound as $1/$2",
}

CHECK = """
WITH fns AS (
  SELECT p.oid, p.prorettype = 'trigger'::regtype AS is_trigger
    FROM pg_proc p
    JOIN pg_namespace n ON n.oid = p.pronamespace
    JOIN pg_language l ON l.oid = p.prolang
   WHERE l.lanname = 'plpgsql'
     AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'extensions')
     AND n.nspname NOT LIKE 'pg\\_%%'
     AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                                               AND d.deptype = 'e')
), targets AS (
  SELECT f.oid, 0::oid AS relid, NULL::name AS newtable, NULL::name AS oldtable FROM fns f WHERE NOT f.is_trigger
  UNION
  -- one check per trigger function and relation, with the transition tables of all its triggers there (a
  -- function shared by the INSERT, UPDATE and DELETE triggers branches on TG_OP and reads each one's tables)
  SELECT f.oid, t.tgrelid, max(t.tgnewtable::text)::name, max(t.tgoldtable::text)::name
    FROM fns f JOIN pg_trigger t ON t.tgfoid = f.oid WHERE f.is_trigger GROUP BY f.oid, t.tgrelid
)
SELECT t.oid::regprocedure::text, CASE WHEN t.relid <> 0 THEN t.relid::regclass::text ELSE '' END, r.level,
       r.message, r.lineno, r.statement, concat_ws(' ', r.detail, r.query)
  FROM targets t,
       LATERAL extensions.plpgsql_check_function_tb(t.oid, t.relid, newtable => t.newtable,
                                                    oldtable => t.oldtable, fatal_errors => false,
                                                    other_warnings => true, extra_warnings => true,
                                                    performance_warnings => %(perf)s,
                                                    security_warnings => true) r
 ORDER BY 1, 2, r.lineno
"""

UNUSED_TRIGGER_FUNCTIONS = """
SELECT p.oid::regprocedure::text
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace JOIN pg_language l ON l.oid = p.prolang
 WHERE l.lanname = 'plpgsql' AND p.prorettype = 'trigger'::regtype
   AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'extensions')
   AND NOT EXISTS (SELECT FROM pg_trigger t WHERE t.tgfoid = p.oid)
"""


@pytest.fixture(scope="module")
def lint_conn(test_db: str, pg_server: Server):
    with pg_server.connect(test_db, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS plpgsql_check SCHEMA extensions")
        yield conn


def findings(conn: psycopg.Connection, perf: bool = False) -> list[tuple]:
    return conn.execute(CHECK, {"perf": perf}).fetchall()


def accepted(row: tuple) -> bool:
    return any(row[0] == fn and (row[3] or "").startswith(msg) for fn, msg in ACCEPTED)


def show(rows: list[tuple]) -> str:
    return "\n".join(f"{fn} [{rel}] {level} line {line} {stmt}: {msg} ({query})"
                     for fn, rel, level, msg, line, stmt, query in rows)


def test_plpgsql_check_finds_no_errors(lint_conn):
    errors = [r for r in findings(lint_conn) if r[2] == "error"]
    assert not errors, "plpgsql_check errors:\n" + show(errors)


def test_plpgsql_check_warnings_are_all_accepted(lint_conn):
    warnings = [r for r in findings(lint_conn) if r[2] != "error" and not accepted(r)]
    assert not warnings, "plpgsql_check warnings (fix them or accept them in ACCEPTED with why):\n" + show(warnings)


def test_every_accepted_warning_still_occurs(lint_conn):
    rows = findings(lint_conn)
    stale = [key for key in ACCEPTED if not any(r[0] == key[0] and (r[3] or "").startswith(key[1]) for r in rows)]
    assert not stale, f"accepted warnings that no longer occur (remove them): {stale}"


def test_every_trigger_function_is_used_by_a_trigger(lint_conn):
    unused = [r[0] for r in lint_conn.execute(UNUSED_TRIGGER_FUNCTIONS)]
    assert not unused, f"trigger functions no trigger runs (plpgsql_check cannot check them): {unused}"


def test_the_check_sees_a_broken_function(lint_conn):
    """The lint can fail: a function reading a column that does not exist, and a trigger function writing one."""
    with lint_conn.transaction(force_rollback=True):
        lint_conn.execute("""
            CREATE FUNCTION private.lint_probe() RETURNS int LANGUAGE plpgsql SET search_path = '' AS $$
            BEGIN RETURN (SELECT no_such_column FROM app.organizations LIMIT 1); END $$""")
        lint_conn.execute("""
            CREATE FUNCTION private.lint_probe_trigger() RETURNS trigger LANGUAGE plpgsql SET search_path = '' AS $$
            BEGIN NEW.no_such_column := 1; RETURN NEW; END $$""")
        lint_conn.execute("CREATE TRIGGER lint_probe BEFORE UPDATE ON app.organizations "
                          "FOR EACH ROW EXECUTE FUNCTION private.lint_probe_trigger()")
        errors = {r[0] for r in findings(lint_conn) if r[2] == "error"}
    assert {"private.lint_probe()", "private.lint_probe_trigger()"} <= errors
