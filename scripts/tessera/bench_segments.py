"""`tessera bench segments`: customer insight timings on a `seed --scale` database, printed as JSON.

In one transaction that is rolled back at the end (the database is left as it was), the first scale organization
gains N customers (default 100,000) with deterministic figures (visits, first and last visit, lifetime value, some
without visits), and then:
  refresh   api.refresh_customer_segments as the service: the first run (every segment row written) and repeats
            (the steady nightly case: scores recomputed, only changed rows written), in seconds;
  list      api.list_customers as the organization's staff member, p50/p95 in milliseconds per kind of page: the
            first page, pages reached by cursor, one segment, and a search by part of a name.
"""

from __future__ import annotations

import json
import statistics
import time

from tessera.bench import percentile
from tessera.errors import Refusal
from tessera.project import Project
from tessera.server import current_server

ADD_CUSTOMERS = """
INSERT INTO app.customers (org_id, email, name, phone, created_at, booking_count, first_visit_at, last_visit_at,
                           lifetime_value_minor)
SELECT %(org)s, 'bench' || n || '@segments.example', 'Bench ' || (ARRAY['Ada', 'Bea', 'Cy', 'Dot', 'Eve'])[1 + n %% 5]
       || ' Person' || n, '+44 20 ' || lpad((n %% 100000000)::text, 8, '0'),
       now() - interval '3 years', v,
       CASE WHEN v > 0 THEN now() - make_interval(days => h %% 400 + (h / 400) %% 600) END,
       CASE WHEN v > 0 THEN now() - make_interval(days => h %% 400) END,
       CASE WHEN v > 0 THEN (h %% 500) * 100 ELSE 0 END
  FROM (SELECT n, abs(hashint4(n)) AS h, (abs(hashint4(n * 7)) %% 9)::int AS v
          FROM generate_series(1, %(n)s) n) x
"""


def _timed(conn, sql: str, params) -> tuple[float, object]:
    start = time.perf_counter()
    row = conn.execute(sql, params).fetchone()
    return time.perf_counter() - start, row[0] if row else None


def segments(project: Project, customers: int, runs: int) -> int:
    server = current_server(project)
    with server.connect() as conn:
        found = conn.execute("""SELECT o.id::text, m.user_id::text FROM app.organizations o
                                  JOIN app.memberships m ON m.org_id = o.id WHERE o.slug = 'scale-0001'
                                 LIMIT 1""").fetchone()
        if found is None:
            raise Refusal("no scale data here; run `tessera seed --scale 1000000` on this database first")
        org, staff = found
        with conn.transaction(force_rollback=True):
            start = time.perf_counter()
            conn.execute(ADD_CUSTOMERS, {"org": org, "n": customers})
            conn.execute("ANALYZE app.customers")
            seeded = time.perf_counter() - start
            total = conn.execute("SELECT count(*) FROM app.customers WHERE org_id = %s", (org,)).fetchone()[0]

            first, answer = _timed(conn, "SELECT api.refresh_customer_segments(%s)", (org,))
            conn.execute("ANALYZE app.customer_segments")
            repeats = [_timed(conn, "SELECT api.refresh_customer_segments(%s)", (org,))[0] for _ in range(3)]

            conn.execute("SELECT set_config('role', 'authenticated', true), set_config('request.jwt.claims', %s, true)",
                         (json.dumps({"role": "authenticated", "sub": staff}),))
            page = "SELECT api.list_customers(%s, segment => %s, query => %s, after => %s, page_size => 50)"
            kinds: dict[str, list[float]] = {"first_page": [], "by_cursor": [], "segment": [], "search": []}
            after = None
            for i in range(runs):
                kinds["first_page"].append(_timed(conn, page, (org, None, None, None))[0])
                seconds, result = _timed(conn, page, (org, None, None, after))
                kinds["by_cursor"].append(seconds)
                after = result["next_cursor"]
                kinds["segment"].append(_timed(conn, page, (org, ("champions", "lost", "at_risk")[i % 3], None,
                                                            None))[0])
                kinds["search"].append(_timed(conn, page, (org, None, f"person{1000 + i * 37}", None))[0])
            conn.execute("RESET ROLE")

    def ms(values: list[float]) -> dict:
        return {"p50_ms": round(statistics.median(values) * 1000, 2),
                "p95_ms": round(percentile([v * 1000 for v in values], 95), 2), "runs": len(values)}

    print(json.dumps({
        "organization_customers": total,
        "customers_added": customers,
        "seed_seconds": round(seeded, 2),
        "refresh": {"first_seconds": round(first, 3), "repeat_seconds": [round(r, 3) for r in repeats],
                    "customers": answer["customers"], "scored": answer["scored"], "target_seconds": 3},
        "list_customers": {k: ms(v) for k, v in kinds.items()} | {"target_p95_ms": 10},
        "rolled_back": True,
    }, indent=2))
    return 0
