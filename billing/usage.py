"""Counting what a client used: seats (public memberships), managed devices (infrastructure),
billable minutes (support time entries) and SLA outcomes (support), the last three read
inside the client's schema. A client without a schema (not provisioned yet) has nothing
to count: devices are "no inventory yet" (None), minutes and outcomes are zero.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import Count, F, IntegerField, Q, Sum
from django.db.models.functions import Cast, Ceil
from django_tenants.utils import schema_exists

from core.tenancy import in_schema
from services.infrastructure.models import Device
from services.support.models import SlaOutcome, TimeEntry
from tenants.models import Client, Membership


@dataclass(frozen=True)
class TenantUsage:
    managed_devices: int | None  # None: no device inventory yet
    billable_minutes: int  # rounded up per entry to the contract's unit
    non_billable_minutes: int
    sla_judged: int
    sla_met: int


def active_seats(client: Client) -> int:
    """Active client users: members of the client whose account is active."""
    return Membership.objects.filter(client=client, user__is_active=True).count()


def day_start(day: date, tz_name: str) -> datetime:
    try:
        tz = zoneinfo.ZoneInfo(tz_name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        tz = zoneinfo.ZoneInfo("UTC")
    return datetime.combine(day, time.min, tzinfo=tz)


def rounded_minutes_expression(unit: int) -> Cast:
    """Σ ceil(raw / unit) × unit, per entry (BILLING_CONVENTIONS §5)."""
    step = max(int(unit), 1)
    return Cast(Ceil(F("raw_minutes") * 1.0 / step) * step, IntegerField())


def tenant_usage(
    client: Client,
    start: date,
    end: date,
    *,
    rounding_minutes: int = 6,
    count_devices: bool = True,
    count_minutes: bool = True,
    count_outcomes: bool = True,
) -> TenantUsage:
    """Devices now, and minutes and SLA outcomes of `[start, end)` (days in the client's
    timezone), in the client's schema: four queries at most."""
    if not (count_devices or count_minutes or count_outcomes) or not schema_exists(client.schema_name):
        return TenantUsage(None, 0, 0, 0, 0)
    with in_schema(client.schema_name):
        devices: int | None = None
        if count_devices:
            counts = Device.objects.aggregate(
                any=Count("id"), managed=Count("id", filter=Q(is_managed=True, is_active=True))
            )
            devices = counts["managed"] if counts["any"] else None
        minutes: dict[str, int | None] = {"billable_total": 0, "non_billable_total": 0}
        if count_minutes:
            minutes = (
                TimeEntry.objects.filter(work_date__gte=start, work_date__lt=end)
                .annotate(billed=rounded_minutes_expression(rounding_minutes))
                .aggregate(
                    billable_total=Sum("billed", filter=Q(billable=True)),
                    non_billable_total=Sum("billed", filter=Q(billable=False)),
                )
            )
        outcomes: dict[str, int | None] = {"judged": 0, "met": 0}
        if count_outcomes:
            outcomes = SlaOutcome.objects.filter(
                judged_at__gte=day_start(start, client.timezone),
                judged_at__lt=day_start(end, client.timezone),
            ).aggregate(judged=Count("id"), met=Count("id", filter=Q(result=SlaOutcome.Result.MET)))
    return TenantUsage(
        managed_devices=devices,
        billable_minutes=int(minutes["billable_total"] or 0),
        non_billable_minutes=int(minutes["non_billable_total"] or 0),
        sla_judged=int(outcomes["judged"] or 0),
        sla_met=int(outcomes["met"] or 0),
    )
