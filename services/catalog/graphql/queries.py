"""Root query fields of the catalog (staff read it)."""

from __future__ import annotations

from typing import Any

import graphene

from core.graphql.errors import guard_query
from core.graphql.types import enum_value
from services.catalog.graphql.types import (
    CalendarType,
    ClientSlaType,
    PolicyType,
    SlaCatalog,
    TriageCell,
    client_sla_view,
)
from services.catalog.models import BusinessCalendar, SlaPolicy, TriageRule
from services.catalog.triage import DEFAULT_MATRIX
from tenants.access import ensure_msp_role
from tenants.request_scope import resolve_client


class CatalogQuery(graphene.ObjectType):
    sla_catalog = graphene.Field(
        SlaCatalog, required=True, description="MSP staff: calendars, policies, triage."
    )
    client_sla = graphene.Field(ClientSlaType, client_slug=graphene.String())

    def resolve_sla_catalog(root: Any, info: Any) -> SlaCatalog:
        def body() -> SlaCatalog:
            ensure_msp_role(info.context.user)
            calendars = BusinessCalendar.objects.prefetch_related("windows", "closures")
            policies = SlaPolicy.objects.prefetch_related("targets")
            configured = {(r.impact, r.urgency): r.priority for r in TriageRule.objects.all()}
            matrix = [
                TriageCell(
                    impact=enum_value(impact),
                    urgency=enum_value(urgency),
                    priority=enum_value(configured.get((impact, urgency), default)),
                    configured=(impact, urgency) in configured,
                )
                for (impact, urgency), default in DEFAULT_MATRIX.items()
            ]
            return SlaCatalog(
                calendars=[CalendarType.from_row(c) for c in calendars],
                policies=[PolicyType.from_row(p) for p in policies],
                triage_matrix=matrix,
            )

        return guard_query(body)

    def resolve_client_sla(root: Any, info: Any, client_slug: str | None = None) -> ClientSlaType:
        def body() -> ClientSlaType:
            return client_sla_view(resolve_client(info.context, client_slug))

        return guard_query(body)
