"""Celery tasks for tenancy: thin wrappers around the provisioning actions."""

from __future__ import annotations

from msp_portal.celery import app
from msp_portal.tasks import SystemTask
from tenants.provisioning import run_provisioning_job


@app.task(name="tenants.provision_client", base=SystemTask)
def provision_client_task(job_id: str) -> dict[str, object]:
    """Provision the client of a queued job. Idempotent: a finished job is not re-run."""
    job = run_provisioning_job(job_id)
    return {"job": str(job.pk), "status": job.status, "client": job.client_id}
