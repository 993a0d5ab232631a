from datetime import UTC, datetime

from django_tenants.utils import tenant_context

from services.support.actions import NewTicket, change_status, create_ticket, reply
from services.workqueue.models import WorkItem


def test_ticket_roundtrip(world):
    now = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    with tenant_context(world.a):
        t = create_ticket(world.a, NewTicket(title="VPN down", impact="medium", urgency="high"), actor=world.a_lead, now=now)
        item = WorkItem.objects.get(client=world.a, object_id=t.pk)
        print("R", t.priority, item.next_deadline_at, item.next_deadline_clock, item.breach_state, item.alert_schedule)
        reply(world.a, t.number, actor=world.technician, body="Looking", now=now.replace(hour=10, minute=20))
        change_status(world.a, t.number, actor=world.technician, status="waiting_on_client", now=now.replace(hour=10, minute=30))
        item.refresh_from_db()
        print("R", item.breach_state, item.next_deadline_at)
        reply(world.a, t.number, actor=world.a_lead, body="Here", now=now.replace(hour=11))
        change_status(world.a, t.number, actor=world.technician, status="resolved", now=now.replace(hour=12))
        item.refresh_from_db()
        print("R", item.is_open, list(t.sla_outcomes.values_list("clock", "result", "business_minutes_used")))
