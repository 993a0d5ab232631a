"""The SLA sweep: warn and flag breaches from the public index, never by visiting schemas.

Every open, running work item carries its remaining alert instants (computed in business
time when the ticket last changed). The sweep picks the items whose next instant has
come, raises their stage exactly once (row lock + stored stage + a unique notification
key, so retries and two overlapping sweeps send nothing twice) and notifies the people who
follow the ticket: its assignee, the client's account manager and its staff watchers.
Whether each still reaches the client is checked when the notification row is written and
again when its e-mail goes out after commit (one query per batch each time), so someone
removed from a client's allow-list hears nothing more about it.
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
from tenants.access import who_reaches
from tenants.actions import msp_url
from tenants.models import LIVE_CLIENT_STATUSES, Client

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


def recipient_ids(item: WorkItem) -> list[int]:
    """Who follows an item's SLA: the assignee, the client's account manager and the ticket's
    watchers, each once, in that order. Access (and being staff) is checked at send time."""
    candidates = [item.assignee_id, item.client.account_manager_id, *item.watcher_ids]
    return list(dict.fromkeys(user_id for user_id in candidates if user_id is not None))


def ticket_url(item: WorkItem) -> str:
    """The ticket's page in the staff workspace, as an absolute address on the MSP host."""
    return msp_url(f"/tickets/{item.client.slug}/{item.number}")


def _notifications_for(item: WorkItem, stage: dict[str, object], user_ids: list[int]) -> list[Notification]:
    """One notification per person for an item reaching `stage`."""
    breached = stage["label"] == "breached"
    clock = CLOCK_LABELS.get(item.next_deadline_clock, item.next_deadline_clock)
    title = (
        f"{item.client.name} #{item.number}: {clock} SLA breached"
        if breached
        else f"{item.client.name} #{item.number}: {stage['label']} of the {clock} time used"
    )
    due = timezone.localtime(item.next_deadline_at) if item.next_deadline_at else None
    summary = f"{item.title} ({item.priority}). Due {due:%a %d %b %H:%M %Z}." if due else item.title
    link = ticket_url(item)
    deadline = item.next_deadline_at.isoformat() if item.next_deadline_at else ""
    key = f"sla:{item.pk}:{item.next_deadline_clock}:{deadline}:{stage['stage']}"
    return [
        Notification(
            user_id=user_id,
            client=item.client,
            kind="sla_breach" if breached else "sla_warning",
            title=title,
            body=f"{summary}\n\nOpen the ticket: {link}",
            link=link,
            dedupe_key=f"{key}:{user_id}"[:120],
        )
        for user_id in user_ids
    ]


def _send_emails(messages: list[tuple[Notification, Client]]) -> None:
    """Send the e-mail copies after commit, re-checking access at the moment they go out
    (one query): someone who lost the client between the sweep and now gets nothing."""
    still = who_reaches(((n.user_id, client) for n, client in messages), staff_only=True)
    for notification, client in messages:
        user = still.get((notification.user_id, client.pk))
        if user is None or not user.email:
            continue
        send_mail(
            subject=notification.title,
            message=notification.body,
            from_email=None,
            recipient_list=[user.email],
            fail_silently=True,
        )


def _send_new(notifications: list[Notification]) -> int:
    """Insert the batch's notifications in one statement; email only those not sent before.

    The unique key makes a retried or overlapping sweep insert nothing twice."""
    if not notifications:
        return 0
    keys = [n.dedupe_key for n in notifications]
    already = set(Notification.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True))
    fresh = [n for n in notifications if n.dedupe_key not in already]
    Notification.objects.bulk_create(fresh, ignore_conflicts=True)
    messages = [(n, n.client) for n in fresh if n.client is not None]
    if messages:
        transaction.on_commit(lambda: _send_emails(messages))
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
                .select_related("client")
                .filter(
                    pk__in=candidate_ids[start : start + batch_size], is_open=True, next_alert_at__lte=now
                )
            )
            due: list[tuple[WorkItem, dict[str, object]]] = []
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
                due.append((item, top))
            WorkItem.objects.bulk_update(
                items,
                ["alert_schedule", "next_alert_at", "notified_stage", "breach_state"],
                batch_size=batch_size,
            )
            # Access is checked now, for the whole batch in one query: people removed from
            # the client (or no longer staff) are not told about it.
            reach = who_reaches(
                ((user_id, item.client) for item, _ in due for user_id in recipient_ids(item)),
                staff_only=True,
            )
            outgoing = [
                notification
                for item, stage in due
                for notification in _notifications_for(
                    item,
                    stage,
                    [user_id for user_id in recipient_ids(item) if (user_id, item.client_id) in reach],
                )
            ]
            notifications += _send_new(outgoing)
    return SweepResult(len(candidate_ids), warned, breached, notifications)
