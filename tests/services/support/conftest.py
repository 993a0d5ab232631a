"""Fixtures for tests that need committed tickets: requests on other connections (threads)
must see them, so they can't live in the rolled-back transaction of `world`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django_tenants.utils import tenant_context

from services.support import actions
from services.support.models import SlaOutcome, Ticket, TicketCounter
from services.workqueue.models import WorkItem
from tests.conftest import World


@pytest.fixture
def committed_ticket(world_state: World, django_db_blocker: Any) -> Iterator[Ticket]:
    """A committed open ticket of client A with an SLA. Afterwards every ticket of client A
    made during the test (and its queue row), every session signed in during the test, and
    the ticket counter are put back as they were."""
    client = world_state.a
    with django_db_blocker.unblock():
        sessions_before = set(Session.objects.values_list("pk", flat=True))
        with tenant_context(client):
            tickets_before = set(Ticket.objects.values_list("pk", flat=True))
            counter = TicketCounter.objects.filter(pk=1).values_list("next_number", flat=True).first()
            ticket = actions.create_ticket(
                client,
                actions.NewTicket(title="Printer jams", impact="medium", urgency="high"),
                actor=world_state.a_lead,
            )
            actions.change_status(client, ticket.number, actor=world_state.technician, status="open")
        try:
            yield ticket
        finally:
            Session.objects.exclude(pk__in=sessions_before).delete()
            with tenant_context(client):
                made = list(Ticket.objects.exclude(pk__in=tickets_before).values_list("pk", flat=True))
                WorkItem.objects.filter(client=client, object_id__in=made).delete()
                SlaOutcome.objects.filter(ticket_id__in=made).delete()
                Ticket.objects.filter(pk__in=made).delete()
                if counter is None:
                    TicketCounter.objects.filter(pk=1).delete()
                else:
                    TicketCounter.objects.filter(pk=1).update(next_number=counter)
