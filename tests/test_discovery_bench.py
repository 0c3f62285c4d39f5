"""`tessera bench analytics` runs on a small `seed --scale` database and prints its JSON: an entry per function
with its figures, and leaves the catalogue as it found it. No timings are asserted: the figures are for people to
read."""

from __future__ import annotations

import json

import psycopg

FIGURES = {"calls", "distinct_calls", "rows_per_call", "p50_ms", "p95_ms", "p99_ms", "mean_ms"}


def test_bench_analytics_prints_each_function(cli, tessera_databases, pg_server, project_copy):
    url = pg_server.conninfo(tessera_databases.clone("discovery_bench"))
    assert cli(project_copy, "seed", "--scale", "300", database=url).code == 0
    with psycopg.connect(url) as conn:
        before = conn.execute("SELECT count(*) FROM app.experiences").fetchone()[0]

    run = cli(project_copy, "bench", "analytics", "--runs", "12", "--catalogue", "40", database=url)
    assert run.code == 0, run.err
    report = json.loads(run.out)
    assert report["benchmark"] == "analytics" and report["catalogue_added"] == 40
    assert report["experiences"] == 3 + 40  # the seed's three, and the padding
    assert set(report["functions"]) == {"api.search_experiences", "api.widget_search_experiences",
                                        "api.recommend_experiences", "api.get_dashboard_stats",
                                        "api.get_booking_trends", "api.get_hourly_distribution",
                                        "api.get_upcoming_bookings", "api.get_recent_activity", "api.list_customers"}
    assert set(report["targets"]) == {"api.get_dashboard_stats", "api.get_booking_trends",
                                      "api.get_hourly_distribution", "api.list_customers", "api.search_experiences",
                                      "api.widget_search_experiences"}
    assert all(target["met"] == (report["functions"][name]["p95_ms"] <= target["p95_ms"])
               for name, target in report["targets"].items())
    for name, figures in report["functions"].items():
        assert set(figures) == FIGURES and figures["calls"] == 12, name
    # The seed's names and the padding's are found: some searches answer rows. (Three bookings an organization
    # give recommendations nothing to count: their rows are not asserted.)
    assert report["functions"]["api.search_experiences"]["rows_per_call"] > 0
    assert report["functions"]["api.widget_search_experiences"]["rows_per_call"] > 0
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT count(*) FROM app.experiences").fetchone()[0] == before


def test_bench_analytics_needs_scale_data(cli, tessera_databases, pg_server, project_copy):
    url = pg_server.conninfo(tessera_databases.clone("discovery_bench_empty"))
    run = cli(project_copy, "bench", "analytics", "--runs", "1", database=url)
    assert run.code == 2 and "seed --scale" in run.err
