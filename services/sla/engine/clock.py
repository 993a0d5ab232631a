"""Event-sourced SLA clocks.

A ticket's SLA clocks are a pure function of its event log and the evaluation instant ``now``:
nothing is stored between evaluations and no due instant is ever patched. Given the ordered log
(``created``, ``priority_changed``, ``policy_changed``, ``paused``, ``resumed``,
``first_public_reply``, ``public_update``, ``resolved``, ``reopened``) :func:`evaluate_sla_clocks`
derives four clocks:

``first_response``
    from creation to the first public staff message (``first_public_reply``, or a
    ``public_update`` if that came first); a resolution before any reply counts as the response.
``next_update``
    a cycle from creation, restarted at each public staff message; a resolution ends the
    current cycle and a reopen starts a new one. Every finished cycle is judged on its own.
``first_resolution``
    from creation to the first ``resolved``.
``resolution``
    from creation to the final ``resolved`` (still running after a reopen); time while
    resolved does not count (convention 10).

The ticket's status is *open*, *paused* (``paused`` - waiting on the client or a vendor - until
``resumed``) or *resolved* (``resolved`` until ``reopened``). Only open time counts, for every
clock alike, so a waiting status pauses every running clock (convention 9).

A clock's target and calendar come from the policy and priority in effect when the clock stopped,
or the current ones for a clock still running. Its due instant is recomputed from the clock's
start under that target and calendar, with every pause and resolved stretch before it excluded:
``due = add_business_seconds(calendar, start, target + excluded business time before due)``.
Consumed and paused time therefore survive priority and policy changes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Literal

from .businesstime import (
    BusinessTimeError,
    add_epoch_business_seconds,
    datetime_from_epoch,
    epoch_business_seconds_between,
    epoch_seconds,
)
from .calendar import BusinessCalendar
from .explain_text import format_business_duration, format_instant, whole_minutes

__all__ = [
    "ClockExplanation",
    "ClockName",
    "ClockState",
    "ClockStatus",
    "EventKind",
    "ExcludedSegment",
    "PriorityTargets",
    "RecordedJudgement",
    "SlaClocks",
    "SlaEvent",
    "SlaEventLogError",
    "SlaPolicy",
    "SlaPolicyError",
    "TargetMeasure",
    "compliance_percent",
    "evaluate_sla_clocks",
    "keep_judgement",
]


class SlaPolicyError(ValueError):
    """Raised for an invalid policy: a 0 or negative target, an unknown priority, ..."""


class SlaEventLogError(ValueError):
    """Raised for an event log that cannot be evaluated (no creation, events out of order, ...)."""


class EventKind(StrEnum):
    """What happened to the ticket."""

    CREATED = "created"
    PRIORITY_CHANGED = "priority_changed"
    POLICY_CHANGED = "policy_changed"
    PAUSED = "paused"
    RESUMED = "resumed"
    FIRST_PUBLIC_REPLY = "first_public_reply"
    PUBLIC_UPDATE = "public_update"
    RESOLVED = "resolved"
    REOPENED = "reopened"


class TargetMeasure(StrEnum):
    """Which target of a policy a clock measures."""

    FIRST_RESPONSE = "first_response"
    NEXT_UPDATE = "next_update"
    RESOLUTION = "resolution"


class ClockName(StrEnum):
    """The clocks evaluated for every ticket."""

    FIRST_RESPONSE = "first_response"
    NEXT_UPDATE = "next_update"
    FIRST_RESOLUTION = "first_resolution"
    RESOLUTION = "resolution"


class ClockState(StrEnum):
    """Where a clock stands at the evaluation instant."""

    RUNNING = "running"
    PAUSED = "paused"
    MET = "met"
    BREACHED = "breached"
    NOT_APPLICABLE = "not_applicable"


_MEASURE_OF_CLOCK: dict[ClockName, TargetMeasure] = {
    ClockName.FIRST_RESPONSE: TargetMeasure.FIRST_RESPONSE,
    ClockName.NEXT_UPDATE: TargetMeasure.NEXT_UPDATE,
    ClockName.FIRST_RESOLUTION: TargetMeasure.RESOLUTION,
    ClockName.RESOLUTION: TargetMeasure.RESOLUTION,
}

_CLOCK_LABEL: dict[ClockName, str] = {
    ClockName.FIRST_RESPONSE: "first response",
    ClockName.NEXT_UPDATE: "next update",
    ClockName.FIRST_RESOLUTION: "first resolution",
    ClockName.RESOLUTION: "resolution",
}


def _check_target(label: str, seconds: int | None) -> None:
    if seconds is None:
        return
    if isinstance(seconds, bool) or not isinstance(seconds, int):
        raise SlaPolicyError(f"{label} target must be whole seconds or empty, got {seconds!r}")
    if seconds == 0:
        raise SlaPolicyError(
            f"{label} target of 0 is not allowed; leave the target empty to express 'no target'"
        )
    if seconds < 0:
        raise SlaPolicyError(f"{label} target cannot be negative, got {seconds}")


@dataclass(frozen=True)
class PriorityTargets:
    """Targets of one priority, in business seconds; ``None`` means "no target" (convention 2).

    ``calendar`` overrides the policy's calendar for this priority (e.g. 24x7 for P1).
    """

    first_response_seconds: int | None = None
    next_update_seconds: int | None = None
    resolution_seconds: int | None = None
    calendar: BusinessCalendar | None = None

    def __post_init__(self) -> None:
        _check_target("first response", self.first_response_seconds)
        _check_target("next update", self.next_update_seconds)
        _check_target("resolution", self.resolution_seconds)

    def seconds_for(self, measure: TargetMeasure) -> int | None:
        """The target for ``measure``, or None when this priority has no such target."""
        if measure is TargetMeasure.FIRST_RESPONSE:
            return self.first_response_seconds
        if measure is TargetMeasure.NEXT_UPDATE:
            return self.next_update_seconds
        return self.resolution_seconds


@dataclass(frozen=True, eq=False)
class SlaPolicy:
    """An SLA policy: a default calendar and targets per priority."""

    name: str
    calendar: BusinessCalendar
    targets: Mapping[str, PriorityTargets]

    def __post_init__(self) -> None:
        if not self.targets:
            raise SlaPolicyError(f"policy {self.name!r} defines no priorities")

    def targets_for(self, priority: str) -> PriorityTargets:
        """Targets of ``priority``; raises :class:`SlaPolicyError` for a priority the policy lacks."""
        try:
            return self.targets[priority]
        except KeyError:
            raise SlaPolicyError(
                f"policy {self.name!r} has no targets for priority {priority!r} "
                f"(it defines {', '.join(sorted(self.targets))})"
            ) from None

    def calendar_for(self, priority: str) -> BusinessCalendar:
        """The calendar that measures ``priority``: its own override or the policy's calendar."""
        return self.targets_for(priority).calendar or self.calendar


