"""Celery tasks of the directory: thin wrappers that resolve the tenant and call an action."""

from __future__ import annotations

from msp_portal.celery import app
from msp_portal.tenancy import current_schema_name
from services.directory.actions import sync_member_contacts
from tenants.models import Client


@app.task(name="directory.sync_member_contacts")
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
