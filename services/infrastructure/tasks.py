"""Celery tasks of infrastructure: thin wrappers that resolve the tenant and call an action
(device imports; the monitor scheduler, a client's batch of checks, closing a month's
availability, storing closed days' availability)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from celery import shared_task
from django.utils import timezone

from core import csv_import
from core.tasks import TRANSIENT_ERRORS, SystemTask, TenantBoundTask, enqueue_on_commit
from core.tenancy import current_schema_name
from services.infrastructure import scheduler
from services.infrastructure.device_import import APPLY_TASK, run_device_import
from services.infrastructure.models import DeviceImport
from services.infrastructure.runner import run_checks
from tenants.models import Client


def _client() -> Client:
    return Client.objects.get(schema_name=current_schema_name())


@shared_task(name="infrastructure.dispatch_due_checks", base=SystemTask)
def dispatch_due_checks_task() -> dict[str, Any]:
    """Every minute: claim due monitors in the public index and queue their checks."""
    result = scheduler.dispatch_due_checks()
    lag = (timezone.now() - result.oldest_due_at).total_seconds() if result.oldest_due_at else 0.0
    return {
        "claimed": result.claimed,
        "tasks": result.tasks,
        "skipped": result.skipped_not_live,
        "lag_seconds": lag,
    }


@shared_task(name=scheduler.RUN_CHECKS_TASK, soft_time_limit=120, time_limit=150)
def run_checks_task(monitor_ids: list[int], due_at: str | None = None) -> dict[str, Any]:
    """Run one client's due checks (in its schema) and record their results."""
    client = _client()
    outcome = run_checks(client, [int(m) for m in monitor_ids][: scheduler.MONITORS_PER_TASK])
    lag = (timezone.now() - datetime.fromisoformat(due_at)).total_seconds() if due_at else None
    return {"checked": outcome.accepted, "state_changes": outcome.state_changes, "lag_seconds": lag}


@shared_task(name="infrastructure.dispatch_availability_close", base=SystemTask)
def dispatch_availability_close_task() -> int:
    """Daily: ask every live client to store last month's availability (idempotent)."""
    now = timezone.now()
    year, month = (now.year, now.month - 1) if now.month > 1 else (now.year - 1, 12)
    sent = 0
    for schema in Client.objects.live().values_list("schema_name", flat=True):
        enqueue_on_commit("infrastructure.close_availability_month", year, month, schema_name=schema)
        sent += 1
    return sent


@shared_task(name="infrastructure.close_availability_month")
def close_availability_month_task(year: int, month: int) -> int:
    from services.infrastructure.monitoring import close_availability_month

    return close_availability_month(_client(), int(year), int(month))


@shared_task(name="infrastructure.dispatch_availability_days", base=SystemTask)
def dispatch_availability_days_task() -> int:
    """Daily after midnight UTC: ask every live client to store the day that just ended
    (and any of the last week still missing), so status pages compute only today."""
    sent = 0
    for schema in Client.objects.live().values_list("schema_name", flat=True):
        enqueue_on_commit("infrastructure.store_availability_days", 7, schema_name=schema)
        sent += 1
    return sent


@shared_task(name="infrastructure.store_availability_days")
def store_availability_days_task(days: int = 7) -> int:
    from services.infrastructure.monitoring import store_closed_days

    return store_closed_days(_client(), days=int(days))


@shared_task(name=APPLY_TASK, base=TenantBoundTask)
def apply_device_import_task(job_id: str) -> dict[str, Any]:
    """Apply a queued device import in the client's schema (safe to run twice)."""
    try:
        job = run_device_import(job_id)
    except TRANSIENT_ERRORS:
        raise  # retried: the transaction was rolled back, the job is still queued
    except Exception:
        csv_import.fail_crashed(DeviceImport, job_id)
        raise
    return {"job": job_id, "status": job.status if job else None}
