"""The beat schedule lives in the database; periodic fan-out sends one tenant task per client."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from services.directory.tasks import dispatch_contact_sync_task, sync_member_contacts_task
from tenants.actions import invite_client_user
from tenants.models import Client, ClientStatus, Invitation
from tenants.periodic import PERIODIC_JOBS, ensure_periodic_tasks
from tenants.tasks import revoke_expired_invitations_task


def test_schedule_rows_are_created_once_and_keep_operator_edits(world):
    ensure_periodic_tasks()
    row = PeriodicTask.objects.get(name="nightly-contact-sync")
    row.enabled = False
    row.save()
    ensure_periodic_tasks()
    assert PeriodicTask.objects.filter(name__in=[job.name for job in PERIODIC_JOBS]).count() == len(
        PERIODIC_JOBS
    )
    assert PeriodicTask.objects.get(name="nightly-contact-sync").enabled is False
    assert PeriodicTask.objects.get(name="nightly-contact-sync").crontab.hour == "2"


def test_every_scheduled_task_is_registered():
    from msp_portal.celery import app

    app.loader.import_default_modules()  # what a worker does at start-up (runs autodiscovery)
    for job in PERIODIC_JOBS:
        assert job.task in app.tasks, job.task


def test_contact_sync_fans_out_one_task_per_live_client(world, monkeypatch):
    sent = []
    monkeypatch.setattr(
        sync_member_contacts_task, "apply_async", lambda headers, countdown: sent.append((headers, countdown))
    )
    Client.objects.filter(pk=world.b.pk).update(status=ClientStatus.OFFBOARDED)
    assert dispatch_contact_sync_task.apply().get() == 1
    assert [headers["_schema_name"] for headers, _ in sent] == ["client_alpha"]
    assert 0 <= sent[0][1] <= 300


def test_expired_invitation_can_be_reissued(world):
    invitation, _ = invite_client_user(
        world.a, email="late@alpha.test", full_name="Late", role="member", invited_by=None
    )
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    again, _ = invite_client_user(
        world.a, email="late@alpha.test", full_name="Late", role="member", invited_by=None
    )
    assert again.pk != invitation.pk
    Invitation.objects.filter(pk=again.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert revoke_expired_invitations_task.apply().get() == 1
    assert Invitation.objects.get(pk=again.pk).revoked_at is not None
