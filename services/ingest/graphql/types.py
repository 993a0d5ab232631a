"""GraphQL types of the push ingest: tokens (never their secrets) and the connection state."""

from __future__ import annotations

from typing import Any

import graphene
from graphene import relay

from core.graphql.errors import error_type
from services.ingest.models import IngestToken

IngestError = error_type(
    "IngestError",
    ["TOO_MANY", "CLIENT_READ_ONLY", "CLIENT_INACTIVE"],
    "Why a change to ingest tokens failed.",
)


class IngestTokenType(graphene.ObjectType):
    """A credential the client's RMM signs its pushes with. The secret is only ever shown in
    the answer to `createIngestToken`."""

    class Meta:
        name = "IngestToken"
        interfaces = (relay.Node,)

    name = graphene.String(required=True)
    key_id = graphene.String(required=True, description="Sent in the X-Ingest-Key header.")
    created_at = graphene.DateTime(required=True)
    created_by_name = graphene.String(required=True)
    last_used_at = graphene.DateTime(description="When a batch signed with it was last accepted.")
    revoked_at = graphene.DateTime()
    revoked_by_name = graphene.String(required=True)
    is_active = graphene.Boolean(required=True)

    @classmethod
    def from_row(cls, row: IngestToken) -> IngestTokenType:
        return cls(
            id=row.pk,
            name=row.name,
            key_id=row.key_id,
            created_at=row.created_at,
            created_by_name=row.created_by.full_name if row.created_by else "",
            last_used_at=row.last_used_at,
            revoked_at=row.revoked_at,
            revoked_by_name=row.revoked_by.full_name if row.revoked_by else "",
            is_active=row.revoked_at is None,
        )

    @classmethod
    def get_node(cls, info: Any, id: str) -> None:
        return None  # tokens are read through `ingestTokens` (authorised per client) only


class MonitoringConnection(graphene.ObjectType):
    """Whether the client's RMM reports to the portal (no keys, no secrets)."""

    connected = graphene.Boolean(required=True, description="An active token has delivered a batch.")
    active_token_count = graphene.Int(required=True)
    last_received_at = graphene.DateTime()
