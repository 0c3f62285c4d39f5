"""GET /metrics (README: "Operating it"): off by default, behind its own token, Prometheus' text format as
prometheus-client's own parser reads it, labels bounded and free of anything a client sent, and one consistent
view over several server processes (multiprocess mode)."""

from __future__ import annotations

import os
import uuid

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from tessera.serve import launch

from api.metrics import webhook_outcome
from tests.api_support import SECRET, STAFF, login_conninfo, serve, token
from tests.helpers import ROOT, stop

METRICS_TOKEN = "metrics-token-for-the-tests-0123456789"
BEARER = {"Authorization": f"Bearer {METRICS_TOKEN}"}
RPC_TEST = {"Content-Profile": "rpc_test"}


def samples(text: str) -> list:
    return [s for family in text_string_to_metric_families(text) for s in family.samples]


def total(found: list, name: str, **labels) -> float:
    return sum(s.value for s in found if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()))


@pytest.fixture(scope="module")
def watched(rpc_db, tmp_path_factory):
    with serve(login_conninfo(rpc_db), tmp_path_factory.mktemp("metrics"), metrics_token=METRICS_TOKEN) as api:
        yield api


def test_metrics_are_off_by_default_and_look_like_any_missing_path(api):
    off = httpx.get(f"{api.url}/metrics", headers=BEARER)
    missing = httpx.get(f"{api.url}/no-such-path")
    assert off.status_code == missing.status_code == 404
    assert off.json() == missing.json() == {"code": "PGRST125", "message": "Invalid path specified in request URL",
                                            "details": None, "hint": None}


def test_a_missing_or_wrong_token_gets_the_same_404_as_no_route(watched):
    missing = httpx.get(f"{watched.url}/no-such-path")
    for headers in ({}, {"Authorization": "Bearer wrong-token-wrong-token-wrong"},
                    {"Authorization": METRICS_TOKEN}, {"Authorization": f"Basic {METRICS_TOKEN}"}):
        refused = httpx.get(f"{watched.url}/metrics", headers=headers)
        assert refused.status_code == 404 and refused.content == missing.content
        assert refused.headers["content-type"] == missing.headers["content-type"]
        assert "tessera_" not in refused.text
    assert httpx.post(f"{watched.url}/metrics", headers=BEARER).status_code == 404


def test_requests_latency_pool_and_database_are_measured_with_bounded_labels(watched):
    signed_in = {"Authorization": f"Bearer {token(sub=STAFF)}"}
    for _ in range(3):
        assert httpx.post(f"{watched.url}/rest/v1/rpc/add", json={"a": 1}, headers=RPC_TEST).status_code == 200
    assert httpx.post(f"{watched.url}/rpc/whoami", json={}, headers=signed_in).status_code == 200
    # What a client makes up never becomes a label: an unknown function, a card number in the path, a query.
    nosy = "card_4242424242424242"
    assert httpx.post(f"{watched.url}/rest/v1/rpc/{nosy}?email=eve@example.com", json={}).status_code in (400, 404)
    assert httpx.get(f"{watched.url}/tickets/{uuid.uuid4()}.png").status_code in (400, 401, 404)
    assert httpx.get(f"{watched.url}/secret-{nosy}").status_code == 404
    response = httpx.get(f"{watched.url}/metrics", headers=BEARER)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    assert nosy not in response.text and "eve@example.com" not in response.text and STAFF not in response.text
    found = samples(response.text)
    rpc = "/rest/v1/rpc/{function}"
    assert total(found, "tessera_http_requests_total", route=rpc, function="add", status="200", method="POST") >= 3
    assert total(found, "tessera_http_requests_total", route="/rpc/{function}", function="whoami") >= 1
    assert total(found, "tessera_http_requests_total", route=rpc, function="unknown") >= 1
    assert total(found, "tessera_http_requests_total", route="/tickets/{ticket}", function="none") >= 1
    assert total(found, "tessera_http_requests_total", route="unmatched", status="404") >= 1
    assert total(found, "tessera_http_request_duration_seconds_count", route=rpc, function="add") >= 3
    buckets = [s for s in found if s.name == "tessera_http_request_duration_seconds_bucket"
               and s.labels["function"] == "add"]
    assert buckets and max(s.value for s in buckets) >= 3  # the +Inf bucket holds them all
    routes = {s.labels["route"] for s in found if s.name == "tessera_http_requests_total"}
    assert routes <= {rpc, "/rpc/{function}", "/tickets/{ticket}", "/webhooks/{provider}", "unmatched", "/metrics",
                      "/", "/rest/v1/", "/health", "/health/ready", "/payments/checkout", "/templates/preview",
                      "/unsubscribe"}
    assert total(found, "tessera_pool_max_size") == 8 and total(found, "tessera_pool_size") >= 1
    assert total(found, "tessera_pool_waiting") == 0 and total(found, "tessera_pool_available") >= 0
    assert total(found, "tessera_database_up") == 1 and total(found, "tessera_schema_cache_loaded") == 1
    assert total(found, "process_resident_memory_bytes") > 0


