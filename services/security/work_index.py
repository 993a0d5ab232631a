"""Keep an incident's `WorkItem` (the technician queue's row) in step with it, inside the
transaction that changed it — as `services.support.work_index` does for tickets, so the SLA
sweep warns about incidents exactly as about tickets."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from services.security.clocks import IncidentClocks, SecurityClockStatus
from services.security.models import (
    DONE_INCIDENT_STATUSES,
    SEVERITY_PRIORITY,
    PhishingCampaign,
    PhishingCampaignStatus,
    SecurityIncident,
    Severity,
)
from services.sla import engine
from services.support.models import ServiceLine
from services.support.work_index import alert_schedule
from services.workqueue.models import BreachState, WorkItem, WorkItemKind
from tenants.models import Client


def next_deadline(clocks: IncidentClocks) -> SecurityClockStatus | None:
    """The running (or running and breached) clock due soonest."""
    candidates = [
        clock
        for clock in clocks.all()
        if clock.status.state in (engine.ClockState.RUNNING, engine.ClockState.BREACHED)
        and clock.status.stopped_at is None
        and clock.status.due_at is not None
    ]
    return min(candidates, key=lambda clock: clock.status.due_at.timestamp()) if candidates else None  # type: ignore[union-attr]


def sync_work_item(
    client: Client,
    incident: SecurityIncident,
    clocks: IncidentClocks | None,
    fractions: tuple[float, ...] = engine.DEFAULT_WARNING_FRACTIONS,
    now: datetime | None = None,
    *,
    clock_error: bool = False,
) -> WorkItem:
    """Write the queue row for `incident` (call inside the transaction that changed it)."""
    now = now or timezone.now()
    is_open = incident.status not in DONE_INCIDENT_STATUSES
    deadline = next_deadline(clocks) if clocks is not None and is_open else None
    if clock_error and is_open:
        state = BreachState.CLOCK_ERROR
    elif deadline is None:
        state = BreachState.NONE
    elif deadline.status.state is engine.ClockState.BREACHED:
        state = BreachState.BREACHED
    else:
        stage = engine.warning_stage(deadline.status, fractions)
        state = BreachState.WARNING if stage.index > 0 else BreachState.ON_TRACK
    schedule = alert_schedule(deadline.status, fractions) if deadline is not None else []
    values = {
        "number": incident.number,
        "title": incident.title,
        "priority": SEVERITY_PRIORITY[incident.severity],  # type: ignore[index]
        "status": incident.status,
        "service_line": ServiceLine.SECURITY,
        "is_open": is_open,
        "assignee_id": incident.assignee_id,
        "next_deadline_at": deadline.status.due_at if deadline else None,
        "next_deadline_clock": deadline.name if deadline else "",
        "breach_state": state,
        "alert_schedule": schedule,
        "next_alert_at": datetime.fromisoformat(str(schedule[0]["at"])) if schedule else None,
        "updated_at": now,
    }
    item, created = WorkItem.objects.select_for_update().get_or_create(
        client=client,
        kind=WorkItemKind.SECURITY_INCIDENT,
        object_id=incident.pk,
        defaults={**values, "created_at": incident.created_at},
    )
    if not created:
        if item.next_deadline_clock != values["next_deadline_clock"]:
            # Another clock is next: its warnings have not been sent yet.
            values["notified_stage"] = 0
        elif schedule:
            # Same clock, moved (e.g. a severity change): stages already sent are not sent again.
            remaining = [entry for entry in schedule if int(str(entry["stage"])) > item.notified_stage]
            values["alert_schedule"] = remaining
            values["next_alert_at"] = datetime.fromisoformat(str(remaining[0]["at"])) if remaining else None
        for field, value in values.items():
            setattr(item, field, value)
        item.save()
    return item


def sync_campaign_item(client: Client, campaign: PhishingCampaign, now: datetime | None = None) -> WorkItem:
    """The queue row of a phishing campaign: open while it awaits triage (no SLA deadline; the
    queue lists it after the items that have one). Call inside the transaction that changed it."""
    now = now or timezone.now()
    count = campaign.report_count
    values = {
        "number": campaign.pk,
        "title": f"{campaign.subject or '(no subject)'} — {count} report{'s' if count != 1 else ''}"[:200],
        "priority": SEVERITY_PRIORITY[Severity.MEDIUM],
        "status": "new" if campaign.status == PhishingCampaignStatus.NEW else f"triaged_{campaign.status}",
        "service_line": ServiceLine.SECURITY,
        "is_open": campaign.status == PhishingCampaignStatus.NEW,
        "assignee_id": None,
        "next_deadline_at": None,
        "next_deadline_clock": "",
        "breach_state": BreachState.NONE,
        "alert_schedule": [],
        "next_alert_at": None,
        "updated_at": now,
    }
    item, _ = WorkItem.objects.update_or_create(
        client=client,
        kind=WorkItemKind.PHISHING,
        object_id=campaign.pk,
        defaults=values,
        create_defaults={**values, "created_at": campaign.first_reported_at},
    )
    return item
