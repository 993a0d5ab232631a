"""Reads of the service desk that more than one caller needs (GraphQL, e-mails, billing)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from services.sla import engine
from services.support.models import SlaOutcome


@dataclass(frozen=True)
class ComplianceFigure:
    month: str
    priority: str
    clock: str
    met: int
    breached: int
    compliance_percent: float | None


def compliance_rows(months: int, now: datetime) -> list[ComplianceFigure]:
    """Per month, priority and clock (first response, first resolution) in the current schema."""
    today = timezone.localdate(now)
    month_index = today.year * 12 + today.month - 1 - (months - 1)
    first_month = date(month_index // 12, month_index % 12 + 1, 1)
    counts = (
        SlaOutcome.objects.filter(
            judged_at__date__gte=first_month, clock__in=["first_response", "first_resolution"]
        )
        .values("judged_at__year", "judged_at__month", "priority", "clock")
        .annotate(
            met=Count("pk", filter=Q(result=SlaOutcome.Result.MET)),
            breached=Count("pk", filter=Q(result="breached")),
        )
    )
    found = {
        (f"{row['judged_at__year']:04d}-{row['judged_at__month']:02d}", row["priority"], row["clock"]): row
        for row in counts
    }
    rows: list[ComplianceFigure] = []
    month = first_month
    while month <= today:
        key_month = f"{month:%Y-%m}"
        for priority in ("P1", "P2", "P3", "P4"):
            for clock in ("first_response", "first_resolution"):
                row = found.get((key_month, priority, clock))
                met = row["met"] if row else 0
                breached = row["breached"] if row else 0
                rows.append(
                    ComplianceFigure(
                        month=key_month,
                        priority=priority,
                        clock=clock,
                        met=met,
                        breached=breached,
                        compliance_percent=engine.compliance_percent(met, breached),
                    )
                )
        month = (month + timedelta(days=32)).replace(day=1)
    return rows
