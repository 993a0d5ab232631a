"""A provisioning job whose worker dies: the lease (a PostgreSQL advisory lock held by the
worker's connection) tells, the job fails cleanly with the truth, and the slug is free.
Redis (progress) being away never fails a provisioning nor leaks into a job's status."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import psycopg
import pytest
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from tenants import provisioning
from tenants.models import ProvisioningJob, ProvisioningStatus
from tenants.provisioning import (
    progress_cache_key,
    reap_stale_jobs,
    run_provisioning_job,
    start_provisioning_job,
)
from tenants.tasks import provision_client_task

VALID = {
    "name": "India Logistics",
    "slug": "india",
    "industry": "other",
    "tier": "standard",
    "it_lead_email": "lead@india.test",
    "it_lead_name": "Ian Lead",
}
JOB = "query($id: ID!) { provisioningJob(id: $id) { status step totalSteps message error } }"
# The cache at an address nothing listens on: Redis stopped.
_REDIS_DOWN = {
    "BACKEND": "django.core.cache.backends.redis.RedisCache",
    "LOCATION": "redis://127.0.0.1:1/0",
    "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
}
# Both caches live in Redis (`shared` holds the host -> tenant lookup): both are down.
CACHE_DOWN = {"default": _REDIS_DOWN, "shared": _REDIS_DOWN}


@pytest.fixture
def queued_job(world, capture_task) -> ProvisioningJob:
    capture_task("tenants.provision_client")
    return start_provisioning_job(VALID, acting_user=world.admin)


@pytest.fixture
def other_session() -> Iterator[psycopg.Connection]:
    """A second database session, standing in for a worker process."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as conn:
        yield conn


def _hold_lease(session: psycopg.Connection, job: ProvisioningJob) -> None:
    session.execute("SELECT pg_advisory_lock(hashtextextended(%s, 0))", [f"provisioning-job:{job.pk}"])


def _worker_died_at_step_5(job: ProvisioningJob) -> None:
    """What a SIGKILLed worker leaves: the row says RUNNING (committed before the work), the
    cache says step 5, the provisioning transaction was rolled back, the lease is free."""
    ProvisioningJob.objects.filter(pk=job.pk).update(status=ProvisioningStatus.RUNNING)
    cache.set(
        progress_cache_key(str(job.pk)),
        {"step": 5, "total": 6, "message": "Registering the portal address"},
        3600,
    )


def test_a_job_whose_worker_died_reads_as_failed_with_the_truth(world, gql, queued_job):
    """The reported freeze: RUNNING at step 5/6 forever and the slug blocked for an hour."""
    _worker_died_at_step_5(queued_job)
    job = gql(world.admin).data(JOB, {"id": str(queued_job.pk)})["provisioningJob"]
    assert (job["status"], job["step"], job["totalSteps"], job["message"]) == ("FAILED", 5, 6, "Failed")
    assert job["error"] == (
        "The worker running this job stopped at step 5 of 6 (Registering the portal address). "
        "Everything it had done was rolled back; start the provisioning again."
    )
    # The slug is free again at once.
    again = start_provisioning_job(VALID, acting_user=world.admin)
    assert again.pk != queued_job.pk and again.status == ProvisioningStatus.QUEUED


def test_a_job_a_live_worker_holds_is_left_running(world, gql, queued_job, other_session):
    _worker_died_at_step_5(queued_job)
    _hold_lease(other_session, queued_job)  # the worker is alive, mid-job
    job = gql(world.admin).data(JOB, {"id": str(queued_job.pk)})["provisioningJob"]
    assert (job["status"], job["step"], job["message"]) == ("RUNNING", 5, "Registering the portal address")
    assert reap_stale_jobs() == 0
    other_session.close()  # the worker process is killed: PostgreSQL drops its lease
    assert reap_stale_jobs() == 1
    assert ProvisioningJob.objects.get(pk=queued_job.pk).status == ProvisioningStatus.FAILED


def test_a_redelivered_task_runs_a_job_whose_worker_died(world, queued_job):
    """acks_late redelivers the message of a killed worker: the job is run again from the
    start (the first attempt left nothing behind) and succeeds."""
    _worker_died_at_step_5(queued_job)
    result = provision_client_task.apply(args=[str(queued_job.pk)]).get()
    assert result["status"] == "succeeded"


def test_a_second_worker_leaves_a_job_alone_while_the_first_holds_it(world, queued_job, other_session):
    _hold_lease(other_session, queued_job)
    assert run_provisioning_job(str(queued_job.pk)).status == ProvisioningStatus.QUEUED


def test_a_job_no_worker_took_is_failed_after_the_queue_timeout(world, gql, queued_job):
    ProvisioningJob.objects.filter(pk=queued_job.pk).update(
        created_at=timezone.now() - provisioning.queue_timeout() + timedelta(seconds=30)
    )
    assert gql(world.admin).data(JOB, {"id": str(queued_job.pk)})["provisioningJob"]["status"] == "QUEUED"
    ProvisioningJob.objects.filter(pk=queued_job.pk).update(
        created_at=timezone.now() - provisioning.queue_timeout() - timedelta(seconds=1)
    )
    job = gql(world.admin).data(JOB, {"id": str(queued_job.pk)})["provisioningJob"]
    assert job["status"] == "FAILED" and job["error"].startswith(
        "No worker started this job within 15 minutes"
    )


def test_the_reaper_is_scheduled():
    from tenants.periodic import PERIODIC_JOBS

    assert "tenants.reap_stale_provisioning_jobs" in {job.task for job in PERIODIC_JOBS}


def test_redis_down_neither_fails_a_provisioning_nor_leaks_into_its_status(
    world, gql, queued_job, other_session
):
    """The reported leak: the status query answered with the broker's socket path."""
    with override_settings(CACHES=CACHE_DOWN):
        _hold_lease(other_session, queued_job)
        ProvisioningJob.objects.filter(pk=queued_job.pk).update(status=ProvisioningStatus.RUNNING)
        answer = gql(world.admin).execute(JOB, {"id": str(queued_job.pk)})
        assert "errors" not in answer, answer
        job = answer["data"]["provisioningJob"]
        assert (job["status"], job["step"], job["message"]) == ("RUNNING", 0, "Queued")
        other_session.close()
        ProvisioningJob.objects.filter(pk=queued_job.pk).update(status=ProvisioningStatus.QUEUED)
        finished = run_provisioning_job(str(queued_job.pk))
    assert finished.status == ProvisioningStatus.SUCCEEDED, finished.error
    assert finished.client is not None and finished.client.slug == "india"
