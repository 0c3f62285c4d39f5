"""The Supabase database linter's (splinter's) security and performance rules that apply here, over the deployed
schema: zero findings.

Each rule is one query over the catalogue of a clone of the test template returning the offending objects, one
text each; `test_rule_finds_nothing` wants none. Each rule can fail: `test_rule_sees_a_bad_object` makes one bad
object in a rolled-back transaction and wants the rule to name it. "Exposed" is the `api` schema (the only one
served over HTTP); rules splinter limits to exposed schemas are applied to every project schema an API role can
reach, which is stricter.

Covered elsewhere, not repeated here: 0011 function_search_path_mutable is db/tests/schemas_privileges.sql ("every
function in the project's schemas pins its search_path", with its own probe); which table privileges the API roles
hold is db/tests/schemas_table_privileges.sql and tests/test_table_privileges.py.

Not applicable: 0005 unused_index and 0020 table_bloat read a live server's statistics, not a schema; 0012
(anonymous sign-ins) is Auth configuration; 0019 (pgmq), 0025 (storage buckets), 0026/0027 (pg_graphql) concern
extensions the project does not install; 0022 (extension versions) is the platform's to keep.
"""

from __future__ import annotations

import re

import psycopg
import pytest
from tessera.server import Server

OWN = ["app", "api", "private", "audit"]
# Referenced tables whose rows are never deleted nor their keys changed (seeded by migrations, read-only to every
# role but the owner), so no delete ever looks up the referencing rows: an index on each `currency` column would
# cost every order, payment and refund written and serve nothing.
FK_REFERENCE_TABLES = ["app.currencies"]
EXPOSED = ["api"]
API_ROLES = ["anon", "authenticated"]

# Functions a policy must call once per statement, wrapped as (SELECT f(...)) (0003; the project's private
# helpers by its own convention, db/CONVENTIONS.md "Files").
PER_STATEMENT = re.compile(r"(auth\.\w+|current_setting|private\.\w+)\(")