def test_webhook_outcomes_by_provider(watched):
    before = samples(httpx.get(f"{watched.url}/metrics", headers=BEARER).text)
    # Stripe is not configured here, so the delivery is refused before anything is recorded, as an error.
    unsigned = httpx.post(f"{watched.url}/webhooks/stripe", content=b'{"id": "evt_1"}')
    outcome = webhook_outcome(unsigned.status_code, None)
    assert unsigned.status_code >= 400 and outcome in ("refused", "rejected", "error")
    assert httpx.post(f"{watched.url}/webhooks/evil-{uuid.uuid4().hex}", content=b"{}").status_code == 404
    after = samples(httpx.get(f"{watched.url}/metrics", headers=BEARER).text)
    name = "tessera_webhooks_total"
    assert total(after, name, provider="stripe", outcome=outcome) == total(before, name, provider="stripe",
                                                                            outcome=outcome) + 1
    assert total(after, name, provider="unknown", outcome="rejected") == total(before, name, provider="unknown",
                                                                                outcome="rejected") + 1
    assert {s.labels["provider"] for s in after if s.name == name} <= {"stripe", "moyasar", "unknown"}
    assert {s.labels["outcome"] for s in after if s.name == name} <= {"applied", "duplicate", "ignored", "refused",
                                                                      "rejected", "error"}


def test_several_server_processes_give_one_sum_whichever_takes_the_scrape(rpc_db, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TESSERA_", "PROMETHEUS_"))}
    env |= {"TESSERA_DATABASE_URL": login_conninfo(rpc_db), "TESSERA_JWT_SECRET": SECRET,
            "TESSERA_SCHEMAS": "api,rpc_test", "TESSERA_RATE_LIMIT": "0", "TESSERA_METRICS_TOKEN": METRICS_TOKEN,
            "TESSERA_POOL_SIZE": "2"}
    proc, url = launch(env, tmp_path / "api.log", "/rest/v1/", workers=2, cwd=ROOT)
    try:
        sent = 40
        for _ in range(sent):  # a new connection each, spread by the kernel over both processes
            assert httpx.post(f"{url}/rest/v1/rpc/add", json={"a": 1}, headers=RPC_TEST).status_code == 200
        seen = set()
        for _ in range(6):
            found = samples(httpx.get(f"{url}/metrics", headers=BEARER).text)
            seen.add(total(found, "tessera_http_requests_total", function="add", status="200"))
            assert total(found, "tessera_pool_max_size") == 4  # both processes' pools, summed
        assert seen == {sent}  # every scrape, whichever process answered, counts all of them
    finally:
        stop(proc)


def test_signed_webhooks_are_counted_by_the_databases_answer(tessera_databases, pg_server, tmp_path):
    import json
    import time

    from tests.payments_support import payments_service, post_stripe, signed

    db = pg_server.conninfo(tessera_databases.clone("ops_metrics_webhooks"))
    with payments_service(db, tmp_path, METRICS_TOKEN=METRICS_TOKEN) as (api, _fakes):
        body = json.dumps({"id": f"evt_{uuid.uuid4().hex}", "object": "event", "type": "customer.created",
                           "created": int(time.time()), "data": {"object": {"id": "cus_1", "object": "customer"}}})
        assert post_stripe(api, body, signed(body)).json()["ignored"] is True
        assert post_stripe(api, body, signed(body)).json()["duplicate"] is True
        assert post_stripe(api, body, signed(body, secret="whsec_not_ours")).status_code == 400
        found = samples(httpx.get(f"{api.url}/metrics", headers=BEARER).text)
    name = "tessera_webhooks_total"
    for outcome in ("ignored", "duplicate", "refused"):
        assert total(found, name, provider="stripe", outcome=outcome) == 1, outcome
    assert total(found, name, provider="stripe", outcome="applied") == 0
