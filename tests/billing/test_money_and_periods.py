"""Money rounding (BILLING_CONVENTIONS §1) and billing periods (§2)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from billing.money import is_currency, line_amount, minor_unit, round_money
from billing.periods import Period, period_containing, period_ending_on


@pytest.mark.parametrize(
    ("value", "currency", "expected"),
    [
        ("2.345", "USD", "2.35"),
        ("2.344", "USD", "2.34"),
        ("-2.345", "USD", "-2.35"),  # ties away from zero
        ("0.5", "JPY", "1"),
        ("1.4999", "JPY", "1"),
        ("1.0005", "KWD", "1.001"),
        ("1.0004", "KWD", "1.000"),
    ],
)
def test_half_up_to_the_minor_unit(value: str, currency: str, expected: str) -> None:
    assert round_money(Decimal(value), currency) == Decimal(expected)
    assert round_money(Fraction(Decimal(value)), currency) == Decimal(expected)


def test_minor_units_and_unknown_codes() -> None:
    assert (minor_unit("USD"), minor_unit("JPY"), minor_unit("KWD")) == (2, 0, 3)
    assert is_currency("EUR") and not is_currency("XXX") and not is_currency("usd") and not is_currency("ABC")


def test_proration_is_exact_until_the_single_rounding() -> None:
    # 3 seats × 10.00 × 10 / 31 days = 9.677419... → 9.68 (a Decimal division first would not matter
    # here, but 1/3 cases would: 1 × 1.00 × 1/3 = 0.3333 → 0.33).
    assert line_amount(Decimal(3), Decimal("10.00"), 10, 31, "USD") == Decimal("9.68")
    assert line_amount(Decimal(1), Decimal("0.015"), 1, 1, "USD") == Decimal("0.02")
    # Overage: 7 minutes at 90.00 an hour = 10.50.
    assert line_amount(Decimal(7), Decimal("90.00"), 1, 60, "USD") == Decimal("10.50")


@given(
    st.decimals(min_value=0, max_value=10_000, places=4),
    st.decimals(min_value=0, max_value=100_000, places=4),
    st.integers(1, 31),
    st.sampled_from(["USD", "JPY", "KWD"]),
)
def test_line_amount_matches_decimal_half_up(
    quantity: Decimal, price: Decimal, days: int, currency: str
) -> None:
    exact = Fraction(quantity) * Fraction(price) * Fraction(days, 31)
    amount = line_amount(quantity, price, days, 31, currency)
    step = Fraction(Decimal(1).scaleb(-minor_unit(currency)))
    # within half a minor unit, and a tie goes up
    assert abs(Fraction(amount) - exact) <= step / 2
    if abs(Fraction(amount) - exact) == step / 2:
        assert Fraction(amount) > exact


def test_day_31_is_each_months_last_day() -> None:
    assert period_containing(date(2026, 2, 10), 31) == Period(date(2026, 1, 31), date(2026, 2, 28))
    assert period_containing(date(2026, 2, 28), 31) == Period(date(2026, 2, 28), date(2026, 3, 31))
    assert period_containing(date(2024, 2, 29), 31) == Period(date(2024, 2, 29), date(2024, 3, 31))
    assert period_containing(date(2026, 4, 30), 31) == Period(date(2026, 4, 30), date(2026, 5, 31))


def test_period_is_half_open_and_the_run_bills_the_one_that_ended() -> None:
    period = period_containing(date(2026, 3, 15), 15)
    assert period == Period(date(2026, 3, 15), date(2026, 4, 15))
    assert period.days == 31
    assert period.contains(date(2026, 4, 14)) and not period.contains(date(2026, 4, 15))
    assert period_ending_on(date(2026, 4, 15), 15) == period
    assert period_ending_on(date(2026, 4, 16), 15) is None
    assert period_containing(date(2026, 1, 1), 1).previous(1) == Period(date(2025, 12, 1), date(2026, 1, 1))


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)), st.integers(1, 31))
def test_periods_tile_the_calendar(day: date, billing_day: int) -> None:
    period = period_containing(day, billing_day)
    assert period.contains(day)
    assert period.next(billing_day).start == period.end
    assert 28 <= period.days <= 31
