"""Races on one ticket: simultaneous status changes keep the SLA clocks and the timeline in
commit order.

A request that waited for the ticket's lock must not record its change at an instant taken
before it waited: replayed by time, its event would sort before one that committed first
(an open ticket left with every clock paused, or a waiting one with clocks running).
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection, connections
from django.utils import timezone as django_timezone
from django_tenants.utils import tenant_context

from services.support import actions
from services.support.models import Ticket, TicketActivity, TicketCounter, TicketSlaEvent
from services.support.sla_clocks import ticket_clocks
from tests.conftest import World
from tests.services.support.status_race import check_answers, check_ticket, race_round, signed_in

ROUNDS = 3
REQUESTS = 20


def test_simultaneous_status_changes_keep_clocks_and_timeline_in_commit_order(
    world_state: World, committed_ticket: Ticket, django_db_blocker: Any
) -> None:
    """20 requests released at once by a barrier, each on its own connection through the
    real GraphQL endpoint, several rounds in a row."""
    with django_db_blocker.unblock():
        staff = [signed_in(world_state, world_state.technician) for _ in range(REQUESTS)]
        status_changes = 1  # new -> open in the fixture
        for round_number in range(1, ROUNDS + 1):
            answers = race_round(staff, world_state.a.slug, committed_ticket.number)
            changed, problems = check_answers(answers)
            state = check_ticket(world_state.a, committed_ticket.pk)
            assert not problems + state.problems, f"round {round_number}: " + "\n".join(
                problems + state.problems
            )
            status_changes += changed
            assert changed > 0
            assert state.status_changes == status_changes  # each success is one timeline entry


# ---------------------------------------------------------------- deterministic checks


T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # a Tuesday, in business hours


def test_a_change_committed_later_never_sorts_before_an_earlier_one(world: World) -> None:
    """Two web servers whose clocks disagree: the second change to commit carries an
    earlier instant than the first. It is recorded at the first one's instant (and after it
    by id), so the replay and the timeline keep commit order and the clocks follow the
    status."""
    with tenant_context(world.a):
        ticket = actions.create_ticket(
            world.a,
            actions.NewTicket(title="Skewed", impact="medium", urgency="high"),
            actor=world.a_lead,
            now=T0,
        )
        actions.change_status(world.a, ticket.number, actor=world.technician, status="open", now=T0)
        # Server 1 (clock right) pauses the ticket at 10:00...
        actions.change_status(
            world.a,
            ticket.number,
            actor=world.technician,
            status="waiting_on_client",
            now=T0 + timedelta(hours=1),
        )
        # ...then server 2, whose clock is a second behind, resumes it.
        actions.change_status(
            world.a,
            ticket.number,
            actor=world.technician,
            status="open",
            now=T0 + timedelta(hours=1) - timedelta(seconds=1),
        )
        ticket.refresh_from_db()
        events = list(TicketSlaEvent.objects.filter(ticket=ticket))
        assert [event.kind for event in events] == ["created", "paused", "resumed"]
        assert events[-1].at == T0 + timedelta(hours=1)
        timeline = list(TicketActivity.objects.filter(ticket=ticket))
        assert [a.pk for a in timeline] == sorted(a.pk for a in timeline)
        assert [a.detail.get("to") for a in timeline if a.kind == "status"] == [
            "open",
            "waiting_on_client",
            "open",
        ]
        clocks = ticket_clocks(ticket, T0 + timedelta(hours=2))
        assert clocks is not None
        assert clocks.first_response.state == "breached"  # running again (60 min target, 2 h open)
        assert ticket.updated_at == T0 + timedelta(hours=1)


class _LockProbe:
    """Stands in for `django.utils.timezone` inside the actions module: every time an
    action reads the clock, a second connection tries to lock the row the action must be
    holding (NOWAIT) and records whether it could."""

    def __init__(self, table: str, pk: int):
        self.table, self.pk = table, pk
        self.unlocked_reads = 0
        self.reads = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(django_timezone, name)

    def now(self) -> datetime:
        self.reads += 1
        outcome: list[bool] = []

        def probe() -> None:
            from django.db.utils import OperationalError

            try:
                with connections["default"].cursor() as cursor:
                    cursor.execute("BEGIN")
                    try:
                        cursor.execute(
                            f"SELECT 1 FROM {self.table} WHERE id = %s FOR UPDATE NOWAIT", [self.pk]
                        )
                        outcome.append(True)
                    except OperationalError:
                        outcome.append(False)
                    finally:
                        cursor.execute("ROLLBACK")
            finally:
                connections["default"].close()

        thread = threading.Thread(target=probe)
        thread.start()
        thread.join()
        if outcome == [True]:
            self.unlocked_reads += 1
        return django_timezone.now()


def test_every_action_reads_the_clock_while_holding_the_lock(
    world_state: World, committed_ticket: Ticket, django_db_blocker: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The instant of a change is taken after the ticket (or, for a new ticket, the ticket
    counter) is locked, in every action that records one."""
    client, number = world_state.a, committed_ticket.number
    schema = client.schema_name
    tech = world_state.technician
    changes = {
        "triage_ticket": lambda: actions.triage_ticket(
            client, number, actor=tech, impact="high", urgency="high"
        ),
        "assign_ticket": lambda: actions.assign_ticket(client, number, actor=tech, assignee_id=tech.pk),
        "change_status": lambda: actions.change_status(client, number, actor=tech, status="in_progress"),
        "reply": lambda: actions.reply(client, number, actor=tech, body="On it."),
        "add_internal_note": lambda: actions.add_internal_note(client, number, actor=tech, body="Toner."),
        "log_time": lambda: actions.log_time(client, number, actor=tech, minutes=10),
        "unassign_after_lost_access": lambda: actions.unassign_after_lost_access(
            client, assignee=tech, actor=None
        ),
    }
    with django_db_blocker.unblock(), tenant_context(client):
        for name, change in changes.items():
            probe = _LockProbe(f'"{schema}".support_ticket', committed_ticket.pk)
            monkeypatch.setattr(actions, "timezone", probe)
            change()
            assert probe.reads > 0, name
            assert probe.unlocked_reads == 0, f"{name} read the clock before locking the ticket"
        counter = TicketCounter.objects.get()
        probe = _LockProbe(f'"{schema}".support_ticketcounter', counter.pk)
        monkeypatch.setattr(actions, "timezone", probe)
        actions.create_ticket(
            client, actions.NewTicket(title="Another", impact="low", urgency="low"), actor=world_state.a_lead
        )
        assert probe.reads > 0
        assert probe.unlocked_reads == 0, "create_ticket read the clock before locking the counter"
    connection.close()
