"""Each numbered SLA convention (docs/sla.md) pinned by a named test. Pure engine: no database."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.sla.engine import (
    BusinessCalendar,
    CalendarError,
    ClockState,
    PriorityTargets,
    RecordedJudgement,
    SlaClocks,
    SlaEvent,
    SlaPolicy,
    SlaPolicyError,
    WorkingWindow,
    add_business_seconds,
    business_intervals_between,
    business_seconds_between,
    compliance_percent,
    evaluate_sla_clocks,
    is_business_instant,
    keep_judgement,
)
from services.sla.engine.explain_text import format_business_duration

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
SYDNEY = ZoneInfo("Australia/Sydney")
HOUR = 3600


def nine_to_five(timezone: str = "Europe/London", **options: object) -> BusinessCalendar:
    return BusinessCalendar.for_weekdays(timezone, [("09:00", "17:00")], **options)  # type: ignore[arg-type]


def single_priority_policy(calendar: BusinessCalendar, **targets: int | None) -> SlaPolicy:
    return SlaPolicy("Standard", calendar, {"P2": PriorityTargets(**targets)})  # type: ignore[arg-type]


# --------------------------------------------------------------------------- 1. closing time


def test_convention_1_deadline_on_closing_time() -> None:
    calendar = nine_to_five()
    friday_nine = datetime(2025, 3, 7, 9, tzinfo=LONDON)
    assert add_business_seconds(calendar, friday_nine, 8 * HOUR) == datetime(2025, 3, 7, 17, tzinfo=LONDON)
    # One second more rolls over the weekend.
    assert add_business_seconds(calendar, friday_nine, 8 * HOUR + 1) == datetime(
        2025, 3, 10, 9, 0, 1, tzinfo=LONDON
    )


def test_convention_1_target_met_at_or_before_the_due_instant() -> None:
    calendar = nine_to_five()
    policy = single_priority_policy(calendar, resolution_seconds=8 * HOUR)
    created = datetime(2025, 3, 7, 9, tzinfo=LONDON)
    on_time = evaluate_sla_clocks(
        [SlaEvent.created(created, policy, "P2"), SlaEvent.resolved(created + timedelta(hours=8))],
        now=created + timedelta(days=5),
    )
    assert on_time.resolution.due_at == datetime(2025, 3, 7, 17, tzinfo=LONDON)
    assert on_time.resolution.state is ClockState.MET
    one_second_late = evaluate_sla_clocks(
        [SlaEvent.created(created, policy, "P2"), SlaEvent.resolved(created + timedelta(hours=8, seconds=1))],
        now=created + timedelta(days=5),
    )
    assert one_second_late.resolution.state is ClockState.BREACHED
    # No business time passed after the due instant, so nothing is "over" in business minutes.
    assert one_second_late.resolution.overdue_seconds == 0


# --------------------------------------------------------------------------- 2. zero target


def test_convention_2_zero_target_is_a_validation_error() -> None:
    for field in ("first_response_seconds", "next_update_seconds", "resolution_seconds"):
        with pytest.raises(SlaPolicyError, match="leave the target empty"):
            PriorityTargets(**{field: 0})  # type: ignore[arg-type]
    with pytest.raises(SlaPolicyError):
        PriorityTargets(resolution_seconds=-60)


def test_convention_2_empty_target_means_no_target() -> None:
    policy = single_priority_policy(nine_to_five(), resolution_seconds=4 * HOUR)
    created = datetime(2025, 3, 7, 9, tzinfo=LONDON)
    clocks = evaluate_sla_clocks([SlaEvent.created(created, policy, "P2")], now=created + timedelta(hours=1))
    assert clocks.first_response.state is ClockState.NOT_APPLICABLE
    assert clocks.first_response.due_at is None
    assert clocks.resolution.state is ClockState.RUNNING


def test_convention_2_adding_zero_outside_hours_gives_next_opening() -> None:
    calendar = nine_to_five()
    friday_evening = datetime(2025, 3, 7, 18, 30, tzinfo=LONDON)
    assert add_business_seconds(calendar, friday_evening, 0) == datetime(2025, 3, 10, 9, tzinfo=LONDON)
    closing = datetime(2025, 3, 7, 17, tzinfo=LONDON)
    assert add_business_seconds(calendar, closing, 0) == datetime(2025, 3, 10, 9, tzinfo=LONDON)
    inside = datetime(2025, 3, 7, 11, 15, 7, tzinfo=LONDON)
    assert add_business_seconds(calendar, inside, 0) == inside


# --------------------------------------------------------------------------- 3. reversed interval


def test_convention_3_reversed_interval_is_zero() -> None:
    calendar = nine_to_five()
    later = datetime(2025, 3, 7, 16, tzinfo=LONDON)
    earlier = datetime(2025, 3, 7, 10, tzinfo=LONDON)
    assert business_seconds_between(calendar, earlier, later) == 6 * HOUR
    assert business_seconds_between(calendar, later, earlier) == 0


# --------------------------------------------------------------------------- 4. precision


def test_convention_4_start_outside_hours_counts_from_opening_exactly() -> None:
    calendar = nine_to_five()
    saturday = datetime(2025, 3, 8, 13, 56, 21, tzinfo=LONDON)
    assert add_business_seconds(calendar, saturday, HOUR) == datetime(2025, 3, 10, 10, 0, 0, tzinfo=LONDON)
    monday = datetime(2025, 3, 10, 9, 30, tzinfo=LONDON)
    assert business_seconds_between(calendar, saturday, monday) == 1800


def test_convention_4_seconds_precision_and_floored_minutes() -> None:
    calendar = nine_to_five()
    start = datetime(2025, 3, 7, 9, 0, 0, 999_999, tzinfo=LONDON)  # sub-second part is floored
    assert business_seconds_between(calendar, start, datetime(2025, 3, 7, 9, 29, 59, tzinfo=LONDON)) == 1799
    policy = single_priority_policy(calendar, resolution_seconds=HOUR)
    created = datetime(2025, 3, 7, 9, tzinfo=LONDON)
    clocks = evaluate_sla_clocks(
        [SlaEvent.created(created, policy, "P2")], now=created + timedelta(minutes=29, seconds=59)
    )
    assert clocks.resolution.used_seconds == 1799
    assert clocks.resolution.used_minutes == 29
    assert clocks.resolution.remaining_seconds == 1801
    assert clocks.resolution.remaining_minutes == 30
    assert format_business_duration(3599) == "0 h 59 min"


# --------------------------------------------------------------------------- 5. zero vs not measured


def test_convention_5_nothing_elapsed_is_zero_and_not_measured_is_none() -> None:
    calendar = nine_to_five()
    instant = datetime(2025, 3, 7, 10, tzinfo=LONDON)
    assert business_seconds_between(calendar, instant, instant) == 0
    policy = single_priority_policy(calendar, resolution_seconds=HOUR)
    clocks = evaluate_sla_clocks([SlaEvent.created(instant, policy, "P2")], now=instant)
    assert clocks.resolution.used_seconds == 0
    assert clocks.resolution.overdue_seconds == 0
    assert clocks.first_response.used_seconds is None  # no first-response target: not measured
    assert clocks.first_response.used_minutes is None


def test_convention_5_compliance_with_nothing_judged_is_not_yet_judged() -> None:
    assert compliance_percent(0, 0) is None
    assert compliance_percent(3, 0) == 100.0
    assert compliance_percent(0, 2) == 0.0
    assert compliance_percent(3, 1) == 75.0


# --------------------------------------------------------------------------- 6. daylight saving


def test_convention_6_full_day_window_lasts_23_or_25_hours_on_change_days() -> None:
    calendar = BusinessCalendar("Europe/London", {day: [("00:00", "24:00")] for day in range(7)})

    def day_length(day: date) -> int:
        start = datetime(day.year, day.month, day.day, tzinfo=LONDON)
        end = datetime.combine(day + timedelta(days=1), datetime.min.time(), LONDON)
        return business_seconds_between(calendar, start, end)

    assert day_length(date(2025, 3, 30)) == 23 * HOUR
    assert day_length(date(2025, 10, 26)) == 25 * HOUR
    assert day_length(date(2025, 10, 27)) == 24 * HOUR


def test_convention_6_nonexistent_window_start_begins_at_first_existing_local_time() -> None:
    calendar = BusinessCalendar("America/New_York", {6: [("02:30", "05:00")]})  # Sundays only
    spring_forward = date(2025, 3, 9)
    intervals = business_intervals_between(
        calendar, datetime(2025, 3, 9, tzinfo=NEW_YORK), datetime(2025, 3, 10, tzinfo=NEW_YORK)
    )
    assert intervals == [(datetime(2025, 3, 9, 3, tzinfo=NEW_YORK), datetime(2025, 3, 9, 5, tzinfo=NEW_YORK))]
    ((start, end),) = calendar.business_intervals_on(spring_forward)
    assert end - start == 2 * HOUR
    # A week later the same window is its nominal 2 h 30 min.
    assert business_seconds_between(
        calendar, datetime(2025, 3, 16, tzinfo=NEW_YORK), datetime(2025, 3, 17, tzinfo=NEW_YORK)
    ) == int(2.5 * HOUR)


def test_convention_6_durations_are_real_elapsed_seconds() -> None:
    calendar = BusinessCalendar("America/New_York", {6: [("00:00", "04:00")]})
    sunday_midnight = datetime(2025, 3, 9, 0, tzinfo=NEW_YORK)
    # 00:00-04:00 on the spring-forward night is only 3 real hours.
    assert add_business_seconds(calendar, sunday_midnight, 3 * HOUR) == datetime(
        2025, 3, 9, 4, tzinfo=NEW_YORK
    )
    assert (
        business_seconds_between(calendar, sunday_midnight, datetime(2025, 3, 9, 4, tzinfo=NEW_YORK))
        == 3 * HOUR
    )


def test_convention_6_repeated_hour_counts_by_wall_clock_time() -> None:
    # 01:30-05:00 on the fall-back night: 01:30-02:00 EDT counts, 01:00-01:30 EST (wall clock before
    # 01:30 again) does not, 01:30-05:00 EST counts: 30 min + 3 h 30 min of real time.
    calendar = BusinessCalendar("America/New_York", {6: [("01:30", "05:00")]})
    intervals = business_intervals_between(
        calendar, datetime(2025, 11, 2, tzinfo=NEW_YORK), datetime(2025, 11, 3, tzinfo=NEW_YORK)
    )
    assert intervals == [
        (datetime(2025, 11, 2, 1, 30, tzinfo=NEW_YORK), datetime(2025, 11, 2, 1, 0, fold=1, tzinfo=NEW_YORK)),
        (datetime(2025, 11, 2, 1, 30, fold=1, tzinfo=NEW_YORK), datetime(2025, 11, 2, 5, tzinfo=NEW_YORK)),
    ]
    # (Subtracting datetimes that share a ZoneInfo is wall-clock arithmetic in Python; use timestamps.)
    assert sum(end.timestamp() - start.timestamp() for start, end in intervals) == 4 * HOUR


# --------------------------------------------------------------------------- 7. holidays


def test_convention_7_holiday_is_a_whole_local_date() -> None:
    calendar = nine_to_five("Australia/Sydney", holiday_country="AU", holiday_subdivision="NSW")
    # Australia Day 2025 (Sunday 26 Jan) is observed on Monday 27 Jan in NSW.
    holiday_morning = datetime(2025, 1, 27, 9, 30, tzinfo=SYDNEY)
    assert holiday_morning.astimezone(ZoneInfo("UTC")).date() == date(2025, 1, 26)  # a Sunday in UTC
    assert not is_business_instant(calendar, holiday_morning)
    assert add_business_seconds(calendar, holiday_morning, HOUR) == datetime(2025, 1, 28, 10, tzinfo=SYDNEY)
    closures = nine_to_five("Australia/Sydney", closure_dates=[date(2025, 2, 3)])
    assert (
        business_seconds_between(
            closures, datetime(2025, 2, 3, tzinfo=SYDNEY), datetime(2025, 2, 4, tzinfo=SYDNEY)
        )
        == 0
    )


def test_convention_7_shift_past_midnight_into_holiday_stops_at_midnight() -> None:
    calendar = BusinessCalendar(
        "Europe/London",
        {0: [("22:00", "24:00")], 1: [("00:00", "06:00"), ("22:00", "24:00")], 2: [("00:00", "06:00")]},
        closure_dates=[date(2025, 3, 11)],  # the Tuesday
    )
    monday_ten_pm = datetime(2025, 3, 10, 22, tzinfo=LONDON)
    tuesday_six_am = datetime(2025, 3, 11, 6, tzinfo=LONDON)
    assert business_seconds_between(calendar, monday_ten_pm, tuesday_six_am) == 2 * HOUR
    # Budget left at midnight waits for Wednesday's 00:00 window (Tuesday's late shift is closed too).
    assert add_business_seconds(calendar, monday_ten_pm, 3 * HOUR) == datetime(2025, 3, 12, 1, tzinfo=LONDON)


# --------------------------------------------------------------------------- 8. 24:00 and half-open


def test_convention_8_end_of_day_is_24_00_and_windows_are_half_open() -> None:
    calendar = BusinessCalendar("Europe/London", {0: [("17:00", "24:00")]})
    monday_five = datetime(2025, 3, 10, 17, tzinfo=LONDON)
    tuesday_midnight = datetime(2025, 3, 11, 0, tzinfo=LONDON)
    assert business_seconds_between(calendar, monday_five, tuesday_midnight) == 7 * HOUR
    assert is_business_instant(calendar, monday_five)  # start included
    assert is_business_instant(calendar, tuesday_midnight - timedelta(seconds=1))
    assert not is_business_instant(calendar, tuesday_midnight)  # end excluded
    assert add_business_seconds(calendar, monday_five, 7 * HOUR) == tuesday_midnight
    assert str(WorkingWindow.parse("17:00", "24:00")) == "17:00-24:00"
    with pytest.raises(CalendarError):
        WorkingWindow.parse("24:00", "24:00")
    with pytest.raises(CalendarError):
        WorkingWindow.parse("09:00", "24:01")


# --------------------------------------------------------------------------- 9. pauses


def _gold_policy(calendar: BusinessCalendar) -> SlaPolicy:
    return SlaPolicy(
        "Gold",
        calendar,
        {
            "P1": PriorityTargets(HOUR, 2 * HOUR, 4 * HOUR),
            "P3": PriorityTargets(4 * HOUR, 8 * HOUR, 16 * HOUR),
        },
    )


def test_convention_9_waiting_status_pauses_every_running_clock() -> None:
    calendar = nine_to_five()
    policy = _gold_policy(calendar)
    created = datetime(2025, 3, 10, 9, tzinfo=LONDON)  # Monday
    events = [SlaEvent.created(created, policy, "P3")]
    paused = [
        *events,
        SlaEvent.paused(created + timedelta(minutes=30), reason="waiting on client"),
        SlaEvent.resumed(created + timedelta(hours=2, minutes=30)),
    ]
    now = created + timedelta(hours=3)
    without = evaluate_sla_clocks(events, now)
    with_pause = evaluate_sla_clocks(paused, now)
    for plain, extended in zip(without.clocks(), with_pause.clocks(), strict=True):
        assert plain.due_at is not None and extended.due_at is not None
        assert business_seconds_between(calendar, plain.due_at, extended.due_at) == 2 * HOUR
        assert extended.paused_business_seconds == 2 * HOUR
    during = evaluate_sla_clocks(paused, created + timedelta(hours=1))
    assert {clock.state for clock in during.clocks()} == {ClockState.PAUSED}
    assert all(clock.due_at is None for clock in during.clocks())


def test_convention_9_consumed_and_paused_time_survive_priority_and_policy_changes() -> None:
    calendar = nine_to_five()
    policy = _gold_policy(calendar)
    created = datetime(2025, 3, 10, 9, tzinfo=LONDON)
    events = [
        SlaEvent.created(created, policy, "P3"),
        SlaEvent.paused(created + timedelta(hours=1), reason="waiting on vendor"),
        SlaEvent.resumed(created + timedelta(hours=3)),
        SlaEvent.priority_changed(created + timedelta(hours=3, minutes=30), "P1"),
    ]
    clocks = evaluate_sla_clocks(events, created + timedelta(hours=3, minutes=45))
    # P1 resolution 4 h from creation, plus the 2 h pause: 15:00, with 1 h 45 min already used.
    assert clocks.resolution.due_at == datetime(2025, 3, 10, 15, tzinfo=LONDON)
    assert clocks.resolution.used_seconds == HOUR + 45 * 60
    assert clocks.resolution.paused_business_seconds == 2 * HOUR
    sydney_policy = _gold_policy(nine_to_five("Australia/Sydney"))
    moved = evaluate_sla_clocks(
        [*events, SlaEvent.policy_changed(created + timedelta(hours=3, minutes=40), sydney_policy)],
        created + timedelta(hours=3, minutes=45),
    )
    # Under the new policy's calendar the same log is re-measured from creation: the ticket was created
    # at 20:00 Sydney time, so every second of it so far fell outside Sydney business hours.
    assert moved.resolution.used_seconds == 0
    assert moved.resolution.due_at == datetime(2025, 3, 11, 13, tzinfo=SYDNEY)


# --------------------------------------------------------------------------- 10. reopen


def test_convention_10_time_while_resolved_does_not_count() -> None:
    calendar = nine_to_five()
    policy = single_priority_policy(calendar, resolution_seconds=4 * HOUR)
    created = datetime(2025, 3, 10, 9, tzinfo=LONDON)
    events = [
        SlaEvent.created(created, policy, "P2"),
        SlaEvent.resolved(created + timedelta(hours=1)),
        SlaEvent.reopened(created + timedelta(days=1)),  # Tuesday 09:00
    ]
    clocks = evaluate_sla_clocks(events, created + timedelta(days=1, hours=1))
    assert clocks.resolution.state is ClockState.RUNNING
    assert clocks.resolution.used_seconds == 2 * HOUR
    # 1 h used on Monday, 3 h left from Tuesday 09:00; Monday 10:00-17:00 while resolved is excluded.
    assert clocks.resolution.due_at == datetime(2025, 3, 11, 12, tzinfo=LONDON)
    assert [segment.kind for segment in clocks.resolution.explain.excluded_segments] == ["resolved"]
    assert clocks.resolution.explain.excluded_segments[0].business_seconds == 7 * HOUR


def test_convention_10_first_and_final_resolution_are_judged_separately() -> None:
    calendar = nine_to_five()
    policy = single_priority_policy(calendar, resolution_seconds=4 * HOUR)
    created = datetime(2025, 3, 10, 9, tzinfo=LONDON)
    events = [
        SlaEvent.created(created, policy, "P2"),
        SlaEvent.resolved(created + timedelta(hours=1)),
        SlaEvent.reopened(created + timedelta(days=1)),
        SlaEvent.resolved(created + timedelta(days=1, hours=5)),  # Tuesday 14:00: 6 h used in total
    ]
    clocks = evaluate_sla_clocks(events, created + timedelta(days=2))
    assert clocks.first_resolution.state is ClockState.MET
    assert clocks.first_resolution.stopped_at == created + timedelta(hours=1)
    assert clocks.resolution.state is ClockState.BREACHED
    assert clocks.resolution.used_seconds == 6 * HOUR
    assert clocks.resolution.overdue_seconds == 2 * HOUR


# --------------------------------------------------------------------------- 11. stopped clocks keep their terms


def _standard_and_urgent(calendar: BusinessCalendar) -> SlaPolicy:
    """P3: 4 h first response, 16 h resolution. P1: 1 h first response, 8 h resolution."""
    return SlaPolicy(
        "Standard",
        calendar,
        {
            "P3": PriorityTargets(first_response_seconds=4 * HOUR, resolution_seconds=16 * HOUR),
            "P1": PriorityTargets(first_response_seconds=HOUR, resolution_seconds=8 * HOUR),
        },
    )


def test_convention_11_priority_change_keeps_a_stopped_clocks_deadline_and_outcome() -> None:
    # The convention's example: Monday 09:00, 4 h first response answered at 11:00 (met, due 13:00,
    # 2 h used and 2 h left); at 12:00 the ticket moves to a priority with a 1 h first response and
    # an 8 h resolution target.
    calendar = nine_to_five()
    policy = _standard_and_urgent(calendar)
    monday = datetime(2025, 3, 10, 9, tzinfo=LONDON)
    answered = [
        SlaEvent.created(monday, policy, "P3"),
        SlaEvent.first_public_reply(monday + timedelta(hours=2)),
    ]
    before = evaluate_sla_clocks(answered, monday + timedelta(hours=2, minutes=30)).first_response
    assert (before.state, before.due_at, before.used_seconds, before.remaining_seconds) == (
        ClockState.MET,
        datetime(2025, 3, 10, 13, tzinfo=LONDON),
        2 * HOUR,
        2 * HOUR,
    )
    escalated = [*answered, SlaEvent.priority_changed(monday + timedelta(hours=3), "P1")]
    for now in (monday + timedelta(hours=3, minutes=30), datetime(2025, 3, 11, 9, tzinfo=LONDON)):
        clocks = evaluate_sla_clocks(escalated, now)
        first = clocks.first_response
        # Still met and due 13:00 under P3's 4 h, not a breach due 10:00 under P1's 1 h.
        assert (first.state, first.due_at, first.target_seconds) == (ClockState.MET, before.due_at, 4 * HOUR)
        assert (first.used_seconds, first.remaining_seconds, first.stopped_at) == (
            2 * HOUR,
            2 * HOUR,
            monday + timedelta(hours=2),
        )
        assert first.explain.priority == "P3"
        assert not any("Priority changed" in step for step in first.explain.steps)
    # The running resolution clock is recomputed from creation under P1: 8 h → Monday 17:00.
    running = evaluate_sla_clocks(escalated, monday + timedelta(hours=3, minutes=30)).resolution
    assert (running.state, running.target_seconds, running.due_at) == (
        ClockState.RUNNING,
        8 * HOUR,
        datetime(2025, 3, 10, 17, tzinfo=LONDON),
    )


def test_convention_11_policy_change_keeps_a_stopped_clocks_deadline_and_outcome() -> None:
    calendar = nine_to_five()
    monday = datetime(2025, 3, 10, 9, tzinfo=LONDON)
    gold = SlaPolicy("Gold", calendar, {"P3": PriorityTargets(first_response_seconds=HOUR)})
    events = [
        SlaEvent.created(monday, _standard_and_urgent(calendar), "P3"),
        SlaEvent.first_public_reply(monday + timedelta(hours=2)),
        SlaEvent.policy_changed(monday + timedelta(hours=3), gold),
    ]
    first = evaluate_sla_clocks(events, monday + timedelta(hours=4)).first_response
    assert (first.state, first.due_at, first.explain.policy_name) == (
        ClockState.MET,
        datetime(2025, 3, 10, 13, tzinfo=LONDON),
        "Standard",
    )


def test_convention_11_a_breach_is_not_undone_by_a_later_downgrade() -> None:
    calendar = nine_to_five()
    monday = datetime(2025, 3, 10, 9, tzinfo=LONDON)
    events = [
        SlaEvent.created(monday, _standard_and_urgent(calendar), "P1"),
        SlaEvent.first_public_reply(monday + timedelta(hours=2)),  # 1 h late under P1
        SlaEvent.priority_changed(monday + timedelta(hours=3), "P3"),  # 4 h would have been met
    ]
    first = evaluate_sla_clocks(events, monday + timedelta(hours=5)).first_response
    assert (first.state, first.due_at, first.overdue_seconds) == (
        ClockState.BREACHED,
        datetime(2025, 3, 10, 10, tzinfo=LONDON),
        HOUR,
    )


def test_convention_11_resolutions_are_judged_under_the_terms_in_force_when_each_happened() -> None:
    calendar = nine_to_five()
    monday = datetime(2025, 3, 10, 9, tzinfo=LONDON)
    events = [
        SlaEvent.created(monday, _standard_and_urgent(calendar), "P3"),
        SlaEvent.first_public_reply(monday + timedelta(minutes=30)),
        SlaEvent.resolved(monday + timedelta(hours=6)),  # 15:00, 6 h used: met under P3's 16 h
        SlaEvent.priority_changed(monday + timedelta(hours=7), "P1"),  # while resolved
        SlaEvent.reopened(datetime(2025, 3, 11, 9, tzinfo=LONDON)),
    ]
    reopened = evaluate_sla_clocks(events, datetime(2025, 3, 11, 9, 30, tzinfo=LONDON))
    # The first resolution stays judged under P3; the reopened resolution clock runs under P1:
    # 8 h from creation with Monday 15:00-17:00 (resolved) excluded → Tuesday 11:00.
    assert (reopened.first_resolution.state, reopened.first_resolution.target_seconds) == (
        ClockState.MET,
        16 * HOUR,
    )
    assert reopened.first_resolution.due_at == datetime(2025, 3, 11, 17, tzinfo=LONDON)
    assert (reopened.resolution.state, reopened.resolution.target_seconds) == (ClockState.RUNNING, 8 * HOUR)
    assert reopened.resolution.due_at == datetime(2025, 3, 11, 11, tzinfo=LONDON)
    # Resolved again at 10:30, then downgraded back to P3: the final resolution keeps P1's terms.
    final = [
        *events,
        SlaEvent.resolved(datetime(2025, 3, 11, 10, 30, tzinfo=LONDON)),
        SlaEvent.priority_changed(datetime(2025, 3, 11, 11, tzinfo=LONDON), "P3"),
    ]
    resolution = evaluate_sla_clocks(final, datetime(2025, 3, 12, 9, tzinfo=LONDON)).resolution
    assert (resolution.state, resolution.target_seconds, resolution.due_at, resolution.explain.priority) == (
        ClockState.MET,
        8 * HOUR,
        datetime(2025, 3, 11, 11, tzinfo=LONDON),
        "P1",
    )


# --------------------------------------------------------------------------- 12. resolving before any reply


def _one_hour_first_response(calendar: BusinessCalendar) -> SlaPolicy:
    return single_priority_policy(
        calendar, first_response_seconds=HOUR, next_update_seconds=4 * HOUR, resolution_seconds=8 * HOUR
    )


def test_convention_12_resolve_before_any_reply_answers_the_first_response_in_time() -> None:
    # The convention's example: created Monday 09:00 with a 1 h first response, resolved at 09:30.
    policy = _one_hour_first_response(nine_to_five())
    monday = datetime(2025, 3, 10, 9, tzinfo=LONDON)
    clocks = evaluate_sla_clocks(
        [SlaEvent.created(monday, policy, "P2"), SlaEvent.resolved(monday + timedelta(minutes=30))],
        monday + timedelta(hours=3),
    )
    first = clocks.first_response
    assert (first.state, first.due_at, first.stopped_at) == (
        ClockState.MET,
        datetime(2025, 3, 10, 10, tzinfo=LONDON),
        monday + timedelta(minutes=30),
    )
    assert "resolved before any public reply" in first.explain.steps[-1]
    # Resolving stops every clock still running, at the resolve instant.
    for clock in clocks.clocks():
        assert clock.stopped_at == monday + timedelta(minutes=30) and clock.state is ClockState.MET


def test_convention_12_late_resolve_before_any_reply_breaches_and_a_later_reply_changes_nothing() -> None:
    # Resolved at 11:00 instead: first response breached (due 10:00); a reply after a reopen
    # does not answer it again.
    policy = _one_hour_first_response(nine_to_five())
    monday = datetime(2025, 3, 10, 9, tzinfo=LONDON)
    resolved = [SlaEvent.created(monday, policy, "P2"), SlaEvent.resolved(monday + timedelta(hours=2))]
    replied_later = [
        *resolved,
        SlaEvent.reopened(monday + timedelta(hours=3)),
        SlaEvent.first_public_reply(monday + timedelta(hours=3, minutes=5)),
    ]
    for events in (resolved, replied_later):
        first = evaluate_sla_clocks(events, monday + timedelta(hours=4)).first_response
        assert (first.state, first.due_at, first.stopped_at, first.overdue_seconds) == (
            ClockState.BREACHED,
            datetime(2025, 3, 10, 10, tzinfo=LONDON),
            monday + timedelta(hours=2),
            HOUR,
        )


def test_convention_12_resolve_while_paused_stops_every_clock() -> None:
    policy = _one_hour_first_response(nine_to_five())
    monday = datetime(2025, 3, 10, 9, tzinfo=LONDON)
    clocks = evaluate_sla_clocks(
        [
            SlaEvent.created(monday, policy, "P2"),
            SlaEvent.paused(monday + timedelta(minutes=20), reason="waiting on client"),
            SlaEvent.resolved(monday + timedelta(hours=2)),
        ],
        monday + timedelta(days=1),
    )
    for clock in clocks.clocks():
        assert clock.stopped_at == monday + timedelta(hours=2)
        assert clock.state is ClockState.MET and clock.used_seconds == 20 * 60


def _clock_facts(clocks: SlaClocks) -> list[tuple[object, ...]]:
    return [
        (
            clock.name,
            clock.state,
            clock.target_seconds,
            clock.due_at,
            clock.stopped_at,
            clock.used_seconds,
            clock.remaining_seconds,
            clock.overdue_seconds,
            clock.paused_business_seconds,
            clock.explain.to_dict(),
        )
        for clock in (*clocks.clocks(), *clocks.next_update_cycles)
    ]


def test_convention_12_a_second_resolve_while_resolved_changes_nothing() -> None:
    policy = _one_hour_first_response(nine_to_five())
    monday = datetime(2025, 3, 10, 9, tzinfo=LONDON)
    once = [
        SlaEvent.created(monday, policy, "P2"),
        SlaEvent.first_public_reply(monday + timedelta(minutes=40)),
        SlaEvent.resolved(monday + timedelta(hours=3)),
    ]
    twice = [*once, SlaEvent.resolved(monday + timedelta(hours=9))]  # Monday 18:00, still resolved
    reopened_once = [*once, SlaEvent.reopened(datetime(2025, 3, 11, 10, tzinfo=LONDON))]
    reopened_twice = [*twice, SlaEvent.reopened(datetime(2025, 3, 11, 10, tzinfo=LONDON))]
    for now in (
        monday + timedelta(hours=10),
        datetime(2025, 3, 11, 12, tzinfo=LONDON),
        datetime(2025, 3, 14, 12, tzinfo=LONDON),
    ):
        assert _clock_facts(evaluate_sla_clocks(twice, now)) == _clock_facts(evaluate_sla_clocks(once, now))
    later = datetime(2025, 3, 12, 9, tzinfo=LONDON)
    assert _clock_facts(evaluate_sla_clocks(reopened_twice, later)) == _clock_facts(
        evaluate_sla_clocks(reopened_once, later)
    )
    # In figures: resolved at 12:00 with 3 h used, and nothing after that counts or stops.
    resolution = evaluate_sla_clocks(twice, monday + timedelta(hours=10)).resolution
    assert (resolution.state, resolution.stopped_at, resolution.used_seconds) == (
        ClockState.MET,
        monday + timedelta(hours=3),
        3 * HOUR,
    )


def test_convention_11_a_judged_clock_keeps_its_judgement_when_the_policy_is_edited() -> None:
    # Judged met under a 4 h target (due 13:00); the policy is then edited to a 1 h target, so
    # replaying the log would call the same answer a breach due 10:00.
    calendar = nine_to_five()
    monday = datetime(2025, 3, 10, 9, tzinfo=LONDON)
    before = SlaPolicy("Standard", calendar, {"P3": PriorityTargets(first_response_seconds=4 * HOUR)})
    edited = SlaPolicy("Standard", calendar, {"P3": PriorityTargets(first_response_seconds=HOUR)})
    answered_at = monday + timedelta(hours=2)
    judged = evaluate_sla_clocks(
        [SlaEvent.created(monday, before, "P3"), SlaEvent.first_public_reply(answered_at)], answered_at
    ).first_response
    record = RecordedJudgement(
        met=judged.state is ClockState.MET,
        priority="P3",
        target_seconds=4 * HOUR,
        due_at=judged.due_at,  # type: ignore[arg-type]
        used_seconds=2 * HOUR,
        judged_at=answered_at,
    )
    replayed = evaluate_sla_clocks(
        [SlaEvent.created(monday, edited, "P3"), SlaEvent.first_public_reply(answered_at)],
        monday + timedelta(hours=5),
    ).first_response
    assert (replayed.state, replayed.due_at) == (
        ClockState.BREACHED,
        datetime(2025, 3, 10, 10, tzinfo=LONDON),
    )
    kept = keep_judgement(replayed, record)
    assert (kept.state, kept.due_at, kept.target_seconds, kept.used_seconds, kept.remaining_seconds) == (
        ClockState.MET,
        datetime(2025, 3, 10, 13, tzinfo=LONDON),
        4 * HOUR,
        2 * HOUR,
        2 * HOUR,
    )
    assert kept.overdue_seconds == 0 and kept.explain.priority == "P3"
    assert "keeps the terms it was judged under" in kept.explain.steps[-1]
    # A clock that agrees with its record, or is still running, is left as it is.
    assert keep_judgement(judged, record) is judged
    running = evaluate_sla_clocks([SlaEvent.created(monday, edited, "P3")], monday + timedelta(minutes=5))
    assert keep_judgement(running.first_response, record) is running.first_response
