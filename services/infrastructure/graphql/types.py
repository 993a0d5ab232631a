"""GraphQL types of monitoring: client services, monitors, outages, maintenance windows,
state history, availability and the cross-client "Down now" board."""

from __future__ import annotations

from typing import Any

import graphene
from django.conf import settings

from core.graphql.errors import error_type
from core.graphql.types import enum_from_choices
from services.catalog.graphql.types import LevelEnum
from services.infrastructure.monitoring import ServiceStatus
from services.infrastructure.monitoring_actions import ping_token
from services.infrastructure.monitoring_models import (
    MaintenanceWindow,
    Monitor,
    MonitorKind,
    MonitorState,
    Outage,
    ServiceCategory,
)

MONITORING_ERROR_CODES = [
    "REQUIRED",
    "INVALID",
    "TOO_LONG",
    "TOO_MANY",
    "DUPLICATE",
    "NOT_FOUND",
    "PERMISSION_DENIED",
    "OTP_REQUIRED",
    "NOT_AUTHENTICATED",
    "CLIENT_READ_ONLY",
]
MonitoringError = error_type(
    "MonitoringError", MONITORING_ERROR_CODES, "Why a change to services or monitors failed."
)

ServiceCategoryEnum = enum_from_choices(
    "ServiceCategory", ServiceCategory, "What kind of service (the status page's hierarchy uses it)."
)
MonitorKindEnum = enum_from_choices(
    "MonitorKind", MonitorKind, "How a monitor learns the state of its service."
)
MonitorStateEnum = enum_from_choices(
    "MonitorState", MonitorState, "A monitor's state after flap suppression."
)
ServiceStateEnum = graphene.Enum(
    "ServiceState",
    [(v.upper(), v) for v in ("up", "degraded", "down", "maintenance", "unknown")],
    description="A service's state: the worst of its monitors (maintenance unless one is down).",
)


def _staff(info: Any) -> bool:
    return bool(info.context.user.is_msp_staff)


class MonitorType(graphene.ObjectType):
    class Meta:
        name = "Monitor"

    id = graphene.ID(required=True)
    service_id = graphene.ID(required=True)
    name = graphene.String(required=True)
    key = graphene.String(required=True, description="What an agent reports results under (push ingest).")
    kind = MonitorKindEnum(required=True)
    target = graphene.String(required=True, description="Staff only (empty for others).")
    interval_seconds = graphene.Int(required=True)
    timeout_seconds = graphene.Int(required=True)
    expected_status = graphene.Int()
    keyword = graphene.String(required=True)
    cert_warning_days = graphene.Int(required=True)
    heartbeat_grace_seconds = graphene.Int(required=True)
    failures_to_down = graphene.Int(required=True)
    successes_to_up = graphene.Int(required=True)
    urgency = LevelEnum(required=True)
    is_paused = graphene.Boolean(required=True)
    state = MonitorStateEnum(required=True)
    state_since = graphene.DateTime(required=True)
    last_result_status = graphene.String(required=True)
    last_result_at = graphene.DateTime()
    last_latency_ms = graphene.Int()
    last_message = graphene.String(required=True)
    cert_expires_at = graphene.DateTime()
    ping_url = graphene.String(description="Heartbeat: the URL its job calls (staff only).")

    @staticmethod
    def resolve_id(root: Monitor, info: Any) -> str:
        return str(root.pk)

    @staticmethod
    def resolve_service_id(root: Monitor, info: Any) -> str:
        return str(root.service_id)

    # Rows fresh from an action hold enum members, rows read back hold plain values.
    @staticmethod
    def resolve_kind(root: Monitor, info: Any) -> str:
        return str(root.kind)

    @staticmethod
    def resolve_state(root: Monitor, info: Any) -> str:
        return str(root.state)

    @staticmethod
    def resolve_urgency(root: Monitor, info: Any) -> str:
        return str(root.urgency)

    @staticmethod
    def resolve_target(root: Monitor, info: Any) -> str:
        return root.target if _staff(info) else ""

    @staticmethod
    def resolve_ping_url(root: Monitor, info: Any) -> str | None:
        if not _staff(info) or root.kind != MonitorKind.HEARTBEAT:
            return None
        client = getattr(root, "_client", None)  # set by the resolver that loaded it
        if client is None:
            return None
        port = f":{settings.PORTAL_PORT}" if settings.PORTAL_PORT else ""
        host = settings.MSP_HOSTS[0] if settings.MSP_HOSTS else "localhost"
        return f"{settings.PORTAL_SCHEME}://{host}{port}/monitoring/ping/{ping_token(client, root)}"


