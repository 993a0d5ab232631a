"""Mutations of the push ingest: MSP admins and technicians create and revoke tokens."""

from __future__ import annotations

from typing import Any

import graphene

from core.graphql.ids import decode_id
from core.graphql.mutations import BaseMutation, model_limit
from services.ingest import actions
from services.ingest.graphql.types import IngestError, IngestTokenType
from services.ingest.models import IngestToken
from tenants.access import clients_visible_to, ensure_msp_role
from tenants.models import MspRole
from tenants.request_scope import resolve_client

TOKEN_ROLES = (MspRole.ADMIN, MspRole.TECHNICIAN)


class CreateIngestToken(BaseMutation):
    """MSP admins and technicians who reach the client: a new token for its RMM. The answer
    carries the secret, shown this once and never again."""

    class Arguments:
        client_slug = graphene.String()
        name = graphene.String(required=True, description="What will use it, e.g. 'Datto RMM'.")

    class Meta:
        error_type = IngestError

    max_lengths = {"name": model_limit(IngestToken, "name"), "clientSlug": 48}
    token = graphene.Field(IngestTokenType)
    secret = graphene.String(description="The signing secret: shown once, store it in the RMM now.")

    @classmethod
    def perform(cls, info: Any, name: str, client_slug: str | None = None) -> Any:
        user = ensure_msp_role(info.context.user, *TOKEN_ROLES)
        client = resolve_client(info.context, client_slug)
        created = actions.create_token(client, actor=user, name=name)
        return cls.success(token=IngestTokenType.from_row(created.token), secret=created.secret)


class RevokeIngestToken(BaseMutation):
    """MSP admins and technicians who reach the client: stop a token at once."""

    class Arguments:
        id = graphene.ID(required=True)

    class Meta:
        error_type = IngestError

    max_lengths = {"id": 200}
    token = graphene.Field(IngestTokenType)

    @classmethod
    def perform(cls, info: Any, id: str) -> Any:
        user = ensure_msp_role(info.context.user, *TOKEN_ROLES)
        token_id = decode_id(id, "IngestToken", "id")
        assert token_id is not None
        reachable = list(clients_visible_to(user).values_list("pk", flat=True))
        token = actions.revoke_token(token_id, actor=user, clients=reachable)
        return cls.success(token=IngestTokenType.from_row(token))


class IngestMutation(graphene.ObjectType):
    create_ingest_token = CreateIngestToken.Field(required=True)
    revoke_ingest_token = RevokeIngestToken.Field(required=True)
