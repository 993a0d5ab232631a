"""Who hears about an SLA warning: the assignee, the client's account manager and the
ticket's staff watchers, each once, each re-checked for access when the notification row
is written and again when its e-mail goes out; with an absolute link to the ticket; and a
constant number of queries per batch whatever the number of items and recipients."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from core.models import OutboxMessage
from services.support.actions import NewTicket, add_watcher, assign_ticket, create_ticket
from services.workqueue.models import Notification, WorkItem
from services.workqueue.sweep import SEND_EMAILS_TASK, send_sla_emails, sweep_sla_alerts
from tenants.actions import msp_url
from tenants.models import Client, StaffClientAccess, User

# Tasks queued through the outbox (e-mails) run when their transaction commits.
pytestmark = pytest.mark.usefixtures("eager_tasks")

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # a Tuesday, 09:00 London
BREACHED = T0 + timedelta(hours=2)


def _ticket(
    world, client: Client, assignee: User | None, *watchers: User, title="Printer on fire"
) -> WorkItem:
    lead = world.a_lead if client == world.a else world.b_lead
    with tenant_context(client):
        ticket = create_ticket(
            client, NewTicket(title=title, impact="medium", urgency="high"), actor=lead, now=T0
        )
        if assignee is not None:
            assign_ticket(client, ticket.number, actor=world.admin, assignee_id=assignee.pk, now=T0)
        for watcher in watchers:
            add_watcher(client, ticket.number, actor=world.admin, watcher_email=watcher.email)
    return WorkItem.objects.get(client=client, object_id=ticket.pk)


def _told(user: User) -> list[str]:
    return list(Notification.objects.filter(user=user).values_list("title", flat=True))


def test_a_technician_removed_from_the_allow_list_is_told_nothing(world, django_capture_on_commit_callbacks):
    """The reported hole: the assignee was notified without re-checking access."""
    _ticket(world, world.a, world.limited_technician)
    # Access removed by any means (here a raw delete, as a database edit would do it).
    StaffClientAccess.objects.filter(user=world.limited_technician, client=world.a).delete()
    with django_capture_on_commit_callbacks(execute=True):
        sweep_sla_alerts(BREACHED)
    assert _told(world.limited_technician) == []
    assert world.limited_technician.email not in [to for message in mail.outbox for to in message.to]
    assert _told(world.account_manager) == ["Alpha Health #1: first response SLA breached"]


def test_a_deactivated_assignee_is_told_nothing(world, django_capture_on_commit_callbacks):
    _ticket(world, world.a, world.technician)
    User.objects.filter(pk=world.technician.pk).update(is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        sweep_sla_alerts(BREACHED)
    assert _told(world.technician) == []
    assert [message.to for message in mail.outbox] == [[world.account_manager.email]]


def test_the_email_rechecks_access_when_it_goes_out(world, django_capture_on_commit_callbacks):
    """Between the sweep's commit and the e-mail, the technician leaves the allow-list."""
    _ticket(world, world.a, world.limited_technician)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        sweep_sla_alerts(BREACHED)
    assert len(_told(world.limited_technician)) == 1  # the in-app row was written while allowed
    StaffClientAccess.objects.filter(user=world.limited_technician, client=world.a).delete()
    for callback in callbacks:
        callback()
    assert [message.to for message in mail.outbox] == [[world.account_manager.email]]


def test_account_manager_and_staff_watchers_follow_once_each_with_a_link(
    world, django_capture_on_commit_callbacks
):
    # The assignee also watches; a client user watches too (never told about internal SLAs).
    item = _ticket(world, world.a, world.technician, world.technician, world.admin, world.a_member)
    assert sorted(item.watcher_ids) == sorted([world.technician.pk, world.admin.pk, world.a_member.pk])
    with django_capture_on_commit_callbacks(execute=True):
        result = sweep_sla_alerts(BREACHED)
    assert result.notifications == 3
    link = msp_url("/tickets/alpha/1")
    assert link.startswith(("http://", "https://")) and link.endswith("/tickets/alpha/1")
    rows = Notification.objects.order_by("user_id")
    assert sorted(row.user_id for row in rows) == sorted(
        [world.technician.pk, world.account_manager.pk, world.admin.pk]
    )
    assert all(row.link == link and link in row.body for row in rows)
    assert sorted(to for message in mail.outbox for to in message.to) == sorted(
        [world.technician.email, world.account_manager.email, world.admin.email]
    )
    assert all(link in message.body for message in mail.outbox)
    assert _told(world.a_member) == []
    # Idempotent: the stage is stored, a second sweep sends nothing to anyone.
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_sla_alerts(BREACHED + timedelta(minutes=1)).notifications == 0
    assert len(mail.outbox) == 3


def test_a_watcher_removed_from_the_allow_list_is_told_nothing(world, django_capture_on_commit_callbacks):
    _ticket(world, world.a, world.technician, world.limited_technician)
    StaffClientAccess.objects.filter(user=world.limited_technician, client=world.a).delete()
    with django_capture_on_commit_callbacks(execute=True):
        sweep_sla_alerts(BREACHED)
    assert _told(world.limited_technician) == []
    assert world.limited_technician.email not in [to for message in mail.outbox for to in message.to]


def _queries(django_capture_on_commit_callbacks, run) -> int:
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=False):
        run()
    return len(queries)


@pytest.mark.parametrize(("tickets", "batch_size", "batches"), [(1, 1000, 1), (6, 1000, 1), (6, 4, 2)])
def test_the_sweep_uses_a_fixed_number_of_queries_per_batch(
    world, django_capture_on_commit_callbacks, tickets, batch_size, batches
):
    """The sweep: 1 candidates; per batch 6: savepoint, one statement that locks, decides and
    records the items, one access check, one insert of the notifications, the outbox
    message, release. The e-mails' sender: per
    batch 5 (savepoint, claim, the access re-check, mark sent, release; a sixth marks those
    no longer allowed, when there are any) and the empty claim that ends it (3). Whatever
    the number of items, clients, watchers and recipients."""
    for index in range(tickets):
        client = world.a if index % 2 == 0 else world.b
        watchers = (world.admin, world.limited_technician) if index % 4 == 0 else (world.admin,)
        _ticket(world, client, world.technician, *watchers, title=f"Ticket {index}")
    sweep = lambda: sweep_sla_alerts(BREACHED, batch_size=batch_size)  # noqa: E731
    assert _queries(django_capture_on_commit_callbacks, sweep) == 1 + 6 * batches
    assert OutboxMessage.objects.filter(task=SEND_EMAILS_TASK, sent_at__isnull=True).count() == batches
    assert mail.outbox == []
    assert _queries(django_capture_on_commit_callbacks, send_sla_emails) == 8
    assert len(mail.outbox) == Notification.objects.count() > tickets


def test_notifications_written_before_access_was_removed_are_no_longer_shown(world, gql):
    """The in-app list hides a client the person no longer reaches, like the queue does."""
    _ticket(world, world.a, world.limited_technician)
    sweep_sla_alerts(BREACHED)
    limited = gql(world.limited_technician)
    query = "{ unreadNotificationCount notifications { title } }"
    assert limited.data(query) == {
        "unreadNotificationCount": 1,
        "notifications": [{"title": "Alpha Health #1: first response SLA breached"}],
    }
    StaffClientAccess.objects.filter(user=world.limited_technician, client=world.a).delete()
    assert limited.data(query) == {"unreadNotificationCount": 0, "notifications": []}
    assert (
        limited.data("mutation { markNotificationsRead { updated } }")["markNotificationsRead"]["updated"]
        == 0
    )