RULES: dict[str, str] = {
    # 0001 unindexed_foreign_keys: a foreign key whose columns lead no index of the referencing table. A tenant key
    # (org_id, x) is also covered by an index led by x alone: x is a uuid, as selective as the pair. Keys into a
    # reference table whose rows are never deleted nor re-keyed are listed in FK_REFERENCE_TABLES.
    "0001_unindexed_foreign_keys": """
        SELECT c.conrelid::regclass || ' ' || c.conname
          FROM pg_constraint c JOIN pg_class r ON r.oid = c.conrelid JOIN pg_namespace n ON n.oid = r.relnamespace
          CROSS JOIN LATERAL (SELECT ARRAY(SELECT k FROM unnest(c.conkey) k JOIN pg_attribute a
                                             ON a.attrelid = c.conrelid AND a.attnum = k
                                            WHERE a.attname <> 'org_id')::int2[]) own(keys)
         WHERE c.contype = 'f' AND n.nspname = ANY (%(own)s)
           AND c.confrelid::regclass::text <> ALL (%(reference_tables)s)
           AND NOT EXISTS (
                 SELECT FROM pg_index i
                         CROSS JOIN LATERAL (SELECT pg_catalog.string_to_array(i.indkey::text, ' ')::int2[]) ix(cols)
                  WHERE i.indrelid = c.conrelid
                    AND ((ix.cols[1:cardinality(c.conkey)] @> c.conkey AND ix.cols[1:cardinality(c.conkey)] <@ c.conkey)
                         OR (cardinality(own.keys) > 0 AND ix.cols[1:cardinality(own.keys)] @> own.keys
                             AND ix.cols[1:cardinality(own.keys)] <@ own.keys)))""",
    # 0004 no_primary_key.
    "0004_no_primary_key": """
        SELECT r.oid::regclass::text
          FROM pg_class r JOIN pg_namespace n ON n.oid = r.relnamespace
         WHERE r.relkind IN ('r', 'p') AND n.nspname = ANY (%(own)s) AND NOT r.relispartition
           AND NOT EXISTS (SELECT FROM pg_constraint c WHERE c.conrelid = r.oid AND c.contype = 'p')""",
    # 0006 multiple_permissive_policies: per table, role and action (ALL counts for each).
    "0006_multiple_permissive_policies": """
        SELECT r.oid::regclass || ' ' || coalesce(ro.rolname, 'PUBLIC') || ' ' || a.action
          FROM pg_policy p
          JOIN pg_class r ON r.oid = p.polrelid JOIN pg_namespace n ON n.oid = r.relnamespace
          CROSS JOIN LATERAL unnest(p.polroles) role_oid
          LEFT JOIN pg_roles ro ON ro.oid = role_oid
          CROSS JOIN LATERAL (SELECT x FROM unnest(ARRAY['r', 'a', 'w', 'd']) x
                               WHERE p.polcmd = '*' OR p.polcmd::text = x) a(action)
         WHERE p.polpermissive AND n.nspname = ANY (%(own)s)
         GROUP BY r.oid, ro.rolname, a.action HAVING count(*) > 1""",
    # 0007 policy_exists_rls_disabled.
    "0007_policy_exists_rls_disabled": """
        SELECT DISTINCT r.oid::regclass::text
          FROM pg_policy p JOIN pg_class r ON r.oid = p.polrelid JOIN pg_namespace n ON n.oid = r.relnamespace
         WHERE n.nspname = ANY (%(own)s) AND NOT r.relrowsecurity""",
    # 0008 rls_enabled_no_policy, where it matters: an API role holds a privilege on the table that no policy
    # lets it use (a grant without a policy is either dead or a mistake waiting for one).
    "0008_rls_enabled_no_policy": """
        SELECT r.oid::regclass::text
          FROM pg_class r JOIN pg_namespace n ON n.oid = r.relnamespace
         WHERE r.relkind IN ('r', 'p') AND n.nspname = ANY (%(own)s) AND r.relrowsecurity
           AND NOT EXISTS (SELECT FROM pg_policy p WHERE p.polrelid = r.oid)
           AND EXISTS (SELECT FROM unnest(%(api_roles)s::text[]) role
                        WHERE has_table_privilege(role, r.oid, 'SELECT, INSERT, UPDATE, DELETE')
                           OR has_any_column_privilege(role, r.oid, 'SELECT, INSERT, UPDATE'))""",
    # 0009 duplicate_index: same table, columns, operator classes, collations, expressions, predicate and method.
    "0009_duplicate_index": """
        SELECT string_agg(i.indexrelid::regclass::text, ' = ' ORDER BY i.indexrelid::regclass::text)
          FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class r ON r.oid = i.indrelid
          JOIN pg_namespace n ON n.oid = r.relnamespace
         WHERE n.nspname = ANY (%(own)s)
         GROUP BY i.indrelid, i.indkey::text, i.indclass::text, i.indcollation::text, ic.relam,
                  coalesce(pg_get_expr(i.indexprs, i.indrelid), ''), coalesce(pg_get_expr(i.indpred, i.indrelid), '')
        HAVING count(*) > 1""",
    # 0010 security_definer_view and 0002 auth_users_exposed: a view an API role may read runs as its caller.
    "0010_security_definer_view": """
        SELECT v.oid::regclass::text
          FROM pg_class v JOIN pg_namespace n ON n.oid = v.relnamespace
         WHERE v.relkind = 'v' AND n.nspname = ANY (%(own)s)
           AND NOT coalesce('security_invoker=true' = ANY (v.reloptions)
                            OR 'security_invoker=on' = ANY (v.reloptions), false)
           AND EXISTS (SELECT FROM unnest(%(api_roles)s::text[]) role
                        WHERE has_table_privilege(role, v.oid, 'SELECT'))""",
    # 0013 rls_disabled_in_public (and 0023 sensitive_columns_exposed, which it implies): a table an API role
    # holds any privilege on has RLS enabled, and forced (the project's rule: the owner is not exempt either).
    "0013_rls_disabled_in_reachable_table": """
        SELECT r.oid::regclass::text
          FROM pg_class r JOIN pg_namespace n ON n.oid = r.relnamespace
         WHERE r.relkind IN ('r', 'p') AND n.nspname = ANY (%(own)s)
           AND NOT (r.relrowsecurity AND r.relforcerowsecurity)
           AND EXISTS (SELECT FROM unnest(%(api_roles)s::text[] || 'public'::text) role
                        WHERE has_table_privilege(role, r.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE')
                           OR has_any_column_privilege(role, r.oid, 'SELECT, INSERT, UPDATE'))""",
    # 0014 extension_in_public.
    "0014_extension_in_public": """
        SELECT e.extname::text FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
         WHERE n.nspname = 'public'""",
    # 0015 rls_references_user_metadata.
    "0015_rls_references_user_metadata": """
        SELECT schemaname || '.' || tablename || ' ' || policyname FROM pg_policies
         WHERE schemaname = ANY (%(own)s)
           AND (coalesce(qual, '') || coalesce(with_check, '')) ~* 'user_metadata'""",
    # 0016 materialized_view_in_api / 0017 foreign_table_in_api: no RLS on either, so none an API role can read.
    "0016_0017_matview_or_foreign_table_reachable": """
        SELECT r.oid::regclass::text
          FROM pg_class r JOIN pg_namespace n ON n.oid = r.relnamespace
         WHERE r.relkind IN ('m', 'f') AND n.nspname = ANY (%(own)s)
           AND EXISTS (SELECT FROM unnest(%(api_roles)s::text[]) role
                        WHERE has_table_privilege(role, r.oid, 'SELECT'))""",
    # 0018 unsupported_reg_types: columns of reg* types pg_upgrade cannot carry.
    "0018_unsupported_reg_types": """
        SELECT a.attrelid::regclass || '.' || a.attname
          FROM pg_attribute a JOIN pg_class r ON r.oid = a.attrelid JOIN pg_namespace n ON n.oid = r.relnamespace
         WHERE n.nspname = ANY (%(own)s) AND r.relkind IN ('r', 'p', 'm') AND a.attnum > 0 AND NOT a.attisdropped
           AND a.atttypid::regtype::text IN ('regcollation', 'regconfig', 'regdictionary', 'regnamespace', 'regoper',
                                             'regoperator', 'regproc', 'regprocedure')""",
    # 0021 fkey_to_auth_unique: a foreign key into auth must reference a primary key, not a unique constraint the
    # platform may drop.
    "0021_fkey_to_auth_unique": """
        SELECT c.conrelid::regclass || ' ' || c.conname
          FROM pg_constraint c JOIN pg_class t ON t.oid = c.confrelid JOIN pg_namespace n ON n.oid = t.relnamespace
          JOIN pg_class own ON own.oid = c.conrelid JOIN pg_namespace own_n ON own_n.oid = own.relnamespace
         WHERE c.contype = 'f' AND n.nspname = 'auth' AND own_n.nspname = ANY (%(own)s)
           AND NOT EXISTS (SELECT FROM pg_constraint k WHERE k.conindid = c.conindid AND k.contype = 'p')""",
    # 0024 rls_policy_always_true: an INSERT, UPDATE, DELETE or ALL policy that lets everything through.
    "0024_rls_policy_always_true": """
        SELECT schemaname || '.' || tablename || ' ' || policyname FROM pg_policies
         WHERE schemaname = ANY (%(own)s) AND permissive = 'PERMISSIVE' AND cmd IN ('INSERT', 'UPDATE', 'DELETE', 'ALL')
           AND (btrim(coalesce(qual, ''), '() ') = 'true' OR btrim(coalesce(with_check, ''), '() ') = 'true')""",
    # 0028 / 0029: no SECURITY DEFINER function in the exposed schema is executable by anon or authenticated.
    "0028_0029_definer_function_executable_in_api": """
        SELECT p.oid::regprocedure || ' by ' || role
          FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
          CROSS JOIN unnest(%(api_roles)s::text[]) role
         WHERE p.prosecdef AND n.nspname = ANY (%(exposed)s) AND has_function_privilege(role, p.oid, 'EXECUTE')""",
    # Functions executable by PUBLIC (PostgreSQL's default for a new function): every one is granted by name.
    "function_executable_by_public": """
        SELECT p.oid::regprocedure::text
          FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
          CROSS JOIN LATERAL aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) acl
         WHERE n.nspname = ANY (%(own)s) AND acl.grantee = 0 AND acl.privilege_type = 'EXECUTE'
           AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                                                     AND d.deptype IN ('i', 'e'))""",
}

