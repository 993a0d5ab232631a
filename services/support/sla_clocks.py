"""A ticket's SLA clocks: its stored event log replayed through the pure engine.

Due instants are recomputed from the whole log every time, never patched; outcomes of
clocks that have stopped are recorded once, immutably.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from django.utils import timezone

from services.catalog.sla_policies import engine_policy, load_policy
from services.sla import engine
from services.support.models import SlaEventKind, SlaOutcome, Ticket, TicketSlaEvent


def engine_events(events: Sequence[TicketSlaEvent]) -> list[engine.SlaEvent]:
    """Translate stored events; policies are loaded once per distinct id."""
    policies: dict[int, engine.SlaPolicy] = {}

    def policy(policy_id: int) -> engine.SlaPolicy:
        if policy_id not in policies:
            policies[policy_id] = engine_policy(load_policy(policy_id))
        return policies[policy_id]

    translated = []
    for event in events:
        kind = event.kind
        if kind == SlaEventKind.CREATED:
            assert event.policy_id is not None
            translated.append(engine.SlaEvent.created(event.at, policy(event.policy_id), event.priority))
        elif kind == SlaEventKind.PRIORITY_CHANGED:
            translated.append(engine.SlaEvent.priority_changed(event.at, event.priority))
        elif kind == SlaEventKind.POLICY_CHANGED:
            assert event.policy_id is not None
            translated.append(
                engine.SlaEvent.policy_changed(event.at, policy(event.policy_id), event.priority or None)
            )
        elif kind == SlaEventKind.PAUSED:
            translated.append(engine.SlaEvent.paused(event.at, event.reason or "waiting"))
        elif kind == SlaEventKind.RESUMED:
            translated.append(engine.SlaEvent.resumed(event.at))
        elif kind == SlaEventKind.FIRST_PUBLIC_REPLY:
            translated.append(engine.SlaEvent.first_public_reply(event.at))
        elif kind == SlaEventKind.PUBLIC_UPDATE:
            translated.append(engine.SlaEvent.public_update(event.at))
        elif kind == SlaEventKind.RESOLVED:
            translated.append(engine.SlaEvent.resolved(event.at))
        elif kind == SlaEventKind.REOPENED:
            translated.append(engine.SlaEvent.reopened(event.at))
    return translated


def ticket_clocks(ticket: Ticket, now: datetime | None = None) -> engine.SlaClocks | None:
    """The ticket's clocks at `now`, or None for a ticket without an SLA.

    Clocks that have stopped are shown as they were judged (their `SlaOutcome` rows), also when
    the policy's targets or calendar have been edited since (SLA convention 11)."""
    if ticket.sla_policy_id is None:
        return None
    events = list(ticket.sla_events.all())
    if not events:
        return None
    now = now or timezone.now()
    clocks = engine.evaluate_sla_clocks(engine_events(events), now)
    resolutions = sum(1 for event in events if event.kind == SlaEventKind.RESOLVED and event.at <= now)
    return _as_judged(clocks, list(ticket.sla_outcomes.all()), resolutions)


def _judgement(outcome: SlaOutcome) -> engine.RecordedJudgement:
    return engine.RecordedJudgement(
        met=outcome.result == SlaOutcome.Result.MET,
        priority=outcome.priority,
        target_seconds=outcome.target_minutes * 60,
        due_at=outcome.due_at,
        used_seconds=outcome.business_minutes_used * 60,
        judged_at=outcome.judged_at,
    )


def _as_judged(clocks: engine.SlaClocks, outcomes: list[SlaOutcome], resolutions: int) -> engine.SlaClocks:
    """`clocks` with every stopped clock that has a recorded judgement kept as judged."""
    recorded = {(outcome.clock, outcome.cycle): _judgement(outcome) for outcome in outcomes}

    def kept(status: engine.ClockStatus, cycle: int = 0) -> engine.ClockStatus:
        judgement = recorded.get((str(status.name), cycle))
        return status if judgement is None else engine.keep_judgement(status, judgement)

    cycles = tuple(kept(status, number) for number, status in enumerate(clocks.next_update_cycles, start=1))
    return replace(
        clocks,
        first_response=kept(clocks.first_response),
        first_resolution=kept(clocks.first_resolution),
        resolution=kept(clocks.resolution, resolutions),
        next_update=cycles[-1],
        next_update_cycles=cycles,
    )


def record_outcomes(ticket: Ticket, clocks: engine.SlaClocks, policy_id: int) -> list[SlaOutcome]:
    """Store the judgement of every stopped clock not judged yet. Existing rows are never changed."""
    judged: list[tuple[str, int, engine.ClockStatus]] = []
    for status in (clocks.first_response, clocks.first_resolution, clocks.resolution):
        if status.is_judged:
            cycle = 0
            if status.name == engine.ClockName.RESOLUTION:
                # Each resolution is judged again (a reopen restarts the final clock).
                cycle = ticket.sla_events.filter(kind=SlaEventKind.RESOLVED).count()
            judged.append((str(status.name), cycle, status))
    for cycle_number, status in enumerate(clocks.next_update_cycles, start=1):
        if status.is_judged:
            judged.append((str(status.name), cycle_number, status))
    recorded = []
    for clock_name, cycle, status in judged:
        assert (
            status.target_seconds is not None and status.due_at is not None and status.stopped_at is not None
        )
        used = status.used_minutes or 0
        target_minutes = status.target_seconds // 60
        outcome, created = SlaOutcome.objects.get_or_create(
            ticket=ticket,
            clock=clock_name,
            cycle=cycle,
            defaults={
                "result": SlaOutcome.Result.MET
                if status.state == engine.ClockState.MET
                else SlaOutcome.Result.BREACHED,
                "priority": status.explain.priority,
                "policy_id": policy_id,
                "target_minutes": target_minutes,
                "business_minutes_used": used,
                "minutes_over": used - target_minutes,
                "due_at": status.due_at,
                "judged_at": status.stopped_at,
            },
        )
        if created:
            recorded.append(outcome)
    return recorded
