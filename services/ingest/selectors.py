"""Reads of ingest tokens (public schema) for the portal's pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max, Q, QuerySet

from services.ingest.models import IngestToken
from tenants.models import Client

TOKEN_LIST_MAX = 50


def tokens_of(client: Client) -> QuerySet[IngestToken]:
    """The client's tokens, active first, newest first (creator loaded)."""
    return (
        IngestToken.objects.filter(client=client)
        .select_related("created_by", "revoked_by")
        .order_by("revoked_at", "-created_at", "-id")
    )


@dataclass(frozen=True)
class Connection:
    """Whether an RMM reports for the client: what its IT lead may know (never a secret)."""

    active_tokens: int
    last_received_at: datetime | None

    @property
    def connected(self) -> bool:
        return self.active_tokens > 0 and self.last_received_at is not None


def connection_of(client: Client) -> Connection:
    row = IngestToken.objects.filter(client=client).aggregate(
        active=Count("pk", filter=Q(revoked_at__isnull=True)),
        last=Max("last_used_at", filter=Q(revoked_at__isnull=True)),
    )
    return Connection(active_tokens=int(row["active"] or 0), last_received_at=row["last"])
