"""Keep a ticket's `WorkItem` in step with it, inside the transaction that changed it."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from services.sla import engine
from services.sla.engine.warning_stages import warning_threshold_seconds
from services.support.models import DONE_STATUSES, Ticket
from services.workqueue.models import BreachState, WorkItem, WorkItemKind
from tenants.models import Client


def alert_schedule(clock: engine.ClockStatus, fractions: tuple[float, ...]) -> list[dict[str, object]]:
    """The warning stages (and the breach) still ahead of a running clock, with their instants."""
    if (
        clock.state is not engine.ClockState.RUNNING
        or clock.target_seconds is None
        or clock.used_seconds is None
    ):
        return []
    schedule: list[dict[str, object]] = []
    for stage, fraction in enumerate(fractions, start=1):
        threshold = warning_threshold_seconds(clock.target_seconds, fraction)
        if clock.used_seconds < threshold:
            at = engine.add_business_seconds(
                clock.calendar, clock.evaluated_at, threshold - clock.used_seconds
            )
            schedule.append({"stage": stage, "label": f"{fraction:.0%}", "at": at.isoformat()})
    assert clock.due_at is not None
    schedule.append({"stage": len(fractions) + 1, "label": "breached", "at": clock.due_at.isoformat()})
    return schedule


def _next_deadline(clocks: engine.SlaClocks) -> engine.ClockStatus | None:
    candidates = [
        clock
        for clock in clocks.clocks()
        if clock.state in (engine.ClockState.RUNNING, engine.ClockState.BREACHED)
        and clock.stopped_at is None
        and clock.due_at is not None
    ]
    # By timestamp: datetimes sharing a ZoneInfo compare by wall-clock time, which misorders
    # two instants inside a repeated (fall-back) hour.
    return min(candidates, key=lambda clock: clock.due_at.timestamp()) if candidates else None  # type: ignore[union-attr]


def _watcher_ids(ticket: Ticket) -> list[int]:
    return sorted(ticket.watchers.values_list("user_id", flat=True))


def sync_watchers(client: Client, ticket: Ticket) -> None:
    """Copy the ticket's watchers to its queue row (the sweep reads them from there)."""
    WorkItem.objects.filter(client=client, kind=WorkItemKind.TICKET, object_id=ticket.pk).update(
        watcher_ids=_watcher_ids(ticket)
    )


def sync_work_item(
    client: Client,
    ticket: Ticket,
    clocks: engine.SlaClocks | None,
    fractions: tuple[float, ...],
    now: datetime | None = None,
) -> WorkItem:
    """Write the queue row for `ticket` (call inside the transaction that changed the ticket)."""
    now = now or timezone.now()
    is_open = ticket.status not in DONE_STATUSES
    deadline = _next_deadline(clocks) if clocks is not None and is_open else None
    if clocks is None or not is_open:
        state = BreachState.NONE
    elif deadline is None:
        paused = any(clock.state is engine.ClockState.PAUSED for clock in clocks.clocks())
        state = BreachState.PAUSED if paused else BreachState.NONE
    elif deadline.state is engine.ClockState.BREACHED:
        state = BreachState.BREACHED
    else:
        stage = engine.warning_stage(deadline, fractions)
        state = BreachState.WARNING if stage.index > 0 else BreachState.ON_TRACK
    schedule = alert_schedule(deadline, fractions) if deadline is not None else []
    values = {
        "number": ticket.number,
        "title": ticket.title,
        "priority": ticket.priority,
        "status": ticket.status,
        "service_line": ticket.service_line,
        "is_open": is_open,
        "assignee_id": ticket.assignee_id,
        "watcher_ids": _watcher_ids(ticket),
        "next_deadline_at": deadline.due_at if deadline else None,
        "next_deadline_clock": str(deadline.name) if deadline else "",
        "breach_state": state,
        "alert_schedule": schedule,
        "next_alert_at": datetime.fromisoformat(str(schedule[0]["at"])) if schedule else None,
        "updated_at": now,
    }
    item, created = WorkItem.objects.select_for_update().get_or_create(
        client=client,
        kind=WorkItemKind.TICKET,
        object_id=ticket.pk,
        defaults={**values, "created_at": ticket.created_at},
    )
    if not created:
        if state == BreachState.PAUSED:
            # Paused: the deadline floats; remember which clock it was and what was sent.
            values["next_deadline_clock"] = item.next_deadline_clock
        elif item.next_deadline_clock != values["next_deadline_clock"]:
            # A different deadline: its warnings have not been sent yet.
            values["notified_stage"] = 0
        elif schedule:
            # Same deadline, moved (e.g. after a pause): stages already sent are not sent again.
            remaining = [entry for entry in schedule if int(str(entry["stage"])) > item.notified_stage]
            values["alert_schedule"] = remaining
            values["next_alert_at"] = datetime.fromisoformat(str(remaining[0]["at"])) if remaining else None
        for field, value in values.items():
            setattr(item, field, value)
        item.save()
    return item
