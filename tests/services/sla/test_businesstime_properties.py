"""Property tests of the business-time arithmetic against two independent oracles.

1. ``businesstimedelta`` (pytz-based, rule-by-rule) over random calendars, timezones, instants,
   budgets and holidays. Its semantics match ours except in three places, so inputs are restricted
   there rather than weakening the engine:

   * it localises window boundaries with ``pytz.localize(is_dst=False)``: a nonexistent boundary
     (02:30 on a spring-forward night) becomes 03:30, an ambiguous one the *second* occurrence,
     and ``period_start + remaining`` is naive wall-clock addition that ignores a transition inside
     the period; a holiday ends 24 h of wall-clock after its local midnight in the *start's* offset,
     so on change days it ends an hour early or late. In DST zones windows are therefore drawn inside
     03:00-23:00 local, away from every transition hour and holiday-midnight skew; fixed-offset zones
     use the whole day;
   * it cannot express a window ending at 24:00 (``time(0)`` is read as an overnight shift whose
     current period is skipped), so windows end at 23:59:59 at the latest;
   * ``difference()`` of a reversed interval is the positive distance (ours is 0, convention 3),
     so intervals are ordered before comparing.

   DST still matters in these comparisons: instants and budgets routinely cross transitions.

2. A brute-force reference written straight from convention 6 ("a moment counts when its local
   wall-clock time lies inside a window on a working local date"), stepping minute by minute in
   UTC, over calendars with windows deliberately placed on transition hours, ``00:00``, ``24:00``
   and holidays on change days. With minute-aligned boundaries and transitions, business membership
   is constant within each UTC minute, so minute stepping is exact.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import businesstimedelta
import holidays as holidays_package
import pytz
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from services.sla.engine import (
    BusinessCalendar,
    WorkingWindow,
    add_business_seconds,
    business_seconds_between,
)
from services.sla.engine.businesstime import epoch_seconds

DST_ZONES = ("Europe/London", "America/New_York", "Australia/Sydney")
FIXED_OFFSET_ZONES = ("UTC", "Asia/Tokyo", "Asia/Kolkata")
SAFE_DST_BAND = (3 * 3600, 23 * 3600)  # local seconds where businesstimedelta's DST handling agrees
FULL_DAY_BAND = (0, 86_399)
RANGE_START = datetime(2024, 1, 1, tzinfo=UTC)
RANGE_SECONDS = 3 * 365 * 86_400
MAX_BUDGET = 200 * 3600

ORACLE_SETTINGS = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)


REFERENCE_ZONES = (
    "Europe/London",
    "America/New_York",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "America/St_Johns",
)
# Minutes that sit on or next to the transition hours of the zones above, plus both ends of the day.
EDGE_MINUTES = (0, 30, 60, 90, 120, 150, 180, 210, 1380, 1410, 1439, 1440)


def _transition_instants(timezone: str) -> list[datetime]:
    tz = ZoneInfo(timezone)
    found = []
    instant = datetime(2024, 1, 1, tzinfo=UTC)
    previous = instant.astimezone(tz).utcoffset()
    while instant < datetime(2027, 1, 1, tzinfo=UTC):
        instant += timedelta(hours=1)
        offset = instant.astimezone(tz).utcoffset()
        if offset != previous:
            found.append(instant)
            previous = offset
    return found


TRANSITIONS = {timezone: _transition_instants(timezone) for timezone in REFERENCE_ZONES}


@dataclass(frozen=True)
class CalendarCase:
    timezone: str
    weekly: Mapping[int, tuple[tuple[int, int], ...]]
    closed_dates: frozenset[date]

    def engine_calendar(self, extra_closed: Sequence[date] = ()) -> BusinessCalendar:
        return BusinessCalendar(
            self.timezone,
            {
                day: [WorkingWindow(start, end) for start, end in windows]
                for day, windows in self.weekly.items()
            },
            closure_dates=self.closed_dates | set(extra_closed),
        )

    def weekly_seconds(self) -> int:
        return sum(end - start for windows in self.weekly.values() for start, end in windows)


def _clock_time(seconds: int) -> time:
    return time(seconds // 3600, seconds // 60 % 60, seconds % 60)


def oracle_rules(case: CalendarCase, holiday_dates: Sequence[date]) -> businesstimedelta.Rules:
    tz = pytz.timezone(case.timezone)
    rules: list[businesstimedelta.Rule] = [
        businesstimedelta.WorkDayRule(
            start_time=_clock_time(start), end_time=_clock_time(end), working_days=[day], tz=tz
        )
        for day, windows in case.weekly.items()
        for start, end in windows
    ]
    rules.append(businesstimedelta.HolidayRule(frozenset(holiday_dates), tz=tz))
    return businesstimedelta.Rules(rules)


@st.composite
def weekly_windows(
    draw: st.DrawFn, band: tuple[int, int], granularity: int = 1
) -> dict[int, tuple[tuple[int, int], ...]]:
    """1-3 disjoint windows on each of a non-empty set of weekdays, boundaries inside ``band``."""
    low, high = band[0] // granularity, band[1] // granularity
    weekly: dict[int, tuple[tuple[int, int], ...]] = {}
    for day in sorted(draw(st.sets(st.integers(0, 6), min_size=1))):
        count = draw(st.integers(1, 3))
        cuts = sorted(
            draw(st.lists(st.integers(low, high), min_size=2 * count, max_size=2 * count, unique=True))
        )
        weekly[day] = tuple(
            (cuts[i] * granularity, cuts[i + 1] * granularity) for i in range(0, 2 * count, 2)
        )
    return weekly


@st.composite
def oracle_cases(draw: st.DrawFn) -> tuple[CalendarCase, datetime, int]:
    """A calendar businesstimedelta can express identically, a start instant and a budget."""
    timezone = draw(st.sampled_from(DST_ZONES + FIXED_OFFSET_ZONES))
    band = SAFE_DST_BAND if timezone in DST_ZONES else FULL_DAY_BAND
    weekly = draw(weekly_windows(band))
    if timezone in DST_ZONES and draw(st.booleans()):
        # Often start within a few days of a DST transition so that budgets run across it.
        transition = draw(st.sampled_from(TRANSITIONS[timezone]))
        start = transition + timedelta(seconds=draw(st.integers(-4 * 86_400, 86_400)))
    else:
        start = RANGE_START + timedelta(seconds=draw(st.integers(0, RANGE_SECONDS)))
    local_start = start.astimezone(ZoneInfo(timezone)).date()
    if draw(st.booleans()):
        # Start exactly on a window boundary of a nearby date (openings and closings are edge cases).
        day = local_start + timedelta(days=draw(st.integers(0, 6)))
        boundary = draw(
            st.sampled_from([second for windows in weekly.values() for pair in windows for second in pair])
        )
        start = datetime.combine(day, _clock_time(boundary), ZoneInfo(timezone)).astimezone(UTC)
    closed = frozenset(
        local_start + timedelta(days=offset) for offset in draw(st.sets(st.integers(-3, 70), max_size=8))
    )
    case = CalendarCase(timezone, weekly, closed)
    budget_cap = min(MAX_BUDGET, 6 * case.weekly_seconds())
    budget = draw(
        st.one_of(
            st.integers(0, budget_cap),
            # Whole multiples of a window length make budgets that run out exactly at closing times.
            st.builds(
                lambda window, multiple: min(budget_cap, (window[1] - window[0]) * multiple),
                st.sampled_from([pair for windows in weekly.values() for pair in windows]),
                st.integers(0, 5),
            ),
        )
    )
    return case, start, budget


@ORACLE_SETTINGS
@given(oracle_cases())
@example(
    (
        CalendarCase("Europe/London", {4: ((9 * 3600, 17 * 3600),)}, frozenset()),
        datetime(2025, 3, 7, 9, tzinfo=UTC),
        8 * 3600,
    )
)
def test_add_business_seconds_matches_businesstimedelta(
    case_start_budget: tuple[CalendarCase, datetime, int],
) -> None:
    case, start, budget = case_start_budget
    ours = add_business_seconds(case.engine_calendar(), start, budget)
    # businesstimedelta scans day by day for "the next holiday" and fails when there is none within
    # five years; a closure far beyond our answer (identical for both engines) keeps it finite.
    sentinel = ours.astimezone(ZoneInfo(case.timezone)).date() + timedelta(days=30)
    assert add_business_seconds(case.engine_calendar([sentinel]), start, budget) == ours
    theirs = start + businesstimedelta.BusinessTimeDelta(
        oracle_rules(case, [*case.closed_dates, sentinel]), seconds=budget
    )
    assert ours == theirs, (ours.isoformat(), theirs.isoformat())


@ORACLE_SETTINGS
@given(oracle_cases(), st.integers(0, 40 * 86_400))
def test_business_seconds_between_matches_businesstimedelta(
    case_start_budget: tuple[CalendarCase, datetime, int], span_seconds: int
) -> None:
    case, start, _ = case_start_budget
    end = start + timedelta(seconds=span_seconds)
    calendar = case.engine_calendar()
    ours = business_seconds_between(calendar, start, end)
    sentinel = end.astimezone(ZoneInfo(case.timezone)).date() + timedelta(days=30)
    rules = oracle_rules(case, [*case.closed_dates, sentinel])
    theirs = rules.difference(start, end).timedelta.total_seconds()
    assert ours == theirs
    # Convention 3: reversed intervals are 0 for us (businesstimedelta gives the distance).
    assert business_seconds_between(calendar, end, start) == (0 if span_seconds else ours)


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(
        [("GB", "ENG", "Europe/London"), ("US", "NY", "America/New_York"), ("AU", "NSW", "Australia/Sydney")]
    ),
    st.integers(0, RANGE_SECONDS),
    st.integers(0, MAX_BUDGET),
)
def test_public_holidays_match_businesstimedelta_with_the_same_holiday_data(
    region: tuple[str, str, str], start_offset: int, budget: int
) -> None:
    country, subdivision, timezone = region
    calendar = BusinessCalendar.for_weekdays(
        timezone,
        [("08:30", "12:00"), ("13:00", "17:45")],
        holiday_country=country,
        holiday_subdivision=subdivision,
    )
    start = RANGE_START + timedelta(seconds=start_offset)
    tz = pytz.timezone(timezone)
    rules = businesstimedelta.Rules(
        [
            businesstimedelta.WorkDayRule(time(8, 30), time(12), [0, 1, 2, 3, 4], tz=tz),
            businesstimedelta.WorkDayRule(time(13), time(17, 45), [0, 1, 2, 3, 4], tz=tz),
            businesstimedelta.HolidayRule(
                holidays_package.country_holidays(country, subdiv=subdivision), tz=tz
            ),
        ]
    )
    ours = add_business_seconds(calendar, start, budget)
    assert ours == start + businesstimedelta.BusinessTimeDelta(rules, seconds=budget)
    assert (
        business_seconds_between(calendar, start, ours)
        == rules.difference(start, ours).timedelta.total_seconds()
    )


# ------------------------------------------------------------------------------ brute-force reference


@st.composite
def reference_cases(draw: st.DrawFn) -> tuple[CalendarCase, int, int]:
    timezone = draw(st.sampled_from(REFERENCE_ZONES))
    minute = st.one_of(st.sampled_from(EDGE_MINUTES), st.integers(0, 1440))
    weekly: dict[int, tuple[tuple[int, int], ...]] = {}
    for day in sorted(draw(st.sets(st.integers(0, 6), min_size=1))):
        count = draw(st.integers(1, 3))
        cuts = sorted(draw(st.lists(minute, min_size=2 * count, max_size=2 * count, unique=True)))
        weekly[day] = tuple((cuts[i] * 60, cuts[i + 1] * 60) for i in range(0, 2 * count, 2))
    transition = draw(st.sampled_from(TRANSITIONS[timezone]))
    start = epoch_seconds(transition) + 60 * draw(st.integers(-3 * 1440, 2 * 1440))
    transition_date = transition.astimezone(ZoneInfo(timezone)).date()
    closed = frozenset(
        transition_date + timedelta(days=d) for d in draw(st.sets(st.integers(-2, 2), max_size=2))
    )
    case = CalendarCase(timezone, weekly, closed)
    budget = draw(st.integers(0, min(36 * 3600, 2 * case.weekly_seconds())))
    return case, start, budget


def reference_is_business(case: CalendarCase, tz: ZoneInfo, epoch_second: int) -> bool:
    """Convention 6 verbatim: local wall-clock time inside a window of a working local date."""
    local = datetime.fromtimestamp(epoch_second, tz)
    if local.date() in case.closed_dates:
        return False
    seconds = local.hour * 3600 + local.minute * 60 + local.second
    return any(start <= seconds < end for start, end in case.weekly.get(local.weekday(), ()))


def reference_add(case: CalendarCase, start: int, budget: int) -> int:
    tz, minute, remaining = ZoneInfo(case.timezone), start, budget
    while True:
        if reference_is_business(case, tz, minute):
            if remaining <= 60:
                return minute + remaining
            remaining -= 60
        minute += 60


def reference_between(case: CalendarCase, start: int, end: int) -> int:
    tz = ZoneInfo(case.timezone)
    return 60 * sum(reference_is_business(case, tz, minute) for minute in range(start, end, 60))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reference_cases(), st.integers(0, 3 * 1440))
def test_dst_semantics_match_brute_force_reference(
    case_start_budget: tuple[CalendarCase, int, int], span_minutes: int
) -> None:
    case, start, budget = case_start_budget
    calendar = case.engine_calendar()
    start_dt = datetime.fromtimestamp(start, UTC)
    ours = epoch_seconds(add_business_seconds(calendar, start_dt, budget))
    assert ours == reference_add(case, start, budget)
    end = start + 60 * span_minutes
    assert business_seconds_between(
        calendar, start_dt, datetime.fromtimestamp(end, UTC)
    ) == reference_between(case, start, end)


# ------------------------------------------------------------------------------ algebraic properties


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(oracle_cases(), st.integers(0, 6 * 3600))
def test_add_then_measure_round_trips_and_splits_additively(
    case_start_budget: tuple[CalendarCase, datetime, int], second_budget: int
) -> None:
    case, start, budget = case_start_budget
    second_budget = min(second_budget, 4 * case.weekly_seconds())
    calendar = case.engine_calendar()
    due = add_business_seconds(calendar, start, budget)
    assert due >= start
    assert business_seconds_between(calendar, start, due) == budget
    # Spending a budget in two parts lands on the same instant as spending it at once (a second part
    # of 0 is the exception: from a closing time it moves to the next opening, convention 2).
    if second_budget:
        assert add_business_seconds(calendar, due, second_budget) == add_business_seconds(
            calendar, start, budget + second_budget
        )
    # The due instant is the earliest one: one second less of budget lands strictly earlier.
    if budget:
        assert add_business_seconds(calendar, start, budget - 1) < due
