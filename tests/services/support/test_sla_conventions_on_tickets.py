"""SLA conventions 11 and 12 end to end: tickets changed through the service-desk actions,
their clocks read back through the ticket's event log and the stored outcomes.

The default "Standard" policy on UK business hours (09:00-12:30, 13:00-17:30): P1 first
response 30 min and resolution 4 h around the clock; P2 first response 1 h; P3 first
response 4 h. Monday 23 November 2026 is an ordinary working Monday (GMT == UTC)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django_tenants.utils import tenant_context

from core.errors import ActionError
from services.sla import engine
from services.support.actions import NewTicket, change_status, create_ticket, reply, triage_ticket
from services.support.models import SlaEventKind, SlaOutcome, Ticket
from services.support.sla_clocks import ticket_clocks

MONDAY_NINE = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def at(hours: float) -> datetime:
    return MONDAY_NINE + timedelta(hours=hours)


def _ticket(world, impact: str, urgency: str) -> Ticket:
    return create_ticket(
        world.a,
        NewTicket(title="Laptop", impact=impact, urgency=urgency),
        actor=world.a_lead,
        now=MONDAY_NINE,
    )


def _outcome(ticket: Ticket, clock: str) -> tuple[str, str, int, datetime, datetime]:
    row = SlaOutcome.objects.get(ticket=ticket, clock=clock)
    return row.result, row.priority, row.target_minutes, row.due_at, row.judged_at


def test_convention_11_escalation_after_a_timely_answer_keeps_it_met(world):
    with tenant_context(world.a):
        ticket = _ticket(world, "medium", "medium")
        assert ticket.priority == "P3"
        reply(world.a, ticket.number, actor=world.technician, body="Looking at it", now=at(2))
        answered = _outcome(ticket, "first_response")
        # 4 business hours from 09:00: 09:00-12:30 and 13:00-13:30.
        assert answered == ("met", "P3", 240, at(4.5), at(2))
        triage_ticket(
            world.a, ticket.number, actor=world.technician, impact="high", urgency="high", now=at(3)
        )
        ticket.refresh_from_db()
        assert ticket.priority == "P1"
        clocks = ticket_clocks(ticket, at(3.5))
        outcome_after = _outcome(ticket, "first_response")
    assert clocks is not None
    # Not re-judged under P1's 30 minutes: still met, still due 13:30 under P3's terms.
    first = clocks.first_response
    assert (first.state, first.target_seconds, first.explain.priority) == (
        engine.ClockState.MET,
        240 * 60,
        "P3",
    )
    assert first.due_at is not None and first.due_at.timestamp() == at(4.5).timestamp()
    assert outcome_after == answered
    # The running resolution clock follows P1: 4 h around the clock from 09:00.
    resolution = clocks.resolution
    assert resolution.state is engine.ClockState.RUNNING and resolution.due_at is not None
    assert (resolution.target_seconds, resolution.due_at.timestamp()) == (4 * 3600, at(4).timestamp())


def test_convention_12_resolving_before_any_reply_answers_the_first_response(world):
    with tenant_context(world.a):
        in_time = _ticket(world, "medium", "high")
        late = _ticket(world, "medium", "high")
        assert in_time.priority == late.priority == "P2"
        change_status(world.a, in_time.number, actor=world.technician, status="resolved", now=at(0.5))
        change_status(world.a, late.number, actor=world.technician, status="resolved", now=at(2))
        # Reopened, then answered: the first response was already judged at the resolve.
        change_status(world.a, late.number, actor=world.technician, status="open", now=at(3))
        reply(world.a, late.number, actor=world.technician, body="Sorry, reopening", now=at(3.25))
        assert _outcome(in_time, "first_response") == ("met", "P2", 60, at(1), at(0.5))
        assert _outcome(late, "first_response") == ("breached", "P2", 60, at(1), at(2))
        late_clocks = ticket_clocks(Ticket.objects.get(pk=late.pk), at(4))
    assert late_clocks is not None
    first = late_clocks.first_response
    assert first.state is engine.ClockState.BREACHED
    assert first.stopped_at is not None and first.stopped_at.timestamp() == at(2).timestamp()


def test_convention_12_a_second_resolve_is_refused_and_changes_nothing(world):
    with tenant_context(world.a):
        ticket = _ticket(world, "medium", "high")
        change_status(world.a, ticket.number, actor=world.technician, status="resolved", now=at(1))
        before = (
            list(ticket.sla_events.values_list("kind", "at")),
            list(
                SlaOutcome.objects.filter(ticket=ticket).values_list("clock", "cycle", "result", "judged_at")
            ),
        )
        with pytest.raises(ActionError) as refused:
            change_status(world.a, ticket.number, actor=world.technician, status="resolved", now=at(5))
        # Closing a resolved ticket is not a second resolve either.
        change_status(world.a, ticket.number, actor=world.a_lead, status="closed", now=at(6))
        after = (
            list(ticket.sla_events.values_list("kind", "at")),
            list(
                SlaOutcome.objects.filter(ticket=ticket).values_list("clock", "cycle", "result", "judged_at")
            ),
        )
    assert refused.value.errors[0].code == "INVALID_TRANSITION"
    assert after == before
    assert [kind for kind, _ in after[0]].count(SlaEventKind.RESOLVED) == 1


def test_convention_11_editing_the_policy_keeps_judged_clocks_as_judged(world):
    from services.catalog.actions import TargetInput, save_policy_targets
    from services.catalog.defaults import STANDARD_TARGETS

    with tenant_context(world.a):
        ticket = _ticket(world, "medium", "medium")
        reply(world.a, ticket.number, actor=world.technician, body="Looking at it", now=at(2))
    assert ticket.sla_policy_id is not None
    # The admin tightens P3: first response 1 h (was 4 h), resolution 8 h (was 24 h).
    targets = [
        TargetInput(str(priority), first, update, resolution, around)
        for priority, (first, update, resolution, around) in STANDARD_TARGETS.items()
        if priority != "P3"
    ]
    targets.append(TargetInput("P3", 60, 8 * 60, 8 * 60, False))
    save_policy_targets(ticket.sla_policy_id, targets, actor=world.admin)
    with tenant_context(world.a):
        clocks = ticket_clocks(Ticket.objects.get(pk=ticket.pk), at(3))
        stored = _outcome(ticket, "first_response")
    assert clocks is not None
    first = clocks.first_response
    # Shown as judged: met under 4 h and due 13:30, not a breach due 10:00 under the edited 1 h.
    assert (first.state, first.target_seconds, first.used_seconds) == (
        engine.ClockState.MET,
        240 * 60,
        2 * 3600,
    )
    assert first.due_at is not None and first.due_at.timestamp() == at(4.5).timestamp()
    assert "policy has been edited since" in first.explain.steps[-1]
    assert stored == ("met", "P3", 240, at(4.5), at(2))
    # The running resolution clock follows the edit: 8 business hours from Monday 09:00 on
    # 09:00-12:30 and 13:00-17:30 is Monday 17:30.
    resolution = clocks.resolution
    assert (resolution.state, resolution.target_seconds) == (engine.ClockState.RUNNING, 8 * 3600)
    assert resolution.due_at is not None and resolution.due_at.timestamp() == at(8.5).timestamp()
