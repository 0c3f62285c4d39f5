"""`tessera seed --demo`: the demo organization of db/seed/demo.sql, and the logins to try it with."""

from __future__ import annotations

from tessera.errors import Refusal
from tessera.project import Project
from tessera.server import current_server
from tessera.tokens import MAX_TTL, jwt_secret, mint

DEMO_ORG = "d1000000-0000-4000-8000-000000000001"
DEMO_USERS = (
    ("owner", "d0000000-0000-4000-8000-000000000001", "olivia.owner@enigma.example"),
    ("staff", "d0000000-0000-4000-8000-000000000003", "sam.staff@enigma.example"),
)


def demo(project: Project) -> int:
    server = current_server(project)
    with server.connect() as conn:
        if conn.execute("SELECT to_regclass('app.bookings')").fetchone()[0] is None:
            raise Refusal("the plan is not deployed here; run `tessera db deploy` first")
        seeded = conn.execute("SELECT 1 FROM app.organizations WHERE id = %s", (DEMO_ORG,)).fetchone()
        if seeded:
            print("demo data already present (Enigma Escapes)")
        else:
            conn.execute((project.root / "db" / "seed" / "demo.sql").read_text(encoding="utf-8"))
            conn.commit()
            count = conn.execute("SELECT count(*) FROM app.bookings WHERE org_id = %s", (DEMO_ORG,)).fetchone()[0]
            print(f"demo data seeded: Enigma Escapes, 2 venues, {count} bookings over 180 days")
        venues = conn.execute("SELECT name, timezone, embed_key FROM app.venues WHERE org_id = %s ORDER BY name",
                              (DEMO_ORG,)).fetchall()
    secret = jwt_secret(project.state_dir)
    print("demo logins (Authorization: Bearer <token>, valid 24 h):")
    for label, sub, email in DEMO_USERS:
        print(f"  {label:<6} {email}: {mint(secret, 'authenticated', sub=sub, email=email, ttl=86400)}")
    print(f"  anon key: {mint(secret, 'anon', ttl=MAX_TTL)}")
    for name, tz, key in venues:
        print(f"  widget key of {name} ({tz}): {key}")
    return 0
