"""An incident's SLA clocks — acknowledge, contain, resolve — through the pure SLA engine.

The incident's stored event log (`IncidentSlaEvent`) is projected onto the engine's own
vocabulary, one projection per measure, and replayed from creation every time (nothing is
patched):

* **acknowledge** is the engine's first-response clock: `acknowledged` is the first reply. A
  resolve before any acknowledgement answers it at that instant (SLA convention 12).
* **contain** is the engine's resolution clock of a projection in which `contained` is the
  resolution and `reopened` / `uncontained` (containment lost) reopen it.
* **resolve** is the engine's resolution clock, with `resolved` and `reopened` as they are.

Severity changes are the engine's priority changes, so business time already used survives
them. The targets are the client's security response policy (`services.security.policy`);
a clock that has stopped keeps the judgement recorded when it stopped (`IncidentSlaOutcome`,
convention 11). Time while contained does not count for containment, nor time while resolved
for resolution (convention 10); incidents have no waiting status, so nothing pauses.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from services.security.models import (
    IncidentSlaEvent,
    IncidentSlaEventKind,
    IncidentSlaOutcome,
    SecurityClock,
    SecurityIncident,
)
from services.security.policy import ResponsePolicy
from services.sla import engine

logger = logging.getLogger(__name__)

CLOCK_PROBLEM = (
    "The SLA clocks of this incident can't be computed under the client's security response "
    "policy (a target its business calendar can't reach). Fix the targets; the clocks are "
    "computed again on the incident's next change."
)

# Which stored events each projection keeps, and as which engine event.
_STOPS = {
    SecurityClock.ACKNOWLEDGE: {
        IncidentSlaEventKind.ACKNOWLEDGED: "reply",
        IncidentSlaEventKind.RESOLVED: "resolved",
    },
    SecurityClock.CONTAIN: {
        IncidentSlaEventKind.CONTAINED: "resolved",
        IncidentSlaEventKind.UNCONTAINED: "reopened",
        IncidentSlaEventKind.REOPENED: "reopened",
    },
    SecurityClock.RESOLVE: {
        IncidentSlaEventKind.RESOLVED: "resolved",
        IncidentSlaEventKind.REOPENED: "reopened",
    },
}
# The engine's words in explanations, in the security clock's words.
_WORDS = {
    SecurityClock.ACKNOWLEDGE: (("first response", "acknowledge"), ("first public reply", "acknowledgement")),
    SecurityClock.CONTAIN: (("resolution", "containment"), ("resolved", "contained"), ("ticket", "incident")),
    SecurityClock.RESOLVE: (("ticket", "incident"),),
}


def project(
    events: Sequence[IncidentSlaEvent], clock: str, policy: engine.SlaPolicy
) -> list[engine.SlaEvent]:
    """The engine event log measuring `clock`."""
    stops = _STOPS[SecurityClock(clock)]
    projected: list[engine.SlaEvent] = []
    for event in events:
        if event.kind == IncidentSlaEventKind.CREATED:
            projected.append(engine.SlaEvent.created(event.at, policy, event.severity))
        elif event.kind == IncidentSlaEventKind.SEVERITY_CHANGED:
            projected.append(engine.SlaEvent.priority_changed(event.at, event.severity))
        elif event.kind in stops:
            meaning = stops[event.kind]  # type: ignore[index]
            if meaning == "reply":
                projected.append(engine.SlaEvent.first_public_reply(event.at))
            elif meaning == "resolved":
                projected.append(engine.SlaEvent.resolved(event.at))
            else:
                projected.append(engine.SlaEvent.reopened(event.at))
    return projected


@dataclass(frozen=True)
class SecurityClockStatus:
    """One security clock: its name and the engine's status of the measure it is."""

    name: str
    status: engine.ClockStatus
    cycle: int  # how many times it has stopped so far (recorded outcomes are per cycle)

    @property
    def explain_steps(self) -> list[str]:
        steps = []
        for step in self.status.explain.steps:
            for engine_word, ours in _WORDS[SecurityClock(self.name)]:
                step = step.replace(engine_word, ours)
            steps.append(step)
        return steps


