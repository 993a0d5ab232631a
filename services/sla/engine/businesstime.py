"""Business-time arithmetic on a :class:`~services.sla.engine.calendar.BusinessCalendar`.

All arithmetic is done in whole UTC epoch seconds (convention 4); sub-second parts of the
datetimes passed in are floored. The two primitives are

* :func:`add_business_seconds` - the instant at which a budget of business seconds, spent from
  ``start``, runs out. When the budget runs out exactly as a window closes, the answer is that
  closing time (convention 1); a budget of 0 outside hours gives the next opening (convention 2).
* :func:`business_seconds_between` - the business seconds in ``[start, end)``; 0 when ``end`` is
  not after ``start`` (convention 3).

Both walk the calendar's memoised UTC day buckets: the partial first bucket interval by interval,
whole days and whole 7-day blocks by their cached totals, and only the last bucket interval by
interval again, so the cost grows with the number of *weeks* spanned, not with the number of
working windows.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Final

from .calendar import BusinessCalendar

__all__ = [
    "BusinessTimeError",
    "add_business_seconds",
    "business_intervals_between",
    "business_seconds_between",
    "datetime_from_epoch",
    "epoch_seconds",
    "is_business_instant",
    "next_business_instant",
]

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_SECOND: Final = timedelta(seconds=1)
# Safety net against calendars that have no business time for a very long stretch.
_MAX_BUCKETS_SCANNED: Final = 366 * 200


class BusinessTimeError(ValueError):
    """Raised for naive datetimes, negative budgets or budgets that cannot be spent."""


def epoch_seconds(instant: datetime) -> int:
    """Whole UTC epoch seconds of an aware datetime, sub-second part floored."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise BusinessTimeError(f"business-time arithmetic needs aware datetimes, got naive {instant!r}")
    return (instant - _EPOCH) // _ONE_SECOND


def datetime_from_epoch(calendar: BusinessCalendar, epoch_second: int) -> datetime:
    """Aware datetime in the calendar's timezone for a UTC epoch second."""
    return datetime.fromtimestamp(epoch_second, calendar.tzinfo)


def add_epoch_business_seconds(calendar: BusinessCalendar, start: int, seconds: int) -> int:
    """:func:`add_business_seconds` on UTC epoch seconds (the fast path used by the clocks)."""
    if seconds < 0:
        raise BusinessTimeError(f"a business-time budget cannot be negative, got {seconds}")
    if calendar.always_open:
        return start + seconds
    remaining = seconds
    bucket = calendar.bucket_of(start)
    for interval_start, interval_end in calendar.bucket_intervals(bucket):
        if interval_end <= start:
            continue
        spend_from = max(interval_start, start)
        available = interval_end - spend_from
        if remaining <= available:
            return spend_from + remaining
        remaining -= available
    bucket += 1
    last_bucket = bucket + _MAX_BUCKETS_SCANNED
    while bucket < last_bucket:
        if bucket % 7 == 0:
            # Skip whole 7-bucket weeks while the budget outlasts them.
            week_total = calendar.week_business_seconds(bucket // 7)
            while remaining > week_total or week_total == 0:
                remaining -= week_total
                bucket += 7
                if bucket >= last_bucket:
                    break
                week_total = calendar.week_business_seconds(bucket // 7)
        day_total = calendar.bucket_business_seconds(bucket)
        if remaining > day_total or day_total == 0:
            remaining -= day_total
            bucket += 1
            continue
        for interval_start, interval_end in calendar.bucket_intervals(bucket):
            available = interval_end - interval_start
            if remaining <= available:
                return interval_start + remaining
            remaining -= available
        raise AssertionError("bucket total disagrees with its intervals")  # pragma: no cover
    raise BusinessTimeError(
        f"calendar {calendar.name!r} has no business time left within 200 years to spend {seconds} s"
    )


def _business_seconds_in_bucket(calendar: BusinessCalendar, bucket: int, low: int, high: int) -> int:
    total = 0
    for interval_start, interval_end in calendar.bucket_intervals(bucket):
        start, end = max(interval_start, low), min(interval_end, high)
        if start < end:
            total += end - start
    return total


def epoch_business_seconds_between(calendar: BusinessCalendar, start: int, end: int) -> int:
    """:func:`business_seconds_between` on UTC epoch seconds."""
    if end <= start:
        return 0
    if calendar.always_open:
        return end - start
    first_bucket, last_bucket = calendar.bucket_of(start), calendar.bucket_of(end)
    if first_bucket == last_bucket:
        return _business_seconds_in_bucket(calendar, first_bucket, start, end)
    total = _business_seconds_in_bucket(calendar, first_bucket, start, end)
    bucket = first_bucket + 1
    while bucket < last_bucket:
        if bucket % 7 == 0 and bucket + 7 <= last_bucket:
            total += calendar.week_business_seconds(bucket // 7)
            bucket += 7
        else:
            total += calendar.bucket_business_seconds(bucket)
            bucket += 1
    return total + _business_seconds_in_bucket(calendar, last_bucket, start, end)


def add_business_seconds(calendar: BusinessCalendar, start: datetime, seconds: int) -> datetime:
    """The instant at which ``seconds`` of business time, spent from ``start``, run out.

    Returns an aware datetime in the calendar's timezone. If the budget runs out exactly as a
    working window closes, the closing time is returned, not the next opening (convention 1).
    A budget of 0 returns ``start`` when it is business time and the next opening otherwise
    (convention 2); a start outside hours counts from that opening exactly (convention 4).

    Raises:
        BusinessTimeError: for a naive ``start`` or a negative budget.
    """
    result = add_epoch_business_seconds(calendar, epoch_seconds(start), seconds)
    return datetime_from_epoch(calendar, result)


def business_seconds_between(calendar: BusinessCalendar, start: datetime, end: datetime) -> int:
    """Business seconds in ``[start, end)``; 0 when ``end`` is not after ``start`` (convention 3).

    Durations are real elapsed seconds inside wall-clock windows (convention 6).
    """
    return epoch_business_seconds_between(calendar, epoch_seconds(start), epoch_seconds(end))


def next_business_instant(calendar: BusinessCalendar, instant: datetime) -> datetime:
    """``instant`` itself when it is business time, otherwise the next opening."""
    return add_business_seconds(calendar, instant, 0)


def is_business_instant(calendar: BusinessCalendar, instant: datetime) -> bool:
    """True when the second starting at ``instant`` (floored to the second) is business time."""
    return calendar.is_business_second(epoch_seconds(instant))


def business_intervals_between(
    calendar: BusinessCalendar, start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """The business-time intervals inside ``[start, end)``, merged, as aware datetimes."""
    low, high = epoch_seconds(start), epoch_seconds(end)
    intervals: list[tuple[int, int]] = []
    if high > low:
        if calendar.always_open:
            intervals.append((low, high))
        else:
            for bucket in range(calendar.bucket_of(low), calendar.bucket_of(high) + 1):
                for interval_start, interval_end in calendar.bucket_intervals(bucket):
                    clipped_start, clipped_end = max(interval_start, low), min(interval_end, high)
                    if clipped_start >= clipped_end:
                        continue
                    if intervals and intervals[-1][1] == clipped_start:
                        intervals[-1] = (intervals[-1][0], clipped_end)
                    else:
                        intervals.append((clipped_start, clipped_end))
    return [(datetime_from_epoch(calendar, a), datetime_from_epoch(calendar, b)) for a, b in intervals]