@dataclass(frozen=True)
class SlaEvent:
    """One entry of a ticket's SLA event log. Build them with the named constructors."""

    kind: EventKind
    at: datetime
    priority: str | None = None
    policy: SlaPolicy | None = None
    reason: str | None = None

    def __post_init__(self) -> None:
        if self.at.tzinfo is None or self.at.utcoffset() is None:
            raise SlaEventLogError(f"{self.kind} event needs an aware datetime, got {self.at!r}")
        if self.kind is EventKind.CREATED and (self.policy is None or self.priority is None):
            raise SlaEventLogError("a created event needs a policy and a priority")
        if self.kind is EventKind.PRIORITY_CHANGED and self.priority is None:
            raise SlaEventLogError("a priority_changed event needs the new priority")
        if self.kind is EventKind.POLICY_CHANGED and self.policy is None:
            raise SlaEventLogError("a policy_changed event needs the new policy")

    @classmethod
    def created(cls, at: datetime, policy: SlaPolicy, priority: str) -> SlaEvent:
        """The ticket was created under ``policy`` with ``priority``: every clock starts."""
        return cls(EventKind.CREATED, at, priority=priority, policy=policy)

    @classmethod
    def priority_changed(cls, at: datetime, priority: str) -> SlaEvent:
        """The ticket's priority changed."""
        return cls(EventKind.PRIORITY_CHANGED, at, priority=priority)

    @classmethod
    def policy_changed(cls, at: datetime, policy: SlaPolicy, priority: str | None = None) -> SlaEvent:
        """The ticket moved to another policy (optionally with a new priority)."""
        return cls(EventKind.POLICY_CHANGED, at, priority=priority, policy=policy)

    @classmethod
    def paused(cls, at: datetime, reason: str = "waiting on client") -> SlaEvent:
        """The ticket entered a waiting status (on the client or a vendor)."""
        return cls(EventKind.PAUSED, at, reason=reason)

    @classmethod
    def resumed(cls, at: datetime) -> SlaEvent:
        """The ticket left its waiting status."""
        return cls(EventKind.RESUMED, at)

    @classmethod
    def first_public_reply(cls, at: datetime) -> SlaEvent:
        """Staff posted the first public reply."""
        return cls(EventKind.FIRST_PUBLIC_REPLY, at)

    @classmethod
    def public_update(cls, at: datetime) -> SlaEvent:
        """Staff posted a public update."""
        return cls(EventKind.PUBLIC_UPDATE, at)

    @classmethod
    def resolved(cls, at: datetime) -> SlaEvent:
        """The ticket was resolved."""
        return cls(EventKind.RESOLVED, at)

    @classmethod
    def reopened(cls, at: datetime) -> SlaEvent:
        """The ticket was reopened after a resolution."""
        return cls(EventKind.REOPENED, at)


