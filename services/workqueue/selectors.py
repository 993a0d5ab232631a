"""Reads of the work queue: the technician queue across every client this person reaches."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import F, Q, QuerySet

from services.workqueue.models import BreachState, Notification, WorkItem
from tenants.access import TICKET_ROLES, clients_reachable_by, clients_visible_to, staff_reaches_all_clients
from tenants.models import LIVE_CLIENT_STATUSES, User


def queue_queryset(
    user: User,
    *,
    now: datetime,
    mine: bool = False,
    unassigned: bool = False,
    client_slug: str | None = None,
    priority: str | None = None,
    service_line: str | None = None,
    breaching_soon: bool = False,
    breached: bool = False,
) -> QuerySet[WorkItem]:
    """Open work across the clients this person reaches, soonest deadline first."""
    # Suspended and offboarded clients' tickets leave the queue (and come back on reactivation).
    items = WorkItem.objects.filter(is_open=True, client__status__in=LIVE_CLIENT_STATUSES).select_related(
        "client", "assignee"
    )
    if not staff_reaches_all_clients(user):
        # A technician limited to an allow-list: only their clients (a subquery, still one query).
        items = items.filter(client__in=clients_visible_to(user))
    if mine:
        items = items.filter(assignee=user)
    if unassigned:
        items = items.filter(assignee__isnull=True)
    if client_slug:
        items = items.filter(client__slug=client_slug)
    if priority:
        items = items.filter(priority=priority)
    if service_line:
        items = items.filter(service_line=service_line)
    if breached:
        # Flagged breached OR past the deadline. With the partial `work_item_breached_idx`
        # beside `work_item_open_deadline_idx` PostgreSQL can answer each arm from an index
        # (docs/performance.md, Technician queue latency: an `id IN (… UNION …)` form measured
        # slower, 54 ms for the page at 100,000 open items against 3-4 ms for this one).
        items = items.filter(Q(breach_state=BreachState.BREACHED) | Q(next_deadline_at__lte=now))
    if breaching_soon:
        items = items.filter(
            Q(breach_state=BreachState.WARNING)
            | Q(next_deadline_at__gt=now, next_deadline_at__lte=now + timedelta(hours=1))
        )
    return items.order_by(F("next_deadline_at").asc(nulls_last=True), "id")


def notifications_of(user: User) -> QuerySet[Notification]:
    """A person's own notifications, minus those about clients they no longer reach (taken
    off an allow-list after they were written): one query, the access rule as a subquery."""
    return Notification.objects.filter(user=user).filter(
        Q(client__isnull=True) | Q(client__in=clients_reachable_by(user))
    )


def clients_lost_by(user: User, kind: str) -> set[int]:
    """The clients where `user` is assignee of open work of `kind` (a `WorkItemKind`) but may
    no longer work it (access shrank, deactivated, no longer a ticket role). Read from the
    queue index, so no client schema is visited."""
    client_ids = set(
        WorkItem.objects.filter(assignee_id=user.pk, is_open=True, kind=kind)
        .values_list("client_id", flat=True)
        .distinct()
    )
    if not client_ids:
        return set()
    still = (
        set(clients_reachable_by(user).filter(pk__in=client_ids).values_list("pk", flat=True))
        if user.is_active and user.msp_role in TICKET_ROLES
        else set()
    )
    return client_ids - still
