"""Business calendars: when does business time run, in which timezone, and on which dates not at all.

A :class:`BusinessCalendar` is immutable. It describes

* an IANA timezone (via :mod:`zoneinfo`);
* several working windows per weekday, each half-open ``[start, end)`` in local wall-clock time,
  with ``24:00`` meaning the end of the day (convention 8);
* public holidays from the ``holidays`` package (country and optional subdivision) plus custom
  closure dates, all of them whole *local* dates (convention 7);
* or a 24x7 mode in which every second counts, holidays included.

Internally the calendar turns each local date into the list of UTC instants (integer epoch seconds)
that are business time, following convention 6 literally: an instant counts when its local
wall-clock time lies inside a window of a working local date. A window therefore lasts the real
elapsed time between its boundaries (a ``00:00-24:00`` window lasts 23 h or 25 h on change days)
and a boundary that does not exist locally begins at the first local time that exists after it.

Those per-date lists are regrouped into fixed UTC "buckets" of 86,400 seconds (aligned near local
midnight) so that the arithmetic in :mod:`services.sla.engine.businesstime` can walk time strictly
forwards even in the rare zones whose local date steps backwards at a fall-back transition. Buckets,
their totals and 7-bucket week totals are memoised in per-calendar LRU caches.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import lru_cache
from typing import Final, TypeAlias
from zoneinfo import ZoneInfo

import holidays as holidays_package

__all__ = [
    "WEEKDAY_NAMES",
    "BusinessCalendar",
    "CalendarError",
    "Interval",
    "WindowSpec",
    "WorkingWindow",
]

SECONDS_PER_DAY: Final = 86_400
WEEKDAY_NAMES: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

_EPOCH_ORDINAL: Final = date(1970, 1, 1).toordinal()
# Every UTC offset in the tz database lies well within +-18 h, so the instants whose local wall-clock
# time falls on a given local date are all within this margin of that date's naive-local span.
_OFFSET_MARGIN_SECONDS: Final = 18 * 3600
# Offsets are sampled at this spacing and transitions located by bisection; two transitions closer
# together than this do not occur in the tz database.
_OFFSET_SAMPLE_SECONDS: Final = 2 * 3600
_TIME_PATTERN: Final = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")

Interval: TypeAlias = tuple[int, int]
"""A half-open interval ``[start, end)`` of UTC epoch seconds."""


class CalendarError(ValueError):
    """Raised when a calendar definition is invalid (unknown timezone, overlapping windows, ...)."""


def _parse_time_of_day(value: str | time, *, allow_end_of_day: bool) -> int:
    """Return seconds since local midnight for ``"HH:MM"``, ``"HH:MM:SS"``, ``"24:00"`` or a time."""
    if isinstance(value, time):
        if value.tzinfo is not None:
            raise CalendarError(f"window times are local wall-clock times, got an aware time {value!r}")
        if value.microsecond:
            raise CalendarError(f"window times have whole-second precision, got {value!r}")
        return value.hour * 3600 + value.minute * 60 + value.second
    match = _TIME_PATTERN.match(value.strip())
    if match is None:
        raise CalendarError(f"cannot read time of day {value!r}; write it as HH:MM or HH:MM:SS")
    hours, minutes, seconds = int(match[1]), int(match[2]), int(match[3] or 0)
    if minutes > 59 or seconds > 59:
        raise CalendarError(f"invalid time of day {value!r}")
    total = hours * 3600 + minutes * 60 + seconds
    if total > SECONDS_PER_DAY or (total == SECONDS_PER_DAY and not allow_end_of_day):
        raise CalendarError(f"invalid time of day {value!r}; only a window end may be 24:00")
    return total


def _format_time_of_day(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}" + (f":{secs:02d}" if secs else "")


@dataclass(frozen=True, order=True)
class WorkingWindow:
    """A half-open working window ``[start, end)`` in local wall-clock seconds since midnight.

    ``end_second`` may be 86,400 (``24:00``, the end of the day).
    """

    start_second: int
    end_second: int

    def __post_init__(self) -> None:
        if not 0 <= self.start_second < self.end_second <= SECONDS_PER_DAY:
            raise CalendarError(
                f"a working window needs 00:00 <= start < end <= 24:00, got "
                f"{self.start_second}s-{self.end_second}s"
            )

    @classmethod
    def parse(cls, start: str | time, end: str | time) -> WorkingWindow:
        """Build a window from ``"09:00"``-style strings (``"24:00"`` allowed as the end) or times."""
        return cls(
            _parse_time_of_day(start, allow_end_of_day=False),
            _parse_time_of_day(end, allow_end_of_day=True),
        )

    @property
    def length_seconds(self) -> int:
        """Nominal wall-clock length of the window (real length differs on DST change days)."""
        return self.end_second - self.start_second

    def __str__(self) -> str:
        return f"{_format_time_of_day(self.start_second)}-{_format_time_of_day(self.end_second)}"


WindowSpec: TypeAlias = WorkingWindow | tuple[str | time, str | time]
"""A working window, either as :class:`WorkingWindow` or as a ``("09:00", "17:30")`` pair."""


def _normalise_windows(weekday: int, specs: Sequence[WindowSpec]) -> tuple[WorkingWindow, ...]:
    windows = sorted(
        spec if isinstance(spec, WorkingWindow) else WorkingWindow.parse(*spec) for spec in specs
    )
    merged: list[WorkingWindow] = []
    for window in windows:
        if merged and window.start_second < merged[-1].end_second:
            raise CalendarError(
                f"working windows overlap on {WEEKDAY_NAMES[weekday]}: {merged[-1]} and {window}"
            )
        if merged and window.start_second == merged[-1].end_second:
            merged[-1] = WorkingWindow(merged[-1].start_second, window.end_second)
        else:
            merged.append(window)
    return tuple(merged)


def _merge_sorted(intervals: list[Interval]) -> tuple[Interval, ...]:
    intervals.sort()
    merged: list[Interval] = []
    for start, end in intervals:
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return tuple(merged)


class BusinessCalendar:
    """When business time runs for one client, team or priority.

    Args:
        timezone: IANA timezone name, e.g. ``"Europe/London"``.
        weekly_hours: working windows per weekday (0 = Monday ... 6 = Sunday); each value is a
            sequence of :class:`WorkingWindow` or ``("09:00", "12:30")`` pairs. Missing weekdays
            have no business time. Adjacent windows are merged; overlapping ones are an error.
        holiday_country: ISO country code understood by the ``holidays`` package (``"GB"``).
        holiday_subdivision: optional subdivision of that country (``"ENG"``, ``"NY"``, ``"NSW"``).
        closure_dates: extra local dates on which the calendar is closed all day.
        name: human-readable name used in explanations.
        always_open: 24x7 mode; every second counts, windows and holidays are ignored.
        cache_size: how many UTC day buckets to keep memoised.
    """

    def __init__(
        self,
        timezone: str,
        weekly_hours: Mapping[int, Sequence[WindowSpec]] | None = None,
        *,
        holiday_country: str | None = None,
        holiday_subdivision: str | None = None,
        closure_dates: Iterable[date] = (),
        name: str = "",
        always_open: bool = False,
        cache_size: int = 8192,
    ) -> None:
        try:
            self._tz = ZoneInfo(timezone)
        except (KeyError, ValueError) as exc:
            raise CalendarError(f"unknown IANA timezone {timezone!r}") from exc
        self._timezone_name = timezone
        self._name = name or timezone
        self._always_open = always_open
        weekly: list[tuple[WorkingWindow, ...]] = [() for _ in range(7)]
        for weekday, specs in (weekly_hours or {}).items():
            if weekday not in range(7):
                raise CalendarError(f"weekday must be 0 (Monday) to 6 (Sunday), got {weekday!r}")
            weekly[weekday] = _normalise_windows(weekday, specs)
        self._weekly_windows = tuple(weekly)
        if not always_open and not any(self._weekly_windows):
            raise CalendarError("a business-hours calendar needs at least one working window per week")
        if holiday_subdivision is not None and holiday_country is None:
            raise CalendarError("a holiday subdivision needs a holiday country")
        self._holiday_country = holiday_country
        self._holiday_subdivision = holiday_subdivision
        if holiday_country is not None:
            try:
                holidays_package.country_holidays(holiday_country, subdiv=holiday_subdivision, years=2000)
            except NotImplementedError as exc:
                raise CalendarError(str(exc)) from exc
        self._closure_dates = frozenset(closure_dates)
        self._holiday_names_by_year: dict[int, Mapping[date, str]] = {}
        # Bucket k covers UTC seconds [k * 86400 - shift, (k + 1) * 86400 - shift): close to local days.
        reference = datetime(2001, 1, 15, 12, tzinfo=UTC).astimezone(self._tz).utcoffset()
        self._bucket_shift = int(reference.total_seconds()) if reference is not None else 0

        self._date_intervals: Callable[[int], tuple[Interval, ...]] = lru_cache(maxsize=cache_size)(
            self._compute_date_intervals
        )
        self.bucket_intervals: Callable[[int], tuple[Interval, ...]] = lru_cache(maxsize=cache_size)(
            self._compute_bucket_intervals
        )
        """Business intervals (UTC epoch seconds, sorted, disjoint) inside UTC day bucket ``k``."""
        self.bucket_business_seconds: Callable[[int], int] = lru_cache(maxsize=cache_size)(
            self._compute_bucket_business_seconds
        )
        """Total business seconds inside bucket ``k``."""
        self.week_business_seconds: Callable[[int], int] = lru_cache(maxsize=cache_size // 7 + 1)(
            self._compute_week_business_seconds
        )
        """Total business seconds inside buckets ``7w ... 7w + 6``."""

    # ------------------------------------------------------------------ construction helpers

    @classmethod
    def for_weekdays(
        cls,
        timezone: str,
        windows: Sequence[WindowSpec],
        weekdays: Iterable[int] = (0, 1, 2, 3, 4),
        *,
        holiday_country: str | None = None,
        holiday_subdivision: str | None = None,
        closure_dates: Iterable[date] = (),
        name: str = "",
    ) -> BusinessCalendar:
        """Calendar with the same windows on each of ``weekdays`` (Monday-Friday by default)."""
        return cls(
            timezone,
            {weekday: list(windows) for weekday in weekdays},
            holiday_country=holiday_country,
            holiday_subdivision=holiday_subdivision,
            closure_dates=closure_dates,
            name=name,
        )

    @classmethod
    def twenty_four_seven(cls, timezone: str = "UTC", name: str = "24x7") -> BusinessCalendar:
        """A calendar in which every second is business time, holidays included."""
        return cls(timezone, None, name=name, always_open=True)

    # ------------------------------------------------------------------ read-only properties

    @property
    def name(self) -> str:
        """Human-readable name (the timezone name when none was given)."""
        return self._name

    @property
    def timezone_name(self) -> str:
        """The IANA timezone name."""
        return self._timezone_name

    @property
    def tzinfo(self) -> ZoneInfo:
        """The calendar's timezone."""
        return self._tz

    @property
    def always_open(self) -> bool:
        """True for a 24x7 calendar."""
        return self._always_open

    @property
    def weekly_windows(self) -> tuple[tuple[WorkingWindow, ...], ...]:
        """Working windows indexed by weekday (0 = Monday)."""
        return self._weekly_windows

    @property
    def closure_dates(self) -> frozenset[date]:
        """Custom closure dates (in addition to public holidays)."""
        return self._closure_dates

    # ------------------------------------------------------------------ dates

    def holiday_name(self, local_date: date) -> str | None:
        """Name of the public holiday or closure on ``local_date``, or None on an ordinary date."""
        if local_date in self._closure_dates:
            return "closure"
        if self._holiday_country is None:
            return None
        names = self._holiday_names_by_year.get(local_date.year)
        if names is None:
            names = dict(
                holidays_package.country_holidays(
                    self._holiday_country, subdiv=self._holiday_subdivision, years=local_date.year
                )
            )
            self._holiday_names_by_year[local_date.year] = names
        return names.get(local_date)

    def is_closed_date(self, local_date: date) -> bool:
        """True when ``local_date`` is a public holiday or a closure date of this calendar."""
        if self._always_open:
            return False
        return self.holiday_name(local_date) is not None

    def local_date_of(self, epoch_second: int) -> date:
        """The calendar-local date of a UTC epoch second."""
        return datetime.fromtimestamp(epoch_second, self._tz).date()

    def business_intervals_on(self, local_date: date) -> tuple[Interval, ...]:
        """UTC intervals (epoch seconds) that are business time on ``local_date`` (convention 6)."""
        if self._always_open:
            start = int(datetime.combine(local_date, time(), self._tz).timestamp())
            end = int(
                datetime.combine(date.fromordinal(local_date.toordinal() + 1), time(), self._tz).timestamp()
            )
            return ((start, end),)
        return self._date_intervals(local_date.toordinal())

    # ------------------------------------------------------------------ buckets

    def bucket_of(self, epoch_second: int) -> int:
        """Index of the UTC day bucket holding ``epoch_second``."""
        return (epoch_second + self._bucket_shift) // SECONDS_PER_DAY

    def bucket_start(self, bucket: int) -> int:
        """First UTC epoch second of ``bucket``."""
        return bucket * SECONDS_PER_DAY - self._bucket_shift

    def is_business_second(self, epoch_second: int) -> bool:
        """True when the second starting at ``epoch_second`` is business time."""
        if self._always_open:
            return True
        return any(
            start <= epoch_second < end for start, end in self.bucket_intervals(self.bucket_of(epoch_second))
        )

    def _utc_offset(self, epoch_second: int) -> int:
        offset = datetime.fromtimestamp(epoch_second, self._tz).utcoffset()
        return int(offset.total_seconds()) if offset is not None else 0

    def _offset_pieces(self, low: int, high: int) -> list[tuple[int, int, int]]:
        """Split UTC ``[low, high)`` into pieces ``(start, end, utc_offset)`` of constant offset."""
        pieces: list[tuple[int, int, int]] = []
        piece_start, piece_offset = low, self._utc_offset(low)
        sample_at = low
        while sample_at < high:
            next_sample = min(sample_at + _OFFSET_SAMPLE_SECONDS, high)
            next_offset = self._utc_offset(next_sample)
            if next_offset != piece_offset:
                # Bisect for the first second carrying the new offset.
                before, after = sample_at, next_sample
                while after - before > 1:
                    middle = (before + after) // 2
                    if self._utc_offset(middle) == piece_offset:
                        before = middle
                    else:
                        after = middle
                pieces.append((piece_start, after, piece_offset))
                piece_start, piece_offset = after, next_offset
            sample_at = next_sample
        pieces.append((piece_start, high, piece_offset))
        return pieces

    def _compute_date_intervals(self, ordinal: int) -> tuple[Interval, ...]:
        local_date = date.fromordinal(ordinal)
        windows = self._weekly_windows[local_date.weekday()]
        if not windows or self.is_closed_date(local_date):
            return ()
        naive_midnight = (ordinal - _EPOCH_ORDINAL) * SECONDS_PER_DAY
        pieces = self._offset_pieces(
            naive_midnight - _OFFSET_MARGIN_SECONDS, naive_midnight + SECONDS_PER_DAY + _OFFSET_MARGIN_SECONDS
        )
        intervals: list[Interval] = []
        for piece_start, piece_end, offset in pieces:
            for window in windows:
                # Preimage of the wall-clock window under "local = utc + offset", within the piece.
                start = max(piece_start, naive_midnight + window.start_second - offset)
                end = min(piece_end, naive_midnight + window.end_second - offset)
                if start < end:
                    intervals.append((start, end))
        return _merge_sorted(intervals)

    def _compute_bucket_intervals(self, bucket: int) -> tuple[Interval, ...]:
        low = self.bucket_start(bucket)
        high = low + SECONDS_PER_DAY
        if self._always_open:
            return ((low, high),)
        first_ordinal = datetime.fromtimestamp(low, self._tz).toordinal() - 1
        last_ordinal = datetime.fromtimestamp(high - 1, self._tz).toordinal() + 1
        clipped: list[Interval] = []
        for ordinal in range(first_ordinal, last_ordinal + 1):
            for start, end in self._date_intervals(ordinal):
                start, end = max(start, low), min(end, high)
                if start < end:
                    clipped.append((start, end))
        return _merge_sorted(clipped)

    def _compute_bucket_business_seconds(self, bucket: int) -> int:
        return sum(end - start for start, end in self.bucket_intervals(bucket))

    def _compute_week_business_seconds(self, week: int) -> int:
        return sum(self.bucket_business_seconds(7 * week + day) for day in range(7))

    # ------------------------------------------------------------------ description

    def weekly_hours_text(self) -> str:
        """Compact weekly hours, e.g. ``"Mon-Fri 09:00-12:30, 13:00-17:30"``; ``"24x7"`` when always open."""
        if self._always_open:
            return "24x7"
        groups: list[tuple[int, int, tuple[WorkingWindow, ...]]] = []
        for weekday, windows in enumerate(self._weekly_windows):
            if groups and groups[-1][2] == windows and groups[-1][1] == weekday - 1:
                groups[-1] = (groups[-1][0], weekday, windows)
            else:
                groups.append((weekday, weekday, windows))
        parts = []
        for first, last, windows in groups:
            if not windows:
                continue
            days = WEEKDAY_NAMES[first] if first == last else f"{WEEKDAY_NAMES[first]}-{WEEKDAY_NAMES[last]}"
            parts.append(f"{days} {', '.join(str(window) for window in windows)}")
        return "; ".join(parts)

    def holidays_text(self) -> str:
        """Which holidays and closures apply, in words."""
        if self._always_open:
            return "no holidays (24x7)"
        parts = []
        if self._holiday_country is not None:
            region = self._holiday_country + (
                f"-{self._holiday_subdivision}" if self._holiday_subdivision else ""
            )
            parts.append(f"{region} public holidays")
        if self._closure_dates:
            count = len(self._closure_dates)
            parts.append(f"{count} closure date{'s' if count != 1 else ''}")
        return " and ".join(parts) if parts else "no holidays"

    def summary(self) -> str:
        """One line: name, timezone, hours and holidays."""
        return f"{self._name} ({self._timezone_name}): {self.weekly_hours_text()}; {self.holidays_text()}"

    def describe(self) -> dict[str, object]:
        """A JSON-friendly description used by clock explanations."""
        return {
            "name": self._name,
            "timezone": self._timezone_name,
            "mode": "24x7" if self._always_open else "business_hours",
            "weekly_hours": {
                WEEKDAY_NAMES[weekday]: [str(window) for window in windows]
                for weekday, windows in enumerate(self._weekly_windows)
                if windows and not self._always_open
            },
            "holiday_country": self._holiday_country,
            "holiday_subdivision": self._holiday_subdivision,
            "closure_dates": sorted(day.isoformat() for day in self._closure_dates),
            "summary": self.summary(),
        }

    def __repr__(self) -> str:
        return f"<BusinessCalendar {self.summary()}>"
