"""SLA e-mails go through an outbox: recorded once with the sweep's batch, delivered at
least once even when the worker dies between the commit and the sending."""

from __future__ import annotations

import smtplib
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.models import OutboxMessage
from services.support.actions import NewTicket, assign_ticket, create_ticket
from services.workqueue.models import Notification
from services.workqueue.sweep import SEND_EMAILS_TASK, send_sla_emails, sweep_sla_alerts
from services.workqueue.tasks import sweep_sla_alerts_task
from tenants.models import StaffClientAccess

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
BREACHED = T0 + timedelta(hours=2)


def _assigned_ticket(world, assignee) -> None:
    with tenant_context(world.a):
        ticket = create_ticket(
            world.a, NewTicket(title="VPN down", impact="medium", urgency="high"), actor=world.a_lead, now=T0
        )
        assign_ticket(world.a, ticket.number, actor=world.admin, assignee_id=assignee.pk, now=T0)


def test_a_worker_killed_after_the_commit_loses_no_email(world, django_capture_on_commit_callbacks):
    """The reported loss: e-mails were sent by an after-commit loop, so a worker killed
    right after the batch's commit lost them for good (and the dedupe blocked a retry)."""
    _assigned_ticket(world, world.technician)
    # The batch commits; the worker dies before anything runs after the commit.
    with django_capture_on_commit_callbacks(execute=False):
        assert sweep_sla_alerts(BREACHED).notifications == 2
    assert mail.outbox == []
    rows = Notification.objects.filter(kind="sla_breach")
    assert rows.count() == 2 and all(row.email_pending for row in rows)
    trigger = OutboxMessage.objects.get(task=SEND_EMAILS_TASK, sent_at__isnull=True)
    assert trigger.schema_name == "public"

    # Whichever sender comes next (the relayed task, or the next minute's sweep) sends each once.
    assert send_sla_emails() == 2
    assert sorted(to for message in mail.outbox for to in message.to) == sorted(
        [world.technician.email, world.account_manager.email]
    )
    assert all(row.emailed_at is not None and not row.email_pending for row in rows.all())
    assert send_sla_emails() == 0 and len(mail.outbox) == 2  # recorded once


def test_the_next_sweep_hands_old_pending_emails_to_a_sender(world):
    _assigned_ticket(world, world.technician)
    sweep_sla_alerts(BREACHED)
    senders = OutboxMessage.objects.filter(task=SEND_EMAILS_TASK)
    assert senders.count() == 1  # the batch's own
    sweep_sla_alerts_task.apply().get()
    assert senders.count() == 1  # pending for less than a minute: their own sender is on its way
    Notification.objects.update(created_at=timezone.now() - timedelta(minutes=2))
    sweep_sla_alerts_task.apply().get()
    assert senders.count() == 2


def test_access_is_rechecked_when_the_email_goes_out(world):
    _assigned_ticket(world, world.limited_technician)
    sweep_sla_alerts(BREACHED)
    StaffClientAccess.objects.filter(user=world.limited_technician, client=world.a).delete()
    assert send_sla_emails() == 1
    assert [message.to for message in mail.outbox] == [[world.account_manager.email]]
    told = Notification.objects.get(user=world.limited_technician)
    assert told.email_pending is False and told.emailed_at is None  # settled, never sent


def test_a_mail_server_failure_keeps_what_was_sent_and_retries_the_rest(world, monkeypatch):
    _assigned_ticket(world, world.technician)
    sweep_sla_alerts(BREACHED)
    from services.workqueue import mail as notification_mail

    calls = []
    real = notification_mail.send_mail

    def flaky(**kwargs):
        calls.append(kwargs["recipient_list"])
        if len(calls) == 2:
            raise smtplib.SMTPServerDisconnected("gone")
        return real(**kwargs)

    monkeypatch.setattr(notification_mail, "send_mail", flaky)
    with pytest.raises(smtplib.SMTPServerDisconnected):
        send_sla_emails()
    assert Notification.objects.filter(email_pending=True).count() == 1
    monkeypatch.setattr(notification_mail, "send_mail", real)
    assert send_sla_emails() == 1
    assert len(mail.outbox) == 2  # each person once
