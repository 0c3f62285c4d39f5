"""Scale-out readiness for Citus, proved on the catalogue of a deployed database (Citus itself is not installed).

The classification is tessera.scale_out (one place); docs/scale-out.md holds what it renders. What this proves:
every table is classified; the keys and foreign keys of distributed tables satisfy Citus's rules (a primary key,
unique constraint, unique index or exclusion constraint includes org_id; a foreign key between distributed tables
carries org_id on both sides, in the same position; distributed tables reference only distributed or reference
tables; reference tables reference no distributed table) except the named exceptions; every RLS policy of a tenant
table filters by org_id; every api/private function naming a tenant table mentions org_id or is a named exception;
every join of a tenant table written in a function matches org_id (Citus joins colocated tables on it only).
What it cannot prove: that a function's every statement filters by org_id (the function rule reads the source text,
one mention passes), that a query is router-plannable (only Citus's planner can say), or that what Citus rejects at
run time (e.g. volatile functions in a multi-shard UPDATE) is absent.
"""

from __future__ import annotations

import re

import psycopg
import pytest
from tessera import scale_out as so


@pytest.fixture(scope="module")
def conn(test_db, pg_server):
    with psycopg.connect(pg_server.conninfo(test_db), autocommit=True) as connection:
        yield connection


def distribution_column(table: str) -> str:
    return so.ANCHOR_COLUMN if table == so.ANCHOR else "org_id"


def distributed() -> set[str]:
    return {t for t, k in so.classification().items() if k == "distributed"}


def function_sources(conn, schemas: tuple[str, ...]) -> list[tuple[str, str]]:
    """(signature, source) of every SQL and PL/pgSQL function in the schemas."""
    return conn.execute("""
        SELECT p.oid::regprocedure::text, p.prosrc
          FROM pg_catalog.pg_proc p
          JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
          JOIN pg_catalog.pg_language l ON l.oid = p.prolang
         WHERE n.nspname = ANY (%s) AND l.lanname IN ('sql', 'plpgsql')""", (list(schemas),)).fetchall()


def test_every_table_is_classified_once_and_nothing_else_is(conn):
    kinds = so.classification()
    deployed = so.tables(conn)
    assert sorted(deployed - kinds.keys()) == [], "new tables: classify them in tessera/scale_out.py"
    assert sorted(kinds.keys() - deployed) == [], "classified tables that no longer exist"


def test_distributed_tables_have_their_column_and_shared_tables_have_no_org_id(conn):
    rows = conn.execute("""
        SELECT c.oid::regclass::text, a.attname, a.attnotnull
          FROM pg_catalog.pg_class c JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
         WHERE NOT a.attisdropped AND a.attname IN ('org_id', 'id')""").fetchall()
    columns = {(t, name): notnull for t, name, notnull in rows}
    for table in sorted(distributed()):
        column = distribution_column(table)
        assert (table, column) in columns, f"{table} has no {column}"
        if table not in so.NULLABLE_ORG:
            assert columns[(table, column)], f"{table}.{column} may be NULL: Citus needs a value in every row"
        else:
            assert so.NULLABLE_ORG[table] in so.KEY_REASONS
    for table in sorted(t for t, k in so.classification().items() if k != "distributed"):
        assert (table, "org_id") not in columns, f"{table} has org_id: distribute it rather than share it"
    stale = sorted(t for t in so.NULLABLE_ORG if columns.get((t, "org_id")))
    assert stale == [], "org_id is NOT NULL now: drop these from NULLABLE_ORG"


UNIQUES = """
SELECT t.name, x.name, x.has
  FROM unnest(%s::text[]) AS t (name)
  CROSS JOIN LATERAL (
    SELECT con.conname::text AS name, a.attnum = ANY (con.conkey) AS has
      FROM pg_catalog.pg_constraint con
      JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attname = %s
     WHERE con.conrelid = t.name::regclass AND con.contype IN ('p', 'u', 'x')
    UNION ALL
    SELECT i.indexrelid::regclass::text, a.attnum = ANY (i.indkey::int2[])
      FROM pg_catalog.pg_index i
      JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attname = %s
     WHERE i.indrelid = t.name::regclass AND i.indisunique
       AND NOT EXISTS (SELECT FROM pg_catalog.pg_constraint c
                        WHERE c.conindid = i.indexrelid AND c.contype IN ('p', 'u', 'x'))
  ) AS x
"""


def key_violations(conn) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for column in ("org_id", so.ANCHOR_COLUMN):
        names = sorted(t for t in distributed() if distribution_column(t) == column)
        for table, key, has in conn.execute(UNIQUES, (names, column, column)):
            if not has:
                found.add((table, key.split(".", 1)[-1]))
    return found


