"""Celery tasks for tenancy: thin wrappers around actions."""

from __future__ import annotations

from celery import shared_task

from core.tasks import SystemTask
from tenants.actions import SEND_INVITATION_TASK, revoke_expired_invitations, send_invitation_email
from tenants.provisioning import reap_stale_jobs, run_provisioning_job


@shared_task(name="tenants.provision_client", base=SystemTask)
def provision_client_task(job_id: str) -> dict[str, object]:
    """Provision the client of a queued job. Idempotent: a finished job is not re-run."""
    job = run_provisioning_job(job_id)
    return {"job": str(job.pk), "status": job.status, "client": job.client_id}


@shared_task(name="tenants.revoke_expired_invitations", base=SystemTask)
def revoke_expired_invitations_task() -> int:
    return revoke_expired_invitations()


@shared_task(name=SEND_INVITATION_TASK, base=SystemTask)
def send_invitation_email_task(invitation_id: int, nonce: str) -> bool:
    """Send an invitation's e-mail (queued through the outbox by `invite_client_user`)."""
    return send_invitation_email(invitation_id, nonce)


@shared_task(name="tenants.reap_stale_provisioning_jobs", base=SystemTask)
def reap_stale_provisioning_jobs_task() -> int:
    """Fail provisioning jobs whose worker died or that no worker took (see the lease)."""
    return reap_stale_jobs()
