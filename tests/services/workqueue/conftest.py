from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context

from services.support.models import Ticket
from services.workqueue.models import Notification, WorkItem


@pytest.fixture
def transactional_sweep_world(world_state, django_db_blocker):
    """A committed ticket (two sweeps on two connections must see it), removed afterwards."""
    from tests.services.workqueue.test_sweep import T0

    with django_db_blocker.unblock():
        from services.support.actions import NewTicket, assign_ticket, create_ticket

        with tenant_context(world_state.b):
            ticket = create_ticket(
                world_state.b,
                NewTicket(title="Overlap", impact="medium", urgency="high"),
                actor=world_state.b_lead,
                now=T0,
            )
            assign_ticket(
                world_state.b,
                ticket.number,
                actor=world_state.technician,
                assignee_id=world_state.technician.pk,
                now=T0,
            )
        item = WorkItem.objects.get(client=world_state.b, object_id=ticket.pk)
        yield item
        Notification.objects.filter(dedupe_key__startswith=f"sla:{item.pk}:").delete()
        item.delete()
        with tenant_context(world_state.b):
            Ticket.objects.filter(pk=ticket.pk).delete()