class OutageType(graphene.ObjectType):
    class Meta:
        name = "Outage"

    id = graphene.ID(required=True)
    monitor_id = graphene.ID(required=True)
    started_at = graphene.DateTime(required=True)
    ended_at = graphene.DateTime()
    ticket_number = graphene.Int()
    first_message = graphene.String(required=True)

    @staticmethod
    def resolve_id(root: Outage, info: Any) -> str:
        return str(root.pk)

    @staticmethod
    def resolve_monitor_id(root: Outage, info: Any) -> str:
        return str(root.monitor_id)

    @staticmethod
    def resolve_ticket_number(root: Outage, info: Any) -> int | None:
        return root.ticket.number if root.ticket is not None else None


class MaintenanceWindowType(graphene.ObjectType):
    class Meta:
        name = "MaintenanceWindow"

    id = graphene.ID(required=True)
    service_id = graphene.ID(required=True)
    starts_at = graphene.DateTime(required=True)
    ends_at = graphene.DateTime(required=True)
    reason = graphene.String(required=True)

    @staticmethod
    def resolve_id(root: MaintenanceWindow, info: Any) -> str:
        return str(root.pk)

    @staticmethod
    def resolve_service_id(root: MaintenanceWindow, info: Any) -> str:
        return str(root.service_id)


class ClientServiceType(graphene.ObjectType):
    """A service the MSP runs for the client, with its live state."""

    class Meta:
        name = "ClientService"

    id = graphene.ID(required=True)
    name = graphene.String(required=True)
    category = ServiceCategoryEnum(required=True)
    description = graphene.String(required=True)
    is_business_critical = graphene.Boolean(required=True)
    promised_availability = graphene.Float(required=True, description="Percent per month.")
    resolve_ticket_on_recovery = graphene.Boolean(required=True)
    state = ServiceStateEnum(required=True)
    monitors = graphene.List(graphene.NonNull(MonitorType), required=True)
    open_outages = graphene.List(graphene.NonNull(OutageType), required=True)
    maintenance = graphene.Field(MaintenanceWindowType, description="The window in force now.")
    next_maintenance = graphene.Field(MaintenanceWindowType)

    @staticmethod
    def from_status(status: ServiceStatus, client: Any) -> ClientServiceType:
        s = status.service
        for monitor in status.monitors:
            monitor._client = client  # type: ignore[attr-defined]
        return ClientServiceType(
            id=str(s.pk),
            name=s.name,
            category=str(s.category),
            description=s.description,
            is_business_critical=s.is_business_critical,
            promised_availability=float(s.promised_availability),
            resolve_ticket_on_recovery=s.resolve_ticket_on_recovery,
            state=status.state,
            monitors=status.monitors,
            open_outages=status.open_outages,
            maintenance=status.maintenance,
            next_maintenance=status.next_maintenance,
        )


class MonitorStateChangeType(graphene.ObjectType):
    class Meta:
        name = "MonitorStateChange"

    at = graphene.DateTime(required=True)
    from_state = MonitorStateEnum(required=True)
    to_state = MonitorStateEnum(required=True)
    reason = graphene.String(required=True)


class AvailabilityFigureType(graphene.ObjectType):
    """One month's availability of a monitor (monitorId set) or of a whole service."""

    class Meta:
        name = "AvailabilityFigure"

    service_id = graphene.ID(required=True)
    monitor_id = graphene.ID()
    year = graphene.Int(required=True)
    month = graphene.Int(required=True)
    measured_seconds = graphene.Int(required=True)
    down_seconds = graphene.Int(required=True)
    maintenance_seconds = graphene.Int(required=True)
    availability_percent = graphene.Float(description="Null when nothing was measured.")
    promised_percent = graphene.Float(required=True)
    met = graphene.Boolean()
    outage_count = graphene.Int(required=True)
    is_final = graphene.Boolean(required=True, description="Stored for a closed month (never changes).")


class DownNowRowType(graphene.ObjectType):
    """A monitor that is down or degraded right now (read from the public index)."""

    class Meta:
        name = "DownNowRow"

    id = graphene.ID(required=True)
    client_slug = graphene.String(required=True)
    client_name = graphene.String(required=True)
    service_name = graphene.String(required=True)
    monitor_name = graphene.String(required=True)
    kind = MonitorKindEnum(required=True)
    state = MonitorStateEnum(required=True)
    state_since = graphene.DateTime(required=True)
    last_result_at = graphene.DateTime()
    last_message = graphene.String(required=True)
    ticket_number = graphene.Int()
    is_business_critical = graphene.Boolean(required=True)
    in_maintenance_until = graphene.DateTime()
