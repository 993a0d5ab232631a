"""Celery tasks of infrastructure: thin wrappers that resolve the tenant and call an action."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from core import csv_import
from core.tasks import TRANSIENT_ERRORS, TenantBoundTask
from services.infrastructure.device_import import APPLY_TASK, run_device_import
from services.infrastructure.models import DeviceImport


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
