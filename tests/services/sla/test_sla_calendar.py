"""BusinessCalendar: validation, description, 24x7 mode, caching and unusual timezones. No database."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.sla.engine import (
    BusinessCalendar,
    BusinessTimeError,
    CalendarError,
    WorkingWindow,
    add_business_seconds,
    business_intervals_between,
    business_seconds_between,
    is_business_instant,
    next_business_instant,
)
from services.sla.engine.businesstime import epoch_seconds

LONDON = ZoneInfo("Europe/London")
HOUR = 3600


def test_windows_parse_strings_times_and_24_00() -> None:
    assert WorkingWindow.parse("09:00", "17:30") == WorkingWindow(9 * HOUR, 17 * HOUR + 1800)
    assert WorkingWindow.parse(time(8, 15, 30), "24:00") == WorkingWindow(8 * HOUR + 930, 86_400)
    assert str(WorkingWindow.parse("08:15:30", "12:00")) == "08:15:30-12:00"
    for bad in [
        ("17:00", "09:00"),
        ("09:00", "09:00"),
        ("9h", "17:00"),
        ("09:60", "17:00"),
        ("25:00", "26:00"),
    ]:
        with pytest.raises(CalendarError):
            WorkingWindow.parse(*bad)


def test_calendar_validation_errors() -> None:
    with pytest.raises(CalendarError, match="timezone"):
        BusinessCalendar("Mars/Olympus_Mons", {0: [("09:00", "17:00")]})
    with pytest.raises(CalendarError, match="overlap"):
        BusinessCalendar("UTC", {0: [("09:00", "13:00"), ("12:00", "17:00")]})
    with pytest.raises(CalendarError, match="weekday"):
        BusinessCalendar("UTC", {7: [("09:00", "17:00")]})
    with pytest.raises(CalendarError, match="at least one working window"):
        BusinessCalendar("UTC", {})
    with pytest.raises(CalendarError, match="subdivision"):
        BusinessCalendar("UTC", {0: [("09:00", "17:00")]}, holiday_subdivision="ENG")
    with pytest.raises(CalendarError):
        BusinessCalendar("UTC", {0: [("09:00", "17:00")]}, holiday_country="XX")


def test_adjacent_windows_merge_and_unsorted_windows_are_sorted() -> None:
    calendar = BusinessCalendar("UTC", {0: [("13:00", "17:00"), ("09:00", "13:00")]})
    assert calendar.weekly_windows[0] == (WorkingWindow.parse("09:00", "17:00"),)


def test_description_is_json_friendly_and_readable() -> None:
    calendar = BusinessCalendar.for_weekdays(
        "Europe/London",
        [("09:00", "12:30"), ("13:00", "17:30")],
        holiday_country="GB",
        holiday_subdivision="ENG",
        closure_dates=[date(2025, 12, 24)],
        name="London office",
    )
    description = calendar.describe()
    json.dumps(description)
    assert description["weekly_hours"] == {
        day: ["09:00-12:30", "13:00-17:30"] for day in ["Mon", "Tue", "Wed", "Thu", "Fri"]
    }
    assert calendar.summary() == (
        "London office (Europe/London): Mon-Fri 09:00-12:30, 13:00-17:30; GB-ENG public holidays and 1 closure date"
    )
    assert calendar.holiday_name(date(2025, 12, 25)) == "Christmas Day"
    assert calendar.holiday_name(date(2025, 12, 24)) == "closure"
    assert calendar.holiday_name(date(2025, 12, 23)) is None


def test_twenty_four_seven_counts_every_second_including_holidays() -> None:
    calendar = BusinessCalendar.twenty_four_seven("Europe/London")
    christmas = datetime(2025, 12, 25, 3, 17, 5, tzinfo=LONDON)
    assert add_business_seconds(calendar, christmas, 5 * HOUR) == christmas + timedelta(hours=5)
    # Across the fall-back night 24x7 is real elapsed time: 25 h between local midnights.
    assert (
        business_seconds_between(
            calendar, datetime(2025, 10, 26, tzinfo=LONDON), datetime(2025, 10, 27, tzinfo=LONDON)
        )
        == 25 * HOUR
    )
    assert is_business_instant(calendar, christmas)
    assert calendar.describe()["mode"] == "24x7"
    assert calendar.weekly_hours_text() == "24x7"


def test_naive_datetimes_and_negative_budgets_are_rejected() -> None:
    calendar = BusinessCalendar.for_weekdays("UTC", [("09:00", "17:00")])
    with pytest.raises(BusinessTimeError, match="aware"):
        add_business_seconds(calendar, datetime(2025, 3, 7, 9), 60)
    with pytest.raises(BusinessTimeError, match="negative"):
        add_business_seconds(calendar, datetime(2025, 3, 7, 9, tzinfo=UTC), -1)


def test_results_are_in_the_calendar_timezone_and_independent_of_the_input_timezone() -> None:
    calendar = BusinessCalendar.for_weekdays("Asia/Tokyo", [("09:00", "18:00")])
    utc_start = datetime(2025, 3, 7, 0, tzinfo=UTC)  # 09:00 in Tokyo
    result = add_business_seconds(calendar, utc_start, HOUR)
    assert result.tzinfo == ZoneInfo("Asia/Tokyo")
    assert result == datetime(2025, 3, 7, 10, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert add_business_seconds(calendar, utc_start.astimezone(LONDON), HOUR) == result


def test_large_budgets_skip_weeks_and_agree_with_small_steps() -> None:
    calendar = BusinessCalendar.for_weekdays(
        "Europe/London", [("09:00", "17:30")], holiday_country="GB", holiday_subdivision="ENG"
    )
    start = datetime(2024, 2, 29, 11, 11, 11, tzinfo=LONDON)
    big = add_business_seconds(calendar, start, 2000 * HOUR)  # about a year of business time
    stepped = start
    for _ in range(100):
        stepped = add_business_seconds(calendar, stepped, 20 * HOUR)
    assert big == stepped
    assert business_seconds_between(calendar, start, big) == 2000 * HOUR


def test_cold_and_warm_caches_agree() -> None:
    def build() -> BusinessCalendar:
        return BusinessCalendar.for_weekdays("America/New_York", [("08:00", "12:00"), ("13:00", "24:00")])

    warm = build()
    start = datetime(2025, 3, 1, tzinfo=UTC)
    for hours in range(0, 400, 7):
        add_business_seconds(warm, start, hours * HOUR)
    for hours in range(0, 400, 13):
        assert add_business_seconds(build(), start, hours * HOUR) == add_business_seconds(
            warm, start, hours * HOUR
        )


def test_next_business_instant_and_intervals() -> None:
    calendar = BusinessCalendar.for_weekdays("Europe/London", [("09:00", "12:30"), ("13:00", "17:30")])
    lunch = datetime(2025, 3, 7, 12, 45, tzinfo=LONDON)
    assert next_business_instant(calendar, lunch) == datetime(2025, 3, 7, 13, tzinfo=LONDON)
    intervals = business_intervals_between(
        calendar, datetime(2025, 3, 7, 12, tzinfo=LONDON), datetime(2025, 3, 10, 10, tzinfo=LONDON)
    )
    assert intervals == [
        (datetime(2025, 3, 7, 12, tzinfo=LONDON), datetime(2025, 3, 7, 12, 30, tzinfo=LONDON)),
        (datetime(2025, 3, 7, 13, tzinfo=LONDON), datetime(2025, 3, 7, 17, 30, tzinfo=LONDON)),
        (datetime(2025, 3, 10, 9, tzinfo=LONDON), datetime(2025, 3, 10, 10, tzinfo=LONDON)),
    ]


def test_zone_whose_local_date_steps_backwards_at_fall_back() -> None:
    # America/Goose_Bay in 1995 fell back at 00:01 local: 00:00:59 (-03) on Sunday was followed by
    # 23:01 (-04) on Saturday. The engine walks UTC buckets, so it stays exact when local dates
    # interleave; compare with a literal second-by-second count of convention 6.
    tz = ZoneInfo("America/Goose_Bay")
    calendar = BusinessCalendar("America/Goose_Bay", {5: [("22:30", "24:00")], 6: [("00:00", "02:00")]})
    start = datetime(1995, 10, 28, 22, tzinfo=tz)
    end = datetime(1995, 10, 29, 3, tzinfo=tz)

    def literal(epoch_second: int) -> bool:
        local = datetime.fromtimestamp(epoch_second, tz)
        seconds = local.hour * 3600 + local.minute * 60 + local.second
        if local.weekday() == 5:
            return seconds >= 22 * 3600 + 1800
        return local.weekday() == 6 and seconds < 2 * 3600

    low, high = epoch_seconds(start), epoch_seconds(end)
    expected = sum(literal(second) for second in range(low, high, 60)) * 60
    assert business_seconds_between(calendar, start, end) == expected
    budget = expected - 90
    minute_walk, remaining = low, budget
    while True:
        if literal(minute_walk):
            if remaining <= 60:
                expected_due = minute_walk + remaining
                break
            remaining -= 60
        minute_walk += 60
    assert epoch_seconds(add_business_seconds(calendar, start, budget)) == expected_due
