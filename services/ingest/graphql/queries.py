"""Root query fields of the push ingest."""

from __future__ import annotations

from typing import Any

import graphene

from core.errors import AccessDenied
from core.graphql.errors import guard_query
from services.ingest.graphql.types import IngestTokenType, MonitoringConnection
from services.ingest.selectors import TOKEN_LIST_MAX, connection_of, tokens_of
from tenants.access import client_role_of
from tenants.models import ClientRole
from tenants.request_scope import resolve_client


class IngestQuery(graphene.ObjectType):
    ingest_tokens = graphene.List(
        graphene.NonNull(IngestTokenType),
        required=True,
        client_slug=graphene.String(),
        description="MSP staff: the client's ingest tokens, active first (at most 50; never secrets).",
    )
    monitoring_connection = graphene.Field(
        MonitoringConnection,
        required=True,
        client_slug=graphene.String(),
        description="Staff and the client's IT leads: whether the client's RMM reports to the portal.",
    )

    def resolve_ingest_tokens(root: Any, info: Any, client_slug: str | None = None) -> list[IngestTokenType]:
        def body() -> list[IngestTokenType]:
            client = resolve_client(info.context, client_slug)
            if not info.context.user.is_msp_staff:
                raise AccessDenied("Only MSP staff can see ingest tokens.")
            return [IngestTokenType.from_row(row) for row in tokens_of(client)[:TOKEN_LIST_MAX]]

        return guard_query(body)

    def resolve_monitoring_connection(
        root: Any, info: Any, client_slug: str | None = None
    ) -> MonitoringConnection:
        def body() -> MonitoringConnection:
            client = resolve_client(info.context, client_slug)
            user = info.context.user
            if not (user.is_msp_staff or client_role_of(user, client) == ClientRole.IT_LEAD):
                raise AccessDenied("Only staff and the client's IT leads can see the monitoring connection.")
            state = connection_of(client)
            return MonitoringConnection(
                connected=state.connected,
                active_token_count=state.active_tokens,
                last_received_at=state.last_received_at,
            )

        return guard_query(body)