@dataclass(frozen=True)
class ExcludedSegment:
    """A stretch of a clock's life that did not count: a pause or time while resolved."""

    kind: Literal["paused", "resolved"]
    reason: str | None
    started_at: datetime
    ended_at: datetime | None
    """None while the stretch is still going on at the evaluation instant."""
    business_seconds: int
    """Business seconds of the clock's calendar inside the stretch (what it extended the deadline by)."""

    def to_dict(self) -> dict[str, object]:
        """JSON-friendly form."""
        return {
            "kind": self.kind,
            "reason": self.reason,
            "started_at": self.started_at.isoformat(),
            "ended_at": self.ended_at.isoformat() if self.ended_at is not None else None,
            "business_seconds": self.business_seconds,
            "business_minutes": whole_minutes(self.business_seconds),
        }


@dataclass(frozen=True)
class ClockExplanation:
    """How a clock's figures were derived: policy, calendar, excluded segments and steps in words."""

    clock: ClockName
    policy_name: str
    priority: str
    target_seconds: int | None
    calendar: dict[str, object]
    started_at: datetime
    excluded_segments: tuple[ExcludedSegment, ...]
    steps: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        """JSON-friendly form for the API's explain view."""
        return {
            "clock": str(self.clock),
            "policy": self.policy_name,
            "priority": self.priority,
            "target_seconds": self.target_seconds,
            "target_minutes": whole_minutes(self.target_seconds) if self.target_seconds is not None else None,
            "calendar": self.calendar,
            "started_at": self.started_at.isoformat(),
            "excluded_segments": [segment.to_dict() for segment in self.excluded_segments],
            "steps": list(self.steps),
        }


