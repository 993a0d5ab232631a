"""Reads of the service desk that more than one caller needs (GraphQL, e-mails, billing)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from core.history import HistoryEntry, entries_from_events, tracked_fields, user_ids_in, with_names
from services.sla import engine
from services.support.models import SlaOutcome, Ticket
from tenants.history import HISTORY_LIMIT, user_names


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


def ticket_history(ticket: Ticket, *, limit: int = HISTORY_LIMIT) -> list[HistoryEntry]:
    """The ticket's changes for staff, newest first, from its pghistory events (read in the
    current schema, the ticket's). Two queries whatever the number of events."""
    events = Ticket.pgh_event_model  # type: ignore[attr-defined]
    rows = list(events.objects.filter(pgh_obj_id=ticket.pk).order_by("-pgh_id")[:limit])
    entries = entries_from_events(
        rows,
        subject="Ticket",
        fields=[f for f in tracked_fields(events) if f not in {"number", "resolved_at"}],
        label=lambda row: f"#{row.number} {row.title}",
    )
    return with_names(entries, user_names(user_ids_in(entries)))
