"""Celery tasks of billing: thin wrappers (billing data is the MSP's, so system tasks; the
tenant data a draft counts is read inside each client's schema by `billing.usage`)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from billing.emails import send_invoice_email
from billing.models import RunTrigger
from billing.runs import DRAFT_TASK, draft_item_safely, start_run

# The Stripe gateway's tasks (billing/stripe_tasks.py), registered with the app's.
from billing.stripe_tasks import push_invoice_task, reconcile_task, sync_invoice_task  # noqa: F401
from core.tasks import SystemTask


@shared_task(name="billing.dispatch_daily_runs", base=SystemTask)
def dispatch_daily_runs_task() -> dict[str, int]:
    """Daily: open today's run. Clients whose billing day is today get one drafting task per
    (client, period) through the outbox; a second call the same day adds nothing."""
    run = start_run(timezone.localdate(), trigger=RunTrigger.BEAT)
    return {"run": run.pk, "items": run.total_items}


@shared_task(name=DRAFT_TASK, base=SystemTask)
def draft_run_item_task(item_id: int) -> str | None:
    """Draft one client's period (idempotent: only a queued item is drafted)."""
    item = draft_item_safely(item_id)
    return None if item is None else str(item.status)


@shared_task(name="billing.email_invoice", base=SystemTask)
def email_invoice_task(invoice_id: int) -> int:
    """E-mail an issued invoice to the client's billing contact (access re-checked now)."""
    return send_invoice_email(invoice_id)
