"""Gathers the status page of one client from the other apps' reads (pure reads, no writes).

`load_status(client, now=..., full=...)` runs in the client's schema and costs a constant
number of queries whatever the number of devices, monitors or tickets: every source is one
aggregate or one capped list. `full=False` (a client member) skips what only IT leads and
staff see (security, MFA, devices, SLA, the MSP's work, the hierarchy).
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q
from django.utils import timezone

from core.tenancy import require_schema
from services.infrastructure import monitoring
from services.infrastructure.models import Device, PatchStatus, ProtectionStatus
from services.infrastructure.monitoring_models import ServiceCategory
from services.security.mfa_selectors import mfa_coverage, mfa_history
from services.security.models import Severity
from services.security.selectors import incident_counts, open_incidents
from services.status.hierarchy import (
    DeviceCounts,
    HierarchySignals,
    ImprovementCounts,
    Layer,
    ServiceSignal,
    ServiceState,
    Thresholds,
    evaluate,
)
from services.support.models import DONE_STATUSES, SlaOutcome, Ticket, TicketStatus
from services.workqueue.models import BreachState, WorkItem
from services.workqueue.sweep import item_reference
from tenants.models import Client

logger = logging.getLogger(__name__)

# Tickets of this category (case-insensitive) are improvement work agreed with the client:
# a NEW one is a proposal; once triaged (any later status) it is agreed (docs/status-page.md).
IMPROVEMENT_CATEGORY = "Improvement"
WORK_LIMIT = 10
INCIDENT_LIMIT = 20  # of each kind (outages, security incidents)
SERVICE_LIMIT = 100
JUDGED_CLOCKS = ("first_response", "first_resolution")
MAJOR_SEVERITIES = (Severity.CRITICAL, Severity.HIGH)


def thresholds() -> Thresholds:
    """The defaults of `Thresholds`, overridden by `settings.STATUS_THRESHOLDS` (a dict)."""
    overrides: dict[str, Any] = getattr(settings, "STATUS_THRESHOLDS", {}) or {}
    known = {f.name for f in fields(Thresholds)}
    return replace(Thresholds(), **{k: v for k, v in overrides.items() if k in known})


@dataclass(frozen=True)
class ServiceRow:
    name: str
    state: ServiceState
    since: datetime | None = None
    availability_percent: float | None = None
    promised_percent: float | None = None
    daily_uptime: list[float | None] = field(default_factory=list)  # the last UPTIME_DAYS days, oldest first
    layer: str | None = None  # "connectivity", "collaboration" or None
    is_business_critical: bool = False
    maintenance_until: datetime | None = None  # in a planned maintenance window until then


@dataclass(frozen=True)
class IncidentRow:
    kind: str  # "outage" or "security"
    title: str
    severity: str  # ticket priority (P1..P4) or incident severity
    status: str
    started_at: datetime
    reference: int | None  # ticket or incident number


@dataclass(frozen=True)
class WorkRow:
    kind: str  # a WorkItemKind value: ticket, sec_incident, phishing
    number: int
    reference: str
    title: str
    priority: str
    status: str
    service_line: str
    assignee_name: str | None
    next_deadline_at: datetime | None
    breach_state: str
    updated_at: datetime


@dataclass(frozen=True)
class MfaPoint:
    day: date
    percent: float | None


@dataclass(frozen=True)
class StatusSnapshot:
    full: bool
    generated_at: datetime
    month_start: date
    uptime_from: date
    services: list[ServiceRow]
    incidents: list[IncidentRow]
    open_security_incidents: int | None = None
    open_major_security_incidents: int | None = None
    mfa_covered: int | None = None
    mfa_total: int | None = None
    mfa_history: list[MfaPoint] = field(default_factory=list)
    sla_month_met: int | None = None
    sla_month_breached: int | None = None
    devices: DeviceCounts | None = None
    work: list[WorkRow] = field(default_factory=list)
    work_total: int | None = None
    tickets_opened_last_30_days: int | None = None
    tickets_opened_previous_30_days: int | None = None
    improvements: ImprovementCounts | None = None
    hierarchy: list[Layer] | None = None
    # Published outreach broadcasts addressed to the client (services.outreach), newest first.
    broadcasts: list[Any] = field(default_factory=list)


# --- support -----------------------------------------------------------------------------


def device_counts() -> DeviceCounts | None:
    """One aggregate over the active devices; None when there are none."""
    active = Device.objects.filter(is_active=True)
    row = active.aggregate(
        active=Count("pk"),
        managed=Count("pk", filter=Q(is_managed=True)),
        protected=Count("pk", filter=Q(protection_status=ProtectionStatus.PROTECTED)),
        protection_outdated=Count("pk", filter=Q(protection_status=ProtectionStatus.OUTDATED)),
        protection_missing=Count("pk", filter=Q(protection_status=ProtectionStatus.MISSING)),
        protection_unknown=Count("pk", filter=Q(protection_status=ProtectionStatus.UNKNOWN)),
        patch_current=Count("pk", filter=Q(patch_status=PatchStatus.CURRENT)),
        patch_pending=Count("pk", filter=Q(patch_status=PatchStatus.PENDING)),
        patch_overdue=Count("pk", filter=Q(patch_status=PatchStatus.OVERDUE)),
        patch_unknown=Count("pk", filter=Q(patch_status=PatchStatus.UNKNOWN)),
    )
    return DeviceCounts(**row) if row["active"] else None


def sla_counts(now: datetime, month_start: date) -> dict[str, int]:
    """Met/breached first-response and first-resolution clocks this month and in the last 30 days."""
    since = min(now - timedelta(days=30), _start_of(month_start))
    month = Q(judged_at__gte=_start_of(month_start))
    recent = Q(judged_at__gte=now - timedelta(days=30))
    met = Q(result=SlaOutcome.Result.MET)
    breached = Q(result=SlaOutcome.Result.BREACHED)
    return SlaOutcome.objects.filter(
        judged_at__gte=since, judged_at__lte=now, clock__in=JUDGED_CLOCKS
    ).aggregate(
        month_met=Count("pk", filter=month & met),
        month_breached=Count("pk", filter=month & breached),
        recent_met=Count("pk", filter=recent & met),
        recent_breached=Count("pk", filter=recent & breached),
    )


def ticket_trend_and_improvements(now: datetime, t: Thresholds) -> tuple[int, int, ImprovementCounts]:
    """Tickets opened in the last 30 days and the 30 before, and the improvement work, in one query."""
    improvement = Q(category__iexact=IMPROVEMENT_CATEGORY)
    agreed_open = improvement & ~Q(status=TicketStatus.NEW) & ~Q(status__in=DONE_STATUSES)
    stalled_before = now - timedelta(days=t.improvement_stalled_days)
    row = Ticket.objects.aggregate(
        last=Count("pk", filter=Q(created_at__gt=now - timedelta(days=30), created_at__lte=now)),
        previous=Count(
            "pk", filter=Q(created_at__gt=now - timedelta(days=60), created_at__lte=now - timedelta(days=30))
        ),
        proposed=Count("pk", filter=improvement & Q(status=TicketStatus.NEW)),
        active=Count("pk", filter=agreed_open & Q(updated_at__gte=stalled_before)),
        stalled=Count("pk", filter=agreed_open & Q(updated_at__lt=stalled_before)),
        completed=Count(
            "pk",
            filter=improvement
            & Q(status__in=DONE_STATUSES)
            & Q(resolved_at__gte=now - timedelta(days=t.improvement_recent_days)),
        ),
    )
    improvements = ImprovementCounts(
        proposed=row["proposed"],
        active=row["active"],
        stalled=row["stalled"],
        completed_recently=row["completed"],
    )
    return row["last"], row["previous"], improvements


def msp_work(client: Client) -> tuple[list[WorkRow], int, int]:
    """What the MSP is working on for the client now: its open work items, soonest deadline
    first (at most WORK_LIMIT), how many there are and how many are past an SLA target.
    Two queries on the public work index."""
    items = WorkItem.objects.filter(client=client, is_open=True)
    totals = items.aggregate(
        total=Count("pk"), breached=Count("pk", filter=Q(breach_state=BreachState.BREACHED))
    )
    rows = [
        WorkRow(
            kind=item.kind,
            number=item.number,
            reference=item_reference(item),
            title=item.title,
            priority=item.priority,
            status=item.status,
            service_line=item.service_line,
            assignee_name=item.assignee.full_name if item.assignee else None,
            next_deadline_at=item.next_deadline_at,
            breach_state=item.breach_state,
            updated_at=item.updated_at,
        )
        for item in items.select_related("assignee").order_by("next_deadline_at", "priority", "number")[
            :WORK_LIMIT
        ]
    ]
    return rows, totals["total"], totals["breached"]


# --- infrastructure and security --------------------------------------------------------


UPTIME_DAYS = 30
_SERVICE_LAYER: dict[str, str] = {
    ServiceCategory.CONNECTIVITY: "connectivity",
    ServiceCategory.COLLABORATION: "collaboration",
}


def service_rows(client: Client, now: datetime) -> tuple[list[ServiceRow], list[IncidentRow]]:
    """Every active service of the client, live (worst of its monitors), with this month's
    availability against the promise and the uptime of each of the last UPTIME_DAYS days;
    and the open outages. A constant number of queries (the monitoring selectors')."""
    statuses = monitoring.service_statuses(client, now=now)[:SERVICE_LIMIT]
    if not statuses:
        return [], []
    monthly, daily = uptime_figures(client, statuses, now)
    rows: list[ServiceRow] = []
    outages: list[IncidentRow] = []
    for status in statuses:
        service = status.service
        rows.append(
            ServiceRow(
                name=service.name,
                state=ServiceState(status.state),
                since=_since(status),
                availability_percent=monthly.get(service.pk),
                promised_percent=float(service.promised_availability),
                daily_uptime=daily.get(service.pk, []),
                layer=_SERVICE_LAYER.get(service.category),
                is_business_critical=service.is_business_critical,
                maintenance_until=status.maintenance.ends_at if status.maintenance else None,
            )
        )
        outages.extend(
            IncidentRow(
                kind="outage",
                title=f"{service.name} is down ({outage.monitor.name})",
                severity=outage.ticket.priority if outage.ticket else "",
                status="down",
                started_at=outage.started_at,
                reference=outage.ticket.number if outage.ticket else None,
            )
            for outage in status.open_outages
        )
    return rows, outages[:INCIDENT_LIMIT]


UPTIME_CACHE_SECONDS = 120


def uptime_figures(
    client: Client, statuses: list[monitoring.ServiceStatus], now: datetime
) -> tuple[dict[int, float | None], dict[int, list[float | None]]]:
    """This month's availability per service and its uptime per day (UPTIME_DAYS days).

    Both come from the monitors' state history, which only changes when a monitor's state
    does, so they are cached per client for the current minute under a fingerprint of every
    monitor's state and since-when (any state change makes a new key; the minute bounds how
    stale the running day's figure gets). The live state itself is never cached."""
    fingerprint = hashlib.sha256(
        repr(
            [
                (
                    st.service.pk,
                    str(st.service.promised_availability),
                    [(m.pk, m.state, m.state_since.isoformat(), m.is_paused) for m in st.monitors],
                    st.maintenance.pk if st.maintenance else None,
                )
                for st in statuses
            ]
        ).encode()
    ).hexdigest()[:24]
    key = f"status:uptime:{client.pk}:{now.astimezone(UTC):%Y%m%d%H%M}:{fingerprint}"
    try:
        cached = cache.get(key)
    except Exception:  # the cache being away must not take the page down
        logger.warning("status page: uptime cache unavailable", exc_info=True)
        cached = None
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    month, days = monitoring.uptime_overview(client, days=UPTIME_DAYS, now=now)
    monthly = {
        service_id: None if figure.availability_percent is None else float(figure.availability_percent)
        for service_id, figure in month.items()
    }
    daily: dict[int, list[float | None]] = defaultdict(list)
    for day in days:
        daily[day.service_id].append(
            None if day.availability_percent is None else float(day.availability_percent)
        )
    figures = (monthly, dict(daily))
    try:
        cache.set(key, figures, UPTIME_CACHE_SECONDS)
    except Exception:
        logger.warning("status page: uptime cache unavailable", exc_info=True)
    return figures


def _since(status: monitoring.ServiceStatus) -> datetime | None:
    """Since when the service is in its state: the latest change of a monitor in that state."""
    if status.maintenance is not None and status.state == ServiceState.MAINTENANCE:
        return status.maintenance.starts_at
    moments = [m.state_since for m in status.monitors if m.state == status.state and not m.is_paused]
    return max(moments) if moments else None


def security_counts(client: Client, now: datetime) -> tuple[int, int, list[IncidentRow]]:
    """Open security incidents: count, high/critical count, and the rows to list (two queries
    for the counts, one for the rows)."""
    counts = incident_counts(client, now=now)
    major = sum(counts.by_severity.get(s, 0) for s in MAJOR_SEVERITIES)
    rows = [
        IncidentRow(
            kind="security",
            title=incident.title,
            severity=incident.severity,
            status=incident.status,
            started_at=incident.created_at,
            reference=incident.number,
        )
        for incident in open_incidents(client).only("number", "title", "severity", "status", "created_at")[
            :INCIDENT_LIMIT
        ]
    ]
    return counts.open, major, rows


MFA_HISTORY_DAYS = 90


def mfa_figures(client: Client, now: datetime) -> tuple[int | None, int | None, list[MfaPoint]]:
    """MFA coverage now (covered, total accounts; None when the client has no account) and
    one point per day with a snapshot over MFA_HISTORY_DAYS days."""
    coverage = mfa_coverage(client)
    history = [
        MfaPoint(day=point.day, percent=point.percent)
        for point in mfa_history(client, MFA_HISTORY_DAYS, today=timezone.localdate(now))
    ]
    if coverage.total_accounts == 0:
        return None, None, history
    return coverage.covered_accounts, coverage.total_accounts, history


# --- the page --------------------------------------------------------------------------


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day), timezone.get_current_timezone())


