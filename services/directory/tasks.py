"""Celery tasks of the directory: thin wrappers that resolve the tenant and call an action."""

from __future__ import annotations

from celery import shared_task

from core.tasks import TenantBoundTask
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
