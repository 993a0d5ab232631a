"""The SLA sweep: warn and flag breaches from the public index, never by visiting schemas.

Every open, running work item carries its remaining alert instants (computed in business
time when the ticket last changed). The sweep picks the items whose next instant has
come, raises their stage exactly once (row lock + stored stage + a unique notification
key, so retries and two overlapping sweeps send nothing twice) and notifies the assignee.
Paused items have no alert instants, so nobody is paged about them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from services.workqueue.models import BreachState, Notification, WorkItem
from tenants.models import LIVE_CLIENT_STATUSES

CLOCK_LABELS = {
    "first_response": "first response",
    "next_update": "next update",
    "first_resolution": "resolution",
    "resolution": "resolution",
}


@dataclass(frozen=True)
class SweepResult:
    examined: int
    warned: int
    breached: int
    notifications: int


def _notification_for(item: WorkItem, stage: dict[str, object]) -> Notification | None:
    """The notification for an item reaching `stage` (None when nobody is assigned to act)."""
    if item.assignee_id is None:
        return None
    breached = stage["label"] == "breached"
    clock = CLOCK_LABELS.get(item.next_deadline_clock, item.next_deadline_clock)
    title = (
        f"{item.client.name} #{item.number}: {clock} SLA breached"
        if breached
        else f"{item.client.name} #{item.number}: {stage['label']} of the {clock} time used"
    )
    due = timezone.localtime(item.next_deadline_at) if item.next_deadline_at else None
    body = f"{item.title} ({item.priority}). Due {due:%a %d %b %H:%M %Z}." if due else item.title
    deadline = item.next_deadline_at.isoformat() if item.next_deadline_at else ""
    return Notification(
        user_id=item.assignee_id,
        client=item.client,
        kind="sla_breach" if breached else "sla_warning",
        title=title,
        body=body,
        link=f"/tickets/{item.client.slug}/{item.number}",
        dedupe_key=f"sla:{item.pk}:{item.next_deadline_clock}:{deadline}:{stage['stage']}"[:120],
    )


def _send_new(notifications: list[Notification], emails: dict[int, str]) -> int:
    """Insert the batch's notifications in one statement; email only those not sent before.

    The unique key makes a retried or overlapping sweep insert nothing twice."""
    if not notifications:
        return 0
    keys = [n.dedupe_key for n in notifications]
    already = set(Notification.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True))
    fresh = [n for n in notifications if n.dedupe_key not in already]
    Notification.objects.bulk_create(fresh, ignore_conflicts=True)
    messages = [(n.title, n.body, emails[n.user_id]) for n in fresh if emails.get(n.user_id)]
    if messages:
        transaction.on_commit(
            lambda: [
                send_mail(
                    subject=title, message=body, from_email=None, recipient_list=[to], fail_silently=True
                )
                for title, body, to in messages
            ]
        )
    return len(fresh)


def sweep_sla_alerts(now: datetime | None = None, *, batch_size: int = 500) -> SweepResult:
    """Fire every warning stage and breach that has come due. Safe to run concurrently."""
    now = now or timezone.now()
    candidate_ids = list(
        WorkItem.objects.filter(is_open=True, next_alert_at__lte=now)
        .filter(client__status__in=LIVE_CLIENT_STATUSES)  # nobody is paged for inactive clients
        .exclude(breach_state=BreachState.PAUSED)
        .order_by("next_alert_at")
        .values_list("pk", flat=True)[: settings.SLA_SWEEP_MAX_ITEMS]
    )
    warned = breached = notifications = 0
    for start in range(0, len(candidate_ids), batch_size):
        with transaction.atomic():
            items = list(
                WorkItem.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("client", "assignee")
                .filter(
                    pk__in=candidate_ids[start : start + batch_size], is_open=True, next_alert_at__lte=now
                )
            )
            outgoing: list[Notification] = []
            emails: dict[int, str] = {}
            for item in items:
                passed = [
                    entry
                    for entry in item.alert_schedule
                    if datetime.fromisoformat(str(entry["at"])) <= now
                    and int(str(entry["stage"])) > item.notified_stage
                ]
                remaining = [
                    entry for entry in item.alert_schedule if datetime.fromisoformat(str(entry["at"])) > now
                ]
                item.alert_schedule = remaining
                item.next_alert_at = datetime.fromisoformat(str(remaining[0]["at"])) if remaining else None
                if not passed:
                    continue
                # Only the most severe stage reached is announced: no burst of stale warnings.
                top = max(passed, key=lambda entry: int(str(entry["stage"])))
                item.notified_stage = int(str(top["stage"]))
                if top["label"] == "breached":
                    item.breach_state = BreachState.BREACHED
                    breached += 1
                else:
                    item.breach_state = BreachState.WARNING
                    warned += 1
                notification = _notification_for(item, top)
                if notification is not None:
                    outgoing.append(notification)
                    if item.assignee is not None:
                        emails[item.assignee.pk] = item.assignee.email
            WorkItem.objects.bulk_update(
                items,
                ["alert_schedule", "next_alert_at", "notified_stage", "breach_state"],
                batch_size=batch_size,
            )
            notifications += _send_new(outgoing, emails)
    return SweepResult(len(candidate_ids), warned, breached, notifications)
