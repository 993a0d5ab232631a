"""Celery tasks for tenancy: thin wrappers around actions."""

from __future__ import annotations

from celery import shared_task

from core.tasks import SystemTask
from tenants.actions import revoke_expired_invitations
from tenants.provisioning import run_provisioning_job


@shared_task(name="tenants.provision_client", base=SystemTask)
def provision_client_task(job_id: str) -> dict[str, object]:
    """Provision the client of a queued job. Idempotent: a finished job is not re-run."""
    job = run_provisioning_job(job_id)
    return {"job": str(job.pk), "status": job.status, "client": job.client_id}


@shared_task(name="tenants.revoke_expired_invitations", base=SystemTask)
def revoke_expired_invitations_task() -> int:
    return revoke_expired_invitations()
