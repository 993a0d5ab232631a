"""Celery tasks of the directory: thin wrappers that resolve the tenant and call an action."""

from __future__ import annotations

from django.db import connection

from msp_portal.celery import app
from services.directory.actions import sync_member_contacts
from tenants.models import Client


@app.task(name="directory.sync_member_contacts")
def sync_member_contacts_task() -> dict[str, object]:
    """Runs in the client schema carried by the task headers (never in public)."""
    client = Client.objects.get(schema_name=connection.schema_name)
    result = sync_member_contacts(client)
    return {
        "schema": connection.schema_name,
        "created": result.created,
        "updated": result.updated,
        "deactivated": result.deactivated,
    }
