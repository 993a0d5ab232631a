"""Named regression tests for SLA bugs commonly shipped by PSA tools. Pure engine: no database."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from services.sla.engine import (
    BusinessCalendar,
    ClockState,
    PriorityTargets,
    SlaEvent,
    SlaPolicy,
    add_business_seconds,
    business_seconds_between,
    evaluate_sla_clocks,
)

LONDON = ZoneInfo("Europe/London")
SYDNEY = ZoneInfo("Australia/Sydney")
HOUR = 3600


def london_office() -> BusinessCalendar:
    return BusinessCalendar.for_weekdays(
        "Europe/London", [("09:00", "17:30")], holiday_country="GB", holiday_subdivision="ENG", name="London"
    )


def tiered_policy(calendar: BusinessCalendar) -> SlaPolicy:
    return SlaPolicy(
        "Gold",
        calendar,
        {
            "P1": PriorityTargets(first_response_seconds=HOUR, resolution_seconds=4 * HOUR),
            "P2": PriorityTargets(first_response_seconds=2 * HOUR, resolution_seconds=8 * HOUR),
            "P3": PriorityTargets(first_response_seconds=4 * HOUR, resolution_seconds=16 * HOUR),
        },
    )


def test_regression_pause_time_lost_when_priority_changes() -> None:
    """PSAs that rebuild the clock on a priority change forget the pause and charge it as work time."""
    policy = tiered_policy(london_office())
    created = datetime(2025, 3, 10, 9, tzinfo=LONDON)  # Monday
    events = [
        SlaEvent.created(created, policy, "P3"),
        SlaEvent.paused(created + timedelta(hours=1), reason="waiting on client"),
        SlaEvent.resumed(created + timedelta(hours=4)),  # 13:00: a 3 h pause
        SlaEvent.priority_changed(created + timedelta(hours=5), "P2"),
    ]
    clocks = evaluate_sla_clocks(events, created + timedelta(hours=5, minutes=30))
    resolution = clocks.resolution
    # P2's 8 h from Monday 09:00 with the 3 h pause kept: 1 h + 4 h 30 min on Monday, 2 h 30 min on Tuesday.
    assert resolution.paused_business_seconds == 3 * HOUR
    assert resolution.used_seconds == HOUR + 90 * 60
    assert resolution.due_at == datetime(2025, 3, 11, 11, 30, tzinfo=LONDON)
    assert resolution.state is ClockState.RUNNING
    assert any("waiting on client" in step for step in resolution.explain.steps)


def test_regression_wall_clock_weekend_counted_as_business_time() -> None:
    """A 4 h target raised on Friday afternoon must not expire over the weekend."""
    calendar = london_office()
    friday = datetime(2025, 3, 7, 16, tzinfo=LONDON)
    due = add_business_seconds(calendar, friday, 4 * HOUR)
    assert due == datetime(2025, 3, 10, 11, 30, tzinfo=LONDON)
    assert business_seconds_between(calendar, friday, datetime(2025, 3, 10, 9, tzinfo=LONDON)) == 90 * 60
    policy = tiered_policy(calendar)
    clocks = evaluate_sla_clocks(
        [SlaEvent.created(friday, policy, "P1")], datetime(2025, 3, 9, 23, tzinfo=LONDON)
    )
    assert clocks.resolution.state is ClockState.RUNNING
    assert clocks.resolution.used_seconds == 90 * 60


def test_regression_one_global_calendar_instead_of_the_clients() -> None:
    """Each client's policy carries its own calendar; the same instant gives different deadlines."""
    created = datetime(2025, 3, 10, 9, tzinfo=LONDON)  # 20:00 in Sydney
    london_clocks = evaluate_sla_clocks(
        [SlaEvent.created(created, tiered_policy(london_office()), "P1")], created + timedelta(minutes=1)
    )
    sydney_calendar = BusinessCalendar.for_weekdays(
        "Australia/Sydney",
        [("09:00", "17:30")],
        holiday_country="AU",
        holiday_subdivision="NSW",
        name="Sydney",
    )
    sydney_clocks = evaluate_sla_clocks(
        [SlaEvent.created(created, tiered_policy(sydney_calendar), "P1")], created + timedelta(minutes=1)
    )
    assert london_clocks.first_response.due_at == datetime(2025, 3, 10, 10, tzinfo=LONDON)
    assert sydney_clocks.first_response.due_at == datetime(2025, 3, 11, 10, tzinfo=SYDNEY)
    assert sydney_clocks.first_response.explain.calendar["timezone"] == "Australia/Sydney"


def test_regression_holidays_ignored() -> None:
    """Christmas, Boxing Day and bank holidays are closed days, not business days."""
    calendar = london_office()
    christmas_eve = datetime(2025, 12, 24, 15, tzinfo=LONDON)  # Wednesday
    due = add_business_seconds(calendar, christmas_eve, 4 * HOUR)
    # 2.5 h on the 24th; 25th and 26th are bank holidays, 27th-28th the weekend.
    assert due == datetime(2025, 12, 29, 10, 30, tzinfo=LONDON)
    easter_monday = date(2025, 4, 21)
    assert calendar.is_closed_date(easter_monday)
    assert (
        business_seconds_between(
            calendar, datetime(2025, 4, 17, 17, tzinfo=LONDON), datetime(2025, 4, 22, 10, tzinfo=LONDON)
        )
        == 90 * 60
    )


def test_regression_deadline_rolled_to_next_morning_instead_of_closing_time() -> None:
    """A budget that runs out at 17:30 is due at 17:30, not at 09:00 on the next business day."""
    calendar = london_office()
    due = add_business_seconds(calendar, datetime(2025, 3, 7, 9, tzinfo=LONDON), int(8.5 * HOUR))
    assert due == datetime(2025, 3, 7, 17, 30, tzinfo=LONDON)
    policy = SlaPolicy("Bronze", calendar, {"P4": PriorityTargets(resolution_seconds=int(8.5 * HOUR))})
    created = datetime(2025, 3, 7, 9, tzinfo=LONDON)
    late_evening = evaluate_sla_clocks(
        [SlaEvent.created(created, policy, "P4"), SlaEvent.resolved(datetime(2025, 3, 7, 19, tzinfo=LONDON))],
        datetime(2025, 3, 10, 12, tzinfo=LONDON),
    )
    # Resolving on Friday evening is after the due instant even though no business time passed since.
    assert late_evening.resolution.due_at == datetime(2025, 3, 7, 17, 30, tzinfo=LONDON)
    assert late_evening.resolution.state is ClockState.BREACHED
