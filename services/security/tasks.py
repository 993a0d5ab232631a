"""Celery tasks of security: thin wrappers that resolve the tenant and call an action."""

from __future__ import annotations

import datetime as dt
from typing import Any

from celery import shared_task

from core import csv_import
from core.tasks import TRANSIENT_ERRORS, SystemTask, TenantBoundTask
from core.tenancy import current_schema_name
from services.security import mfa
from services.security.mfa_models import IdpAccountImport
from services.security.notify import send_verdict_emails
from tenants.models import Client


@shared_task(name=mfa.APPLY_TASK, base=TenantBoundTask)
def apply_idp_import_task(job_id: str) -> dict[str, Any]:
    """Apply a queued identity-provider list in the client's schema (safe to run twice)."""
    client = Client.objects.get(schema_name=current_schema_name())
    try:
        job = mfa.run_idp_import(client, job_id)
    except TRANSIENT_ERRORS:
        raise
    except Exception:
        csv_import.fail_crashed(IdpAccountImport, job_id)
        raise
    return {"job": job_id, "status": job.status if job else None}


@shared_task(name=mfa.SNAPSHOT_TASK, base=TenantBoundTask)
def take_mfa_snapshot_task(day: str) -> dict[str, Any]:
    """The day's coverage snapshot of the client whose schema the task runs in."""
    client = Client.objects.get(schema_name=current_schema_name())
    snapshot = mfa.take_snapshot(client, dt.date.fromisoformat(day))
    return {"day": day, "covered": snapshot.covered_accounts, "total": snapshot.total_accounts}


@shared_task(name="security.dispatch_mfa_snapshots", base=SystemTask)
def dispatch_mfa_snapshots_task() -> int:
    """Beat, daily: fan the snapshot out to every live client through the outbox."""
    return mfa.dispatch_snapshots()


@shared_task(name="security.send_phishing_verdict_emails", base=SystemTask)
def send_phishing_verdict_emails_task() -> int:
    """Send pending phishing-verdict e-mails (access re-checked). Safe to run twice or at once."""
    return send_verdict_emails()