@dataclass(frozen=True)
class IncidentClocks:
    acknowledge: SecurityClockStatus
    contain: SecurityClockStatus
    resolve: SecurityClockStatus

    def all(self) -> tuple[SecurityClockStatus, ...]:
        return (self.acknowledge, self.contain, self.resolve)


def _stops(events: Sequence[IncidentSlaEvent], kind: str, now: datetime) -> int:
    return sum(1 for event in events if event.kind == kind and event.at <= now)


def evaluate(
    events: Sequence[IncidentSlaEvent],
    policy: ResponsePolicy,
    now: datetime,
    outcomes: Sequence[IncidentSlaOutcome] = (),
) -> IncidentClocks:
    """The three clocks at `now` (raises the engine's ValueError for a policy it can't compute)."""
    recorded = {(outcome.clock, outcome.cycle): outcome for outcome in outcomes}
    results: dict[str, SecurityClockStatus] = {}
    for clock in SecurityClock.values:
        clocks = engine.evaluate_sla_clocks(project(events, clock, policy.engine_policy(clock)), now)
        if clock == SecurityClock.ACKNOWLEDGE:
            status, cycle = clocks.first_response, 1
        else:
            status = clocks.resolution
            stop_kind = (
                IncidentSlaEventKind.CONTAINED
                if clock == SecurityClock.CONTAIN
                else IncidentSlaEventKind.RESOLVED
            )
            cycle = max(_stops(events, stop_kind, now), 1)
        outcome = recorded.get((clock, cycle))
        if outcome is not None:
            status = engine.keep_judgement(status, _judgement(outcome))
        results[clock] = SecurityClockStatus(clock, status, cycle)
    return IncidentClocks(
        acknowledge=results[SecurityClock.ACKNOWLEDGE],
        contain=results[SecurityClock.CONTAIN],
        resolve=results[SecurityClock.RESOLVE],
    )


def _judgement(outcome: IncidentSlaOutcome) -> engine.RecordedJudgement:
    return engine.RecordedJudgement(
        met=outcome.result == IncidentSlaOutcome.Result.MET,
        priority=outcome.severity,
        target_seconds=outcome.target_minutes * 60,
        due_at=outcome.due_at,
        used_seconds=outcome.business_minutes_used * 60,
        judged_at=outcome.judged_at,
    )


@dataclass(frozen=True)
class CheckedClocks:
    clocks: IncidentClocks | None
    problem: str | None = None


def incident_clocks(
    incident: SecurityIncident, policy: ResponsePolicy, now: datetime | None = None
) -> CheckedClocks:
    """The incident's clocks, or why they can't be computed (logged, never raised: the
    incident can still be worked; staff see the problem on it and in the queue)."""
    now = now or timezone.now()
    events = list(incident.sla_events.all())
    if not events:
        return CheckedClocks(None)
    try:
        return CheckedClocks(evaluate(events, policy, now, list(incident.sla_outcomes.all())))
    except (ValueError, OverflowError):
        logger.warning("SLA clocks of security incident %s can't be computed", incident.pk, exc_info=True)
        return CheckedClocks(None, CLOCK_PROBLEM)


def record_outcomes(incident: SecurityIncident, clocks: IncidentClocks) -> list[IncidentSlaOutcome]:
    """Store the judgement of every stopped clock not judged yet (rows are never changed)."""
    recorded = []
    for clock in clocks.all():
        status = clock.status
        if not status.is_judged:
            continue
        assert (
            status.target_seconds is not None and status.due_at is not None and status.stopped_at is not None
        )
        used = status.used_minutes or 0
        target = status.target_seconds // 60
        outcome, created = IncidentSlaOutcome.objects.get_or_create(
            incident=incident,
            clock=clock.name,
            cycle=clock.cycle,
            defaults={
                "result": IncidentSlaOutcome.Result.MET
                if status.state is engine.ClockState.MET
                else IncidentSlaOutcome.Result.BREACHED,
                "severity": status.explain.priority,
                "target_minutes": target,
                "business_minutes_used": used,
                "minutes_over": used - target,
                "due_at": status.due_at,
                "judged_at": status.stopped_at,
            },
        )
        if created:
            recorded.append(outcome)
    return recorded
