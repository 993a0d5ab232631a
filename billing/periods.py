"""Billing periods (BILLING_CONVENTIONS §2): from the billing day to the next one, half-open.

A billing day beyond a month's end is that month's last day, month by month, always
starting again from the configured day (day 31: Jan 31, Feb 28/29, Mar 31).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta


def anchor_in_month(year: int, month: int, billing_day: int) -> date:
    """The period start in this month: the billing day, or the month's last day if shorter."""
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(billing_day, last))


def _shift(year: int, month: int, by: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + by
    return index // 12, index % 12 + 1


@dataclass(frozen=True)
class Period:
    """`[start, end)`: the days a client's invoice covers."""

    start: date
    end: date  # exclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def contains(self, day: date) -> bool:
        return self.start <= day < self.end

    def overlap_days(self, first: date, last: date | None) -> tuple[date, date] | None:
        """The days `[first, last]` (inclusive; `last` None = open) inside this period, as a
        half-open pair, or None when they do not meet."""
        start = max(first, self.start)
        end = self.end if last is None else min(last + timedelta(days=1), self.end)
        return (start, end) if start < end else None

    def previous(self, billing_day: int) -> Period:
        return period_containing(self.start - timedelta(days=1), billing_day)

    def next(self, billing_day: int) -> Period:
        return period_containing(self.end, billing_day)


def period_containing(day: date, billing_day: int) -> Period:
    """The period of a client with `billing_day` (1..31) that contains `day`."""
    if not 1 <= billing_day <= 31:
        raise ValueError("billing_day must be 1..31")
    start = anchor_in_month(day.year, day.month, billing_day)
    if day < start:
        year, month = _shift(day.year, day.month, -1)
        start = anchor_in_month(year, month, billing_day)
    year, month = _shift(start.year, start.month, 1)
    return Period(start, anchor_in_month(year, month, billing_day))


def period_ending_on(day: date, billing_day: int) -> Period | None:
    """The period that ends (exclusively) on `day`, if `day` is a period start: what a run on
    that billing day invoices (invoices are in arrears, docs/billing.md)."""
    current = period_containing(day, billing_day)
    if current.start != day:
        return None
    return current.previous(billing_day)


def period_starting_on(start: date, billing_day: int) -> Period | None:
    """The period that starts on `start`, or None when `start` is not a period start."""
    period = period_containing(start, billing_day)
    return period if period.start == start else None
