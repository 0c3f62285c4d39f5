"""Money arithmetic as properties, computed by the database itself (private.price_cart, private.vat_of: the functions
quote, create_order and place_booking price with), for carts, VAT rates and codes hypothesis draws:

- the lines sum to the totals: subtotal = the item lines, discount = minus the promo and loyalty lines, vat = every
  line's VAT, total = subtotal - discount (+ vat when prices exclude VAT); every item's VAT is its own, rounded, and
  a discount line's VAT is the VAT of what remains after it less the VAT before it, between minus that and 0; no
  total, subtotal or VAT is negative, and an inclusive price's VAT is within it; every amount is a JSON integer;
- inclusive and exclusive VAT agree to the minor unit. Precisely: price a cart exclusive of VAT (net lines P_i, VAT
  v_i = round(P_i x r)); price the same cart inclusive of VAT with each line at its gross G_i = P_i + v_i (a fixed
  discount likewise at its gross). Then every line's VAT, the order's VAT and the order's total are equal in both,
  to the minor unit, for every rate from 0 to 100 %. Why: G x r / (1 + r) = P x r + (v - P x r) x r / (1 + r) lies
  between P x r and v, and rounding half away from zero sends every number between x and round(x) to round(x). A
  percentage discount is a share of different subtotals in the two carts, so it is left out of that property;
- a refund never exceeds what was paid: app.orders refuses refunded_minor > paid_minor, whatever the two are."""

from __future__ import annotations

import json

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

PRICE_CART = "SELECT private.price_cart(%s::jsonb, %s, %s, %s, %s, %s, %s, %s)"
MAX_UNIT = 10_000_000  # 100,000.00 in a two-digit currency
rates = st.integers(min_value=0, max_value=10_000)
items = st.lists(st.tuples(st.integers(min_value=1, max_value=50), st.integers(min_value=0, max_value=MAX_UNIT)),
                 min_size=1, max_size=8)
promos = st.one_of(st.none(), st.tuples(st.just("percent"), st.integers(min_value=1, max_value=100)),
                   st.tuples(st.just("fixed"), st.integers(min_value=1, max_value=10 * MAX_UNIT)))
loyalty = st.integers(min_value=0, max_value=10 * MAX_UNIT)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def conn(test_db, pg_server):
    with psycopg.connect(pg_server.conninfo(test_db), autocommit=True) as connection:
        yield connection


def cart(conn: psycopg.Connection, lines: list[tuple[int, int]], rate: int, inclusive: bool,
         promo: tuple[str, int] | None = None, points_minor: int = 0) -> dict:
    payload = json.dumps([{"description": f"item {n}", "quantity": q, "unit_price_minor": u}
                          for n, (q, u) in enumerate(lines)])
    percent = promo[1] if promo and promo[0] == "percent" else None
    fixed = promo[1] if promo and promo[0] == "fixed" else None
    return conn.execute(PRICE_CART, (payload, rate, inclusive, percent, fixed, "Promo", points_minor, "Points")
                        ).fetchone()[0]


def vat_of(conn: psycopg.Connection, amount: int, rate: int, inclusive: bool) -> int:
    return conn.execute("SELECT private.vat_of(%s, %s, %s)", (amount, rate, inclusive)).fetchone()[0]


@SETTINGS
@given(lines=items, rate=rates, inclusive=st.booleans(), promo=promos, points_minor=loyalty)
def test_the_lines_always_sum_to_the_totals_and_nothing_is_negative(conn, lines, rate, inclusive, promo,
                                                                     points_minor):
    priced = cart(conn, lines, rate, inclusive, promo, points_minor)
    amounts = [line["amount_minor"] for line in priced["lines"]]
    numbers = amounts + [line["vat_minor"] for line in priced["lines"]] + [
        priced[k] for k in ("subtotal_minor", "discount_minor", "vat_minor", "total_minor")]
    assert all(type(n) is int for n in numbers), "every amount is a JSON integer, never a float"
    items_total = sum(line["amount_minor"] for line in priced["lines"] if line["kind"] == "item")
    assert priced["subtotal_minor"] == items_total == sum(q * u for q, u in lines)
    assert priced["discount_minor"] == -sum(line["amount_minor"] for line in priced["lines"] if line["kind"] != "item")
    assert priced["vat_minor"] == sum(line["vat_minor"] for line in priced["lines"])
    assert priced["total_minor"] == (priced["subtotal_minor"] - priced["discount_minor"]
                                     + (0 if inclusive else priced["vat_minor"]))
    assert 0 <= priced["discount_minor"] <= priced["subtotal_minor"]
    assert priced["total_minor"] >= 0 and priced["vat_minor"] >= 0
    if inclusive:
        assert priced["vat_minor"] <= priced["total_minor"], "the tax a price includes is part of it"
    vat_so_far, remaining = 0, 0
    for line in priced["lines"]:
        remaining += line["amount_minor"]
        if line["kind"] == "item":
            assert line["vat_minor"] == vat_of(conn, line["amount_minor"], rate, inclusive), "an item's VAT is its own"
        else:
            taken_off = vat_of(conn, remaining, rate, inclusive) - vat_so_far
            assert line["vat_minor"] == min(0, max(taken_off, -vat_so_far)), "a discount takes off the VAT it discounts"
        vat_so_far += line["vat_minor"]
        assert line["amount_minor"] == line["quantity"] * line["unit_price_minor"]