@dataclass(frozen=True)
class ClockStatus:
    """One clock at the evaluation instant.

    ``used_seconds``, ``remaining_seconds`` and ``overdue_seconds`` are business seconds; they are
    None only for a clock without a target (not measured, convention 5), and 0 when nothing has
    elapsed. ``due_at`` is None for a clock without a target and while a clock is paused with budget
    left (its deadline moves for as long as the pause lasts).
    """

    name: ClockName
    state: ClockState
    target_seconds: int | None
    started_at: datetime
    due_at: datetime | None
    stopped_at: datetime | None
    used_seconds: int | None
    remaining_seconds: int | None
    overdue_seconds: int | None
    paused_business_seconds: int
    """Business seconds excluded (paused or resolved) between the start and the due instant or now."""
    evaluated_at: datetime
    explain: ClockExplanation
    calendar: BusinessCalendar = field(repr=False, compare=False)

    @property
    def used_minutes(self) -> int | None:
        """Floored whole minutes used."""
        return None if self.used_seconds is None else whole_minutes(self.used_seconds)

    @property
    def remaining_minutes(self) -> int | None:
        """Floored whole minutes remaining."""
        return None if self.remaining_seconds is None else whole_minutes(self.remaining_seconds)

    @property
    def overdue_minutes(self) -> int | None:
        """Floored whole business minutes past the target."""
        return None if self.overdue_seconds is None else whole_minutes(self.overdue_seconds)

    @property
    def is_judged(self) -> bool:
        """True once the clock has a final outcome (met or breached by a stop event)."""
        return self.stopped_at is not None and self.state in (ClockState.MET, ClockState.BREACHED)


@dataclass(frozen=True)
class SlaClocks:
    """All clocks of one ticket at ``evaluated_at``."""

    evaluated_at: datetime
    first_response: ClockStatus
    next_update: ClockStatus
    """The current (or last) next-update cycle; every cycle is in ``next_update_cycles``."""
    first_resolution: ClockStatus
    resolution: ClockStatus
    next_update_cycles: tuple[ClockStatus, ...]

    def clocks(self) -> tuple[ClockStatus, ...]:
        """The four current clocks."""
        return (self.first_response, self.next_update, self.first_resolution, self.resolution)

    def next_due_at(self) -> datetime | None:
        """Earliest due instant among running clocks (what a work queue sorts by), or None.

        Chosen by timestamp: datetimes sharing a ZoneInfo compare by wall-clock time, which
        misorders two instants inside a repeated (fall-back) hour.
        """
        due = [clock.due_at for clock in self.clocks() if clock.state is ClockState.RUNNING and clock.due_at]
        return min(due, key=datetime.timestamp) if due else None

    def breached_clocks(self) -> tuple[ClockStatus, ...]:
        """Current clocks that are breached."""
        return tuple(clock for clock in self.clocks() if clock.state is ClockState.BREACHED)


@dataclass(frozen=True)
class RecordedJudgement:
    """How a clock was judged when it stopped, as the caller stored it (e.g. a database row).

    ``used_seconds`` may be floored to whole minutes, as stored figures are (convention 4).
    """

    met: bool
    priority: str
    target_seconds: int
    due_at: datetime
    used_seconds: int
    judged_at: datetime


def keep_judgement(status: ClockStatus, judgement: RecordedJudgement) -> ClockStatus:
    """``status`` as it was judged when it stopped (convention 11).

    The engine knows a policy only through the events that carry it, so when a policy's targets
    or calendar are edited after a clock stopped, replaying the log judges that clock under the
    edited terms. A stopped clock keeps the terms it was judged under: when the replayed outcome,
    target or due instant differs from ``judgement``, the recorded judgement is returned in its
    place, with an explanation saying so. A clock that agrees with it, or has not stopped, is
    returned unchanged.
    """
    if status.stopped_at is None or status.state not in (ClockState.MET, ClockState.BREACHED):
        return status
    state = ClockState.MET if judgement.met else ClockState.BREACHED
    if (
        status.state is state
        and status.target_seconds == judgement.target_seconds
        and status.due_at is not None
        and status.due_at.timestamp() == judgement.due_at.timestamp()
    ):
        return status
    tz = status.calendar.tzinfo
    target, used = judgement.target_seconds, judgement.used_seconds
    label = _CLOCK_LABEL[status.name]
    verdict = (
        f"Met with {format_business_duration(max(target - used, 0))} of business time to spare"
        if judgement.met
        else f"Breached by {format_business_duration(max(used - target, 0))} of business time"
    )
    steps = (
        f"The {label} clock was judged {format_instant(judgement.judged_at, tz)} under priority "
        f"{judgement.priority} of the terms then in force: a target of {format_business_duration(target)} "
        f"of business time, due {format_instant(judgement.due_at, tz)}.",
        f"{verdict} ({format_business_duration(used)} used).",
        "The policy has been edited since; a clock that has stopped keeps the terms it was judged under, "
        "so this judgement stands.",
    )
    explain = ClockExplanation(
        clock=status.name,
        policy_name=status.explain.policy_name,
        priority=judgement.priority,
        target_seconds=target,
        calendar=status.explain.calendar,
        started_at=status.started_at,
        excluded_segments=(),
        steps=steps,
    )
    return replace(
        status,
        state=state,
        target_seconds=target,
        due_at=judgement.due_at.astimezone(tz),
        used_seconds=used,
        remaining_seconds=max(target - used, 0),
        overdue_seconds=max(used - target, 0) if not judgement.met else 0,
        paused_business_seconds=0,
        explain=explain,
    )