# 0003 auth_rls_initplan is a rule on the policies' text (as PostgreSQL deparses it), checked in Python.
POLICIES = """
SELECT schemaname || '.' || tablename || ' ' || policyname, coalesce(qual, ''), coalesce(with_check, '')
  FROM pg_policies WHERE schemaname = ANY (%(own)s)
"""

# One bad object per rule, made in a transaction that is rolled back, and the text the rule must then report.
PROBE_TABLE = ("CREATE TABLE app.lint_probe (id uuid PRIMARY KEY, org_id uuid REFERENCES app.organizations (id));"
               "ALTER TABLE app.lint_probe ENABLE ROW LEVEL SECURITY; ALTER TABLE app.lint_probe FORCE ROW LEVEL "
               "SECURITY; CREATE INDEX lint_probe_org ON app.lint_probe (org_id);"
               "CREATE POLICY lint_probe_select ON app.lint_probe FOR SELECT TO authenticated USING (true);")
BAD: dict[str, tuple[str, str]] = {
    "0001_unindexed_foreign_keys": (PROBE_TABLE + "DROP INDEX app.lint_probe_org;",
                                    "app.lint_probe lint_probe_org_id_fkey"),
    "0004_no_primary_key": ("CREATE TABLE app.lint_probe_nopk (x int);", "app.lint_probe_nopk"),
    "0006_multiple_permissive_policies": (
        PROBE_TABLE + "CREATE POLICY lint_probe_all ON app.lint_probe TO authenticated USING (true);",
        "app.lint_probe authenticated r"),
    "0007_policy_exists_rls_disabled": (PROBE_TABLE + "ALTER TABLE app.lint_probe DISABLE ROW LEVEL SECURITY;",
                                        "app.lint_probe"),
    "0008_rls_enabled_no_policy": (PROBE_TABLE + "DROP POLICY lint_probe_select ON app.lint_probe;"
                                   "GRANT SELECT ON app.lint_probe TO authenticated;", "app.lint_probe"),
    "0009_duplicate_index": (PROBE_TABLE + "CREATE INDEX lint_probe_org_again ON app.lint_probe (org_id);",
                             "app.lint_probe_org = app.lint_probe_org_again"),
    "0010_security_definer_view": ("CREATE VIEW api.lint_probe AS SELECT 1 AS one;"
                                   "GRANT SELECT ON api.lint_probe TO anon;", "api.lint_probe"),
    "0013_rls_disabled_in_reachable_table": (PROBE_TABLE + "ALTER TABLE app.lint_probe NO FORCE ROW LEVEL SECURITY;"
                                             "GRANT SELECT (id) ON app.lint_probe TO authenticated;", "app.lint_probe"),
    "0014_extension_in_public": ("CREATE EXTENSION tablefunc SCHEMA public;", "tablefunc"),
    "0015_rls_references_user_metadata": (
        PROBE_TABLE + "ALTER POLICY lint_probe_select ON app.lint_probe "
        "USING (((SELECT auth.jwt()) -> 'user_metadata' ->> 'admin') = 'yes');", "app.lint_probe lint_probe_select"),
    "0016_0017_matview_or_foreign_table_reachable": (
        "CREATE MATERIALIZED VIEW app.lint_probe_mv AS SELECT 1 AS one;"
        "GRANT SELECT ON app.lint_probe_mv TO authenticated;", "app.lint_probe_mv"),
    "0018_unsupported_reg_types": ("CREATE TABLE app.lint_probe_reg (id int PRIMARY KEY, f regproc);",
                                   "app.lint_probe_reg.f"),
    "0021_fkey_to_auth_unique": (
        "CREATE UNIQUE INDEX lint_probe_email ON auth.users (email);"
        "CREATE TABLE app.lint_probe_fk (id int PRIMARY KEY, email text REFERENCES auth.users (email));",
        "app.lint_probe_fk lint_probe_fk_email_fkey"),
    "0024_rls_policy_always_true": (
        PROBE_TABLE + "CREATE POLICY lint_probe_insert ON app.lint_probe FOR INSERT TO authenticated "
        "WITH CHECK (true);", "app.lint_probe lint_probe_insert"),
    "0028_0029_definer_function_executable_in_api": (
        "CREATE FUNCTION api.lint_probe() RETURNS int LANGUAGE sql SECURITY DEFINER SET search_path = '' "
        "AS 'SELECT 1'; GRANT EXECUTE ON FUNCTION api.lint_probe() TO anon;", "api.lint_probe() by anon"),
    "function_executable_by_public": (
        "CREATE FUNCTION private.lint_probe() RETURNS int LANGUAGE sql SET search_path = '' AS 'SELECT 1';"
        "GRANT EXECUTE ON FUNCTION private.lint_probe() TO PUBLIC;", "private.lint_probe()"),
}