def load_status(client: Client, *, now: datetime, full: bool) -> StatusSnapshot:
    """The status page of `client` (in its schema): everything for IT leads and staff
    (`full`), the live services and current outages only for members."""
    require_schema(client)
    today = timezone.localdate(now)
    month_start = today.replace(day=1)
    uptime_from = now.astimezone(UTC).date() - timedelta(days=UPTIME_DAYS - 1)  # the bars' days are UTC
    services, outages = service_rows(client, now)
    if not full:
        # Members see that a service is out, not the ticket behind it.
        incidents = [replace(row, reference=None) for row in outages]
        return StatusSnapshot(
            full=False,
            generated_at=now,
            month_start=month_start,
            uptime_from=uptime_from,
            services=services,
            incidents=incidents,
        )
    t = thresholds()
    open_security, major_security, security_rows = security_counts(client, now)
    mfa_covered, mfa_total, mfa_history = mfa_figures(client, now)
    devices = device_counts()
    sla = sla_counts(now, month_start)
    opened_last, opened_previous, improvements = ticket_trend_and_improvements(now, t)
    work, work_total, work_breached = msp_work(client)
    signals = HierarchySignals(
        connectivity_services=[_signal(s) for s in services if s.layer == "connectivity"],
        collaboration_services=[_signal(s) for s in services if s.layer == "collaboration"],
        mfa_covered=mfa_covered,
        mfa_total=mfa_total,
        open_security_incidents=open_security,
        open_major_security_incidents=major_security,
        devices=devices,
        sla_met=sla["recent_met"],
        sla_breached=sla["recent_breached"],
        tickets_opened_last_30_days=opened_last,
        tickets_opened_previous_30_days=opened_previous,
        open_tickets_breached=work_breached,
        improvements=improvements,
    )
    return StatusSnapshot(
        full=True,
        generated_at=now,
        month_start=month_start,
        uptime_from=uptime_from,
        services=services,
        incidents=sorted(outages + security_rows, key=lambda r: r.started_at, reverse=True),
        open_security_incidents=open_security,
        open_major_security_incidents=major_security,
        mfa_covered=mfa_covered,
        mfa_total=mfa_total,
        mfa_history=mfa_history,
        sla_month_met=sla["month_met"],
        sla_month_breached=sla["month_breached"],
        devices=devices,
        work=work,
        work_total=work_total,
        tickets_opened_last_30_days=opened_last,
        tickets_opened_previous_30_days=opened_previous,
        improvements=improvements,
        hierarchy=evaluate(signals, t),
    )


def _signal(row: ServiceRow) -> ServiceSignal:
    return ServiceSignal(
        name=row.name,
        state=row.state,
        availability_percent=row.availability_percent,
        promised_percent=row.promised_percent,
    )
