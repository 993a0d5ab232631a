"""Celery tasks of the directory: thin wrappers that resolve the tenant and call an action."""

from __future__ import annotations

import random

from celery import shared_task

from core.tasks import SystemTask, TenantBoundTask
from core.tenancy import current_schema_name
from services.directory.actions import sync_member_contacts
from tenants.models import Client


@shared_task(name="directory.sync_member_contacts", base=TenantBoundTask)
def sync_member_contacts_task() -> dict[str, object]:
    """Runs in the client schema carried by the task headers (never in public)."""
    client = Client.objects.get(schema_name=current_schema_name())
    result = sync_member_contacts(client)
    return {
        "schema": current_schema_name(),
        "created": result.created,
        "updated": result.updated,
        "deactivated": result.deactivated,
    }


# Spread the fan-out so a thousand clients don't all hit the database in the same second.
FAN_OUT_JITTER_SECONDS = 300


# The name predates the move here; beat schedules in existing databases use it.
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
