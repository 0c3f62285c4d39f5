"""`tessera`: argument parsing and dispatch only; the work lives in the modules each command names.

Exit codes: 0 done; 1 the command ran and what it checked is not as it should be (changes pending, drift, a failed
verify); 2 it could not do what was asked (bad input, missing tools, unreachable database), said in one line.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tessera.errors import Refusal


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2, as every other CLI error
        raise Refusal(f"{message}; see `{self.prog} --help`")


@dataclass(frozen=True)
class Bounded:
    """An argparse type for a number within [low, high]: every numeric option has one, so a value that makes no
    sense (a token that never expires, a count the database cannot hold) is refused while parsing, in one line."""

    low: float
    high: float
    unit: str
    kind: type = int

    @property
    def __name__(self) -> str:  # argparse names the type in "invalid int value: 'abc'"
        return self.kind.__name__

    def __call__(self, text: str) -> float:
        value = self.kind(text)  # ValueError: argparse says "invalid int value"
        if not (math.isfinite(value) and self.low <= value <= self.high):
            low, high = (f"{b:g}" if self.kind is float else str(b) for b in (self.low, self.high))
            raise argparse.ArgumentTypeError(f"{text} is out of range: give {low} to {high} {self.unit}")
        return value


def _text(text: str) -> str:
    """A value that names something (a change, a host, an organization): blank names nothing, and must not be
    taken for the option's absence (`revert --to ''` once meant "revert everything")."""
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty value names nothing; give one, or leave the option out")
    return text


