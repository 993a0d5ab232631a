"""Periodic work of the project itself (it needs every app): purging offboarded clients."""

from __future__ import annotations

from celery import shared_task

from core.tasks import SystemTask
from msp_portal.offboarding import purge_due_clients


@shared_task(name="msp_portal.purge_offboarded_clients", base=SystemTask)
def purge_offboarded_clients_task() -> list[str]:
    return purge_due_clients()
