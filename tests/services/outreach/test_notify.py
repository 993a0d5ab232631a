"""Meeting invitations (.ics through Django's mail backend, parsed back), reminders and
overdue alerts by the beat task (each stage once)."""

from __future__ import annotations

from datetime import timedelta

from django.core import mail
from django.utils import timezone
from icalendar import Calendar

from services.directory.models import Contact
from services.outreach import actions
from services.outreach.models import ClientOutreach, InvitationDelivery
from services.outreach.tasks import send_meeting_invitations_task, sweep_checkins_task
from services.workqueue.models import Notification
from tenants.models import Client
from tenants.periodic import PERIODIC_JOBS

PLAN = """
mutation($input: LogCheckInInput!) {
  logCheckIn(input: $input) { checkIn { id status } errors { field code } }
}
"""


def _plan(gql, world, contact, when):
    return gql(world.account_manager).data(
        PLAN,
        {
            "input": {
                "clientSlug": "alpha",
                "kind": "MEETING",
                "subject": "Remote-work readiness",
                "scheduledFor": when.isoformat(),
                "durationMinutes": 45,
                "location": "Alpha HQ",
                "notes": "Internal: they may churn",
                "inviteContactIds": [str(contact.pk)],
            }
        },
    )["logCheckIn"]


def test_a_planned_meeting_sends_an_ics_invitation_once(
    world, gql, a_contact, eager_tasks, django_capture_on_commit_callbacks
):
    when = (timezone.now() + timedelta(days=3)).replace(microsecond=0)
    with django_capture_on_commit_callbacks(execute=True):
        payload = _plan(gql, world, a_contact, when)
    assert payload["errors"] == [] and payload["checkIn"]["status"] == "PLANNED"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [a_contact.email]
    assert message.reply_to == [world.account_manager.email]
    name, content, mimetype = message.attachments[0]
    assert name == "invite.ics" and mimetype.startswith("text/calendar")
    content = content if isinstance(content, str) else content.decode()
    calendar = Calendar.from_ical(content)
    assert str(calendar["method"]) == "REQUEST"
    event = next(iter(calendar.walk("VEVENT")))
    assert str(event["summary"]) == "Remote-work readiness"
    assert event.decoded("dtstart") == when
    assert event.decoded("dtend") == when + timedelta(minutes=45)
    assert str(event["organizer"]) == f"mailto:{world.account_manager.email}"
    assert str(event["attendee"]) == f"mailto:{a_contact.email}"
    assert "churn" not in content and "churn" not in message.body  # notes stay the MSP's
    # Sent again (a redelivered task): nothing more.
    send_meeting_invitations_task.apply()
    assert len(mail.outbox) == 1
    assert InvitationDelivery.objects.get().sent_at is not None
    # Planned: the board's "next check-in".
    assert ClientOutreach.objects.get(client=world.a).next_planned_at == when


def test_access_and_the_contact_are_checked_again_when_sending(world, gql, a_contact, capture_task):
    captured = capture_task("outreach.send_meeting_invitations")
    when = timezone.now() + timedelta(days=3)
    _plan(gql, world, a_contact, when)
    from django_tenants.utils import tenant_context

    with tenant_context(world.a):
        Contact.objects.filter(pk=a_contact.pk).update(is_active=False)
    assert send_meeting_invitations_task.apply().get() == 0
    assert mail.outbox == []
    assert InvitationDelivery.objects.get().sent_at is not None  # closed, never retried
    del captured


def test_reminder_before_the_due_date_and_each_overdue_stage_once(
    world, eager_tasks, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    Client.objects.filter(pk=world.b.pk).update(account_manager=None)
    ClientOutreach.objects.create(client=world.a, next_due_on=today + timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True):
        result = sweep_checkins_task.apply().get()
    assert result["reminded"] == 1
    assert sweep_checkins_task.apply().get()["reminded"] == 0  # once per due date
    reminder = Notification.objects.get(kind="checkin_reminder")
    assert reminder.user_id == world.account_manager.pk and reminder.emailed_at is not None
    assert [m.to for m in mail.outbox] == [[world.account_manager.email]]

    ClientOutreach.objects.filter(client=world.a).update(next_due_on=today - timedelta(days=2))
    assert sweep_checkins_task.apply().get()["alerted"] == 1
    assert sweep_checkins_task.apply().get()["alerted"] == 0
    ClientOutreach.objects.filter(client=world.a).update(next_due_on=today - timedelta(days=30))
    assert sweep_checkins_task.apply().get()["alerted"] == 1  # stage 2 (90-day cadence: from 22 days late)
    ClientOutreach.objects.filter(client=world.a).update(next_due_on=today - timedelta(days=60))
    assert sweep_checkins_task.apply().get()["alerted"] == 1
    assert sweep_checkins_task.apply().get() == {"examined": 0, "reminded": 0, "alerted": 0}
    stages = sorted(Notification.objects.filter(kind="checkin_overdue").values_list("dedupe_key", flat=True))
    assert sorted(key.rsplit(":", 1)[1] for key in stages) == ["1", "2", "3"]
    assert ClientOutreach.objects.get(client=world.a).overdue_stage == 3


def test_a_new_check_in_resets_the_stages(world):
    ClientOutreach.objects.create(
        client=world.a, next_due_on=timezone.localdate() - timedelta(days=5), overdue_stage=2
    )
    actions.log_checkin(
        world.a, actor=world.account_manager, data=actions.NewCheckIn(kind="email", subject="Hi")
    )
    profile = ClientOutreach.objects.get(client=world.a)
    assert profile.overdue_stage == 0
    assert profile.next_due_on is not None and profile.next_due_on > timezone.localdate()


def test_beat_entries_name_registered_tasks():
    from msp_portal.celery import app

    app.loader.import_default_modules()
    outreach_jobs = [job for job in PERIODIC_JOBS if job.task.startswith("outreach.")]
    assert {job.task for job in outreach_jobs} == {
        "outreach.dispatch_health_recompute",
        "outreach.watch_signal_changes",
        "outreach.sweep_checkins",
        "outreach.publish_due_broadcasts",
    }
    for job in outreach_jobs:
        assert job.task in app.tasks