def _uuid(text: str) -> str:
    try:
        return str(uuid.UUID(text))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a uuid (the user's auth.users.id)") from None


# Concurrency beyond this many clients measures the benchmark machine, not Tessera.
MAX_CONCURRENCY = 1024


def _levels(text: str) -> tuple[int, ...]:
    parts = [p.strip() for p in text.split(",")]
    if not all(p.isdigit() and 1 <= int(p) <= MAX_CONCURRENCY for p in parts):
        raise argparse.ArgumentTypeError(f"{text!r} is not a list of levels from 1 to {MAX_CONCURRENCY}, "
                                         "such as 1,8,32")
    return tuple(int(p) for p in parts)


def _project():
    from tessera.project import Project

    return Project.find()


@contextmanager
def _engine(project, server):
    """An engine on its own connection, closed (releasing the advisory lock) when the command ends."""
    from tessera.sqitch.engine import Engine

    plan = project.plan()
    with server.connect(autocommit=True) as conn:
        yield Engine(plan, conn, project.registry)


# --- tessera db … ------------------------------------------------------------------------------------------------
def db_start(args) -> int:
    if os.environ.get("DATABASE_URL"):
        print("DATABASE_URL is set: tessera uses that server and runs no local cluster")
        return 0
    from tessera.server import current_server

    server = current_server(_project())
    print(f"local PostgreSQL running: {server.cluster.url(show_password=False)} (`tessera db url` for the full URL)")
    return 0


def db_stop(args) -> int:
    if os.environ.get("DATABASE_URL"):
        print("DATABASE_URL is set: there is no local cluster to stop")
        return 0
    from tessera.localdb import Cluster

    cluster = Cluster.for_checkout(_project().root)
    print("local PostgreSQL stopped" if cluster.stop() else "local PostgreSQL was not running")
    return 0


def db_destroy(args) -> int:
    from tessera.localdb import Cluster

    _confirm(args.yes, "Delete the local cluster and all its data?")
    root = _project().root
    Cluster.for_checkout(root).destroy()
    Cluster.for_checkout(root, fast=True).destroy()  # the test suite's, if there is one: it holds nothing to keep
    print("local PostgreSQL removed")
    return 0


def db_url(args) -> int:
    if url := os.environ.get("DATABASE_URL"):
        print(url)
        return 0
    from tessera.server import current_server

    print(current_server(_project()).cluster.url())
    return 0


def db_status(args) -> int:
    from tessera.errors import Failed
    from tessera.localdb import Cluster
    from tessera.server import current_server, redact

    project = _project()
    if url := os.environ.get("DATABASE_URL"):
        where = f"{redact(url)} (DATABASE_URL)"
    else:
        cluster = Cluster.for_checkout(project.root)
        if not cluster.running():
            raise Failed("local PostgreSQL is not running; start it with `tessera db start`")
        where = f"local PostgreSQL at {cluster.url(show_password=False)} (data in {cluster.home})"
    with _engine(project, current_server(project)) as engine:  # an unreachable server is the only line printed
        state = engine.state()
    print(f"server: {where}")
    print(f"project: {state.plan.project}, {len(state.plan.changes)} change(s) in the plan")
    if state.deployed:
        last = state.deployed[-1]
        print(f"deployed: {state.count}; last {last.change} at {last.committed_at:%Y-%m-%d %H:%M:%S%z} "
              f"by {last.committer_name}")
    else:
        print("deployed: nothing")
    if state.pending:
        print(f"pending: {len(state.pending)}")
        for change in state.pending:
            print(f"  * {change.name}")
        raise Failed(f"{len(state.pending)} change(s) not deployed; run `tessera db deploy`")
    print("up to date")
    return 0


def db_deploy(args) -> int:
    from tessera.server import current_server

    project = _project()
    with _engine(project, current_server(project)) as engine:
        engine.deploy(to=args.to, verify=args.verify)
    return 0


def db_revert(args) -> int:
    from tessera.server import current_server

    project = _project()
    with _engine(project, current_server(project)) as engine:
        what = f"back to {args.to}" if args.to is not None else "every change"
        _confirm(args.yes, f"Revert {what} in database {engine.conn.info.dbname}?")
        engine.revert(to=args.to)
    return 0


def db_verify(args) -> int:
    from tessera.server import current_server

    project = _project()
    with _engine(project, current_server(project)) as engine:
        engine.verify()
    return 0


def db_backup(args) -> int:
    from tessera.backup import backup

    return backup(_project(), args.file)


def db_restore(args) -> int:
    from tessera.backup import restore

    if args.replace:
        _confirm(args.yes, f"Drop and re-create database {args.into or 'the current database'} from {args.file}?")
    return restore(_project(), args.file, args.into, args.replace, args.jobs)


def db_add(args) -> int:
    from tessera.migrations import add_change

    paths = add_change(_project(), args.name, args.requires, args.conflicts, args.note)
    print(f"added {args.name}: " + ", ".join(str(p) for p in paths.values()))
    return 0


def db_diff(args) -> int:
    from tessera.diff import diff_change

    return diff_change(_project(), args.name, args.requires, args.note)


def db_schema(args) -> int:
    from tessera.schema_file import regenerate

    return regenerate(_project())


def db_check(args) -> int:
    from tessera.check import check

    return check(_project())


def supabase_export(args) -> int:
    from tessera.supabase_export import export

    return export(_project(), check=args.check)


def seed(args) -> int:
    if args.scale is not None:
        from tessera.scale import scale

        return scale(_project(), args.scale, args.seed)
    if not args.demo:
        raise Refusal("say what to seed: --demo, or --scale N")
    from tessera.seed import demo

    return demo(_project())


def bench(args) -> int:
    from tessera import bench as benchmarks

    if args.what == "availability":
        return benchmarks.availability(_project(), runs=args.runs, days=args.days)
    if args.what == "analytics":
        from tessera import bench_analytics

        return bench_analytics.analytics(_project(), runs=args.runs, catalogue=args.catalogue)
    if args.what == "payments":
        from tessera import bench_payments

        return bench_payments.payments(_project(), orders=args.orders)
    if args.what == "segments":
        from tessera import bench_segments

        return bench_segments.segments(_project(), customers=args.customers, runs=args.runs)
    if args.what == "worker":
        from tessera import bench_worker

        return bench_worker.worker(_project(), messages=args.messages)
    if args.what == "rpc" and args.replica:  # replica lane
        from tessera import bench_replica

        return bench_replica.replica(_project(), seconds=args.seconds or 5, workers=args.workers,
                                     pool_size=args.pool_size, concurrency=args.concurrency)
    if args.what == "rpc" and args.pgbouncer:  # pooler lane
        from tessera import bench_pooler

        return bench_pooler.pooler(_project(), seconds=args.seconds, workers=args.workers,
                                   pool_size=args.pool_size, concurrency=args.concurrency)
    if args.what == "rpc":
        from tessera import bench_rpc

        return bench_rpc.rpc(_project(), seconds=args.seconds or 5, workers=args.workers, pool_size=args.pool_size,
                             concurrency=args.concurrency)
    if args.what == "soak":
        from tessera import bench_soak

        return bench_soak.soak(_project(), seconds=args.seconds or 600, rate=args.rate, workers=args.workers)
    return benchmarks.booking(_project(), clients=args.clients, per_client=args.per_client)


def token(args) -> int:
    from tessera.tokens import generate_key, jwt_secret, mint, mint_with_key

    if args.action == "keys":
        if args.key:
            raise Refusal("`tessera token keys` makes a key pair; --key signs with one: use them apart")
        directory = Path(args.dir) if args.dir else _project().state_dir / "keys"
        print(json.dumps(generate_key(directory, args.alg)))
        return 0
    if args.alg != "ES256" or args.dir:
        raise Refusal("--alg and --dir go with `tessera token keys`; a token signed with --key takes its key's alg")
    sub, email = args.sub, args.email
    if args.org:
        if args.role != "authenticated":
            raise Refusal("--org picks a member of an organization: use it with --role authenticated")
        sub, email = _member(args.org, sub, email)
    if args.role == "authenticated" and not sub:
        raise Refusal("an authenticated token needs --sub (the user id) or --org (a member of that organization)")
    extra = {"iss": args.iss} if args.iss else None
    if args.key:
        print(mint_with_key(Path(args.key), args.role, sub=sub, email=email, ttl=args.ttl, extra=extra))
    else:
        print(mint(jwt_secret(_project().state_dir), args.role, sub=sub, email=email, ttl=args.ttl, extra=extra))
    return 0


def _member(org: str, sub: str | None, email: str | None) -> tuple[str, str | None]:
    """The user a token is for in an organization (by slug or id): --sub when it is a member, else the owner."""
    from tessera.server import current_server

    with current_server(_project()).connect() as conn:
        row = conn.execute("""
            SELECT m.user_id::text, u.email
              FROM app.organizations o
              JOIN app.memberships m ON m.org_id = o.id
              LEFT JOIN auth.users u ON u.id = m.user_id
             WHERE (o.slug = %(org)s OR o.id::text = %(org)s) AND (%(sub)s::text IS NULL OR m.user_id::text = %(sub)s)
             ORDER BY m.role DESC, m.user_id
             LIMIT 1""", {"org": org, "sub": sub}).fetchone()
    if row is None:
        who = f"{sub} is not a member of it" if sub else "it has no members"
        raise Refusal(f"no token for organization {org!r}: it does not exist or {who}; see `tessera seed --demo`")
    return row[0], email or row[1]


def user_add(args) -> int:
    """An account on the local auth shim, for trying sign-in flows (invitations) without Supabase Auth."""
    from tessera.server import current_server
    from tessera.tokens import jwt_secret, mint

    email = args.email.strip().lower()
    if not re.fullmatch(r"[^@\s]+@[^@\s]+", email) or len(email) > 320:
        raise Refusal(f"{args.email!r} is not an e-mail address: give one like sam@example.com")
    if args.name is not None and not 1 <= len(args.name.strip()) <= 200:
        raise Refusal("--name is 1 to 200 characters")
    with current_server(_project()).connect() as conn:
        shim = conn.execute("SELECT coalesce(obj_description(to_regclass('auth.users'), 'pg_class'), '')"
                            " LIKE 'tessera shim%'").fetchone()[0]
        if not shim:
            raise Refusal("this database's accounts belong to its platform (Supabase Auth): sign up there instead")
        row = conn.execute("SELECT id::text FROM auth.users WHERE lower(email) = %s ORDER BY created_at LIMIT 1",
                           (email,)).fetchone()
        created = row is None
        if created:
            row = conn.execute("INSERT INTO auth.users (email) VALUES (%s) RETURNING id::text", (email,)).fetchone()
        if args.name:
            conn.execute("""INSERT INTO app.profiles (user_id, display_name) VALUES (%s, %s)
                            ON CONFLICT (user_id) DO UPDATE SET display_name = EXCLUDED.display_name""",
                         (row[0], args.name))
    token = mint(jwt_secret(_project().state_dir), "authenticated", sub=row[0], email=email, ttl=args.ttl)
    print(json.dumps({"user_id": row[0], "email": email, "created": created, "token": token}))
    return 0


def payments(args) -> int:
    from tessera.payments import reconcile

    return reconcile(_project())


def jobs(args) -> int:
    from tessera.jobs import run

    return run(_project())


def worker(args) -> int:
    from tessera.worker_cmd import run

    return run(_project(), once=args.once, batch=args.batch, concurrency=args.concurrency, lease=args.lease,
               poll=args.poll, webhooks=not args.no_webhooks)


def fake_providers(args) -> int:
    from tessera.payments import fake_providers as run

    return run(args.host, args.stripe_port, args.moyasar_port, args.service_url.rstrip("/"))


def serve(args) -> int:
    from tessera.serve import run

    return run(_project(), host=args.host, port=args.port, workers=args.workers)


def dev(args) -> int:
    """What ./scripts/dev runs: the port settled first, then the database started, deployed and seeded, then served."""
    from tessera.seed import demo
    from tessera.serve import choose_port, run

    port = choose_port(args.host, args.port)
    db_start(args)
    db_deploy(argparse.Namespace(to=None, verify=False))
    demo(_project())
    if not (os.environ.get("TESSERA_STRIPE_SECRET_KEY") or os.environ.get("TESSERA_MOYASAR_SECRET_KEY")):
        # No real provider keys: payments go to the fake providers, in this process, webhooks back to this API.
        from tessera.fake_providers import DEV_PORTS, start

        fakes = start(f"http://{args.host}:{port}", args.host, *DEV_PORTS, fall_back=True)
        os.environ.update(fakes.environment())
        os.environ.setdefault("TESSERA_PUBLIC_URL", f"http://{args.host}:{port}")
        print(f"no provider keys set: fake Stripe on {fakes.stripe.url}, fake Moyasar on {fakes.moyasar.url} "
              "(README: Take a payment)")
    return run(_project(), host=args.host, port=port)


def _confirm(yes: bool, question: str) -> None:
    if yes:
        return
    if not sys.stdin.isatty():
        raise Refusal(f"{question.rstrip('?')} needs confirmation; pass -y to confirm without a prompt")
    if input(f"{question} [y/N] ").strip().lower() not in ("y", "yes"):
        raise Refusal("not confirmed; nothing changed")


def _unexpected(exc: BaseException) -> int:
    """An environment problem nobody anticipated: still one line (TESSERA_DEBUG=1 shows the traceback)."""
    if os.environ.get("TESSERA_DEBUG"):
        raise exc
    detail = (str(exc).strip().splitlines() or [""])[0]
    print(f"tessera: {type(exc).__name__}: {detail}; rerun with TESSERA_DEBUG=1 to see where", file=sys.stderr)
    return 2


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="tessera", description="Tessera's operator CLI.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser, required=True)

    db = commands.add_parser("db", help="the database: local cluster, migrations, drift checks")
    dbc = db.add_subparsers(dest="db_command", metavar="DB_COMMAND", parser_class=_Parser, required=True)

    def sub(name: str, fn: Callable[[argparse.Namespace], int], help: str) -> argparse.ArgumentParser:
        p = dbc.add_parser(name, help=help)
        p.set_defaults(fn=fn)
        return p

    sub("start", db_start, "start the local PostgreSQL (creating it on first use)")
    sub("stop", db_stop, "stop the local PostgreSQL")
    sub("url", db_url, "print the database URL")
    p = sub("destroy", db_destroy, "delete the local PostgreSQL and its data")
    p.add_argument("-y", "--yes", action="store_true", help="do not ask for confirmation")
    sub("status", db_status, "server, deployed and pending changes (exit 1 while changes are pending)")
    p = sub("deploy", db_deploy, "deploy pending changes")
    p.add_argument("--to", type=_text, metavar="CHANGE", help="deploy up to and including this change")
    p.add_argument("--verify", action="store_true", help="run each verify script; roll the change back if it fails")
    p = sub("revert", db_revert, "revert deployed changes")
    p.add_argument("--to", type=_text, metavar="CHANGE|@TAG", help="keep this change and everything before it")
    p.add_argument("-y", "--yes", action="store_true", help="do not ask for confirmation")
    sub("verify", db_verify, "run the verify script of every deployed change")
    p = sub("backup", db_backup, "dump the database (pg_dump custom format); prints JSON with size and seconds")
    p.add_argument("file", nargs="?", help="where to write it (default .tessera/backups/<db>-<UTC time>.dump)")
    p = sub("restore", db_restore, "restore a backup (pg_restore --jobs); refuses a non-empty database")
    p.add_argument("file")
    p.add_argument("--into", type=_text, metavar="DBNAME", help="the database to restore into, created when missing "
                   "(default: the current one)")
    p.add_argument("--replace", action="store_true", help="drop and re-create the target database first")
    p.add_argument("-y", "--yes", action="store_true", help="with --replace: do not ask for confirmation")
    p.add_argument("--jobs", type=Bounded(1, 64, "parallel jobs"), default=min(4, os.cpu_count() or 1),
                   help="parallel restore jobs (default: the cores, at most 4)")
    for name, fn, help in (
        ("add", db_add, "add a change: the deploy/revert/verify scripts and its plan line"),
        ("diff", db_diff, "generate a change from db/functions and db/policies (migra + privileges + comments)"),
    ):
        p = sub(name, fn, help)
        p.add_argument("name")
        p.add_argument("-r", "--requires", type=_text, action="append", default=[], metavar="CHANGE")
        if name == "add":
            p.add_argument("-c", "--conflicts", type=_text, action="append", default=[], metavar="CHANGE")
        p.add_argument("-n", "--note", default="", help="the plan note")
    sub("check", db_check, "prove the plan, the declarative files and the revert scripts agree")
    sub("schema", db_schema, "write db/schema.sql: the schema the plan deploys, for reading")

    supa = commands.add_parser("supabase", help="the Supabase CLI project under supabase/")
    supac = supa.add_subparsers(dest="supabase_command", metavar="SUPABASE_COMMAND", parser_class=_Parser,
                                required=True)
    p = supac.add_parser("export", help="write supabase/ from the plan")
    p.add_argument("--check", action="store_true", help="exit 1 when supabase/ is stale instead of writing")
    p.set_defaults(fn=supabase_export)

    from tessera.scale import MAX_BOOKINGS, ORGS
    from tessera.tokens import MAX_TTL

    p = commands.add_parser("seed", help="load data: the demo organization, or benchmark volume")
    p.add_argument("--demo", action="store_true", help="Enigma Escapes: 2 venues, staff, 180 days of bookings")
    p.add_argument("--scale", type=Bounded(ORGS, MAX_BOOKINGS, "bookings"), metavar="N",
                   help=f"N bookings over {ORGS} organizations, for benchmarks ({ORGS} to {MAX_BOOKINGS})")
    # The seed is hashed with each row's number in SQL, as an integer.
    p.add_argument("--seed", type=Bounded(0, 2**31 - 1, "(a 32-bit integer)"), default=1,
                   help="what --scale's choices derive from (default 1)")
    p.set_defaults(fn=seed)

    # Bounds: check_availability answers at most 367 days; the booking bench gives each client one of the seeded
    # organizations; more proxy processes or connections than these only queue on a small machine's cores.
    p = commands.add_parser("bench", help="benchmarks on a `seed --scale` database, printed as JSON")
    p.add_argument("what", choices=["availability", "booking", "rpc", "payments", "analytics", "segments",
                                    "worker", "soak"])
    p.add_argument("--runs", type=Bounded(1, 100_000, "calls"), default=200,
                   help="availability, analytics (of each function): timed calls; segments: "
                        "list_customers pages of each kind (default 200)")
    p.add_argument("--customers", type=Bounded(1_000, 1_000_000, "customers"), default=100_000,
                   help="segments: customers added to the first scale organization, rolled back after (default "
                        "100000)")
    p.add_argument("--days", type=Bounded(1, 366, "days"), default=30,
                   help="availability: window in days (default 30)")
    p.add_argument("--clients", type=Bounded(1, ORGS, "clients (one seeded organization each)"), default=8,
                   help="booking: concurrent clients (default 8)")
    p.add_argument("--per-client", type=Bounded(1, 10_000, "bookings"), default=50,
                   help="booking: bookings each client attempts (default 50)")
    p.add_argument("--seconds", type=Bounded(1, 86_400, "seconds", float), default=None,
                   help="rpc: seconds per driver and concurrency (default 5); soak: seconds of steady load (default "
                        "600)")
    p.add_argument("--rate", type=Bounded(1, 2000, "requests per second", float), default=100,
                   help="soak: requests per second, in all (default 100)")
    p.add_argument("--workers", type=Bounded(1, 64, "processes"), default=1,
                   help="rpc, soak: server processes of the proxy (default 1)")
    p.add_argument("--pool-size", type=Bounded(1, 100, "connections"), default=8,
                   help="rpc: connections per proxy process (default 8)")
    p.add_argument("--concurrency", type=_levels, default=(1, 8, 32),
                   help="rpc: concurrency levels (default 1,8,32)")
    p.add_argument("--replica", action="store_true",
                   help="rpc: instead, the read throughput a streaming replica of the local cluster adds to GETs "
                        "(primary only vs TESSERA_READ_DATABASE_URL on the replica)")
    p.add_argument("--pgbouncer", action="store_true",
                   help="rpc: instead, the proxy directly and through a PgBouncer in transaction mode started for "
                        "the run (TESSERA_DB_POOLER=transaction), with the ratio")
    p.add_argument("--catalogue", type=Bounded(0, 100_000, "experiences"), default=0,
                   help="analytics: experiences added to the organization for the run, then rolled back (default 0)")
    p.add_argument("--orders", type=Bounded(1, 5000, "orders"), default=600,
                   help="payments: orders checked out and paid, each webhook delivered 5 times (default 600)")
    p.add_argument("--messages", type=Bounded(10, 100_000, "messages"), default=2000,
                   help="worker: messages queued at once and delivered through a local SMTP server (default 2000)")
    p.set_defaults(fn=bench)

    p = commands.add_parser("token", help="mint a development JWT signed with the project's secret or a local key "
                                          "(`tessera token keys` makes a key pair and its JWKS file)")
    p.add_argument("action", nargs="?", choices=["keys"],
                   help="keys: write a new private key (<kid>.pem) and add its public key to jwks.json")
    p.add_argument("--key", type=_text, help="sign with this private key (PEM, from `tessera token keys`) instead of "
                                             "the HS256 secret: RS256, ES256 or EdDSA by the key, kid in the header")
    p.add_argument("--alg", default="ES256", choices=["ES256", "RS256", "EdDSA"],
                   help="keys: the new key's algorithm (default ES256, as Supabase's)")
    p.add_argument("--dir", type=_text, help="keys: the folder of the keys and jwks.json (default .tessera/keys)")
    p.add_argument("--iss", type=_text, help="the iss claim (for TESSERA_JWT_ISS)")
    p.add_argument("--role", default="authenticated", choices=["anon", "authenticated", "service_role"])
    p.add_argument("--sub", type=_uuid, help="user id (auth.users.id) for an authenticated token")
    p.add_argument("--org", type=_text,
                   help="an organization (slug or id): the token is for its owner, or for --sub if a member")
    p.add_argument("--email", type=_text)
    p.add_argument("--ttl", type=Bounded(1, MAX_TTL, "seconds (a year at most)"), default=3600,
                   help="seconds of validity (default 3600, at most a year)")
    p.set_defaults(fn=token)

    p = commands.add_parser("user", help="accounts on the local auth shim (development)")
    uc = p.add_subparsers(dest="user_command", metavar="USER_COMMAND", parser_class=_Parser, required=True)
    u = uc.add_parser("add", help="make (or find) the account of an e-mail address and print it with a token as JSON")
    u.add_argument("email", type=_text)
    u.add_argument("--name", type=_text, help="display name (the profile's)")
    u.add_argument("--ttl", type=Bounded(1, MAX_TTL, "seconds (a year at most)"), default=3600,
                   help="seconds of the token's validity (default 3600)")
    u.set_defaults(fn=user_add)

    p = commands.add_parser("payments", help="payments at the providers: reconcile what webhooks missed")
    pc = p.add_subparsers(dest="payments_command", metavar="PAYMENTS_COMMAND", parser_class=_Parser, required=True)
    pc.add_parser("reconcile", help="expire ended checkouts, ask the providers about overdue orders, send due "
                                    "refunds; prints JSON (safe from cron)").set_defaults(fn=payments)

    p = commands.add_parser("jobs", help="the database's periodic jobs (nightly customer segments)")
    jc = p.add_subparsers(dest="jobs_command", metavar="JOBS_COMMAND", parser_class=_Parser, required=True)
    jc.add_parser("run", help="run the jobs that are due once; prints JSON (safe from cron)").set_defaults(fn=jobs)

    p = commands.add_parser("worker", help="deliver the outbox: e-mail over SMTP (TESSERA_SMTP_*) and in-app "
                                           "messages, until SIGTERM (README: Delivery worker)")
    p.add_argument("--once", action="store_true", help="one claim and its deliveries per loop, then print JSON")
    p.add_argument("--batch", type=Bounded(1, 1000, "messages"), default=50,
                   help="messages claimed at a time by each loop (default 50)")
    p.add_argument("--concurrency", type=Bounded(1, 16, "loops"), default=1,
                   help="delivery loops in this process, each with its own connections (default 1)")
    p.add_argument("--lease", type=Bounded(5, 3600, "seconds", float), default=120,
                   help="seconds a claim holds its messages; a killed worker's come back after it (default 120)")
    p.add_argument("--poll", type=Bounded(0.05, 60, "seconds", float), default=1,
                   help="seconds between claims while nothing is due (default 1)")
    p.add_argument("--no-webhooks", action="store_true",
                   help="leave outgoing webhooks to other workers (README: Outgoing webhooks)")
    p.set_defaults(fn=worker)

    p = commands.add_parser("fake-providers", help="fake Stripe and Moyasar APIs on this machine, for development")
    p.add_argument("--host", type=_text, default="127.0.0.1")
    p.add_argument("--stripe-port", type=Bounded(0, 65535, "(a TCP port; 0 = any free one)"), default=12111)
    p.add_argument("--moyasar-port", type=Bounded(0, 65535, "(a TCP port; 0 = any free one)"), default=12112)
    p.add_argument("--service-url", type=_text, default="http://127.0.0.1:8000",
                   help="where their webhooks go (default http://127.0.0.1:8000)")
    p.set_defaults(fn=fake_providers)

    p = commands.add_parser("serve", help="run the HTTP API")
    p.add_argument("--host", type=_text, default=os.environ.get("TESSERA_HOST", "127.0.0.1"))
    p.add_argument("--port", type=Bounded(1, 65535, "(a TCP port)"), default=os.environ.get("TESSERA_PORT", "8000"))
    p.add_argument("--workers", type=Bounded(1, 64, "processes"), default=os.environ.get("TESSERA_WORKERS", "1"),
                   help="server processes, each with its own connection pool (default 1)")
    p.set_defaults(fn=serve)

    p = commands.add_parser("dev", help="start, deploy, seed the demo and serve: what ./scripts/dev runs")
    p.add_argument("--host", type=_text, default=os.environ.get("TESSERA_HOST", "127.0.0.1"))
    p.add_argument("--port", type=Bounded(1, 65535, "(a TCP port)"), default=os.environ.get("TESSERA_PORT"),
                   help="refused when taken (default: 8000, or the next free port after it)")
    p.set_defaults(fn=dev)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        code = args.fn(args)
    except Refusal as exc:
        print(f"tessera: {exc}", file=sys.stderr)
        code = exc.exit_code
    except KeyboardInterrupt:
        code = 130
    except (OSError, UnicodeError, ValueError) as exc:
        code = _unexpected(exc)
    except Exception as exc:
        if type(exc).__module__.split(".")[0] != "psycopg":
            raise
        code = _unexpected(exc)
    sys.stdout.flush()
    return code


if __name__ == "__main__":
    sys.exit(main())