def compliance_percent(met_count: int, breached_count: int) -> float | None:
    """Share of judged clocks that were met, in percent; None ("not yet judged") when none were judged.

    Convention 5: compliance with nothing judged is neither 0 % nor 100 %.
    """
    if met_count < 0 or breached_count < 0:
        raise ValueError("counts cannot be negative")
    judged = met_count + breached_count
    if judged == 0:
        return None
    return 100.0 * met_count / judged


# ---------------------------------------------------------------------------------------- internals

_Status = Literal["open", "paused", "resolved"]


@dataclass
class _Segment:
    status: _Status
    start: int
    end: int | None
    reason: str | None


@dataclass(frozen=True)
class _PolicyState:
    policy: SlaPolicy
    priority: str


@dataclass(frozen=True)
class _PolicyChange:
    at: int
    description: str


@dataclass(frozen=True)
class _ClockSpan:
    name: ClockName
    start: int
    start_cause: str
    stop: int | None
    stop_cause: str | None
    policy_state: _PolicyState


@dataclass
class _Timeline:
    created: int
    segments: list[_Segment]
    policy_changes: list[_PolicyChange]
    spans: dict[ClockName, _ClockSpan]
    next_update_spans: list[_ClockSpan]
    current_status: _Status


def _build_timeline(events: Sequence[SlaEvent], now: int) -> _Timeline:
    if not events:
        raise SlaEventLogError("the event log is empty; it must start with a created event")
    first = events[0]
    if first.kind is not EventKind.CREATED:
        raise SlaEventLogError(f"the event log must start with a created event, not {first.kind}")
    created = epoch_seconds(first.at)
    if created > now:
        raise SlaEventLogError("the ticket was created after the evaluation instant")
    assert first.policy is not None and first.priority is not None
    state = _PolicyState(first.policy, first.priority)
    segments = [_Segment("open", created, None, None)]
    policy_changes: list[_PolicyChange] = []
    spans: dict[ClockName, _ClockSpan] = {}
    cycles: list[_ClockSpan] = []
    cycle_start: tuple[int, str] | None = (created, "the ticket was created")
    first_resolution: tuple[int, _PolicyState] | None = None
    last_resolution: tuple[int, _PolicyState] | None = None
    first_response: tuple[int, str, _PolicyState] | None = None
    previous_at = created

    def switch_status(status: _Status, at: int, reason: str | None = None) -> None:
        segments[-1].end = at
        segments.append(_Segment(status, at, None, reason))

    for event in events[1:]:
        at = epoch_seconds(event.at)
        if at < previous_at:
            raise SlaEventLogError(
                f"events must be in time order: {event.kind} at {event.at.isoformat()} "
                "comes after a later event"
            )
        previous_at = at
        if at > now:
            break
        status = segments[-1].status
        kind = event.kind
        if kind is EventKind.CREATED:
            raise SlaEventLogError("the event log has more than one created event")
        if kind is EventKind.PRIORITY_CHANGED:
            assert event.priority is not None
            if event.priority != state.priority:
                policy_changes.append(
                    _PolicyChange(at, f"Priority changed from {state.priority} to {event.priority}")
                )
                state = _PolicyState(state.policy, event.priority)
        elif kind is EventKind.POLICY_CHANGED:
            assert event.policy is not None
            new_state = _PolicyState(event.policy, event.priority or state.priority)
            policy_changes.append(
                _PolicyChange(
                    at,
                    f"Policy changed from '{state.policy.name}' ({state.priority}) to "
                    f"'{new_state.policy.name}' ({new_state.priority})",
                )
            )
            state = new_state
        elif kind is EventKind.PAUSED:
            if status == "open":
                switch_status("paused", at, event.reason)
        elif kind is EventKind.RESUMED:
            if status == "paused":
                switch_status("open", at)
        elif kind in (EventKind.FIRST_PUBLIC_REPLY, EventKind.PUBLIC_UPDATE):
            if status == "resolved":
                continue
            label = "first public reply" if kind is EventKind.FIRST_PUBLIC_REPLY else "public update"
            if first_response is None:
                first_response = (at, f"the {label} was sent", state)
            if cycle_start is not None:
                cycles.append(
                    _ClockSpan(
                        ClockName.NEXT_UPDATE,
                        cycle_start[0],
                        cycle_start[1],
                        at,
                        f"the {label} was sent",
                        state,
                    )
                )
            cycle_start = (at, f"the {label} was sent")
        elif kind is EventKind.RESOLVED:
            if status == "resolved":
                continue
            switch_status("resolved", at)
            if first_response is None:
                first_response = (at, "the ticket was resolved before any public reply", state)
            if cycle_start is not None:
                cycles.append(
                    _ClockSpan(
                        ClockName.NEXT_UPDATE,
                        cycle_start[0],
                        cycle_start[1],
                        at,
                        "the ticket was resolved",
                        state,
                    )
                )
                cycle_start = None
            if first_resolution is None:
                first_resolution = (at, state)
            last_resolution = (at, state)
        elif kind is EventKind.REOPENED and status == "resolved":
            switch_status("open", at)
            cycle_start = (at, "the ticket was reopened")
            last_resolution = None

    current_status = segments[-1].status
    if cycle_start is not None:
        cycles.append(_ClockSpan(ClockName.NEXT_UPDATE, cycle_start[0], cycle_start[1], None, None, state))
    created_cause = "the ticket was created"
    if first_response is not None:
        spans[ClockName.FIRST_RESPONSE] = _ClockSpan(
            ClockName.FIRST_RESPONSE,
            created,
            created_cause,
            first_response[0],
            first_response[1],
            first_response[2],
        )
    else:
        spans[ClockName.FIRST_RESPONSE] = _ClockSpan(
            ClockName.FIRST_RESPONSE, created, created_cause, None, None, state
        )
    if first_resolution is not None:
        spans[ClockName.FIRST_RESOLUTION] = _ClockSpan(
            ClockName.FIRST_RESOLUTION,
            created,
            created_cause,
            first_resolution[0],
            "the ticket was resolved",
            first_resolution[1],
        )
    else:
        spans[ClockName.FIRST_RESOLUTION] = _ClockSpan(
            ClockName.FIRST_RESOLUTION, created, created_cause, None, None, state
        )
    if last_resolution is not None:
        spans[ClockName.RESOLUTION] = _ClockSpan(
            ClockName.RESOLUTION,
            created,
            created_cause,
            last_resolution[0],
            "the ticket was resolved",
            last_resolution[1],
        )
    else:
        spans[ClockName.RESOLUTION] = _ClockSpan(
            ClockName.RESOLUTION, created, created_cause, None, None, state
        )
    return _Timeline(created, segments, policy_changes, spans, cycles, current_status)