def test_every_key_of_a_distributed_table_includes_the_distribution_column(conn):
    found = key_violations(conn)
    assert sorted(found - so.KEY_EXCEPTIONS.keys()) == [], \
        "keys without org_id: add org_id (a migration) or name the exception with its reason"
    assert sorted(so.KEY_EXCEPTIONS.keys() - found) == [], "fixed exceptions: remove them from KEY_EXCEPTIONS"
    assert set(so.KEY_EXCEPTIONS.values()) <= so.KEY_REASONS.keys()


FKS = """
SELECT c.conname::text, c.conrelid::regclass::text, c.confrelid::regclass::text,
       ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k (n, i)
               JOIN pg_catalog.pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i),
       ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k (n, i)
               JOIN pg_catalog.pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.i)
  FROM pg_catalog.pg_constraint c WHERE c.contype = 'f'
"""


def fk_violations(conn) -> list[str]:
    kinds = so.classification()
    wrong = []
    for name, src, dst, cols, refs in conn.execute(FKS):
        a, b = kinds.get(src), kinds.get(dst)
        if a == "distributed" and b == "distributed":
            pairs = list(zip(cols, refs, strict=True))
            if (distribution_column(src), distribution_column(dst)) not in pairs:
                wrong.append(f"{src}.{name}: {cols} -> {dst} {refs} does not match org_id to org_id")
        elif a == "distributed" and b != "reference":
            wrong.append(f"{src}.{name}: a distributed table may reference only distributed or reference tables")
        elif a == "reference" and b != "reference":
            wrong.append(f"{src}.{name}: a reference table may reference only reference tables")
        elif a == "local" and b == "distributed":
            wrong.append(f"{src}.{name}: a local table may not reference a distributed table")
    return wrong


def test_foreign_keys_follow_citus_rules(conn):
    assert fk_violations(conn) == []


def test_the_rules_catch_a_new_table_that_breaks_them(test_db, pg_server, monkeypatch):
    """A table added without thought: unclassified, a key without org_id, a foreign key pairing the wrong columns."""
    with psycopg.connect(pg_server.conninfo(test_db)) as probe:  # one transaction, rolled back
        probe.execute("""
            CREATE TABLE app.scale_out_probe (
              org_id uuid NOT NULL REFERENCES app.organizations (id), id uuid PRIMARY KEY,
              booking_id uuid, FOREIGN KEY (org_id, booking_id) REFERENCES app.bookings (id, org_id))""")
        assert "app.scale_out_probe" in so.tables(probe) - so.classification().keys()
        monkeypatch.setattr(so, "DISTRIBUTED", (*so.DISTRIBUTED, "app.scale_out_probe"))
        assert ("app.scale_out_probe", "scale_out_probe_pkey") in key_violations(probe)
        assert [v for v in fk_violations(probe) if v.startswith("app.scale_out_probe.")] == [
            "app.scale_out_probe.scale_out_probe_org_id_booking_id_fkey: ['org_id', 'booking_id'] -> app.bookings "
            "['id', 'org_id'] does not match org_id to org_id"]
        probe.rollback()


def test_tenant_tables_are_under_rls_and_every_policy_filters_by_the_distribution_column(conn):
    tables = sorted(distributed())
    unprotected = [t for t, in conn.execute("""
        SELECT t.name FROM unnest(%s::text[]) AS t (name)
          JOIN pg_catalog.pg_class c ON c.oid = t.name::regclass WHERE NOT c.relrowsecurity""", (tables,))]
    assert unprotected == []
    loose = []
    for table, policy, qual, check in conn.execute("""
            SELECT p.schemaname || '.' || p.tablename, p.policyname, coalesce(p.qual, ''), coalesce(p.with_check, '')
              FROM pg_catalog.pg_policies p WHERE p.schemaname || '.' || p.tablename = ANY (%s)""", (tables,)):
        column = distribution_column(table)
        for text in (qual, check):
            if text and f"{column} " not in f"{text.replace('(', ' ').replace(')', ' ')} ":
                loose.append(f"{table}: {policy}")
    assert sorted(set(loose)) == []


def test_every_function_naming_a_tenant_table_reaches_it_through_org_id_or_is_named(conn):
    tenant = sorted(distributed())
    found = {f for f, source in function_sources(conn, ("api", "private"))
             if not so.routes_by_org(source)
             and any(re.search(rf"\b{re.escape(t)}\b", source) for t in tenant)}
    assert sorted(found - so.FUNCTION_EXCEPTIONS.keys()) == [], \
        "functions reaching tenant rows without org_id: filter by org_id or name the exception"
    assert sorted(so.FUNCTION_EXCEPTIONS.keys() - found) == [], "fixed: remove from FUNCTION_EXCEPTIONS"
    assert set(so.FUNCTION_EXCEPTIONS.values()) <= so.FUNCTION_REASONS.keys()


