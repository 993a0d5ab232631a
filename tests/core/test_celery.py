"""Celery through a real worker and a real Redis broker: tenant tasks run in their tenant,
and a tenant task without one refuses — at enqueue and again in the worker."""

from __future__ import annotations

import pytest
from celery.signals import before_task_publish
from django_tenants.utils import schema_context

from core import outbox
from core.tasks import SystemTask, TenantRequiredError, enqueue_on_commit
from core.tenancy import current_schema_name
from msp_portal.celery import app
from services.directory.tasks import sync_member_contacts_task

pytestmark = pytest.mark.celery_worker


def test_tenant_task_runs_in_the_tenant_it_was_sent_from(world_state, worker):
    with schema_context(world_state.a.schema_name):
        result = sync_member_contacts_task.delay()
    assert result.get(timeout=30) == {"schema": "client_alpha", "created": 0, "updated": 0, "deactivated": 0}
    with schema_context(world_state.b.schema_name):
        assert sync_member_contacts_task.delay().get(timeout=30)["schema"] == "client_bravo"


def test_tenant_task_without_a_tenant_refuses_to_be_sent(world_state):
    assert current_schema_name() == "public"
    with pytest.raises(TenantRequiredError, match="needs a client schema"):
        sync_member_contacts_task.delay()


def test_tenant_task_smuggled_past_enqueue_refuses_to_run_in_public(world_state, worker):
    # send_task bypasses apply_async; the worker-side check still holds.
    result = app.send_task("directory.sync_member_contacts", headers={"_schema_name": "public"})
    with pytest.raises(TenantRequiredError, match="refused to run in the public schema"):
        result.get(timeout=30, propagate=True)


def test_enqueue_on_commit_keeps_the_schema_of_registration(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    published = []
    monkeypatch.setattr(outbox, "publish", lambda message, conn: published.append(message.schema_name))
    from django.db import transaction

    # committed outside schema_context: still sent for A, not as public
    with (
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
        schema_context(world.a.schema_name),
    ):
        enqueue_on_commit(sync_member_contacts_task)
    assert published == ["client_alpha"]


@app.task(name="tests.schema_seen_by_a_system_task", base=SystemTask)
def schema_seen_by_a_system_task() -> str:
    return current_schema_name()


def test_provisioning_is_a_system_task_sent_as_public(world_state, worker, django_db_blocker):
    from tenants.models import ProvisioningJob, ProvisioningStatus
    from tenants.tasks import provision_client_task

    published = []

    def record(sender=None, headers=None, **kwargs):
        published.append((sender, (headers or {}).get("_schema_name")))

    before_task_publish.connect(record, weak=False)
    with django_db_blocker.unblock():
        # A finished job: the task reads it and leaves it as it is (no schema is created).
        job = ProvisioningJob.objects.create(slug="finished", request={}, status=ProvisioningStatus.FAILED)
    try:
        # Sent from inside a client's schema, both still go out as, and run in, public.
        with schema_context(world_state.a.schema_name):
            provisioned = provision_client_task.delay(str(job.pk))
            where = schema_seen_by_a_system_task.delay()
        assert provisioned.get(timeout=30) == {"job": str(job.pk), "status": "failed", "client": None}
        assert where.get(timeout=30) == "public"
    finally:
        before_task_publish.disconnect(record)
        with django_db_blocker.unblock():
            job.delete()
    assert published == [
        ("tenants.provision_client", "public"),
        ("tests.schema_seen_by_a_system_task", "public"),
    ]


def test_a_web_process_finds_tasks_by_name_before_any_worker_imported_them():
    """Provisioning from the SPA enqueues "tenants.provision_client" by name; a web process
    has not imported the task modules (a worker autodiscovers them), so the lookup must."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import django; django.setup(); import msp_portal.urls; from celery import current_app; "
        "assert 'tenants.provision_client' not in current_app.tasks; "
        "from core.tasks import registered_task; "
        "print(registered_task('tenants.provision_client').name, registered_task('directory.sync_member_contacts').name)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "msp_portal.settings_test"}
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert out.stdout.split() == ["tenants.provision_client", "directory.sync_member_contacts"]