def _evaluate_span(span: _ClockSpan, timeline: _Timeline, now: int, evaluated_at: datetime) -> ClockStatus:
    policy, priority = span.policy_state.policy, span.policy_state.priority
    calendar = policy.calendar_for(priority)
    tz = calendar.tzinfo
    target = policy.targets_for(priority).seconds_for(_MEASURE_OF_CLOCK[span.name])
    horizon = span.stop if span.stop is not None else now
    label = _CLOCK_LABEL[span.name]

    def at(epoch: int) -> datetime:
        return datetime_from_epoch(calendar, epoch)

    def when(epoch: int) -> str:
        return format_instant(at(epoch), tz)

    counting: list[tuple[int, int]] = []
    excluded: list[tuple[_Segment, int, int | None]] = []
    for segment in timeline.segments:
        start = max(segment.start, span.start)
        end = min(segment.end if segment.end is not None else horizon, horizon)
        ongoing = span.stop is None and segment.end is None
        if start < end or (start == end and ongoing and segment.status != "open"):
            if segment.status == "open":
                counting.append((start, end))
            else:
                excluded.append((segment, start, None if ongoing else end))
    status_at_horizon: _Status
    if span.stop is None:
        status_at_horizon = timeline.current_status
    else:
        # The stop event ends the clock; what matters is the status just before it.
        status_at_horizon = "open"
        for segment in timeline.segments:
            if segment.start < span.stop <= (segment.end if segment.end is not None else span.stop):
                status_at_horizon = segment.status

    steps = [f"The {label} clock started {when(span.start)} when {span.start_cause}."]
    for change in timeline.policy_changes:
        if span.start < change.at <= horizon:
            steps.append(
                f"{change.description} at {when(change.at)}; the target is re-derived from the clock start "
                "under the new terms, keeping the time already used and paused."
            )
    calendar_line = f"Business time is measured on calendar {calendar.summary()}."

    def explanation(segments: tuple[ExcludedSegment, ...]) -> ClockExplanation:
        return ClockExplanation(
            clock=span.name,
            policy_name=policy.name,
            priority=priority,
            target_seconds=target,
            calendar=calendar.describe(),
            started_at=at(span.start),
            excluded_segments=segments,
            steps=tuple(steps),
        )

    if target is None:
        steps.append(
            f"Priority {priority} under policy '{policy.name}' has no {label} target, so nothing is measured."
        )
        return ClockStatus(
            name=span.name,
            state=ClockState.NOT_APPLICABLE,
            target_seconds=None,
            started_at=at(span.start),
            due_at=None,
            stopped_at=at(span.stop) if span.stop is not None else None,
            used_seconds=None,
            remaining_seconds=None,
            overdue_seconds=None,
            paused_business_seconds=0,
            evaluated_at=evaluated_at,
            explain=explanation(()),
            calendar=calendar,
        )

    steps.append(
        f"Priority {priority} under policy '{policy.name}' sets a {label} target of "
        f"{format_business_duration(target)} of business time ({target} s). {calendar_line}"
    )

    used = 0
    due: int | None = None
    for start, end in counting:
        business = epoch_business_seconds_between(calendar, start, end)
        if due is None and used + business >= target:
            due = add_epoch_business_seconds(calendar, start, target - used)
        used += business
    projected = False
    if due is None and (span.stop is not None or status_at_horizon == "open"):
        due = add_epoch_business_seconds(calendar, horizon, target - used)
        projected = span.stop is not None

    segments_out: list[ExcludedSegment] = []
    excluded_before_due = 0
    for segment, segment_start, segment_end in excluded:
        business = epoch_business_seconds_between(
            calendar, segment_start, segment_end if segment_end is not None else horizon
        )
        segments_out.append(
            ExcludedSegment(
                kind="paused" if segment.status == "paused" else "resolved",
                reason=segment.reason,
                started_at=at(segment_start),
                ended_at=at(segment_end) if segment_end is not None else None,
                business_seconds=business,
            )
        )
        before_due = due is None or segment_start < due
        if before_due:
            excluded_before_due += business
        if segment.status == "paused":
            what = f"Paused ({segment.reason})" if segment.reason else "Paused"
        else:
            what = "Resolved"
        until = when(segment_end) if segment_end is not None else "now"
        effect = (
            "moves the deadline later by as much"
            if before_due
            else "came after the due instant, so the deadline stays where it was"
        )
        steps.append(
            f"{what} from {when(segment_start)} until {until}: {format_business_duration(business)} "
            f"of business time does not count and {effect}."
        )

    if due is not None:
        if segments_out:
            steps.append(
                f"Due = clock start + {format_business_duration(target)} target + "
                f"{format_business_duration(excluded_before_due)} excluded business time = {when(due)}."
            )
        else:
            steps.append(f"Due = clock start + {format_business_duration(target)} target = {when(due)}.")
        if projected:
            steps.append(
                "(The budget was not used up when the clock stopped; the due instant is where it stood.)"
            )
    else:
        projection = add_epoch_business_seconds(calendar, now, target - used)
        steps.append(
            f"The clock is paused with {format_business_duration(target - used)} left, so it has no due "
            f"instant until it resumes; resumed now, it would be due {when(projection)}."
        )

    if span.stop is not None:
        assert due is not None
        met = span.stop <= due
        state = ClockState.MET if met else ClockState.BREACHED
        if met:
            margin = epoch_business_seconds_between(calendar, span.stop, due)
            steps.append(
                f"Met: {span.stop_cause} at {when(span.stop)}, at or before the due instant "
                f"({format_business_duration(margin)} of business time to spare)."
            )
        else:
            steps.append(
                f"Breached: {span.stop_cause} at {when(span.stop)}, after the due instant "
                f"({format_business_duration(max(used - target, 0))} of business time over the target)."
            )
    elif due is not None and now > due:
        state = ClockState.BREACHED
        steps.append(
            f"Breached: nothing stopped the clock by the due instant; at {when(now)} it has used "
            f"{format_business_duration(used)} ({format_business_duration(max(used - target, 0))} over)."
        )
    elif status_at_horizon == "paused":
        state = ClockState.PAUSED
        steps.append(f"Paused at {when(now)} with {format_business_duration(used)} used.")
    else:
        state = ClockState.RUNNING
        steps.append(
            f"Running at {when(now)}: {format_business_duration(used)} used, "
            f"{format_business_duration(max(target - used, 0))} remaining."
        )

    return ClockStatus(
        name=span.name,
        state=state,
        target_seconds=target,
        started_at=at(span.start),
        due_at=at(due) if due is not None else None,
        stopped_at=at(span.stop) if span.stop is not None else None,
        used_seconds=used,
        remaining_seconds=max(target - used, 0),
        overdue_seconds=max(used - target, 0) if state is ClockState.BREACHED else 0,
        paused_business_seconds=excluded_before_due,
        evaluated_at=evaluated_at,
        explain=explanation(tuple(segments_out)),
        calendar=calendar,
    )


