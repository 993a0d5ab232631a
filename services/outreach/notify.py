"""What outreach tells people: meeting invitations (.ics), check-in reminders and the
overdue alerts of the account manager (once per stage, like the SLA sweep).

Everything is decided in a transaction as rows (an `InvitationDelivery`, a `Notification`
with its e-mail pending) and sent afterwards by a task that re-checks access when it sends.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from core.tasks import enqueue_on_commit
from services.directory.models import Contact
from services.outreach.models import (
    CheckIn,
    CheckInStatus,
    ClientOutreach,
    InvitationDelivery,
    OutreachSettings,
)
from services.outreach.signals import cadence_days
from services.workqueue.mail import send_notification_emails
from services.workqueue.models import Notification
from tenants.access import who_reaches
from tenants.actions import msp_url
from tenants.models import Client

REMINDER_KIND = "checkin_reminder"
OVERDUE_KIND = "checkin_overdue"
OUTREACH_KINDS = (REMINDER_KIND, OVERDUE_KIND)
SEND_EMAILS_TASK = "outreach.send_outreach_emails"
# Overdue stages: 1 the day after the due date, 2 at a quarter of the cadence late,
# 3 at half the cadence late (at least 7 and 14 days).
OVERDUE_STAGE_LABELS = {1: "overdue", 2: "well overdue", 3: "badly overdue"}


def invitation_ics(
    checkin: CheckIn, organiser_email: str, organiser_name: str, attendees: list[dict[str, str]]
) -> bytes:
    """An iCalendar REQUEST for the planned check-in (RFC 5545/5546)."""
    assert checkin.scheduled_for is not None
    calendar = Calendar()
    calendar.add("prodid", "-//MSP Portal//Outreach//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    event = Event()
    event.add("uid", f"{checkin.ics_uid}@msp-portal")
    event.add("sequence", checkin.ics_sequence)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", checkin.scheduled_for)
    event.add("dtend", checkin.scheduled_for + timedelta(minutes=checkin.duration_minutes))
    event.add("summary", checkin.subject)
    if checkin.location:
        event.add("location", checkin.location)
    organiser = vCalAddress(f"mailto:{organiser_email}")
    organiser.params["cn"] = vText(organiser_name)
    event["organizer"] = organiser
    for person in attendees:
        attendee = vCalAddress(f"mailto:{person['email']}")
        attendee.params["cn"] = vText(person["name"])
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["rsvp"] = vText("TRUE")
        event.add("attendee", attendee, encode=False)
    calendar.add_component(event)
    return bytes(calendar.to_ical())


def send_meeting_invitations(*, batch_size: int = 100) -> int:
    """Send pending invitations. Re-checked when sending: the check-in is still planned and
    in the future, its organiser still reaches the client, the contact is still active with
    the same address. A row is marked sent in the transaction that sent it (SKIP LOCKED)."""
    sent = 0
    while True:
        with transaction.atomic():
            pending = list(
                InvitationDelivery.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("checkin__client", "checkin__owner")
                .filter(sent_at=None)
                .order_by("id")[:batch_size]
            )
            if not pending:
                return sent
            owners = who_reaches(((d.checkin.owner_id, d.checkin.client) for d in pending), staff_only=True)
            live: dict[int, dict[int, str]] = {}
            for client in {d.checkin.client for d in pending}:
                with_schema = [d.contact_id for d in pending if d.checkin.client_id == client.pk]
                from core.tenancy import in_schema

                with in_schema(client.schema_name):
                    live[client.pk] = dict(
                        Contact.objects.filter(pk__in=with_schema, is_active=True).values_list("pk", "email")
                    )
            now = timezone.now()
            done = []
            for delivery in pending:
                checkin = delivery.checkin
                owner = owners.get((checkin.owner_id, checkin.client_id))
                still = (
                    checkin.status == CheckInStatus.PLANNED
                    and checkin.scheduled_for is not None
                    and checkin.scheduled_for > now
                    and owner is not None
                    and live.get(checkin.client_id, {}).get(delivery.contact_id, "").lower()
                    == delivery.email.lower()
                )
                if still:
                    assert owner is not None
                    ics = invitation_ics(
                        checkin,
                        owner.email,
                        owner.full_name,
                        [{"email": delivery.email, "name": delivery.name}],
                    )
                    message = EmailMessage(
                        subject=f"Invitation: {checkin.subject}",
                        body=(
                            f'{owner.full_name} invites you to "{checkin.subject}" on '
                            f"{checkin.scheduled_for:%Y-%m-%d %H:%M} UTC ({checkin.duration_minutes} minutes)"
                            + (f" at {checkin.location}" if checkin.location else "")
                            + ".\n\nThe invitation is attached (invite.ics)."
                        ),
                        to=[delivery.email],
                        reply_to=[owner.email],
                    )
                    message.attach("invite.ics", ics, "text/calendar; method=REQUEST; charset=utf-8")
                    message.send()
                    sent += 1
                done.append(delivery.pk)
            # Rows not sent because access or the meeting changed are closed too (never retried).
            InvitationDelivery.objects.filter(pk__in=done).update(sent_at=now)


def _notify(rows: list[Notification]) -> int:
    if not rows:
        return 0
    created = Notification.objects.bulk_create(rows, ignore_conflicts=True)
    enqueue_on_commit(SEND_EMAILS_TASK)
    return len(created)


def overdue_stage(due: date, today: date, cadence: int) -> int:
    late = (today - due).days
    if late <= 0:
        return 0
    if late >= max(14, cadence // 2):
        return 3
    if late >= max(7, cadence // 4):
        return 2
    return 1


def sweep_checkins(*, now: datetime | None = None) -> dict[str, int]:
    """Beat, hourly: remind account managers before a check-in is due, alert them when it is
    overdue — each stage once per due date (the stage is stored, as in the SLA sweep)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    settings_row = OutreachSettings.current()
    reminded = alerted = 0
    with transaction.atomic():
        candidates = list(
            ClientOutreach.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("client")
            .filter(
                next_due_on__lte=today + timedelta(days=settings_row.reminder_days_before),
                client__account_manager__isnull=False,
                client__status__in=("onboarding", "active"),
                client__kind="client",
            )
            .exclude(overdue_stage__gte=3)
        )
        notes: list[Notification] = []
        reminded_ids: list[int] = []
        staged: dict[int, list[int]] = {}
        for profile in candidates:
            client: Client = profile.client
            due = profile.next_due_on
            assert due is not None
            planned_ahead = profile.next_planned_at is not None and profile.next_planned_at >= now
            if due >= today:
                if profile.reminded_for != due and not planned_ahead:
                    notes.append(
                        Notification(
                            user_id=client.account_manager_id,
                            client=client,
                            kind=REMINDER_KIND,
                            title=f"Check-in with {client.name} due {due:%d %b}",
                            body=f"Your check-in with {client.name} is due on {due:%Y-%m-%d}. Plan it now.",
                            link=msp_url(f"/outreach/clients/{client.slug}"),
                            dedupe_key=f"outreach-remind:{client.pk}:{due.isoformat()}",
                            email_pending=True,
                        )
                    )
                    reminded_ids.append(profile.pk)
                continue
            stage = overdue_stage(due, today, cadence_days(client, profile, settings_row))
            if stage > profile.overdue_stage and not planned_ahead:
                label = OVERDUE_STAGE_LABELS[stage]
                late = (today - due).days
                notes.append(
                    Notification(
                        user_id=client.account_manager_id,
                        client=client,
                        kind=OVERDUE_KIND,
                        title=f"Check-in with {client.name} {label} ({late} days)",
                        body=(f"The check-in with {client.name} was due {due:%Y-%m-%d}: {late} days late."),
                        link=msp_url(f"/outreach/clients/{client.slug}"),
                        dedupe_key=f"outreach-overdue:{client.pk}:{due.isoformat()}:{stage}",
                        email_pending=True,
                    )
                )
                staged.setdefault(stage, []).append(profile.pk)
        reminded = len(reminded_ids)
        if reminded_ids:
            # reminded_for = the profile's own due date (one statement per due date is too many).
            for profile in candidates:
                if profile.pk in reminded_ids:
                    profile.reminded_for = profile.next_due_on
            ClientOutreach.objects.bulk_update(
                [p for p in candidates if p.pk in reminded_ids], ["reminded_for"]
            )
        for stage, ids in staged.items():
            ClientOutreach.objects.filter(pk__in=ids, overdue_stage__lt=stage).update(overdue_stage=stage)
            alerted += len(ids)
        _notify(notes)
    return {"examined": len(candidates), "reminded": reminded, "alerted": alerted}


def send_outreach_emails(*, batch_size: int = 200) -> int:
    """Send the pending e-mails of outreach notifications (to staff who still reach the
    client), with the link to act on; `services.workqueue.mail` claims, re-checks and records."""
    return send_notification_emails(
        OUTREACH_KINDS, staff_only=True, message=lambda n: f"{n.body}\n\n{n.link}", batch_size=batch_size
    )
