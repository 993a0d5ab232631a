"""Deadlines that cross a weekend, holidays and daylight-saving changes, with the expected
instants worked out by hand (the comment above each case is the working). Each expected
instant is exact to the second, so an engine a day (or an hour) off fails. Pure engine: no
database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

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
NEW_YORK = ZoneInfo("America/New_York")
HOUR = 3600
FORTY_HOURS = 40 * HOUR


def london_nine_to_five() -> BusinessCalendar:
    return BusinessCalendar.for_weekdays(
        "Europe/London", [("09:00", "17:00")], holiday_country="GB", holiday_subdivision="ENG"
    )


def new_york_nine_to_five() -> BusinessCalendar:
    return BusinessCalendar.for_weekdays(
        "America/New_York", [("09:00", "17:00")], holiday_country="US", holiday_subdivision="NY"
    )


CASES = [
    pytest.param(
        # Wednesday evening: counting starts Thursday 09:00. Thu, Fri, Mon, Tue, Wed are 5 x 8 h,
        # so the budget runs out as Wednesday's window closes (convention 1), a week later.
        london_nine_to_five,
        datetime(2025, 3, 12, 19, 0, tzinfo=LONDON),
        datetime(2025, 3, 19, 17, 0, tzinfo=LONDON),
        id="wednesday-evening-to-next-wednesday-closing",
    ),
    pytest.param(
        # Exactly at Wednesday's closing time: 17:00 is outside [09:00, 17:00), same as the evening.
        london_nine_to_five,
        datetime(2025, 3, 12, 17, 0, tzinfo=LONDON),
        datetime(2025, 3, 19, 17, 0, tzinfo=LONDON),
        id="wednesday-closing-instant",
    ),
    pytest.param(
        # Wednesday 16:00: 1 h that day, Thu + Fri + Mon + Tue = 32 h, 7 h on Wednesday → 16:00.
        london_nine_to_five,
        datetime(2025, 3, 12, 16, 0, tzinfo=LONDON),
        datetime(2025, 3, 19, 16, 0, tzinfo=LONDON),
        id="wednesday-afternoon-to-next-wednesday-afternoon",
    ),
    pytest.param(
        # Wednesday 08:59:59: Wednesday counts in full, so Wed..Tue → Tuesday 17:00.
        london_nine_to_five,
        datetime(2025, 3, 12, 8, 59, 59, tzinfo=LONDON),
        datetime(2025, 3, 18, 17, 0, tzinfo=LONDON),
        id="wednesday-before-opening-to-tuesday-closing",
    ),
    pytest.param(
        # The clocks go forward on Sunday 30 March: Thu 27, Fri 28 (GMT), Mon 31, Tue 1, Wed 2 (BST).
        # Due Wednesday 17:00 BST, which is 16:00 UTC.
        london_nine_to_five,
        datetime(2025, 3, 26, 19, 0, tzinfo=LONDON),
        datetime(2025, 4, 2, 16, 0, tzinfo=UTC),
        id="across-the-spring-forward-weekend",
    ),
    pytest.param(
        # Easter: Thu 17 (8 h), Good Friday 18 and Easter Monday 21 closed, Tue 22, Wed 23, Thu 24,
        # Fri 25 → Friday 25 April 17:00.
        london_nine_to_five,
        datetime(2025, 4, 16, 19, 0, tzinfo=LONDON),
        datetime(2025, 4, 25, 17, 0, tzinfo=LONDON),
        id="across-easter",
    ),
    pytest.param(
        # Christmas Eve (a Wednesday) evening: Thu 25 and Fri 26 closed, Mon 29, Tue 30, Wed 31,
        # New Year's Day (Thu) closed, Fri 2 January, Mon 5 January → Monday 5 January 17:00.
        london_nine_to_five,
        datetime(2025, 12, 24, 19, 0, tzinfo=LONDON),
        datetime(2026, 1, 5, 17, 0, tzinfo=LONDON),
        id="across-christmas-and-new-year",
    ),
    pytest.param(
        # New York, Thanksgiving eve: Thu 27 closed, Fri 28, Mon 1, Tue 2, Wed 3, Thu 4 December
        # → Thursday 4 December 17:00 EST (22:00 UTC).
        new_york_nine_to_five,
        datetime(2025, 11, 26, 18, 0, tzinfo=NEW_YORK),
        datetime(2025, 12, 4, 22, 0, tzinfo=UTC),
        id="new-york-thanksgiving",
    ),
    pytest.param(
        # New York falls back on Sunday 2 November, and Election Day (Tue 4) is a NY holiday:
        # Thu 30, Fri 31 (EDT), Mon 3, Wed 5, Thu 6 (EST) → Thursday 6 November 17:00 EST (22:00 UTC).
        new_york_nine_to_five,
        datetime(2025, 10, 29, 19, 0, tzinfo=NEW_YORK),
        datetime(2025, 11, 6, 22, 0, tzinfo=UTC),
        id="new-york-fall-back-and-election-day",
    ),
]


@pytest.mark.parametrize(("calendar_factory", "created", "expected"), CASES)
def test_forty_business_hours_land_on_the_hand_computed_instant(calendar_factory, created, expected) -> None:
    calendar = calendar_factory()
    due = add_business_seconds(calendar, created, FORTY_HOURS)
    assert due == expected
    assert due.utcoffset() == expected.astimezone(calendar.tzinfo).utcoffset()  # returned in local time
    assert business_seconds_between(calendar, created, due) == FORTY_HOURS
    # Not a second of the budget is left a moment before.
    assert business_seconds_between(calendar, created, due - timedelta(seconds=1)) == FORTY_HOURS - 1


def test_forty_hour_resolution_clock_created_on_a_wednesday_evening() -> None:
    calendar = london_nine_to_five()
    policy = SlaPolicy("Standard", calendar, {"P3": PriorityTargets(resolution_seconds=FORTY_HOURS)})
    created = datetime(2025, 3, 12, 19, 0, tzinfo=LONDON)
    due = datetime(2025, 3, 19, 17, 0, tzinfo=LONDON)
    log = [SlaEvent.created(created, policy, "P3")]

    on_friday = evaluate_sla_clocks(log, datetime(2025, 3, 14, 12, 0, tzinfo=LONDON)).resolution
    # Thursday 8 h + Friday 09:00-12:00.
    assert (on_friday.state, on_friday.due_at, on_friday.used_seconds) == (ClockState.RUNNING, due, 11 * HOUR)
    over_the_weekend = evaluate_sla_clocks(log, datetime(2025, 3, 16, 12, 0, tzinfo=LONDON)).resolution
    assert (over_the_weekend.used_seconds, over_the_weekend.remaining_seconds) == (16 * HOUR, 24 * HOUR)

    at_due = evaluate_sla_clocks(log, due).resolution
    assert (at_due.state, at_due.remaining_seconds) == (ClockState.RUNNING, 0)
    just_after = evaluate_sla_clocks(log, due + timedelta(seconds=1)).resolution
    assert just_after.state is ClockState.BREACHED

    resolved_at_due = evaluate_sla_clocks([*log, SlaEvent.resolved(due)], due + timedelta(days=1)).resolution
    assert resolved_at_due.state is ClockState.MET
    # Resolved at Thursday's opening: no business time passed after the due instant, but it is
    # after it, so breached with 0 minutes over (convention 1).
    next_morning = datetime(2025, 3, 20, 9, 0, tzinfo=LONDON)
    late = evaluate_sla_clocks([*log, SlaEvent.resolved(next_morning)], next_morning).resolution
    assert (late.state, late.overdue_seconds) == (ClockState.BREACHED, 0)


def test_pause_across_a_weekend_moves_a_wednesday_deadline_by_the_paused_business_time() -> None:
    calendar = london_nine_to_five()
    policy = SlaPolicy("Standard", calendar, {"P3": PriorityTargets(resolution_seconds=FORTY_HOURS)})
    created = datetime(2025, 3, 12, 19, 0, tzinfo=LONDON)
    # Paused Friday 15:00 to Monday 11:00: Friday 15:00-17:00 and Monday 09:00-11:00 do not count,
    # 4 h in all, so the Wednesday 17:00 deadline moves to Thursday 20 March 13:00.
    clocks = evaluate_sla_clocks(
        [
            SlaEvent.created(created, policy, "P3"),
            SlaEvent.paused(datetime(2025, 3, 14, 15, 0, tzinfo=LONDON), reason="waiting on client"),
            SlaEvent.resumed(datetime(2025, 3, 17, 11, 0, tzinfo=LONDON)),
        ],
        datetime(2025, 3, 17, 12, 0, tzinfo=LONDON),
    )
    assert clocks.resolution.due_at == datetime(2025, 3, 20, 13, 0, tzinfo=LONDON)
    assert clocks.resolution.paused_business_seconds == 4 * HOUR
    assert clocks.resolution.used_seconds == 8 * HOUR + 6 * HOUR + HOUR  # Thu, Fri to 15:00, Mon 11-12
