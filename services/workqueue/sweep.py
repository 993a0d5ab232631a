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
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from core.tasks import enqueue_on_commit
from services.workqueue.mail import send_notification_emails
from services.workqueue.models import BreachState, Notification, WorkItem, WorkItemKind
from tenants.access import who_reaches
from tenants.actions import msp_url
from tenants.models import LIVE_CLIENT_STATUSES, Client

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


@dataclass(frozen=True)
class DueItem:
    """A work item the sweep has just moved to a new stage, as its claiming statement
    returned it (with its client): what its notifications are written from."""

    pk: int
    client: Client
    kind: str
    object_id: int
    number: int
    title: str
    priority: str
    next_deadline_at: datetime | None
    next_deadline_clock: str
    assignee_id: int | None
    watcher_ids: list[int]
    stage: int
    label: str


def recipient_ids(item: WorkItem | DueItem) -> list[int]:
    """Who follows an item's SLA: the assignee, the client's account manager and the ticket's
    watchers, each once, in that order. Access (and being staff) is checked at send time."""
    candidates = [item.assignee_id, item.client.account_manager_id, *item.watcher_ids]
    return list(dict.fromkeys(user_id for user_id in candidates if user_id is not None))


def ticket_url(item: WorkItem | DueItem) -> str:
    """The item's page in the staff workspace (a ticket's, or a security incident's), as an
    absolute address on the MSP host."""
    if item.kind == WorkItemKind.SECURITY_INCIDENT:
        return msp_url(f"/security/{item.client.slug}/incidents/{item.number}")
    if item.kind == WorkItemKind.PHISHING:
        return msp_url(f"/security/{item.client.slug}/phishing/{item.object_id}")
    return msp_url(f"/tickets/{item.client.slug}/{item.number}")


def item_reference(item: WorkItem | DueItem) -> str:
    """How people name the item: "#12" for a ticket, "SEC-3" for a security incident."""
    if item.kind == WorkItemKind.SECURITY_INCIDENT:
        return f"SEC-{item.number}"
    if item.kind == WorkItemKind.PHISHING:
        return "Phishing report"
    return f"#{item.number}"


@dataclass(frozen=True)
class NewNotification:
    user_id: int
    client_id: int
    kind: str
    title: str
    body: str
    link: str
    dedupe_key: str


def _notifications_for(item: DueItem, user_ids: list[int]) -> list[NewNotification]:
    """One notification per person for an item reaching its new stage."""
    if not user_ids:
        return []
    breached = item.label == "breached"
    clock = CLOCK_LABELS.get(item.next_deadline_clock, item.next_deadline_clock)
    reference = item_reference(item)
    what = "incident" if item.kind == WorkItemKind.SECURITY_INCIDENT else "ticket"
    title = (
        f"{item.client.name} {reference}: {clock} SLA breached"
        if breached
        else f"{item.client.name} {reference}: {item.label} of the {clock} time used"
    )
    due = timezone.localtime(item.next_deadline_at) if item.next_deadline_at else None
    summary = f"{item.title} ({item.priority}). Due {due:%a %d %b %H:%M %Z}." if due else item.title
    link = ticket_url(item)
    body = f"{summary}\n\nOpen the {what}: {link}"
    deadline = item.next_deadline_at.isoformat() if item.next_deadline_at else ""
    key = f"sla:{item.pk}:{item.next_deadline_clock}:{deadline}:{item.stage}"
    kind = "sla_breach" if breached else "sla_warning"
    return [
        NewNotification(
            user_id=user_id,
            client_id=item.client.pk,
            kind=kind,
            title=title[:200],
            body=body,
            link=link[:300],
            dedupe_key=f"{key}:{user_id}"[:120],
        )
        for user_id in user_ids
    ]


SLA_KINDS = ("sla_warning", "sla_breach")
SEND_EMAILS_TASK = "workqueue.send_sla_emails"


