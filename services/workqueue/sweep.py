"""The SLA sweep: warn and flag breaches from the public index, never by visiting schemas.

Every open, running work item carries its remaining alert instants (computed in business
time when the ticket last changed). The sweep picks the items whose next instant has
come, raises their stage exactly once (row lock + stored stage + a unique notification
key, so retries and two overlapping sweeps send nothing twice) and notifies the people who
follow the ticket: its assignee, the client's account manager and its staff watchers.
Whether each still reaches the client is checked when the notification row is written and
again when its e-mail goes out (one query per batch each time), so someone removed from a
client's allow-list hears nothing more about it.
Paused items have no alert instants, so nobody is paged about them.

E-mails go through an outbox: each notification row is written with `email_pending` in the
batch's transaction, together with an outbox message (`core.tasks.enqueue_on_commit`) that
starts `send_sla_emails` once the batch commits. A worker killed between the commit and the
sending leaves the rows pending; the next sender (the redelivered task, or the next
minute's sweep, which starts one whenever e-mails are pending) sends them. Each e-mail is
recorded once (the notification's unique key) and delivered at least once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from core.tasks import enqueue_on_commit
from services.workqueue.models import BreachState, Notification, WorkItem, WorkItemKind
from tenants.access import who_reaches
from tenants.actions import msp_url
from tenants.models import LIVE_CLIENT_STATUSES

CLOCK_LABELS = {
    "first_response": "first response",
    "next_update": "next update",
    "first_resolution": "resolution",
    "resolution": "resolution",
    # Security incidents (services.security.clocks).
    "acknowledge": "acknowledge",
    "contain": "containment",
    "resolve": "resolution",
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
    """The item's page in the staff workspace (a ticket's, or a security incident's), as an
    absolute address on the MSP host."""
    if item.kind == WorkItemKind.SECURITY_INCIDENT:
        return msp_url(f"/security/{item.client.slug}/incidents/{item.number}")
    if item.kind == WorkItemKind.PHISHING:
        return msp_url(f"/security/{item.client.slug}/phishing/{item.object_id}")
    return msp_url(f"/tickets/{item.client.slug}/{item.number}")


def item_reference(item: WorkItem) -> str:
    """How people name the item: "#12" for a ticket, "SEC-3" for a security incident."""
    if item.kind == WorkItemKind.SECURITY_INCIDENT:
        return f"SEC-{item.number}"
    if item.kind == WorkItemKind.PHISHING:
        return "Phishing report"
    return f"#{item.number}"


def _notifications_for(item: WorkItem, stage: dict[str, object], user_ids: list[int]) -> list[Notification]:
    """One notification per person for an item reaching `stage`."""
    breached = stage["label"] == "breached"
    clock = CLOCK_LABELS.get(item.next_deadline_clock, item.next_deadline_clock)
    reference = item_reference(item)
    what = "incident" if item.kind == WorkItemKind.SECURITY_INCIDENT else "ticket"
    title = (
        f"{item.client.name} {reference}: {clock} SLA breached"
        if breached
        else f"{item.client.name} {reference}: {stage['label']} of the {clock} time used"
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
            body=f"{summary}\n\nOpen the {what}: {link}",
            link=link,
            dedupe_key=f"{key}:{user_id}"[:120],
        )
        for user_id in user_ids
    ]


SLA_KINDS = ("sla_warning", "sla_breach")
SEND_EMAILS_TASK = "workqueue.send_sla_emails"


def send_sla_emails(*, batch_size: int = 200) -> int:
    """Send the pending SLA e-mails, batch by batch; returns how many went out.

    Access is re-checked as each batch goes out (one query): someone who lost the client
    since the sweep gets nothing, and their row is no longer pending. Each batch is claimed
    with `SKIP LOCKED`, so two senders never send the same e-mail; a row is marked sent in
    the transaction that sent it. If the mail server fails, what was sent so far is
    recorded and the error is raised (the task retries it later)."""
    sent_total = 0
    while True:
        failure: Exception | None = None
        with transaction.atomic():
            pending = list(
                Notification.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("client")
                .filter(email_pending=True, kind__in=SLA_KINDS)
                .order_by("id")[:batch_size]
            )
            if not pending:
                return sent_total
            still = who_reaches(((n.user_id, n.client) for n in pending if n.client), staff_only=True)
            done: list[int] = []
            sent: list[int] = []
            for notification in pending:
                user = still.get((notification.user_id, notification.client_id or 0))
                if user is not None and user.email:
                    try:
                        send_mail(
                            subject=notification.title,
                            message=notification.body,
                            from_email=None,
                            recipient_list=[user.email],
                        )
                    except Exception as exc:
                        failure = exc
                        break
                    sent.append(notification.pk)
                done.append(notification.pk)
            now = timezone.now()
            Notification.objects.filter(pk__in=sent).update(email_pending=False, emailed_at=now)
            Notification.objects.filter(pk__in=set(done) - set(sent)).update(email_pending=False)
            sent_total += len(sent)
        if failure is not None:
            raise failure


def pending_sla_emails(*, older_than: timedelta = timedelta(minutes=1)) -> bool:
    """Are e-mails pending for longer than their own sender should have needed?"""
    return Notification.objects.filter(
        email_pending=True, kind__in=SLA_KINDS, created_at__lte=timezone.now() - older_than
    ).exists()


def _send_new(notifications: list[Notification]) -> int:
    """Insert the batch's notifications in one statement, each with its e-mail pending, and
    queue their sending in the same transaction (the outbox).

    The unique key makes a retried or overlapping sweep insert nothing twice."""
    if not notifications:
        return 0
    keys = [n.dedupe_key for n in notifications]
    already = set(Notification.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True))
    fresh = [n for n in notifications if n.dedupe_key not in already]
    for notification in fresh:
        notification.email_pending = notification.client is not None
    Notification.objects.bulk_create(fresh, ignore_conflicts=True)
    if any(n.email_pending for n in fresh):
        enqueue_on_commit(SEND_EMAILS_TASK)
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
