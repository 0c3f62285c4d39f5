"""The Stripe session expiry a checkout asks for: always inside Stripe's range, and found again by a retry made up
to 50 s later under the same idempotency key (else a timed-out call's session is left behind and a second one made).
"""

from hypothesis import example, given, settings
from hypothesis import strategies as st

from api.payments.checkout import stripe_expiries

NOW = 1_800_000_000
instants = st.floats(min_value=NOW, max_value=NOW + 30 * 24 * 3600, allow_nan=False)
holds = st.floats(min_value=-3600, max_value=48 * 3600, allow_nan=False)  # the hold's end, from the first call
delays = st.floats(min_value=0, max_value=50, allow_nan=False)


@given(instants, holds)
def test_every_expiry_asked_for_is_one_stripe_takes(now, hold):
    for expires in stripe_expiries(now + hold, now):
        assert now + 30 * 60 <= expires <= now + 24 * 3600


@given(instants, holds, delays)
@example(NOW, 24 * 3600 - 59, 1)  # the first call was just past Stripe's range; its retry is just inside it
@example(NOW, 30 * 60 + 60.5, 1)  # the first call was just inside the bottom of the range; its retry is below it
@settings(max_examples=2000)
def test_a_retry_within_50_seconds_finds_the_first_calls_expiry(first_call, hold, delay):
    asked = stripe_expiries(first_call + hold, first_call)[0]
    assert asked in stripe_expiries(first_call + hold, first_call + delay)


def test_a_retry_across_a_five_minute_mark_asks_for_the_new_value_first():
    just_before = 1_800_000_000 // 300 * 300 + 300 - 31 * 60 - 1  # now + 31 min is 1 s short of a 5-minute mark
    first = stripe_expiries(0, just_before)
    again = stripe_expiries(0, just_before + 2)
    assert first == [just_before + 1 + 31 * 60] and again == [first[0] + 300, first[0]]
