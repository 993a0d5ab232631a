"""Reads of a client's security incidents and phishing reports that more than one caller needs
(the status page reads `open_incidents` and `incident_counts`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from core.tenancy import require_schema
from services.security.models import (
    DONE_INCIDENT_STATUSES,
    IncidentStatus,
    SecurityIncident,
    Severity,
)
from services.workqueue.models import BreachState, WorkItem, WorkItemKind
from tenants.models import Client

SEVERITY_ORDER = Case(
    *(When(severity=severity, then=Value(rank)) for rank, severity in enumerate(Severity.values)),
    output_field=IntegerField(),
)


def open_incidents(client: Client) -> QuerySet[SecurityIncident]:
    """The client's incidents not yet resolved, most severe first, then oldest first.

    Run inside the client's schema (fails closed elsewhere). The queryset is lazy: callers
    slice it and prefetch what they show."""
    require_schema(client)
    return (
        SecurityIncident.objects.exclude(status__in=DONE_INCIDENT_STATUSES)
        .annotate(severity_rank=SEVERITY_ORDER)
        .order_by("severity_rank", "created_at", "pk")
    )


@dataclass(frozen=True)
class IncidentCounts:
    """Open incidents of one client at a glance."""

    open: int
    by_severity: dict[str, int] = field(default_factory=dict)  # every severity, 0 included
    unacknowledged: int = 0  # still NEW
    breached: int = 0  # an SLA clock of the incident has passed its deadline
    resolved_last_30_days: int = 0


def incident_counts(client: Client, *, now: datetime | None = None) -> IncidentCounts:
    """Counts for the status page: two queries (the client's schema and the public queue index)."""
    require_schema(client)
    now = now or timezone.now()
    open_filter = ~Q(status__in=DONE_INCIDENT_STATUSES)
    aggregates = SecurityIncident.objects.aggregate(
        open=Count("pk", filter=open_filter),
        unacknowledged=Count("pk", filter=Q(status=IncidentStatus.NEW)),
        resolved_recently=Count("pk", filter=Q(resolved_at__gte=now - timedelta(days=30)) & ~open_filter),
        **{
            f"severity_{severity}": Count("pk", filter=open_filter & Q(severity=severity))
            for severity in Severity.values
        },
    )
    breached = (
        WorkItem.objects.filter(client=client, kind=WorkItemKind.SECURITY_INCIDENT, is_open=True)
        .filter(Q(breach_state=BreachState.BREACHED) | Q(next_deadline_at__lte=now))
        .count()
    )
    return IncidentCounts(
        open=aggregates["open"],
        by_severity={severity: aggregates[f"severity_{severity}"] for severity in Severity.values},
        unacknowledged=aggregates["unacknowledged"],
        breached=breached,
        resolved_last_30_days=aggregates["resolved_recently"],
    )
