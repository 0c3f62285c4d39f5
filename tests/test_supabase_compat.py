"""On Supabase the platform's roles and auth schema exist: deploy and revert leave them exactly as they were."""

from __future__ import annotations

import psycopg
from tessera.project import Project

PLATFORM_AUTH = """
CREATE SCHEMA auth;
COMMENT ON SCHEMA auth IS 'Auth: the platform''s own';
CREATE TABLE auth.users (instance_id uuid, id uuid PRIMARY KEY, email varchar(255));
CREATE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE
  AS $$ SELECT nullif(current_setting('request.jwt.claim.sub', true), '')::uuid $$;
CREATE FUNCTION auth.role() RETURNS text LANGUAGE sql STABLE
  AS $$ SELECT nullif(current_setting('request.jwt.claim.role', true), '')::text $$;
CREATE FUNCTION auth.email() RETURNS text LANGUAGE sql STABLE
  AS $$ SELECT nullif(current_setting('request.jwt.claim.email', true), '')::text $$;
CREATE FUNCTION auth.jwt() RETURNS jsonb LANGUAGE sql STABLE
  AS $$ SELECT nullif(current_setting('request.jwt.claims', true), '')::jsonb $$;
GRANT USAGE ON SCHEMA auth TO anon, authenticated, service_role;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA auth TO anon, authenticated, service_role;
"""

AUTH_SNAPSHOT = """
SELECT n.nspname, obj_description(n.oid, 'pg_namespace'),
       (SELECT array_agg(pg_get_functiondef(p.oid) ORDER BY p.proname) FROM pg_proc p WHERE p.pronamespace = n.oid),
       (SELECT array_agg(attname::text ORDER BY attnum) FROM pg_attribute
         WHERE attrelid = to_regclass('auth.users') AND attnum > 0 AND NOT attisdropped)
  FROM pg_namespace n WHERE n.nspname = 'auth'
"""

ROLES_SNAPSHOT = """
SELECT r.rolname, r.rolcanlogin, r.rolinherit, r.rolbypassrls, r.rolconfig, shobj_description(r.oid, 'pg_authid'),
       (SELECT array_agg(g.rolname ORDER BY g.rolname) FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
         WHERE m.member = r.oid)
  FROM pg_roles r WHERE r.rolname IN ('anon', 'authenticated', 'service_role', 'authenticator') ORDER BY 1
"""


def snapshot(conninfo: str, query: str):
    with psycopg.connect(conninfo) as conn:
        return conn.execute(query).fetchall()


def test_a_platform_auth_schema_is_untouched_by_deploy_and_revert(project_copy: Project, cli, empty_db):
    with psycopg.connect(empty_db) as conn:
        conn.execute(PLATFORM_AUTH)
    before = snapshot(empty_db, AUTH_SNAPSHOT)
    run = cli(project_copy, "db", "deploy", "--verify", database=empty_db)
    assert run.code == 0, run.err
    assert snapshot(empty_db, AUTH_SNAPSHOT) == before
    assert cli(project_copy, "db", "revert", "-y", database=empty_db).code == 0
    assert snapshot(empty_db, AUTH_SNAPSHOT) == before


def test_roles_that_already_exist_are_kept_as_they_are(project_copy: Project, cli, empty_db):
    before = snapshot(empty_db, ROLES_SNAPSHOT)
    assert len(before) == 4, "the test server already has the API roles"
    assert cli(project_copy, "db", "deploy", database=empty_db).code == 0
    assert snapshot(empty_db, ROLES_SNAPSHOT) == before
    assert cli(project_copy, "db", "revert", "-y", database=empty_db).code == 0
    assert snapshot(empty_db, ROLES_SNAPSHOT) == before, "roles still used by other databases stay"


def test_the_shim_installs_and_removes_itself_where_there_was_no_auth_schema(project_copy: Project, cli, empty_db):
    assert cli(project_copy, "db", "deploy", database=empty_db).code == 0
    (_name, comment, functions, columns), = snapshot(empty_db, AUTH_SNAPSHOT)
    assert comment == "tessera shim: Supabase auth schema" and len(functions) == 4 and "id" in columns
    assert cli(project_copy, "db", "revert", "-y", database=empty_db).code == 0
    assert snapshot(empty_db, AUTH_SNAPSHOT) == []
