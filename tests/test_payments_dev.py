"""./scripts/dev without provider keys takes a payment end to end on the fake providers, as the README's
"Take a payment" does with curl: the demo's widget books, orders, checks out at the fake Stripe, the fake's "pay"
sends the signed webhook back, and the order is paid."""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import time
from datetime import date, timedelta

import httpx
import psycopg

from tests.helpers import ROOT, stop
from tests.test_dev import occupied

DEV = str(ROOT / "scripts" / "dev")
LAB = "d4000000-0000-4000-8000-000000000002"  # the demo's Laboratory 13, parties of 3 to 8


def test_dev_without_keys_takes_a_payment_on_the_fake_providers(tessera_databases, pg_server, tmp_path):
    conninfo = pg_server.conninfo(tessera_databases.clone("dev_payments"))
    log = tmp_path / "dev.log"
    with occupied() as port:
        pass  # a port free a moment ago
    env = {k: v for k, v in os.environ.items() if not k.startswith("TESSERA_")}
    with open(log, "w") as out:
        proc = subprocess.Popen([DEV, "--port", str(port)], stdout=out, stderr=subprocess.STDOUT, text=True,
                                env={**env, "DATABASE_URL": conninfo})
    try:
        deadline = time.monotonic() + 180
        while "Tessera API on" not in log.read_text():
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        text = log.read_text()
        fake = re.search(r"no provider keys set: fake Stripe on (http://127\.0\.0\.1:\d+)", text)
        assert fake, text
        anon = re.search(r"anon key: (\S+)", text).group(1)
        key = re.search(r"widget key of Enigma Soho \(Europe/London\): (\S+)", text).group(1)
        api = f"http://127.0.0.1:{port}"
        while True:
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{api}/health/ready", timeout=1).status_code == 200:
                    break
            assert time.monotonic() < deadline
            time.sleep(0.1)

        def rpc(name: str, body: dict):
            answer = httpx.post(f"{api}/rest/v1/rpc/{name}", json=body, headers={"apikey": anon}, timeout=30)
            assert answer.status_code == 200, answer.text
            return answer.json()

        # The demo's bookings fill some days ahead: the first start left in a fortnight from next week.
        first, last = date.today() + timedelta(days=7), date.today() + timedelta(days=21)
        starts = rpc("widget_availability", {"embed_key": key, "experience_id": LAB, "party_size": 4,
                                             "from_date": first.isoformat(), "to_date": last.isoformat()})
        at = next(s["starts_at"] for s in starts if s.get("remaining", 1))
        booking = rpc("widget_create_booking", {"embed_key": key, "experience_id": LAB, "starts_at": at,
                                                "party_size": 4, "customer_email": "ada@example.com"})
        order = rpc("create_order", {"booking_id": booking["id"], "embed_key": key,
                                     "customer_email": "ada@example.com"})
        page = httpx.post(f"{api}/payments/checkout", headers={"apikey": anon}, timeout=30, json={
            "order_id": order["id"], "provider": "stripe", "success_url": f"{api}/paid", "cancel_url": f"{api}/cart",
            "embed_key": key, "customer_email": "ada@example.com"})
        assert page.status_code == 200, page.text
        assert page.json()["url"].startswith(fake.group(1))
        paid = httpx.post(f"{fake.group(1)}/_control/checkout/sessions/{page.json()['provider_ref']}/pay", json={})
        assert paid.json()["delivered"] == [200]
        with psycopg.connect(conninfo) as conn:
            status = conn.execute("SELECT status::text FROM app.orders WHERE id = %s", (order["id"],)).fetchone()[0]
        assert status == "paid"
    finally:
        stop(proc)
