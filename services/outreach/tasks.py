"""Celery tasks of outreach: thin wrappers (resolve the client, call the action)."""

from __future__ import annotations

import random

from celery import shared_task
from django.db.models import Exists, OuterRef, Q

from core.tasks import SystemTask, TenantBoundTask
from core.tenancy import current_schema_name
from services.outreach import broadcasts, notify
from services.outreach.health import recompute_health
from services.outreach.models import ClientOutreach
from services.outreach.qbr import build_qbr
from services.workqueue.models import WorkItem
from tenants.models import Client

FAN_OUT_JITTER_SECONDS = 600
WATCH_BATCH = 200


@shared_task(name="outreach.recompute_client_health", base=TenantBoundTask)
def recompute_client_health_task(client_id: int | None = None) -> int | None:
    """One client's health, in its schema (nightly fan-out and after a signal changed)."""
    client = Client.objects.get(schema_name=current_schema_name())
    result = recompute_health([client])
    return result[client.pk].score if client.pk in result else None


@shared_task(name="outreach.dispatch_health_recompute", base=SystemTask)
def dispatch_health_recompute_task() -> int:
    """Nightly: one recompute task per live client, each in its schema, spread over 10 minutes."""
    sent = 0
    for schema in Client.objects.live().values_list("schema_name", flat=True):
        recompute_client_health_task.apply_async(
            headers={"_schema_name": schema},
            countdown=random.randint(0, FAN_OUT_JITTER_SECONDS),  # noqa: S311 (jitter, not security)
        )
        sent += 1
    return sent


@shared_task(name="outreach.watch_signal_changes", base=SystemTask)
def watch_signal_changes_task() -> int:
    """Every 10 minutes: recompute the clients whose service-desk signals moved since their
    last score (a ticket row of the public work index changed) or that are marked stale.
    Reads the public index only; batches of 200 clients, a constant number of queries each."""
    changed = Q(health_stale=True) | Q(
        Exists(
            WorkItem.objects.filter(
                client_id=OuterRef("client_id"), updated_at__gt=OuterRef("health_computed_at")
            )
        )
    )
    client_ids = list(
        ClientOutreach.objects.filter(
            changed, client__status__in=("onboarding", "active"), client__kind="client"
        ).values_list("client_id", flat=True)[:2000]
    )
    for start in range(0, len(client_ids), WATCH_BATCH):
        recompute_health(list(Client.objects.filter(pk__in=client_ids[start : start + WATCH_BATCH])))
    return len(client_ids)


@shared_task(name="outreach.sweep_checkins", base=SystemTask)
def sweep_checkins_task() -> dict[str, int]:
    return notify.sweep_checkins()


@shared_task(name=notify.SEND_EMAILS_TASK, base=SystemTask)
def send_outreach_emails_task() -> int:
    return notify.send_outreach_emails()


@shared_task(name="outreach.send_meeting_invitations", base=SystemTask)
def send_meeting_invitations_task() -> int:
    return notify.send_meeting_invitations()


@shared_task(name=broadcasts.PUBLISH_TASK, base=SystemTask)
def publish_due_broadcasts_task() -> int:
    return broadcasts.publish_due()


@shared_task(name=broadcasts.SEND_TASK, base=SystemTask)
def send_broadcast_emails_task() -> int:
    return broadcasts.send_broadcast_emails()


@shared_task(name="outreach.build_qbr", base=TenantBoundTask)
def build_qbr_task(report_id: str) -> str:
    return build_qbr(report_id).status