@SETTINGS
@given(lines=items, rate=rates, fixed=st.one_of(st.none(), st.integers(min_value=1, max_value=10 * MAX_UNIT)))
def test_inclusive_and_exclusive_vat_agree_to_the_minor_unit(conn, lines, rate, fixed):
    net = cart(conn, lines, rate, False, ("fixed", fixed) if fixed else None)
    # The same cart with every line at its gross price: the items, and the discount the net cart actually took.
    gross_items = [(1, line["amount_minor"] + line["vat_minor"]) for line in net["lines"] if line["kind"] == "item"]
    gross_discount = net["discount_minor"] - sum(line["vat_minor"] for line in net["lines"] if line["kind"] != "item")
    gross = cart(conn, gross_items, rate, True, ("fixed", gross_discount) if fixed else None)
    assert [line["vat_minor"] for line in gross["lines"]] == [line["vat_minor"] for line in net["lines"]]
    assert gross["vat_minor"] == net["vat_minor"]
    assert gross["total_minor"] == net["total_minor"]


@SETTINGS
@given(amount=st.integers(min_value=-10**12, max_value=10**12), rate=rates)
def test_a_lines_inclusive_vat_of_its_gross_is_its_exclusive_vat(conn, amount, rate):
    exclusive = vat_of(conn, amount, rate, False)
    assert vat_of(conn, amount + exclusive, rate, True) == exclusive


@pytest.fixture(scope="module")
def an_order(conn) -> str:
    """An order of 5000 to record payments and refunds on, made as the database's owner on a booking of its own."""
    conn.execute("""
      INSERT INTO app.organizations (id, name, slug)
        VALUES ('0000000c-0000-4000-8000-000000000000', 'M', 'money-props');
      INSERT INTO app.venues (org_id, id, name, timezone)
        VALUES ('0000000c-0000-4000-8000-000000000000', 'c1000000-0000-4000-8000-000000000001', 'V', 'Europe/London');
      INSERT INTO app.experiences (org_id, venue_id, id, kind, name, duration_minutes, max_party, currency)
        VALUES ('0000000c-0000-4000-8000-000000000000', 'c1000000-0000-4000-8000-000000000001',
                'c3000000-0000-4000-8000-000000000001', 'private_session', 'E', 60, 6, 'GBP');
      INSERT INTO app.customers (org_id, id, email)
        VALUES ('0000000c-0000-4000-8000-000000000000', 'c4000000-0000-4000-8000-000000000001', 'm@example.com');
      INSERT INTO app.slots (org_id, experience_id, id, starts_at, ends_at, capacity)
        VALUES ('0000000c-0000-4000-8000-000000000000', 'c3000000-0000-4000-8000-000000000001',
                'c6000000-0000-4000-8000-000000000001', now() + interval '9 days', now() + interval '10 days', 1);
      INSERT INTO app.bookings (org_id, id, experience_id, slot_id, customer_id, status, party_size, places,
                                starts_at, ends_at, price_minor, currency, hold_expires_at, confirmation_code)
        VALUES ('0000000c-0000-4000-8000-000000000000', 'c5000000-0000-4000-8000-000000000001',
                'c3000000-0000-4000-8000-000000000001', 'c6000000-0000-4000-8000-000000000001',
                'c4000000-0000-4000-8000-000000000001', 'pending', 2, 1, now() + interval '9 days',
                now() + interval '10 days', 5000, 'GBP', now() + interval '1 hour', 'MNPQRSTU');
      INSERT INTO app.orders (org_id, id, booking_id, customer_id, currency, prices_include_vat, vat_rate_bp,
                              subtotal_minor, vat_minor, total_minor, expires_at)
        VALUES ('0000000c-0000-4000-8000-000000000000', 'c7000000-0000-4000-8000-000000000001',
                'c5000000-0000-4000-8000-000000000001', 'c4000000-0000-4000-8000-000000000001', 'GBP', true, 2000,
                5000, 833, 5000, now() + interval '1 hour');""")
    return "c7000000-0000-4000-8000-000000000001"


@SETTINGS
@given(paid=st.integers(min_value=0, max_value=10**9), refunded=st.integers(min_value=0, max_value=10**9))
def test_a_refund_never_exceeds_what_was_paid(conn, an_order, paid, refunded):
    try:
        with conn.transaction():
            conn.execute("UPDATE app.orders SET paid_minor = %s, refunded_minor = %s WHERE id = %s",
                         (paid, refunded, an_order))
            raise psycopg.Rollback()
        accepted = True
    except psycopg.errors.CheckViolation:
        accepted = False
    assert accepted == (refunded <= paid)
