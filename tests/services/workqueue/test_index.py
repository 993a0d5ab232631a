"""The queue row's next deadline is the earliest *instant*, also inside a repeated hour."""

from __future__ import annotations

from datetime import UTC, datetime

from django_tenants.utils import tenant_context

from services.catalog.actions import (
    CalendarInput,
    PolicyInput,
    TargetInput,
    save_business_calendar,
    save_sla_policy,
    set_client_sla,
)
from services.support.actions import NewTicket, create_ticket
from services.workqueue.models import WorkItem


def test_next_deadline_is_the_earliest_instant_in_a_fall_back_hour(world):
    # A 24x7 New York desk; P1 answers in 110 min and resolves in 130 min. Created at 00:00 EDT
    # on the night New York falls back, the first response is due 01:50 EDT (05:50 UTC) and the
    # resolution 01:10 EST (06:10 UTC) — earlier on the wall clock, later in time.
    calendar = save_business_calendar(
        CalendarInput(name="Night desk", timezone="America/New_York", always_open=True), actor=world.admin
    )
    targets = [
        TargetInput(priority, 110 if priority == "P1" else 240, None, 130 if priority == "P1" else 480)
        for priority in ("P1", "P2", "P3", "P4")
    ]
    policy = save_sla_policy(
        PolicyInput(name="Night desk", calendar_id=calendar.pk), actor=world.admin, targets=targets
    )
    set_client_sla(world.a, actor=world.admin, policy_id=policy.pk)
    with tenant_context(world.a):
        ticket = create_ticket(
            world.a,
            NewTicket(title="Core switch down", impact="high", urgency="high"),
            actor=world.a_lead,
            now=datetime(2025, 11, 2, 4, 0, tzinfo=UTC),
        )
    assert ticket.priority == "P1"
    item = WorkItem.objects.get(client=world.a, object_id=ticket.pk)
    assert item.next_deadline_clock == "first_response"
    assert item.next_deadline_at == datetime(2025, 11, 2, 5, 50, tzinfo=UTC)
