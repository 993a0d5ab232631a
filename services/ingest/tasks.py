"""Celery tasks of the ingest: thin wrappers around actions."""

from __future__ import annotations

from celery import shared_task

from core.tasks import SystemTask
from services.ingest.actions import prune_batches


@shared_task(name="ingest.prune_batches", base=SystemTask)
def prune_batches_task() -> int:
    """Forget batch ids past INGEST_BATCH_KEEP_HOURS (public schema, no client fan-out)."""
    return prune_batches()
