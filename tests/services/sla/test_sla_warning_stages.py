"""Warning stages of SLA clocks. Pure engine: no database."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.sla.engine import (
    BusinessCalendar,
    ClockName,
    PriorityTargets,
    SlaEvent,
    SlaPolicy,
    evaluate_sla_clocks,
    next_warning_at,
    warning_stage,
    warning_stage_at,
    warning_stage_for,
)
from services.sla.engine.warning_stages import normalise_fractions, warning_threshold_seconds

LONDON = ZoneInfo("Europe/London")
HOUR = 3600
MONDAY_NINE = datetime(2025, 3, 10, 9, tzinfo=LONDON)


def events(*extra: SlaEvent) -> list[SlaEvent]:
    calendar = BusinessCalendar.for_weekdays("Europe/London", [("09:00", "17:00")])
    policy = SlaPolicy("Standard", calendar, {"P2": PriorityTargets(resolution_seconds=4 * HOUR)})
    return [SlaEvent.created(MONDAY_NINE, policy, "P2"), *extra]


def test_stage_boundaries_are_inclusive_thresholds_of_the_target() -> None:
    target = 4 * HOUR
    assert warning_threshold_seconds(target, 0.75) == 3 * HOUR
    assert warning_threshold_seconds(1000, 0.9) == 900  # exact, no float drift
    assert warning_stage_for(3 * HOUR - 1, target, breached=False).label == "ok"
    stage = warning_stage_for(3 * HOUR, target, breached=False)
    assert (stage.index, stage.label, stage.threshold_fraction) == (1, "75%", 0.75)
    assert warning_stage_for(int(3.6 * HOUR), target, breached=False).label == "90%"
    assert warning_stage_for(target, target, breached=False).index == 2
    breached = warning_stage_for(target + 1, target, breached=True)
    assert (breached.index, breached.label, breached.breached) == (3, "breached", True)
    assert warning_stage_for(10, 100, (0.5,), breached=False).label == "ok"
    assert warning_stage_for(50, 100, (0.5,), breached=False).label == "50%"


def test_invalid_fractions_are_rejected() -> None:
    for bad in [(0.9, 0.75), (0.5, 0.5), (0.0,), (1.0,), (1.2,)]:
        with pytest.raises(ValueError, match="fractions"):
            normalise_fractions(bad)


def test_stage_of_an_evaluated_clock_at_now() -> None:
    log = events()
    assert warning_stage_at(log, ClockName.RESOLUTION, MONDAY_NINE + timedelta(hours=2)).index == 0
    assert warning_stage_at(log, ClockName.RESOLUTION, MONDAY_NINE + timedelta(hours=3)).label == "75%"
    assert (
        warning_stage_at(log, ClockName.RESOLUTION, MONDAY_NINE + timedelta(hours=3, minutes=40)).label
        == "90%"
    )
    late = warning_stage_at(log, ClockName.RESOLUTION, MONDAY_NINE + timedelta(hours=4, seconds=1))
    assert late.breached and late.actionable
    # Nights do not advance the stage: created 16:00 with 1 h used by 17:00, still 1 h at 08:59 next day.
    late_afternoon = [SlaEvent.created(datetime(2025, 3, 10, 16, tzinfo=LONDON), log[0].policy, "P2")]  # type: ignore[arg-type]
    overnight = warning_stage_at(
        late_afternoon, ClockName.RESOLUTION, datetime(2025, 3, 11, 8, 59, tzinfo=LONDON)
    )
    assert overnight.label == "ok"
    assert (
        warning_stage_at(late_afternoon, ClockName.RESOLUTION, datetime(2025, 3, 11, 11, tzinfo=LONDON)).label
        == "75%"
    )


def test_stopped_and_untargeted_clocks_are_not_actionable() -> None:
    clocks = evaluate_sla_clocks(
        events(SlaEvent.resolved(MONDAY_NINE + timedelta(hours=3, minutes=30))),
        MONDAY_NINE + timedelta(hours=6),
    )
    met = warning_stage(clocks.resolution)
    assert met.label == "75%" and not met.actionable
    assert not warning_stage(clocks.first_response).actionable  # no first-response target


def test_next_warning_at_tells_a_scheduler_when_the_stage_changes() -> None:
    clocks = evaluate_sla_clocks(events(), MONDAY_NINE + timedelta(hours=1))
    assert next_warning_at(clocks.resolution) == MONDAY_NINE + timedelta(hours=3)
    later = evaluate_sla_clocks(events(), MONDAY_NINE + timedelta(hours=3, minutes=50))
    assert next_warning_at(later.resolution) == later.resolution.due_at == MONDAY_NINE + timedelta(hours=4)
    paused = evaluate_sla_clocks(events(SlaEvent.paused(MONDAY_NINE)), MONDAY_NINE + timedelta(hours=1))
    assert next_warning_at(paused.resolution) is None
    # Friday afternoon: the 75 % threshold lands on Monday morning.
    friday = datetime(2025, 3, 7, 15, tzinfo=LONDON)
    calendar = BusinessCalendar.for_weekdays("Europe/London", [("09:00", "17:00")])
    policy = SlaPolicy("Standard", calendar, {"P2": PriorityTargets(resolution_seconds=4 * HOUR)})
    weekend = evaluate_sla_clocks([SlaEvent.created(friday, policy, "P2")], friday)
    assert next_warning_at(weekend.resolution) == datetime(2025, 3, 10, 10, tzinfo=LONDON)