@pytest.fixture(scope="module")
def lint_conn(test_db: str, pg_server: Server):
    with pg_server.connect(test_db, autocommit=True) as conn:
        yield conn


def run_rule(conn: psycopg.Connection, rule: str) -> list[str]:
    params = {"own": OWN, "exposed": EXPOSED, "api_roles": API_ROLES, "reference_tables": FK_REFERENCE_TABLES}
    return sorted(row[0] for row in conn.execute(RULES[rule], params))


def per_row_calls(conn: psycopg.Connection) -> list[str]:
    """0003 auth_rls_initplan: every call of an auth function, current_setting or a private helper in a policy is
    the whole of a scalar subquery `(SELECT f(...))`, an InitPlan run once per statement, not once per row."""
    found = []
    for name, *exprs in conn.execute(POLICIES, {"own": OWN}):
        for expr in exprs:
            for call in PER_STATEMENT.finditer(expr):
                if not expr[:call.start()].rstrip().endswith("SELECT"):
                    found.append(f"{name}: {call.group(1)}")
    return sorted(set(found))


def test_bad_objects_cover_every_rule():
    assert set(BAD) == set(RULES)


@pytest.mark.parametrize("rule", sorted(RULES))
def test_rule_finds_nothing(lint_conn, rule):
    found = run_rule(lint_conn, rule)
    assert not found, f"{rule}:\n" + "\n".join(found)


@pytest.mark.parametrize("rule", sorted(RULES))
def test_rule_sees_a_bad_object(lint_conn, rule):
    ddl, expected = BAD[rule]
    with lint_conn.transaction(force_rollback=True):
        lint_conn.execute(ddl)
        assert expected in run_rule(lint_conn, rule)


def test_policies_call_auth_and_helpers_once_per_statement(lint_conn):
    found = per_row_calls(lint_conn)
    assert not found, "0003_auth_rls_initplan:\n" + "\n".join(found)


def test_a_per_row_auth_call_is_seen(lint_conn):
    with lint_conn.transaction(force_rollback=True):
        lint_conn.execute(PROBE_TABLE + "ALTER POLICY lint_probe_select ON app.lint_probe USING (id = auth.uid());")
        assert "app.lint_probe lint_probe_select: auth.uid" in per_row_calls(lint_conn)
