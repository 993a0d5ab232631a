"""Client offboarding: the client's data as a downloadable archive, and its removal once
the grace period after offboarding has passed (docs/client-lifecycle.md, "Offboarding").

When a client became offboarded is read from its change history (the `tenants.ClientEvent`
rows the database writes on every status change), so no code path can move the date.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.utils import timezone

from msp_portal.client_archive import export_client, wipe_client
from tenants.actions import record_audit
from tenants.models import Client, ClientStatus

logger = logging.getLogger(__name__)


def offboarded_since(client: Client) -> datetime | None:
    """When the client's current offboarded spell began (None if it is not offboarded, or
    if its history does not show the change — e.g. offboarded before history existed)."""
    if client.status != ClientStatus.OFFBOARDED:
        return None
    events = apps.get_model("tenants", "ClientEvent")
    since = None
    for status, at in (
        events.objects.filter(pgh_obj_id=client.pk)
        .order_by("-pgh_id")
        .values_list("status", "pgh_created_at")
    ):
        if status != ClientStatus.OFFBOARDED:
            break
        since = at
    return since


def purge_due_at(client: Client) -> datetime | None:
    since = offboarded_since(client)
    return None if since is None else since + timedelta(days=settings.CLIENT_PURGE_GRACE_DAYS)


def purge_client(client: Client) -> Path:
    """Keep a last archive under CLIENT_ARCHIVE_ROOT, then remove the client for good
    (schema, public rows, files; the slug is free again). Returns the archive's path."""
    root = Path(settings.CLIENT_ARCHIVE_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    path = root / f"{client.slug}-{timezone.now():%Y%m%dT%H%M%SZ}.zip"
    partial = path.with_name(path.name + ".partial")
    with partial.open("wb") as handle:
        export_client(client, handle)
    partial.rename(path)
    slug, name = client.slug, client.name
    removed = wipe_client(client)
    record_audit("client.purged", actor=None, slug=slug, name=name, archive=str(path), removed=removed)
    logger.info("client purged", extra={"client": slug, "archive": str(path)})
    return path


def purge_due_clients(now: datetime | None = None) -> list[str]:
    """Purge every offboarded client whose grace period has passed; returns their slugs.
    One client's failure is logged and does not stop the others."""
    now = now or timezone.now()
    purged: list[str] = []
    for client in Client.objects.clients().filter(status=ClientStatus.OFFBOARDED).order_by("pk"):
        due = purge_due_at(client)
        if due is None:
            logger.warning(
                "offboarded client without a recorded offboarding date", extra={"client": client.slug}
            )
            continue
        if due > now:
            continue
        try:
            purge_client(client)
        except Exception:
            logger.exception("client purge failed", extra={"client": client.slug})
            continue
        purged.append(client.slug)
    return purged
