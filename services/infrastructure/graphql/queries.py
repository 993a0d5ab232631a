"""Root query fields of monitoring."""

from __future__ import annotations

from typing import Any

import graphene

from core.errors import ActionError
from core.graphql.errors import guard_query
from core.graphql.ids import decode_id
from services.infrastructure import monitoring
from services.infrastructure.graphql.types import (
    AvailabilityFigureType,
    ClientServiceType,
    DownNowRowType,
    MaintenanceWindowType,
    MonitorStateChangeType,
)
from services.infrastructure.monitoring_models import MaintenanceWindow, Monitor, MonitorStateChange
from tenants.access import AccessDenied, clients_visible_to, ensure_msp_role
from tenants.models import Client, ClientRole, User
from tenants.request_scope import client_schema, is_msp_host

DOWN_NOW_LIMIT = 200
HISTORY_LIMIT = 100
MAINTENANCE_LIMIT = 100


def ensure_may_see_monitoring(user: User, client: Client) -> None:
    """MSP staff who reach the client and the client's IT leads (the status page's readers)."""
    from tenants.access import client_role_of

    if user.is_msp_staff:
        return
    if client_role_of(user, client) != ClientRole.IT_LEAD:
        raise AccessDenied("Only the MSP and the client's IT leads see its services.")


class MonitoringQuery(graphene.ObjectType):
    client_services = graphene.List(
        graphene.NonNull(ClientServiceType),
        required=True,
        client_slug=graphene.String(),
        description="Staff and the client's IT leads: every active service with its live state and monitors.",
    )
    monitor_state_history = graphene.List(
        graphene.NonNull(MonitorStateChangeType),
        required=True,
        client_slug=graphene.String(),
        monitor_id=graphene.ID(required=True),
        description="A monitor's state changes, newest first (at most 100).",
    )
    service_availability = graphene.List(
        graphene.NonNull(AvailabilityFigureType),
        required=True,
        client_slug=graphene.String(),
        year=graphene.Int(required=True),
        month=graphene.Int(required=True),
        description="Availability per monitor and per service for one month (maintenance excluded).",
    )
    maintenance_windows = graphene.List(
        graphene.NonNull(MaintenanceWindowType),
        required=True,
        client_slug=graphene.String(),
        description="Maintenance windows not over yet and those of the last 90 days (at most 100).",
    )
    down_now = graphene.List(
        graphene.NonNull(DownNowRowType),
        required=True,
        description="MSP staff: monitors down or degraded now across the clients they reach (at most 200).",
    )

    def resolve_client_services(
        root: Any, info: Any, client_slug: str | None = None
    ) -> list[ClientServiceType]:
        def body() -> list[ClientServiceType]:
            with client_schema(info.context, client_slug) as client:
                ensure_may_see_monitoring(info.context.user, client)
                return [ClientServiceType.from_status(s, client) for s in monitoring.service_statuses(client)]

        return guard_query(body)

    def resolve_monitor_state_history(
        root: Any, info: Any, monitor_id: str, client_slug: str | None = None
    ) -> list[MonitorStateChangeType]:
        def body() -> list[MonitorStateChangeType]:
            pk = decode_id(monitor_id, "Monitor", "monitorId")
            assert pk is not None
            with client_schema(info.context, client_slug) as client:
                ensure_may_see_monitoring(info.context.user, client)
                if not Monitor.objects.filter(pk=pk).exists():
                    raise ActionError.single("NOT_FOUND", "There is no such monitor.", "monitorId")
                return [
                    MonitorStateChangeType(
                        at=c.at, from_state=c.from_state, to_state=c.to_state, reason=c.reason
                    )
                    for c in MonitorStateChange.objects.filter(monitor_id=pk).order_by("-at", "-pk")[
                        :HISTORY_LIMIT
                    ]
                ]

        return guard_query(body)

    def resolve_service_availability(
        root: Any, info: Any, year: int, month: int, client_slug: str | None = None
    ) -> list[AvailabilityFigureType]:
        def body() -> list[AvailabilityFigureType]:
            with client_schema(info.context, client_slug) as client:
                ensure_may_see_monitoring(info.context.user, client)
                return [
                    AvailabilityFigureType(
                        service_id=str(f.service_id),
                        monitor_id=str(f.monitor_id) if f.monitor_id is not None else None,
                        year=f.year,
                        month=f.month,
                        measured_seconds=f.measured_seconds,
                        down_seconds=f.down_seconds,
                        maintenance_seconds=f.maintenance_seconds,
                        availability_percent=float(f.availability_percent)
                        if f.availability_percent is not None
                        else None,
                        promised_percent=float(f.promised_percent),
                        met=f.met,
                        outage_count=f.outage_count,
                        is_final=f.is_final,
                    )
                    for f in monitoring.availability(client, year, month)
                ]

        return guard_query(body)

    def resolve_maintenance_windows(
        root: Any, info: Any, client_slug: str | None = None
    ) -> list[MaintenanceWindow]:
        def body() -> list[MaintenanceWindow]:
            from datetime import timedelta

            from django.utils import timezone

            with client_schema(info.context, client_slug) as client:
                ensure_may_see_monitoring(info.context.user, client)
                since = timezone.now() - timedelta(days=90)
                return list(
                    MaintenanceWindow.objects.filter(ends_at__gt=since).order_by("-starts_at")[
                        :MAINTENANCE_LIMIT
                    ]
                )

        return guard_query(body)

    def resolve_down_now(root: Any, info: Any) -> list[DownNowRowType]:
        def body() -> list[DownNowRowType]:
            user = ensure_msp_role(info.context.user)
            if not is_msp_host(info.context):
                raise AccessDenied("The board is only available on the MSP host.")
            rows = monitoring.down_now(client_ids=clients_visible_to(user).values_list("pk", flat=True))
            return [
                DownNowRowType(
                    id=str(r.pk),
                    client_slug=r.client.slug,
                    client_name=r.client.name,
                    service_name=r.service_name,
                    monitor_name=r.monitor_name,
                    kind=r.kind,
                    state=r.state,
                    state_since=r.state_since,
                    last_result_at=r.last_result_at,
                    last_message=r.last_message,
                    ticket_number=r.open_ticket_number,
                    is_business_critical=r.is_business_critical,
                    in_maintenance_until=r.in_maintenance_until,
                )
                for r in rows[:DOWN_NOW_LIMIT]
            ]

        return guard_query(body)
