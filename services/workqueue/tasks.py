"""Celery tasks of the work queue: thin wrappers around the sweep."""

from __future__ import annotations

from celery import shared_task

from core.tasks import SystemTask
from services.workqueue.sweep import sweep_sla_alerts


@shared_task(name="workqueue.sweep_sla_alerts", base=SystemTask)
def sweep_sla_alerts_task() -> dict[str, int]:
    result = sweep_sla_alerts()
    return {
        "examined": result.examined,
        "warned": result.warned,
        "breached": result.breached,
        "notifications": result.notifications,
    }
