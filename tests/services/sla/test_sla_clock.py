"""Event-sourced SLA clocks: model rules, explain output and properties. Pure engine: no database."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.sla.engine import (
    BusinessCalendar,
    BusinessTimeError,
    ClockName,
    ClockState,
    PriorityTargets,
    SlaEvent,
    SlaEventLogError,
    SlaPolicy,
    SlaPolicyError,
    add_business_seconds,
    business_seconds_between,
    evaluate_sla_clocks,
)

LONDON = ZoneInfo("Europe/London")
HOUR = 3600
MONDAY_NINE = datetime(2025, 3, 10, 9, tzinfo=LONDON)


def office() -> BusinessCalendar:
    return BusinessCalendar.for_weekdays(
        "Europe/London",
        [("09:00", "12:30"), ("13:00", "17:30")],
        holiday_country="GB",
        holiday_subdivision="ENG",
    )


def standard_policy(calendar: BusinessCalendar | None = None) -> SlaPolicy:
    calendar = calendar or office()
    return SlaPolicy(
        "Standard",
        calendar,
        {
            "P1": PriorityTargets(
                HOUR, 2 * HOUR, 4 * HOUR, calendar=BusinessCalendar.twenty_four_seven("Europe/London")
            ),
            "P2": PriorityTargets(2 * HOUR, 4 * HOUR, 8 * HOUR),
            "P3": PriorityTargets(4 * HOUR, None, 24 * HOUR),
        },
    )


def hours(value: float) -> timedelta:
    return timedelta(hours=value)


# --------------------------------------------------------------------------- event log validation


def test_event_log_must_start_with_created_and_be_in_time_order() -> None:
    policy = standard_policy()
    with pytest.raises(SlaEventLogError, match="empty"):
        evaluate_sla_clocks([], MONDAY_NINE)
    with pytest.raises(SlaEventLogError, match="start with a created"):
        evaluate_sla_clocks([SlaEvent.resolved(MONDAY_NINE)], MONDAY_NINE)
    with pytest.raises(SlaEventLogError, match="time order"):
        evaluate_sla_clocks(
            [
                SlaEvent.created(MONDAY_NINE, policy, "P2"),
                SlaEvent.paused(MONDAY_NINE + hours(2)),
                SlaEvent.resumed(MONDAY_NINE + hours(1)),
            ],
            MONDAY_NINE + hours(3),
        )
    with pytest.raises(SlaEventLogError, match="more than one created"):
        evaluate_sla_clocks(
            [SlaEvent.created(MONDAY_NINE, policy, "P2"), SlaEvent.created(MONDAY_NINE, policy, "P2")],
            MONDAY_NINE,
        )
    with pytest.raises(SlaEventLogError, match="aware"):
        SlaEvent.resolved(datetime(2025, 3, 10, 9))
    with pytest.raises(BusinessTimeError, match="aware"):
        evaluate_sla_clocks([SlaEvent.created(MONDAY_NINE, policy, "P2")], datetime(2025, 3, 10, 9))
    with pytest.raises(SlaPolicyError, match="no targets for priority 'P9'"):
        evaluate_sla_clocks([SlaEvent.created(MONDAY_NINE, policy, "P9")], MONDAY_NINE)
    with pytest.raises(SlaEventLogError, match="policy and a priority"):
        SlaEvent(SlaEvent.created(MONDAY_NINE, policy, "P2").kind, MONDAY_NINE)


def test_events_after_now_are_ignored_so_the_log_can_be_replayed_at_any_instant() -> None:
    policy = standard_policy()
    events = [
        SlaEvent.created(MONDAY_NINE, policy, "P2"),
        SlaEvent.first_public_reply(MONDAY_NINE + hours(1)),
        SlaEvent.resolved(MONDAY_NINE + hours(3)),
    ]
    before_reply = evaluate_sla_clocks(events, MONDAY_NINE + hours(0.5))
    assert before_reply.first_response.state is ClockState.RUNNING
    assert before_reply.first_response.used_seconds == 1800
    after = evaluate_sla_clocks(events, MONDAY_NINE + hours(5))
    assert after.first_response.state is ClockState.MET
    assert after.resolution.state is ClockState.MET
    assert after.first_response.due_at == before_reply.first_response.due_at


def test_redundant_transitions_change_nothing() -> None:
    policy = standard_policy()
    plain = [SlaEvent.created(MONDAY_NINE, policy, "P2"), SlaEvent.paused(MONDAY_NINE + hours(1))]
    noisy = [
        SlaEvent.created(MONDAY_NINE, policy, "P2"),
        SlaEvent.resumed(MONDAY_NINE + hours(0.5)),  # not paused
        SlaEvent.reopened(MONDAY_NINE + hours(0.6)),  # not resolved
        SlaEvent.paused(MONDAY_NINE + hours(1)),
        SlaEvent.paused(MONDAY_NINE + hours(1.5), reason="waiting on vendor"),  # already paused
    ]
    now = MONDAY_NINE + hours(2)
    for left, right in zip(
        evaluate_sla_clocks(plain, now).clocks(), evaluate_sla_clocks(noisy, now).clocks(), strict=True
    ):
        assert (left.state, left.used_seconds, left.due_at) == (right.state, right.used_seconds, right.due_at)


# --------------------------------------------------------------------------- stop events


def test_first_response_is_met_by_the_first_public_staff_message() -> None:
    policy = standard_policy()
    by_update = evaluate_sla_clocks(
        [SlaEvent.created(MONDAY_NINE, policy, "P2"), SlaEvent.public_update(MONDAY_NINE + hours(1.5))],
        MONDAY_NINE + hours(4),
    )
    assert by_update.first_response.state is ClockState.MET
    assert by_update.first_response.stopped_at == MONDAY_NINE + hours(1.5)
    by_resolution = evaluate_sla_clocks(
        [SlaEvent.created(MONDAY_NINE, policy, "P2"), SlaEvent.resolved(MONDAY_NINE + hours(3))],
        MONDAY_NINE + hours(4),
    )
    assert by_resolution.first_response.state is ClockState.BREACHED
    assert "resolved before any public reply" in by_resolution.first_response.explain.steps[-1]


def test_next_update_restarts_at_each_public_staff_update_and_each_cycle_is_judged() -> None:
    policy = standard_policy()  # P2: next update every 4 h
    events = [
        SlaEvent.created(MONDAY_NINE, policy, "P2"),
        SlaEvent.first_public_reply(MONDAY_NINE + hours(1)),  # cycle 1: 1 h, met
        SlaEvent.public_update(MONDAY_NINE + hours(8)),  # cycle 2: 10:00-17:00, 6 h 30 min used: breached
        SlaEvent.resolved(MONDAY_NINE + hours(9)),  # cycle 3 ends at resolution (Mon 18:00, 0.5 h used)
        SlaEvent.reopened(MONDAY_NINE + hours(24)),  # cycle 4 starts Tuesday 09:00
    ]
    clocks = evaluate_sla_clocks(events, MONDAY_NINE + hours(25))
    cycles = clocks.next_update_cycles
    assert [cycle.state for cycle in cycles] == [
        ClockState.MET,
        ClockState.BREACHED,
        ClockState.MET,
        ClockState.RUNNING,
    ]
    assert [cycle.started_at for cycle in cycles] == [
        MONDAY_NINE,
        MONDAY_NINE + hours(1),
        MONDAY_NINE + hours(8),
        MONDAY_NINE + hours(24),
    ]
    assert cycles[1].used_seconds == 6 * HOUR + 1800  # 10:00-17:00 minus the 30 min lunch
    assert clocks.next_update is cycles[-1]
    assert clocks.next_update.due_at == datetime(2025, 3, 11, 13, 30, tzinfo=LONDON)


def test_clock_stopped_while_paused_is_met_and_reports_where_the_deadline_stood() -> None:
    policy = standard_policy()
    clocks = evaluate_sla_clocks(
        [
            SlaEvent.created(MONDAY_NINE, policy, "P2"),
            SlaEvent.paused(MONDAY_NINE + hours(1)),
            SlaEvent.first_public_reply(MONDAY_NINE + hours(2)),
        ],
        MONDAY_NINE + hours(3),
    )
    assert clocks.first_response.state is ClockState.MET
    assert clocks.first_response.used_seconds == HOUR
    assert clocks.first_response.due_at == MONDAY_NINE + hours(3)  # stop at 11:00 + the 1 h left
    assert clocks.resolution.state is ClockState.PAUSED
    assert clocks.resolution.due_at is None


def test_running_clock_breaches_only_after_the_due_instant() -> None:
    policy = standard_policy()
    events = [SlaEvent.created(MONDAY_NINE, policy, "P2")]
    at_due = evaluate_sla_clocks(events, MONDAY_NINE + hours(2))
    assert at_due.first_response.state is ClockState.RUNNING
    assert at_due.first_response.remaining_seconds == 0
    after = evaluate_sla_clocks(events, MONDAY_NINE + hours(2) + timedelta(seconds=1))
    assert after.first_response.state is ClockState.BREACHED
    assert after.first_response.overdue_seconds == 1
    assert after.breached_clocks() == (after.first_response,)
    # Paused after the breach: still breached, and the due instant does not move.
    paused = evaluate_sla_clocks([*events, SlaEvent.paused(MONDAY_NINE + hours(2.5))], MONDAY_NINE + hours(4))
    assert paused.first_response.state is ClockState.BREACHED
    assert paused.first_response.due_at == MONDAY_NINE + hours(2)
    assert paused.first_response.overdue_seconds == 1800


def test_priority_calendar_override_measures_p1_around_the_clock() -> None:
    policy = standard_policy()
    friday_evening = datetime(2025, 3, 7, 20, tzinfo=LONDON)
    clocks = evaluate_sla_clocks(
        [SlaEvent.created(friday_evening, policy, "P1")], friday_evening + hours(0.5)
    )
    assert clocks.first_response.due_at == friday_evening + hours(1)
    assert clocks.first_response.explain.calendar["mode"] == "24x7"
    downgraded = evaluate_sla_clocks(
        [
            SlaEvent.created(friday_evening, policy, "P1"),
            SlaEvent.priority_changed(friday_evening + hours(0.25), "P2"),
        ],
        friday_evening + hours(0.5),
    )
    # Re-derived on P2's office calendar from creation: nothing used yet, due Monday 11:00.
    assert downgraded.first_response.used_seconds == 0
    assert downgraded.first_response.due_at == datetime(2025, 3, 10, 11, tzinfo=LONDON)


def test_stopped_clock_is_judged_under_the_terms_in_force_when_it_stopped() -> None:
    policy = standard_policy()
    clocks = evaluate_sla_clocks(
        [
            SlaEvent.created(MONDAY_NINE, policy, "P3"),
            SlaEvent.first_public_reply(MONDAY_NINE + hours(3)),  # within P3's 4 h
            SlaEvent.priority_changed(MONDAY_NINE + hours(4), "P2"),  # later escalation
        ],
        MONDAY_NINE + hours(5),
    )
    assert clocks.first_response.state is ClockState.MET
    assert clocks.first_response.target_seconds == 4 * HOUR
    assert clocks.resolution.target_seconds == 8 * HOUR


def test_no_target_for_a_clock_is_not_applicable() -> None:
    policy = standard_policy()
    clocks = evaluate_sla_clocks([SlaEvent.created(MONDAY_NINE, policy, "P3")], MONDAY_NINE + hours(1))
    assert clocks.next_update.state is ClockState.NOT_APPLICABLE
    assert clocks.next_update.due_at is None
    assert clocks.next_update.remaining_seconds is None
    assert clocks.next_due_at() == clocks.first_response.due_at


# --------------------------------------------------------------------------- explain


def test_explain_names_policy_calendar_pauses_and_derivation() -> None:
    policy = standard_policy()
    clocks = evaluate_sla_clocks(
        [
            SlaEvent.created(MONDAY_NINE, policy, "P2"),
            SlaEvent.paused(MONDAY_NINE + hours(1), reason="waiting on vendor"),
            SlaEvent.resumed(MONDAY_NINE + hours(2)),
            SlaEvent.priority_changed(MONDAY_NINE + hours(2.5), "P3"),
            SlaEvent.paused(MONDAY_NINE + hours(3), reason="waiting on client"),
        ],
        MONDAY_NINE + hours(4),
    )
    explain = clocks.resolution.explain
    payload = explain.to_dict()
    json.dumps(payload)
    assert payload["clock"] == "resolution"
    assert payload["policy"] == "Standard"
    assert payload["priority"] == "P3"
    assert payload["target_seconds"] == 24 * HOUR
    assert payload["calendar"]["timezone"] == "Europe/London"  # type: ignore[index]
    segments = payload["excluded_segments"]
    assert [(s["reason"], s["business_seconds"], s["ended_at"] is None) for s in segments] == [  # type: ignore[index, union-attr, attr-defined]
        ("waiting on vendor", HOUR, False),
        ("waiting on client", 1800, True),  # 12:00-12:30, then lunch, then 13:00 is now
    ]
    steps = "\n".join(explain.steps)
    assert "Priority changed from P2 to P3" in steps
    assert "Paused (waiting on vendor)" in steps
    assert "it has no due instant until it resumes" in steps
    assert clocks.resolution.state is ClockState.PAUSED


def test_explain_due_line_adds_target_and_excluded_time() -> None:
    policy = standard_policy()
    clocks = evaluate_sla_clocks(
        [
            SlaEvent.created(MONDAY_NINE, policy, "P2"),
            SlaEvent.paused(MONDAY_NINE + hours(1)),
            SlaEvent.resumed(MONDAY_NINE + hours(2)),
        ],
        MONDAY_NINE + hours(3),
    )
    assert (
        "Due = clock start + 2 h 00 min target + 1 h 00 min excluded business time = Mon 2025-03-10 12:00:00 GMT."
        in clocks.first_response.explain.steps
    )


# --------------------------------------------------------------------------- properties

CALENDARS = [
    office(),
    BusinessCalendar.for_weekdays(
        "America/New_York", [("08:00", "18:00")], holiday_country="US", holiday_subdivision="NY"
    ),
    BusinessCalendar(
        "Australia/Sydney",
        {0: [("00:00", "24:00")], 2: [("22:00", "24:00")], 3: [("00:00", "03:30"), ("09:00", "17:00")]},
    ),
]


@st.composite
def pause_scenarios(draw: st.DrawFn) -> tuple[BusinessCalendar, datetime, int, list[tuple[int, int]]]:
    calendar = draw(st.sampled_from(CALENDARS))
    created = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(seconds=draw(st.integers(0, 2 * 365 * 86_400)))
    target = draw(st.integers(1, 60 * HOUR))
    gaps_and_lengths = draw(
        st.lists(st.tuples(st.integers(0, 3 * 86_400), st.integers(0, 4 * 86_400)), max_size=5)
    )
    pauses, cursor = [], 0
    for gap, length in gaps_and_lengths:
        start = cursor + gap
        pauses.append((start, start + length))
        cursor = start + length + 1
    return calendar, created, target, pauses


def _events(policy: SlaPolicy, created: datetime, pauses: list[tuple[int, int]]) -> list[SlaEvent]:
    events = [SlaEvent.created(created, policy, "P")]
    for start, end in pauses:
        events += [
            SlaEvent.paused(created + timedelta(seconds=start)),
            SlaEvent.resumed(created + timedelta(seconds=end)),
        ]
    return events


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pause_scenarios())
def test_property_pauses_move_deadlines_later_by_exactly_the_paused_business_time(
    scenario: tuple[BusinessCalendar, datetime, int, list[tuple[int, int]]],
) -> None:
    calendar, created, target, pauses = scenario
    policy = SlaPolicy("P", calendar, {"P": PriorityTargets(resolution_seconds=target)})
    last_event = created + timedelta(seconds=pauses[-1][1] if pauses else 0)
    now = max(last_event, created) + timedelta(days=1)
    plain = evaluate_sla_clocks(_events(policy, created, []), now).resolution
    paused = evaluate_sla_clocks(_events(policy, created, pauses), now).resolution
    assert plain.due_at is not None and paused.due_at is not None
    assert paused.due_at >= plain.due_at
    paused_before_due = sum(
        business_seconds_between(
            calendar, created + timedelta(seconds=start), min(created + timedelta(seconds=end), paused.due_at)
        )
        for start, end in pauses
    )
    assert paused.paused_business_seconds == paused_before_due
    assert business_seconds_between(calendar, plain.due_at, paused.due_at) == paused_before_due
    assert paused.due_at == add_business_seconds(calendar, created, target + paused_before_due)
    if paused_before_due:
        assert paused.due_at == add_business_seconds(calendar, plain.due_at, paused_before_due)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pause_scenarios(), st.integers(1, 60 * HOUR), st.integers(0, 10 * 86_400), st.integers(0, 20 * 86_400))
def test_property_priority_change_keeps_consumed_and_paused_time(
    scenario: tuple[BusinessCalendar, datetime, int, list[tuple[int, int]]],
    new_target: int,
    change_offset: int,
    now_offset: int,
) -> None:
    calendar, created, target, pauses = scenario
    policy = SlaPolicy(
        "P",
        calendar,
        {
            "P": PriorityTargets(resolution_seconds=target),
            "Q": PriorityTargets(resolution_seconds=new_target),
        },
    )
    events = _events(policy, created, pauses)
    events.append(
        SlaEvent.priority_changed(max(events[-1].at, created + timedelta(seconds=change_offset)), "Q")
    )
    now = events[-1].at + timedelta(seconds=now_offset)
    changed = evaluate_sla_clocks(events, now).resolution
    # As if the ticket had been "Q" from the start, with the same pauses.
    from_start = SlaPolicy("P", calendar, {"P": PriorityTargets(resolution_seconds=new_target)})
    baseline = evaluate_sla_clocks(_events(from_start, created, pauses), now).resolution
    assert (changed.due_at, changed.used_seconds, changed.state, changed.paused_business_seconds) == (
        baseline.due_at,
        baseline.used_seconds,
        baseline.state,
        baseline.paused_business_seconds,
    )


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pause_scenarios(), st.integers(0, 30 * 86_400), st.integers(0, 30 * 86_400))
def test_property_due_instant_is_stable_and_used_time_grows_with_now(
    scenario: tuple[BusinessCalendar, datetime, int, list[tuple[int, int]]], first: int, second: int
) -> None:
    calendar, created, target, pauses = scenario
    policy = SlaPolicy("P", calendar, {"P": PriorityTargets(resolution_seconds=target)})
    events = _events(policy, created, pauses)
    earlier = events[-1].at + timedelta(seconds=min(first, second))
    later = events[-1].at + timedelta(seconds=max(first, second))
    at_earlier = evaluate_sla_clocks(events, earlier).resolution
    at_later = evaluate_sla_clocks(events, later).resolution
    assert at_earlier.due_at == at_later.due_at  # recomputed from the log, never drifting
    assert at_earlier.used_seconds is not None and at_later.used_seconds is not None
    assert at_earlier.used_seconds <= at_later.used_seconds
    assert at_later.used_seconds - at_earlier.used_seconds == business_seconds_between(
        calendar, earlier, later
    )
    expected_state = (
        ClockState.BREACHED if at_later.due_at and later > at_later.due_at else ClockState.RUNNING
    )
    assert at_later.state is expected_state
    assert {clock.name for clock in evaluate_sla_clocks(events, later).clocks()} == set(ClockName)


def test_next_due_at_is_the_earliest_instant_even_inside_a_repeated_hour() -> None:
    # New York falls back at 02:00 EDT on 2 November 2025. Two clocks of one ticket fall due in
    # the repeated hour: first response at 01:50 EDT (05:50 UTC), resolution at 01:10 EST
    # (06:10 UTC). Both carry the same ZoneInfo, and Python compares such datetimes by wall
    # clock (01:10 < 01:50), so the earliest must be chosen by instant. (Inside a repeated hour
    # `==` against another zone is never true either, so instants are compared as timestamps.)
    calendar = BusinessCalendar.twenty_four_seven("America/New_York")
    policy = SlaPolicy(
        "Night desk",
        calendar,
        {"P1": PriorityTargets(first_response_seconds=110 * 60, resolution_seconds=130 * 60)},
    )
    created = datetime(2025, 11, 2, 4, 0, tzinfo=UTC)  # 00:00 EDT
    clocks = evaluate_sla_clocks([SlaEvent.created(created, policy, "P1")], created + timedelta(minutes=5))
    first_response, resolution = clocks.first_response.due_at, clocks.resolution.due_at
    assert first_response is not None and resolution is not None
    assert first_response.timestamp() == datetime(2025, 11, 2, 5, 50, tzinfo=UTC).timestamp()
    assert resolution.timestamp() == datetime(2025, 11, 2, 6, 10, tzinfo=UTC).timestamp()
    assert resolution < first_response  # what a plain comparison says
    earliest = clocks.next_due_at()
    assert earliest is not None and earliest.timestamp() == first_response.timestamp()
