"""`tessera seed --demo` loads a consistent demo organization once and prints logins that verify."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re

import psycopg
from tessera.project import Project

from tests.helpers import COUNTER_DRIFT


def verify(token: str, secret: str) -> dict:
    header, payload, signature = token.split(".")
    expected = hmac.new(secret.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
    assert base64.urlsafe_b64decode(signature + "==") == expected, "the signature verifies with the secret"
    return json.loads(base64.urlsafe_b64decode(payload + "=="))


def test_demo_seed_is_consistent_idempotent_and_prints_working_logins(project_copy: Project, cli, tessera_databases,
                                                                     pg_server):
    url = pg_server.conninfo(tessera_databases.clone("seed_demo"))
    first = cli(project_copy, "seed", "--demo", database=url)
    assert first.code == 0, first.err
    assert "demo data seeded" in first.out
    with psycopg.connect(url) as conn:
        bookings = conn.execute("SELECT count(*) FROM app.bookings").fetchone()[0]
        venues = conn.execute("SELECT count(*), count(DISTINCT timezone) FROM app.venues").fetchone()
        drift = conn.execute(COUNTER_DRIFT).fetchall()
        statuses = {r[0] for r in conn.execute("SELECT DISTINCT status::text FROM app.bookings")}
    assert bookings > 1000 and venues == (2, 2) and drift == []
    assert {"completed", "confirmed", "cancelled", "no_show"} <= statuses

    again = cli(project_copy, "seed", "--demo", database=url)
    assert again.code == 0 and "already present" in again.out
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT count(*) FROM app.bookings").fetchone()[0] == bookings

    secret = (project_copy.state_dir / "jwt_secret").read_text().strip()
    owner = re.search(r"owner .*?: (\S+)", again.out).group(1)
    claims = verify(owner, secret)
    assert claims["role"] == "authenticated" and claims["sub"] == "d0000000-0000-4000-8000-000000000001"
    assert verify(re.search(r"anon key: (\S+)", again.out).group(1), secret)["role"] == "anon"
    assert len(re.findall(r"widget key of .*: wk_[A-Za-z0-9_-]{43}", again.out)) == 2


def test_the_demo_organization_sells_with_uk_vat_price_rules_and_promo_codes(project_copy: Project, cli,
                                                                            tessera_databases, pg_server):
    url = pg_server.conninfo(tessera_databases.clone("seed_demo_money"))
    assert cli(project_copy, "seed", "--demo", database=url).code == 0
    with psycopg.connect(url, autocommit=True) as conn:
        key = conn.execute("SELECT embed_key FROM app.venues WHERE name = 'Enigma Soho'").fetchone()[0]
        conn.execute("SELECT set_config('role', 'anon', false), set_config('request.jwt.claims', %s, false)",
                     (json.dumps({"role": "anon"}),))
        quote = conn.execute("SELECT api.quote('d4000000-0000-4000-8000-000000000001', now() + interval '20 days', 2,"
                             " promo_code => 'welcome10', embed_key => %s)", (key,)).fetchone()[0]
    # The Vault for two at 32.00 each; booked 20 days ahead, the early bird takes 10 % (28.80), WELCOME10 10 % more.
    assert [(line["description"], line["amount_minor"], line["vat_minor"]) for line in quote["lines"]] == [
        ("The Vault (Early bird)", 5760, 960), ("Promo code WELCOME10", -576, -96)]
    assert (quote["total_minor"], quote["vat_minor"], quote["prices_include_vat"], quote["vat_rate_bp"]) == (
        5184, 864, True, 2000)
    assert quote["promo"]["valid"] is True
