"""Tessera's default templates never fail when sent: each one, rendered through api.templates.check with its kind's
sample data (the data contract of app.notification_kinds.sample_data), has no problem, on every channel and locale.
And a real booking's message carries the keys of the booking kinds' sample, so what passes here passes at send time.
"""

from __future__ import annotations

import psycopg
import pytest
from psycopg.rows import dict_row

from api.templates import Formatting, Parts, check, render

CHANNELS = ("email", "sms", "in_app")


@pytest.fixture(scope="module")
def defaults(pg_server, test_db) -> tuple[dict, list[dict]]:
    with psycopg.connect(pg_server.conninfo(test_db), row_factory=dict_row) as conn:
        kinds = {r["kind"]: r for r in conn.execute("SELECT kind, category, sample_data FROM app.notification_kinds")}
        rows = conn.execute("SELECT kind, channel, locale, subject, html, body FROM app.default_templates"
                            " ORDER BY kind, channel, locale").fetchall()
    return kinds, rows


def formatting(sample: dict, locale: str) -> Formatting:
    """As the worker formats a message: its locale, the zone and currency the data carries."""
    return Formatting(locale=locale, tz=sample.get("timezone", "UTC"), currency=sample.get("currency") or "GBP")


def test_every_kind_has_sample_data_with_a_timezone(defaults):
    kinds, _ = defaults
    assert kinds, "no kinds"
    for kind, row in kinds.items():
        assert row["sample_data"], f"{kind} has no sample data"
        assert isinstance(row["sample_data"].get("timezone"), str), f"{kind} has no timezone"


def test_every_kind_has_an_english_default_on_every_channel(defaults):
    kinds, rows = defaults
    have = {(r["kind"], r["channel"]) for r in rows if r["locale"] == "en"}
    assert {(k, c) for k in kinds for c in CHANNELS} <= have


def test_the_booking_kinds_have_arabic_defaults(defaults):
    _, rows = defaults
    have = {(r["kind"], r["channel"]) for r in rows if r["locale"] == "ar"}
    booking_kinds = ("booking_confirmed", "booking_cancelled", "booking_rescheduled", "booking_expired",
                     "session_reminder", "waiver_missing", "waitlist_offer")
    assert {(k, c) for k in booking_kinds for c in CHANNELS} <= have


def test_every_default_template_renders_with_its_kinds_sample_data(defaults):
    kinds, rows = defaults
    assert rows
    failures = []
    for row in rows:
        sample = kinds[row["kind"]]["sample_data"]
        parts = Parts(body=row["body"], subject=row["subject"], html=row["html"])
        problems = check(parts, sample, formatting(sample, row["locale"]))
        if problems:
            failures.append((row["kind"], row["channel"], row["locale"], problems))
    assert failures == []


def test_a_default_shows_the_venue_local_time_and_the_money(defaults):
    kinds, rows = defaults
    row = next(r for r in rows if (r["kind"], r["channel"], r["locale"]) == ("booking_confirmed", "email", "en"))
    sample = dict(kinds["booking_confirmed"]["sample_data"])
    # 19:00 UTC is 14:00 in New York in December: the zone of the data decides.
    sample["timezone"] = "America/New_York"
    out = render(Parts(body=row["body"], subject=row["subject"], html=row["html"]), sample,
                 formatting(sample, "en"))
    assert "2:00\u202fPM" in out.body or "2:00 PM" in out.body, out.body
    assert "£100.00" in out.body
    assert "<strong>The Vault</strong>" in out.html


def test_a_name_the_sample_does_not_carry_is_a_problem(defaults):
    kinds, _ = defaults
    sample = kinds["booking_confirmed"]["sample_data"]
    problems = check(Parts(body="Hi {{ customer.nickname }}"), sample, formatting(sample, "en"))
    assert [p.part for p in problems] == ["body"]
