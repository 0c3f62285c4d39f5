"""`seed --scale` is deterministic and consistent; the benchmarks run and report zero oversells. No timings are
asserted: the figures are for people to read."""

from __future__ import annotations

import json

import psycopg

from tests.helpers import COUNTER_DRIFT, ROOT


def test_scale_seed_then_benchmarks(cli, tessera_databases, pg_server, project_copy):
    url = pg_server.conninfo(tessera_databases.clone("scale"))
    run = cli(project_copy, "seed", "--scale", "2000", "--seed", "7", database=url)
    assert run.code == 0, run.err
    report = json.loads(run.out.strip().splitlines()[-1])
    assert report["seeded_bookings"] == 2000 and report["organizations"] == 100
    with psycopg.connect(url) as conn:
        assert conn.execute(COUNTER_DRIFT).fetchall() == []
        assert conn.execute("SELECT count(*) FROM app.booking_resources").fetchone()[0] > 0
        # Money as the payment path leaves it: each booking that stood or was cancelled paid once, in full; each
        # cancelled one refunded in full; customers' value what they kept paid; every organization's currency set.
        assert conn.execute("""
            SELECT count(*) FILTER (WHERE o.id IS NULL) + count(*) FILTER (WHERE p.amount_minor <> b.price_minor)
                   + count(*) FILTER (WHERE (b.status = 'cancelled') <> (r.amount_minor = b.price_minor))
              FROM app.bookings b
              LEFT JOIN app.orders o ON o.booking_id = b.id
              LEFT JOIN app.payments p ON p.order_id = o.id
              LEFT JOIN app.refunds r ON r.order_id = o.id AND r.status = 'succeeded'
             WHERE b.status IN ('confirmed', 'completed', 'no_show', 'cancelled')""").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM app.orders o JOIN app.bookings b ON b.id = o.booking_id "
                            "WHERE b.status = 'pending'").fetchone()[0] == 0
        assert conn.execute("""
            SELECT count(*) FROM app.customers c
              LEFT JOIN (SELECT customer_id, sum(paid_minor - refunded_minor) AS kept FROM app.orders
                          GROUP BY customer_id) v ON v.customer_id = c.id
             WHERE c.lifetime_value_minor <> coalesce(v.kept, 0)""").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM app.org_settings WHERE currency = 'EUR'").fetchone()[0] >= 100
        assert conn.execute("SELECT count(*) FROM app.payments WHERE received_at > now()").fetchone()[0] == 0
        codes = conn.execute("SELECT md5(string_agg(confirmation_code || status, ',' ORDER BY id)) FROM app.bookings"
                             ).fetchone()[0]
    again = cli(project_copy, "seed", "--scale", "2000", database=url)
    assert again.code == 2 and "already here" in again.err

    # Same seed, same data.
    other = pg_server.conninfo(tessera_databases.clone("scale_again"))
    assert cli(project_copy, "seed", "--scale", "2000", "--seed", "7", database=other).code == 0
    with psycopg.connect(other) as conn:
        assert conn.execute("SELECT md5(string_agg(confirmation_code || status, ',' ORDER BY id)) FROM app.bookings"
                            ).fetchone()[0] == codes

    avail = cli(project_copy, "bench", "availability", "--runs", "5", database=url)
    assert avail.code == 0, avail.err
    figures = json.loads(avail.out)
    assert figures["slots_returned"] > 0 and figures["p95_ms"] > 0

    book = cli(project_copy, "bench", "booking", "--clients", "2", "--per-client", "110", database=url)
    assert book.code == 0, book.err
    figures = json.loads(book.out)
    assert figures["uncontended"]["bookings"] > 0
    assert figures["sell_out"]["sold"] == 200 and figures["slots_over_capacity"] == 0 and figures["counters_off"] == 0


def test_scale_needs_enough_bookings(cli, project_copy, pg_server):
    run = cli(project_copy, "seed", "--scale", "10", database=pg_server.conninfo("postgres"))
    assert run.code == 2 and "give 100 to 10000000 bookings" in run.err
    assert ROOT.exists()
