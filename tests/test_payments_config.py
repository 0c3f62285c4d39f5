"""Payment settings: read from TESSERA_* once, refused in one line naming the variable, and never shown: a Config
printed (in a traceback, a log line, a debugger) carries no key; the CLI's payments commands refuse without a
provider in one line, exit 2."""

from __future__ import annotations

import socket

import pytest

from api.config import Config, ConfigError, Secret, origin
from tests.helpers import ROOT, run_tessera

BASE = {"TESSERA_JWT_SECRET": "s" * 40, "TESSERA_DATABASE_URL": "dbname=x"}


def test_settings_are_read_and_secrets_never_shown():
    config = Config.from_env(BASE | {
        "TESSERA_STRIPE_SECRET_KEY": "sk_live_verysecret", "TESSERA_STRIPE_WEBHOOK_SECRETS": "whsec_new, whsec_old,",
        "TESSERA_MOYASAR_SECRET_KEY": "sk_moyasar_secret", "TESSERA_MOYASAR_WEBHOOK_SECRETS": "token-1",
        "TESSERA_STRIPE_API_BASE": "http://127.0.0.1:12111/", "TESSERA_PUBLIC_URL": "https://tickets.example",
        "TESSERA_CHECKOUT_RETURN_ORIGINS": "https://Shop.Example:443/any/path,http://localhost:3000",
        "TESSERA_PROVIDER_TIMEOUT": "2.5"})
    payments = config.payments
    assert [s.reveal() for s in payments.stripe_webhook_secrets] == ["whsec_new", "whsec_old"]
    assert payments.stripe_api_base == "http://127.0.0.1:12111" and payments.provider_timeout == 2.5
    assert payments.return_origins == ("https://shop.example", "http://localhost:3000")
    assert payments.offered() == ("stripe", "moyasar")
    shown = repr(config) + str(config) + repr(payments)
    for secret in ("sk_live_verysecret", "whsec_new", "whsec_old", "sk_moyasar_secret", "token-1"):
        assert secret not in shown
    assert str(Secret("x")) == repr(Secret("x")) == "Secret('***')"


def test_without_keys_no_provider_is_offered_and_returns_go_to_the_public_url():
    payments = Config.from_env(BASE | {"TESSERA_PUBLIC_URL": "https://tickets.example"}).payments
    assert payments.offered() == () and payments.return_origins == ("https://tickets.example",)


@pytest.mark.parametrize(("name", "value"), [
    ("STRIPE_API_BASE", "ftp://stripe"), ("MOYASAR_API_BASE", "api.moyasar.com"), ("PUBLIC_URL", "nowhere"),
    ("CHECKOUT_RETURN_ORIGINS", "shop.example"), ("PROVIDER_TIMEOUT", "0"), ("PROVIDER_TIMEOUT", "soon"),
    ("REFUND_SWEEP_SECONDS", "-1"),
])
def test_a_bad_setting_is_refused_naming_its_variable(name, value):
    with pytest.raises(ConfigError) as refused:
        Config.from_env(BASE | {f"TESSERA_{name}": value})
    assert f"TESSERA_{name}" in str(refused.value)


@pytest.mark.parametrize(("url", "expected"), [
    ("https://shop.example/paid?x=1", "https://shop.example"), ("HTTPS://SHOP.example:443", "https://shop.example"),
    ("http://shop.example:8080/", "http://shop.example:8080"), ("http://[::1]:3000/x", "http://[::1]:3000"),
    ("javascript:alert(1)", None), ("//shop.example/x", None), ("https://", None), ("http://x:99999/", None),
])
def test_origins(url, expected):
    assert origin(url) == expected


def test_reconcile_without_a_provider_says_what_to_set(tmp_path):
    run = run_tessera("payments", "reconcile", cwd=ROOT, env={"TESSERA_STRIPE_SECRET_KEY": "",
                                                              "TESSERA_MOYASAR_SECRET_KEY": ""})
    assert run.code == 2 and run.out == ""
    assert run.err.startswith("tessera: no payment provider is configured") and run.err.count("\n") == 1


def test_fake_providers_on_a_taken_port_is_one_line():
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        run = run_tessera("fake-providers", "--stripe-port", str(port), cwd=ROOT, timeout=30)
    assert run.code == 2 and run.err.startswith("tessera: cannot listen on 127.0.0.1") and run.err.count("\n") == 1