def send_sla_emails(*, batch_size: int = 200) -> int:
    """Send the pending SLA e-mails (to staff who still reach the client); returns how many
    went out. Claimed, re-checked and recorded as `services.workqueue.mail` does for every
    kind."""
    return send_notification_emails(SLA_KINDS, staff_only=True, batch_size=batch_size)


def pending_sla_emails(*, older_than: timedelta = timedelta(minutes=1)) -> bool:
    """Are e-mails pending for longer than their own sender should have needed?"""
    return Notification.objects.filter(
        email_pending=True, kind__in=SLA_KINDS, created_at__lte=timezone.now() - older_than
    ).exists()


def _insert_new(notifications: list[NewNotification], now: datetime) -> int:
    """Insert the batch's notifications in one statement, each with its e-mail pending, and
    queue their sending in the same transaction (the outbox); returns how many were new.

    The unique key makes a retried or overlapping sweep insert nothing twice (`ON CONFLICT
    DO NOTHING`: a row another sweep is inserting at the same moment waits for it)."""
    if not notifications:
        return 0
    table = Notification._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table}
                (user_id, client_id, kind, title, body, link, dedupe_key, created_at, email_pending)
            SELECT n.user_id, n.client_id, n.kind, n.title, n.body, n.link, n.dedupe_key, %s, TRUE
            FROM unnest(%s::integer[], %s::integer[], %s::text[], %s::text[], %s::text[], %s::text[],
                        %s::text[]) AS n(user_id, client_id, kind, title, body, link, dedupe_key)
            ON CONFLICT (dedupe_key) DO NOTHING
            """,  # noqa: S608
            [
                now,
                [n.user_id for n in notifications],
                [n.client_id for n in notifications],
                [n.kind for n in notifications],
                [n.title for n in notifications],
                [n.body for n in notifications],
                [n.link for n in notifications],
                [n.dedupe_key for n in notifications],
            ],
        )
        inserted = max(cursor.rowcount, 0)
    if inserted:
        enqueue_on_commit(SEND_EMAILS_TASK)
    return inserted


def _claim_and_decide_sql() -> str:
    """One statement per batch: lock the next due items (skipping rows another sweep holds),
    decide each one's stage from its stored schedule and record it, returning what the
    notifications need. Reads the schedule from the locked row versions (`claimed`), so a
    change committed just before the lock is the one decided on."""
    item = WorkItem._meta.db_table
    client = Client._meta.db_table
    return f"""
        WITH claimed AS (
            SELECT w.id, w.alert_schedule, w.notified_stage
            FROM {item} w
            WHERE w.id = ANY(%(ids)s)
              AND w.is_open
              AND w.next_alert_at <= %(now)s
              AND w.breach_state <> %(paused)s
            FOR UPDATE OF w SKIP LOCKED
        ),
        decided AS MATERIALIZED (
            SELECT
                claimed.id,
                COALESCE(
                    (
                        SELECT jsonb_agg(e.entry ORDER BY e.position)
                        FROM jsonb_array_elements(claimed.alert_schedule)
                            WITH ORDINALITY AS e(entry, position)
                        WHERE (e.entry ->> 'at')::timestamptz > %(now)s
                    ),
                    '[]'::jsonb
                ) AS remaining,
                (
                    SELECT e.entry
                    FROM jsonb_array_elements(claimed.alert_schedule) AS e(entry)
                    WHERE (e.entry ->> 'at')::timestamptz <= %(now)s
                      AND (e.entry ->> 'stage')::int > claimed.notified_stage
                    ORDER BY (e.entry ->> 'stage')::int DESC
                    LIMIT 1
                ) AS top
            FROM claimed
        )
        UPDATE {item} w
        SET alert_schedule = d.remaining,
            next_alert_at = (d.remaining -> 0 ->> 'at')::timestamptz,
            notified_stage = COALESCE((d.top ->> 'stage')::int, w.notified_stage),
            breach_state = CASE
                WHEN d.top IS NULL THEN w.breach_state
                WHEN d.top ->> 'label' = 'breached' THEN %(breached)s
                ELSE %(warning)s
            END
        FROM decided d, {client} c
        WHERE w.id = d.id AND c.id = w.client_id
        RETURNING w.id, w.client_id, c.name, c.slug, c.kind, c.account_manager_id, w.kind,
            w.object_id, w.number, w.title, w.priority, w.next_deadline_at, w.next_deadline_clock,
            w.assignee_id, w.watcher_ids, (d.top ->> 'stage')::int, d.top ->> 'label'
    """  # noqa: S608


def _due_item(row: tuple[Any, ...], clients: dict[int, Client]) -> DueItem:
    (pk, client_id, client_name, client_slug, client_kind, manager_id, kind, object_id, number) = row[:9]
    (title, priority, deadline_at, deadline_clock, assignee_id, watcher_ids, stage, label) = row[9:]
    client = clients.get(client_id)
    if client is None:
        client = clients[client_id] = Client(
            id=client_id, name=client_name, slug=client_slug, kind=client_kind, account_manager_id=manager_id
        )
    return DueItem(
        pk=pk,
        client=client,
        kind=kind,
        object_id=object_id,
        number=number,
        title=title,
        priority=priority,
        next_deadline_at=deadline_at,
        next_deadline_clock=deadline_clock,
        assignee_id=assignee_id,
        watcher_ids=list(watcher_ids or ()),
        stage=stage,
        label=label,
    )


def sweep_sla_alerts(now: datetime | None = None, *, batch_size: int = 1000) -> SweepResult:
    """Fire every warning stage and breach that has come due. Safe to run concurrently.

    One indexed query picks the due items (oldest instant first, at most
    `SLA_SWEEP_MAX_ITEMS`; the rest wait for the next run). Then batch by batch, one
    transaction each: one statement locks the batch's items (`SKIP LOCKED`: rows another
    sweep holds are left to it, rows that changed meanwhile are re-checked), decides and
    records each one's new stage in SQL and returns the items that reached one; one query
    checks who of their followers still reaches the client; one statement inserts the
    notifications (`ON CONFLICT DO NOTHING` on their unique key); one outbox row starts
    their e-mails after the commit."""
    now = now or timezone.now()
    candidate_ids = list(
        WorkItem.objects.filter(is_open=True, next_alert_at__lte=now)
        .filter(client__status__in=LIVE_CLIENT_STATUSES)  # nobody is paged for inactive clients
        .exclude(breach_state=BreachState.PAUSED)
        .order_by("next_alert_at")
        .values_list("pk", flat=True)[: settings.SLA_SWEEP_MAX_ITEMS]
    )
    sql = _claim_and_decide_sql()
    warned = breached = notifications = 0
    for start in range(0, len(candidate_ids), batch_size):
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(
                    sql,
                    {
                        "ids": candidate_ids[start : start + batch_size],
                        "now": now,
                        "paused": BreachState.PAUSED.value,
                        "breached": BreachState.BREACHED.value,
                        "warning": BreachState.WARNING.value,
                    },
                )
                rows = cursor.fetchall()
            clients: dict[int, Client] = {}
            due = [_due_item(row, clients) for row in rows if row[-2] is not None]
            for item in due:
                if item.label == "breached":
                    breached += 1
                else:
                    warned += 1
            # Access is checked now, for the whole batch in one query: people removed from
            # the client (or no longer staff) are not told about it.
            followers = [(item, recipient_ids(item)) for item in due]
            reach = who_reaches(
                ((user_id, item.client) for item, user_ids in followers for user_id in user_ids),
                staff_only=True,
            )
            outgoing = [
                notification
                for item, user_ids in followers
                for notification in _notifications_for(
                    item, [user_id for user_id in user_ids if (user_id, item.client.pk) in reach]
                )
            ]
            notifications += _insert_new(outgoing, timezone.now())
    return SweepResult(len(candidate_ids), warned, breached, notifications)
