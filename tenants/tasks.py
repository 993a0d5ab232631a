"""Celery tasks for tenancy: thin wrappers around actions."""

from __future__ import annotations

import random

from celery import shared_task

from core.tasks import SystemTask
from services.directory.tasks import sync_member_contacts_task
from tenants.actions import revoke_expired_invitations
from tenants.models import Client
from tenants.provisioning import run_provisioning_job

# Spread the fan-out so a thousand clients don't all hit the database in the same second.
FAN_OUT_JITTER_SECONDS = 300


@shared_task(name="tenants.provision_client", base=SystemTask)
def provision_client_task(job_id: str) -> dict[str, object]:
    """Provision the client of a queued job. Idempotent: a finished job is not re-run."""
    job = run_provisioning_job(job_id)
    return {"job": str(job.pk), "status": job.status, "client": job.client_id}


@shared_task(name="tenants.dispatch_contact_sync", base=SystemTask)
def dispatch_contact_sync_task() -> int:
    """Send one contact-sync task per live client, each in that client's schema."""
    # Suspended and offboarded clients are skipped (their members can't sign in anyway).
    schemas = Client.objects.live().values_list("schema_name", flat=True)
    sent = 0
    for schema in schemas:
        sync_member_contacts_task.apply_async(
            headers={"_schema_name": schema},
            countdown=random.randint(0, FAN_OUT_JITTER_SECONDS),  # noqa: S311 (jitter, not security)
        )
        sent += 1
    return sent


@shared_task(name="tenants.revoke_expired_invitations", base=SystemTask)
def revoke_expired_invitations_task() -> int:
    return revoke_expired_invitations()