def evaluate_sla_clocks(events: Sequence[SlaEvent], now: datetime) -> SlaClocks:
    """Evaluate every SLA clock of a ticket from its event log, as of ``now``.

    ``events`` must start with a ``created`` event and be in time order (events at the same
    instant are applied in log order). Events after ``now`` are ignored, so the same log can be
    evaluated at any past instant. Redundant transitions (a pause while already paused, a resume
    while open, a reopen while open, a second resolve) change nothing.

    Raises:
        SlaEventLogError: for an empty or malformed log.
        SlaPolicyError: when a priority in the log is missing from its policy.
        BusinessTimeError: for a naive ``now``.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise BusinessTimeError(f"evaluation needs an aware datetime, got naive {now!r}")
    now_epoch = epoch_seconds(now)
    timeline = _build_timeline(events, now_epoch)
    cycles = tuple(_evaluate_span(span, timeline, now_epoch, now) for span in timeline.next_update_spans)
    return SlaClocks(
        evaluated_at=now,
        first_response=_evaluate_span(timeline.spans[ClockName.FIRST_RESPONSE], timeline, now_epoch, now),
        next_update=cycles[-1],
        first_resolution=_evaluate_span(timeline.spans[ClockName.FIRST_RESOLUTION], timeline, now_epoch, now),
        resolution=_evaluate_span(timeline.spans[ClockName.RESOLUTION], timeline, now_epoch, now),
        next_update_cycles=cycles,
    )
