"""Celery tasks of billing (discovered by name: `<app>.tasks`)."""

from billing.stripe_tasks import push_invoice_task, reconcile_task, sync_invoice_task  # noqa: F401
