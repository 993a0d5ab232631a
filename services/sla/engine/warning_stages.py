"""Warning stages: how far through its budget a clock is, for idempotent notifications.

Stages are numbered from 0. With fractions ``(0.75, 0.9)``:

* stage 0 ``"ok"`` - less than 75 % of the target used;
* stage 1 ``"75%"`` - at least 75 % used (``used >= ceil(0.75 * target)`` business seconds);
* stage 2 ``"90%"`` - at least 90 % used;
* stage 3 ``"breached"`` - the clock is breached (``now`` is past its due instant, or it stopped
  after it).

A caller stores the highest stage it has notified for a clock and notifies again only when
:func:`warning_stage` returns a higher one; :func:`next_warning_at` tells a scheduler when a
running clock will next change stage.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

from .businesstime import add_epoch_business_seconds, datetime_from_epoch, epoch_seconds
from .clock import ClockName, ClockState, ClockStatus, SlaEvent, evaluate_sla_clocks

__all__ = [
    "DEFAULT_WARNING_FRACTIONS",
    "WarningStage",
    "next_warning_at",
    "normalise_fractions",
    "warning_stage",
    "warning_stage_at",
    "warning_stage_for",
    "warning_threshold_seconds",
]

DEFAULT_WARNING_FRACTIONS: tuple[float, ...] = (0.75, 0.9)


@dataclass(frozen=True)
class WarningStage:
    """The warning stage of a clock.

    ``index`` 0 is "ok", ``1..len(fractions)`` the crossed fraction, ``len(fractions) + 1`` "breached".
    ``actionable`` is False for clocks that have stopped or have no target: nobody can act on them.
    """

    index: int
    label: str
    threshold_fraction: float | None
    breached: bool
    actionable: bool


def normalise_fractions(fractions: Sequence[float]) -> tuple[float, ...]:
    """Validate warning fractions: strictly increasing, each strictly between 0 and 1."""
    values = tuple(float(value) for value in fractions)
    if any(not 0 < value < 1 for value in values):
        raise ValueError(f"warning fractions must lie strictly between 0 and 1, got {values}")
    if any(later <= earlier for earlier, later in itertools.pairwise(values)):
        raise ValueError(f"warning fractions must be strictly increasing, got {values}")
    return values


def warning_threshold_seconds(target_seconds: int, fraction: float) -> int:
    """Business seconds at which ``fraction`` of ``target_seconds`` is reached (rounded up, exact)."""
    return math.ceil(Fraction(str(fraction)) * target_seconds)


def _label(fraction: float) -> str:
    return f"{float(Fraction(str(fraction)) * 100):g}%"


def warning_stage_for(
    used_seconds: int,
    target_seconds: int,
    fractions: Sequence[float] = DEFAULT_WARNING_FRACTIONS,
    *,
    breached: bool,
    actionable: bool = True,
) -> WarningStage:
    """Stage of a clock that has used ``used_seconds`` of ``target_seconds`` business seconds."""
    values = normalise_fractions(fractions)
    if breached:
        return WarningStage(len(values) + 1, "breached", None, True, actionable)
    index, crossed = 0, None
    for position, fraction in enumerate(values, start=1):
        if used_seconds >= warning_threshold_seconds(target_seconds, fraction):
            index, crossed = position, fraction
    label = "ok" if crossed is None else _label(crossed)
    return WarningStage(index, label, crossed, False, actionable)


def warning_stage(clock: ClockStatus, fractions: Sequence[float] = DEFAULT_WARNING_FRACTIONS) -> WarningStage:
    """Stage of an evaluated clock at its evaluation instant.

    A running or paused clock gets the stage its used time has reached; a breached clock the
    breached stage; a met clock its stage when it stopped, marked not actionable; a clock without a
    target stage 0, not actionable.
    """
    if clock.target_seconds is None or clock.used_seconds is None:
        normalise_fractions(fractions)
        return WarningStage(0, "ok", None, False, False)
    actionable = clock.state in (ClockState.RUNNING, ClockState.PAUSED) or (
        clock.state is ClockState.BREACHED and clock.stopped_at is None
    )
    return warning_stage_for(
        clock.used_seconds,
        clock.target_seconds,
        fractions,
        breached=clock.state is ClockState.BREACHED,
        actionable=actionable,
    )


def next_warning_at(
    clock: ClockStatus, fractions: Sequence[float] = DEFAULT_WARNING_FRACTIONS
) -> datetime | None:
    """When a running clock will enter its next stage if nothing stops or pauses it, else None.

    For the breached stage this is the due instant: the clock is breached once ``now`` passes it.
    """
    if clock.state is not ClockState.RUNNING or clock.target_seconds is None or clock.used_seconds is None:
        return None
    for fraction in normalise_fractions(fractions):
        threshold = warning_threshold_seconds(clock.target_seconds, fraction)
        if clock.used_seconds < threshold:
            instant = add_epoch_business_seconds(
                clock.calendar, epoch_seconds(clock.evaluated_at), threshold - clock.used_seconds
            )
            return datetime_from_epoch(clock.calendar, instant)
    return clock.due_at


def warning_stage_at(
    events: Sequence[SlaEvent],
    clock_name: ClockName,
    now: datetime,
    fractions: Sequence[float] = DEFAULT_WARNING_FRACTIONS,
) -> WarningStage:
    """Evaluate a ticket's event log at ``now`` and return the warning stage of one clock."""
    clocks = evaluate_sla_clocks(events, now)
    return warning_stage(
        {clock.name: clock for clock in clocks.clocks()}[clock_name],
        fractions,
    )
