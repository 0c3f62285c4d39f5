"""Settings, quotes and orders over HTTP with supabase-py, as a Saudi venue's back office and booking page use them:
amounts come back as JSON integers, and every refusal is PostgREST-shaped with its status (400 for an unknown
currency or a VAT rate over 100 %, 404 for a booking the caller may not order)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import httpx
import psycopg
import pytest
from postgrest.exceptions import APIError
from supabase import ClientOptions, create_client

from tests.api_support import OWNER, token


@pytest.fixture(scope="module")
def venue(rpc_db) -> dict:
    """An organization of OWNER's with a Riyadh venue selling a ticketed event in riyals every evening."""
    slug = f"riyadh-{uuid.uuid4().hex[:12]}"
    with psycopg.connect(rpc_db, autocommit=True) as conn:
        row = conn.execute("""
            WITH org AS (INSERT INTO app.organizations (name, slug) VALUES ('Riyadh Rooms', %s) RETURNING id),
                 m AS (INSERT INTO app.memberships (org_id, user_id, role) SELECT id, %s, 'owner' FROM org),
                 v AS (INSERT INTO app.venues (org_id, name, timezone) SELECT id, 'Olaya', 'Asia/Riyadh' FROM org
                       RETURNING org_id, id, embed_key),
                 e AS (INSERT INTO app.experiences (org_id, venue_id, kind, name, duration_minutes, max_party,
                                                    capacity, currency)
                       SELECT org_id, id, 'ticketed_event', 'Majlis quiz', 120, 10, 30, 'SAR' FROM v
                       RETURNING org_id, id),
                 t AS (INSERT INTO app.ticket_types (org_id, experience_id, name, price_minor)
                       SELECT org_id, id, 'Standard', 9999 FROM e RETURNING id),
                 s AS (INSERT INTO app.schedules (org_id, experience_id, weekday, start_time, valid_from)
                       SELECT org_id, id, d, '20:00', current_date FROM e, generate_series(1, 7) d)
            SELECT (SELECT id FROM org)::text, (SELECT embed_key FROM v), (SELECT id FROM e)::text,
                   (SELECT id FROM t)::text""", (slug, OWNER)).fetchone()
    return {"org": row[0], "key": row[1], "event": row[2], "ticket": row[3],
            "day": (date.today() + timedelta(days=10)).isoformat()}


@pytest.fixture(scope="module")
def owner(api):
    return create_client(api.url, token(sub=OWNER), options=ClientOptions(schema="api"))


@pytest.fixture(scope="module")
def visitor(api):
    return create_client(api.url, token(role="anon"), options=ClientOptions(schema="api"))


def test_a_saudi_venue_sets_riyals_and_15_percent_included_and_sells_with_a_code(owner, visitor, venue):
    settings = owner.rpc("update_org_settings", {"org_id": venue["org"], "currency": "sar", "vat_rate_bp": 1500,
                                                 "prices_include_vat": True, "vat_number": "300000000000003"}
                         ).execute().data
    assert (settings["currency"], settings["minor_digits"], settings["vat_rate_bp"]) == ("SAR", 2, 1500)
    owner.rpc("create_promo_code", {"org_id": venue["org"], "code": "RAMADAN", "percent_off": 15}).execute()

    tickets = [{"ticket_type_id": venue["ticket"], "quantity": 3}]
    starts = visitor.rpc("widget_availability", {"embed_key": venue["key"], "experience_id": venue["event"],
                                                 "from_date": venue["day"], "to_date": venue["day"]}).execute().data
    quote = visitor.rpc("quote", {"experience_id": venue["event"], "starts_at": starts[0]["starts_at"],
                                  "tickets": tickets, "promo_code": "ramadan", "embed_key": venue["key"]}
                        ).execute().data
    # 3 x 99.99 = 299.97 SAR, 15 % off = 45.00 (44.9955); VAT included: 39.13 of 299.97, less 5.87 of the discount.
    assert [(line["kind"], line["amount_minor"], line["vat_minor"]) for line in quote["lines"]] == [
        ("item", 29997, 3913), ("promo", -4500, -587)]
    assert (quote["total_minor"], quote["vat_minor"], quote["currency"]) == (25497, 3326, "SAR")
    assert all(type(quote[k]) is int for k in ("subtotal_minor", "discount_minor", "vat_minor", "total_minor"))

    booked = visitor.rpc("widget_create_booking", {"embed_key": venue["key"], "experience_id": venue["event"],
                                                   "starts_at": starts[0]["starts_at"], "tickets": tickets,
                                                   "customer_email": "noura@example.com"}).execute().data
    order = visitor.rpc("create_order", {"booking_id": booked["id"], "promo_code": "RAMADAN",
                                         "embed_key": venue["key"], "customer_email": "Noura@Example.com"}
                        ).execute().data
    assert order["status"] == "pending" and order["lines"] == quote["lines"], "the order has the quote's lines"
    assert order["expires_at"] is not None and order["total_minor"] == 25497
    cancelled = visitor.rpc("cancel_order", {"order_id": order["id"], "embed_key": venue["key"],
                                             "customer_email": "noura@example.com"}).execute().data
    assert cancelled["status"] == "cancelled"


def test_settings_are_refused_in_words_with_postgrest_shaped_errors(api, owner, venue):
    with pytest.raises(APIError) as refused:
        owner.rpc("update_org_settings", {"org_id": venue["org"], "currency": "XYZ"}).execute()
    assert refused.value.code == "PT400"
    assert refused.value.message == "unknown currency XYZ: use an ISO 4217 code such as SAR, GBP, EUR"
    answer = httpx.post(f"{api.url}/rest/v1/rpc/update_org_settings",
                        json={"org_id": venue["org"], "vat_rate_bp": 10001},
                        headers={"Authorization": f"Bearer {token(sub=OWNER)}", "Accept-Profile": "api",
                                 "Content-Profile": "api"})
    assert answer.status_code == 400
    assert set(answer.json()) == {"code", "message", "details", "hint"}
    assert answer.json()["message"].startswith("VAT rate must be 0 to 100 % (0 to 10000 basis points)")


def test_an_order_for_a_booking_the_caller_may_not_order_is_404(visitor, venue):
    with pytest.raises(APIError) as refused:
        visitor.rpc("create_order", {"booking_id": str(uuid.uuid4()), "embed_key": venue["key"],
                                     "customer_email": "nobody@example.com"}).execute()
    assert (refused.value.code, refused.value.message) == ("PT404", "booking not found")
