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
from django.db import IntegrityError, transaction
from django.utils import timezone

from services.workqueue.models import BreachState, Notification, WorkItem

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


def _notify(item: WorkItem, stage: dict[str, object]) -> bool:
    """One notification (and email) per item, deadline and stage; False if already sent."""
    if item.assignee_id is None:
        return False
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
    key = f"sla:{item.pk}:{item.next_deadline_clock}:{deadline}:{stage['stage']}"
    try:
        with transaction.atomic():
            Notification.objects.create(
                user_id=item.assignee_id,
                client=item.client,
                kind="sla_breach" if breached else "sla_warning",
                title=title,
                body=body,
                link=f"/tickets/{item.client.slug}/{item.number}",
                dedupe_key=key[:120],
            )
    except IntegrityError:
        return False
    email = item.assignee.email if item.assignee else None
    if email:
        transaction.on_commit(
            lambda: send_mail(
                subject=title, message=body, from_email=None, recipient_list=[email], fail_silently=True
            )
        )
    return True


def sweep_sla_alerts(now: datetime | None = None, *, batch_size: int = 500) -> SweepResult:
    """Fire every warning stage and breach that has come due. Safe to run concurrently."""
    now = now or timezone.now()
    candidate_ids = list(
        WorkItem.objects.filter(is_open=True, next_alert_at__lte=now)
        .exclude(breach_state=BreachState.PAUSED)
        .order_by("next_alert_at")
        .values_list("pk", flat=True)[: settings.SLA_SWEEP_MAX_ITEMS]
    )
    warned = breached = notifications = 0
    for start in range(0, len(candidate_ids), batch_size):
        with transaction.atomic():
            items = (
                WorkItem.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("client", "assignee")
                .filter(
                    pk__in=candidate_ids[start : start + batch_size], is_open=True, next_alert_at__lte=now
                )
            )
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
                if passed:
                    # Only the most severe stage reached is announced: no burst of stale warnings.
                    top = max(passed, key=lambda entry: int(str(entry["stage"])))
                    item.notified_stage = int(str(top["stage"]))
                    if top["label"] == "breached":
                        item.breach_state = BreachState.BREACHED
                        breached += 1
                    else:
                        item.breach_state = BreachState.WARNING
                        warned += 1
                    notifications += int(_notify(item, top))
                item.save(update_fields=["alert_schedule", "next_alert_at", "notified_stage", "breach_state"])
    return SweepResult(len(candidate_ids), warned, breached, notifications)