def test_org_id_in_a_join_condition_or_a_correlation_alone_routes_nothing():
    assert not so.routes_by_org("SELECT 1 FROM app.bookings b JOIN app.customers c ON c.org_id = b.org_id "
                                "AND c.id = b.customer_id WHERE b.confirmation_code = p_code")
    assert so.routes_by_org("SELECT 1 FROM app.bookings b JOIN app.customers c ON c.org_id = b.org_id "
                            "AND c.id = b.customer_id WHERE b.org_id = p_org_id")
    assert not so.routes_by_org("SELECT 1 FROM app.experiences e WHERE e.id = p_id AND NOT EXISTS (SELECT FROM "
                                "app.experience_resources er WHERE er.org_id = e.org_id AND er.experience_id = e.id)")
    assert so.routes_by_org("SELECT 1 FROM app.experiences e WHERE e.org_id = b.org_id AND e.id = b.experience_id")


def test_every_join_of_a_tenant_table_in_a_function_matches_org_id(conn):
    loose = [f"{name}: {join}" for name, source in function_sources(conn, ("api", "private", "audit", "app"))
             for join in so.loose_joins(source, distributed())]
    assert loose == [], "joins Citus would have to repartition: add `x.org_id = y.org_id` to each"


def test_the_join_rule_catches_a_join_on_id_alone_however_it_is_written():
    tenant = distributed()
    source = """
      SELECT v.name FROM app.experiences e JOIN app.venues v ON v.id = e.venue_id WHERE e.org_id = p_org;
      SELECT 1 FROM app.bookings b LEFT JOIN app.customers c ON (c.id = b.customer_id)  -- where org_id is
        JOIN app.venues w ON w.org_id = b.org_id AND w.id = b.venue_id;
      SELECT 1 FROM app.bookings b JOIN app.currencies k ON k.code = b.currency;
      SELECT 1 FROM app.slots s JOIN app.experiences e ON e.id = s.experience_id AND s.org_id = p_org;
      EXECUTE format('SELECT 1 FROM x JOIN app.customer_segments s ON s.customer_id = x.id');
      SELECT 1 FROM app.bookings b, app.ticket_types tt WHERE b.id = p_b AND tt.id = p_t;
      UPDATE app.slot_ticket_counts c SET taken = c.taken + 1 FROM app.booking_tickets t
       WHERE t.org_id = p_org AND t.booking_id = p_b AND c.ticket_type_id = t.ticket_type_id;
      DELETE FROM app.session_staff ss USING app.slots s WHERE ss.org_id = p_org AND s.id = ss.slot_id;
      DELETE FROM app.session_staff ss USING app.slots s WHERE ss.org_id = p_org AND s.org_id = ss.org_id;
      UPDATE app.bookings b SET status = 'x' FROM app.currencies k WHERE b.id = p_b;"""
    assert so.loose_joins(source, tenant) == [
        "app.venues v ON v.id = e.venue_id",
        "app.customers c ON (c.id = b.customer_id)",
        "app.experiences e ON e.id = s.experience_id AND s.org_id = p_org",
        "app.customer_segments s ON s.customer_id = x.id'",
        "app.bookings b, app.ticket_types tt WHERE b.id = p_b AND tt.id = p_t",
        "app.booking_tickets t, app.slot_ticket_counts c WHERE t.org_id = p_org AND t.booking_id = p_b AND "
        "c.ticket_type_id = t.ticket_type_id",
        "app.slots s, app.session_staff ss WHERE ss.org_id = p_org AND s.id = ss.slot_id",
    ]  # the joins with reference tables and the ones matching each table's org_id pass


def test_the_doc_holds_exactly_the_calls_and_exceptions_the_classification_renders(conn):
    block = so.doc_block(so.DOC.read_text())
    assert block is not None, f"{so.DOC} lacks the generated part's markers"
    assert block == so.render(conn), "docs/scale-out.md is stale: python -m tessera.scale_out DATABASE_URL --write"


def test_the_calls_name_every_reference_and_distributed_table_once_referenced_tables_first(conn):
    sql = so.calls(conn)
    order = [line.split("'")[1] for line in sql.splitlines() if line.startswith("SELECT create_")]
    kinds = so.classification()
    assert sorted(order) == sorted(t for t, k in kinds.items() if k != "local")
    position = {t: i for i, t in enumerate(order)}
    for name, src, dst, _, _ in conn.execute(FKS):
        if src in position and dst in position and src != dst:
            assert position[dst] < position[src], f"{dst} must be created before {src} ({name})"
