"""The real Supabase CLI (npm, pinned by scripts/lib/bootstrap.sh into .tools/) pushes the generated supabase/
project with `supabase db push --db-url` into a fresh database prepared as a Supabase project is, and the proxy
then serves the RPC smoke cases from it. No Docker: `db push --db-url` talks to the database alone.

Two preparations: "platform" has the auth schema a Supabase project comes with (the shim's migrations then make
nothing), "shim" is plain PostgreSQL, where the pushed migrations install the auth shim themselves. The API roles
(anon, authenticated, service_role, authenticator) are cluster-wide and exist on the test server either way.
"""

from __future__ import annotations

import os
import subprocess
import urllib.parse
import uuid

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict
from tessera.project import Project

from tests.api_support import login_conninfo, serve, token
from tests.helpers import ROOT

CLI = ROOT / ".tools" / "node_modules" / ".bin" / "supabase"
VERSION = "2.117.0"
API_ROLES = ("anon", "authenticated", "service_role", "authenticator")

# The auth schema a Supabase project comes with (supabase/auth's current helper functions; users trimmed to the
# columns Tessera reads): made before the push, so the shim's migrations find it and make nothing.
PLATFORM_AUTH = """
CREATE SCHEMA auth;
COMMENT ON SCHEMA auth IS 'Auth: the platform''s own';
CREATE TABLE auth.users (instance_id uuid, id uuid PRIMARY KEY, aud varchar(255), role varchar(255),
                         email varchar(255), created_at timestamptz DEFAULT now());
CREATE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE AS $$
  SELECT coalesce(nullif(current_setting('request.jwt.claim.sub', true), ''),
                  (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub'))::uuid $$;
CREATE FUNCTION auth.role() RETURNS text LANGUAGE sql STABLE AS $$
  SELECT coalesce(nullif(current_setting('request.jwt.claim.role', true), ''),
                  (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role'))::text $$;
CREATE FUNCTION auth.email() RETURNS text LANGUAGE sql STABLE AS $$
  SELECT coalesce(nullif(current_setting('request.jwt.claim.email', true), ''),
                  (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email'))::text $$;
CREATE FUNCTION auth.jwt() RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT coalesce(nullif(current_setting('request.jwt.claim', true), ''),
                  nullif(current_setting('request.jwt.claims', true), ''))::jsonb $$;
GRANT USAGE ON SCHEMA auth TO anon, authenticated, service_role;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA auth TO anon, authenticated, service_role;
"""


def supabase_cli() -> str:
    if not CLI.exists():
        pytest.fail(f"the Supabase CLI is missing at {CLI}: run ./scripts/test, whose bootstrap installs it "
                    f"(npm i -E supabase@{VERSION} into .tools/)", pytrace=False)
    version = subprocess.run([str(CLI), "--version"], capture_output=True, text=True, timeout=60).stdout.strip()
    assert version == VERSION, f"the pinned Supabase CLI is {VERSION}, found {version}"
    return str(CLI)


def db_url(pg_server, dbname: str) -> str:
    """A percent-encoded postgresql:// URL over TCP, as the CLI wants (it reaches no unix socket)."""
    if pg_server.cluster is not None:
        user, password, host, port = "postgres", pg_server.cluster.password, "127.0.0.1", pg_server.cluster.port
        sslmode = "disable"
    else:
        parts = conninfo_to_dict(pg_server.base)
        user, password = parts.get("user", "postgres"), parts.get("password", "")
        host, port, sslmode = parts.get("host", "127.0.0.1"), parts.get("port", 5432), parts.get("sslmode", "disable")
    quote = lambda s: urllib.parse.quote(str(s), safe="")  # noqa: E731
    secret = f":{quote(password)}" if password else ""
    return f"postgresql://{quote(user)}{secret}@{host}:{port}/{quote(dbname)}?sslmode={sslmode}"


def push(cli: str, project: Project, url: str, home) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HOME": str(home), "SUPABASE_TELEMETRY_DISABLED": "1", "DO_NOT_TRACK": "1"}
    return subprocess.run([cli, "db", "push", "--workdir", str(project.root), "--yes", "--db-url", url],
                          capture_output=True, text=True, timeout=600, env=env, stdin=subprocess.DEVNULL)


@pytest.mark.parametrize("auth", ["platform", "shim"])
def test_the_supabase_cli_pushes_the_project_and_the_proxy_serves_it(auth, project_copy: Project, tessera_databases,
                                                                      pg_server, tmp_path):
    cli = supabase_cli()
    dbname = tessera_databases.empty(f"supa_push_{auth}")
    admin = pg_server.conninfo(dbname)
    with psycopg.connect(admin, autocommit=True) as conn:
        roles = {r for (r,) in conn.execute("SELECT rolname FROM pg_roles WHERE rolname = ANY (%s)",
                                            (list(API_ROLES),))}
        assert roles == set(API_ROLES), "the test server has Supabase's API roles"
        if auth == "platform":
            conn.execute(PLATFORM_AUTH)

    pushed = push(cli, project_copy, db_url(pg_server, dbname), tmp_path)
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    migrations = sorted(p.name.split("_", 1)[0] for p in (project_copy.root / "supabase" / "migrations").glob("*.sql"))
    with psycopg.connect(admin) as conn:
        applied = [v for (v,) in conn.execute("SELECT version FROM supabase_migrations.schema_migrations ORDER BY 1")]
        shim = conn.execute("SELECT obj_description('auth'::regnamespace, 'pg_namespace')").fetchone()[0]
    assert applied == migrations
    assert (shim == "tessera shim: Supabase auth schema") is (auth == "shim")

    again = push(cli, project_copy, db_url(pg_server, dbname), tmp_path)
    assert again.returncode == 0 and "up to date" in (again.stdout + again.stderr).lower(), again.stdout + again.stderr

    # The RPC smoke cases, through the proxy logging in as authenticator.
    owner = str(uuid.uuid4())
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("INSERT INTO auth.users (id, email) VALUES (%s, %s)", (owner, f"owner.{auth}@push.example"))
    with serve(login_conninfo(admin), tmp_path, schemas="api") as api:
        signed = {"Authorization": f"Bearer {token(sub=owner, email=f'owner.{auth}@push.example')}"}
        anon = {"Authorization": f"Bearer {token(role='anon')}"}

        who = api.rpc("whoami", method="GET", headers=signed)
        assert who.status_code == 200, who.text
        assert who.json()["role"] == "authenticated"

        made = api.rpc("create_organization", {"name": "Pushed Rooms", "slug": f"pushed-{auth}"}, headers=signed)
        assert made.status_code == 200, made.text
        org_id = made.json()["id"]
        team = api.rpc("list_members", {"org_id": org_id}, method="POST", headers=signed)
        assert team.status_code == 200 and [m["role"] for m in team.json()] == ["owner"], team.text

        refused = api.rpc("create_organization", {"name": "Nobody's", "slug": f"nobody-{auth}"}, headers=anon)
        assert refused.status_code in (401, 403) and "code" in refused.json(), refused.text
        missing = api.rpc("no_such_function", {}, headers=signed)
        assert missing.status_code == 404 and missing.json()["code"] == "PGRST202", missing.text
