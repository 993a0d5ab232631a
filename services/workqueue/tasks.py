"""Celery tasks of the work queue: thin wrappers around the sweep."""

from __future__ import annotations

from celery import shared_task

from core.tasks import SystemTask, enqueue_on_commit
from services.workqueue.sweep import SEND_EMAILS_TASK, pending_sla_emails, send_sla_emails, sweep_sla_alerts


@shared_task(name="workqueue.sweep_sla_alerts", base=SystemTask)
def sweep_sla_alerts_task() -> dict[str, int]:
    """Every minute. A database outage raises a transient error, so the run is retried
    (core.tasks.TenantBoundTask), not skipped. E-mails a killed worker left pending are
    handed to a sender again."""
    result = sweep_sla_alerts()
    if pending_sla_emails():
        enqueue_on_commit(SEND_EMAILS_TASK)
    return {
        "examined": result.examined,
        "warned": result.warned,
        "breached": result.breached,
        "notifications": result.notifications,
    }


@shared_task(name=SEND_EMAILS_TASK, base=SystemTask)
def send_sla_emails_task() -> int:
    """Send the pending SLA e-mails (re-checking access). Safe to run twice or at once."""
    return send_sla_emails()
