"""Root query field of the status page: `statusPage` (one query per page view)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import graphene
from django.utils import timezone

from core.graphql.errors import guard_query
from services.outreach.broadcasts import broadcasts_for
from services.status.graphql.types import StatusPageType
from services.status.selectors import StatusSnapshot, load_status
from tenants.access import client_role_of
from tenants.models import ClientRole
from tenants.request_scope import client_schema

BROADCASTS_LIMIT = 10


class StatusQuery(graphene.ObjectType):
    status_page = graphene.Field(
        StatusPageType,
        required=True,
        client_slug=graphene.String(),
        description=(
            "The client's live status page. IT leads and staff get everything (security, MFA, "
            "devices, SLA, the MSP's work, the remote-work hierarchy); members the services and outages."
        ),
    )

    def resolve_status_page(root: Any, info: Any, client_slug: str | None = None) -> StatusSnapshot:
        def body() -> StatusSnapshot:
            user = info.context.user
            with client_schema(info.context, client_slug) as client:
                full = bool(user.is_msp_staff) or client_role_of(user, client) == ClientRole.IT_LEAD
                snapshot = load_status(client, now=timezone.now(), full=full)
                notices = list(broadcasts_for(client, user)[:BROADCASTS_LIMIT])
                return replace(snapshot, broadcasts=notices)

        return guard_query(body)
