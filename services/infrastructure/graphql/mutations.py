"""Mutations of monitoring (MSP technicians and admins who reach the client)."""

from __future__ import annotations

from typing import Any

import graphene

from core.graphql.ids import decode_id
from core.graphql.mutations import BaseMutation, model_limit
from core.graphql.types import enum_value
from services.catalog.graphql.types import LevelEnum
from services.infrastructure import monitoring_actions as actions
from services.infrastructure.graphql.types import (
    ClientServiceType,
    MaintenanceWindowType,
    MonitoringError,
    MonitorKindEnum,
    MonitorType,
    ServiceCategoryEnum,
)
from services.infrastructure.monitoring import service_statuses
from services.infrastructure.monitoring_models import ClientService, MaintenanceWindow, Monitor
from tenants.access import ensure_msp_role
from tenants.models import Client, MspRole, User
from tenants.request_scope import client_schema


def _manager(info: Any) -> User:
    return ensure_msp_role(info.context.user, MspRole.TECHNICIAN, MspRole.ADMIN)


def _service_payload(client: Client, service: ClientService) -> ClientServiceType | None:
    for status in service_statuses(client):
        if status.service.pk == service.pk:
            return ClientServiceType.from_status(status, client)
    return None  # archived: not on the live list


class ClientServiceInput(graphene.InputObjectType):
    name = graphene.String(required=True)
    category = ServiceCategoryEnum(required=True)
    description = graphene.String()
    is_business_critical = graphene.Boolean()
    promised_availability = graphene.Float(description="Percent per month, e.g. 99.9.")
    resolve_ticket_on_recovery = graphene.Boolean()
    is_active = graphene.Boolean(description="False archives the service (its monitors stop).")


def _service_input(data: Any) -> actions.ServiceInput:
    return actions.ServiceInput(
        name=data.name,
        category=enum_value(data.category),
        description=data.description or "",
        is_business_critical=bool(data.is_business_critical),
        promised_availability=str(data.promised_availability)
        if data.promised_availability is not None
        else "99.9",
        resolve_ticket_on_recovery=True
        if data.resolve_ticket_on_recovery is None
        else data.resolve_ticket_on_recovery,
        is_active=True if data.is_active is None else data.is_active,
    )


SERVICE_LIMITS = {
    "clientSlug": 63,
    "name": model_limit(ClientService, "name"),
    "description": model_limit(ClientService, "description"),
}


class MonitoringMutation(BaseMutation):
    class Meta:
        abstract = True

    default_error_type = MonitoringError


class CreateClientService(MonitoringMutation):
    """Staff: add a service the MSP runs for the client."""

    class Arguments:
        client_slug = graphene.String()
        input = ClientServiceInput(required=True)

    service = graphene.Field(ClientServiceType)
    max_lengths = SERVICE_LIMITS

    @classmethod
    def perform(cls, info: Any, input: Any, client_slug: str | None = None) -> Any:
        user = _manager(info)
        with client_schema(info.context, client_slug) as client:
            service = actions.create_service(client, _service_input(input), actor=user)
            return cls.success(service=_service_payload(client, service))


class UpdateClientService(MonitoringMutation):
    """Staff: change or archive a service."""

    class Arguments:
        client_slug = graphene.String()
        id = graphene.ID(required=True)
        input = ClientServiceInput(required=True)

    service = graphene.Field(ClientServiceType)
    max_lengths = {**SERVICE_LIMITS, "id": 100}

    @classmethod
    def perform(cls, info: Any, id: str, input: Any, client_slug: str | None = None) -> Any:
        user = _manager(info)
        pk = decode_id(id, "ClientService", "id")
        assert pk is not None
        with client_schema(info.context, client_slug) as client:
            service = actions.update_service(client, pk, _service_input(input), actor=user)
            return cls.success(service=_service_payload(client, service))


class MonitorInput(graphene.InputObjectType):
    name = graphene.String(required=True)
    kind = MonitorKindEnum(required=True)
    target = graphene.String(description="http(s)://… for HTTP, host:port for TCP; empty otherwise.")
    key = graphene.String(description="Stable key agents report under; made from the name when empty.")
    interval_seconds = graphene.Int()
    timeout_seconds = graphene.Int()
    expected_status = graphene.Int()
    keyword = graphene.String()
    cert_warning_days = graphene.Int()
    heartbeat_grace_seconds = graphene.Int()
    failures_to_down = graphene.Int()
    successes_to_up = graphene.Int()
    urgency = LevelEnum()


def _monitor_input(data: Any) -> actions.MonitorInput:
    return actions.MonitorInput(
        name=data.name,
        kind=enum_value(data.kind),
        target=data.target or "",
        key=data.key or "",
        interval_seconds=data.interval_seconds,
        timeout_seconds=data.timeout_seconds,
        expected_status=data.expected_status,
        keyword=data.keyword or "",
        cert_warning_days=data.cert_warning_days,
        heartbeat_grace_seconds=data.heartbeat_grace_seconds,
        failures_to_down=data.failures_to_down,
        successes_to_up=data.successes_to_up,
        urgency=enum_value(data.urgency) or "high",
    )


MONITOR_LIMITS = {
    "name": model_limit(Monitor, "name"),
    "target": model_limit(Monitor, "target"),
    "key": model_limit(Monitor, "key"),
    "keyword": model_limit(Monitor, "keyword"),
    "id": 100,
    "serviceId": 100,
    "clientSlug": 63,
}


def _monitor_payload(client: Client, monitor: Monitor) -> Monitor:
    monitor._client = client  # type: ignore[attr-defined]
    return monitor


class CreateMonitor(MonitoringMutation):
    """Staff: add a monitor to a service (checked at once)."""

    class Arguments:
        client_slug = graphene.String()
        service_id = graphene.ID(required=True)
        input = MonitorInput(required=True)

    monitor = graphene.Field(MonitorType)
    max_lengths = MONITOR_LIMITS

    @classmethod
    def perform(cls, info: Any, service_id: str, input: Any, client_slug: str | None = None) -> Any:
        user = _manager(info)
        pk = decode_id(service_id, "ClientService", "serviceId")
        assert pk is not None
        with client_schema(info.context, client_slug) as client:
            monitor = actions.create_monitor(client, pk, _monitor_input(input), actor=user)
            return cls.success(monitor=_monitor_payload(client, monitor))


class UpdateMonitor(MonitoringMutation):
    """Staff: change a monitor's settings (not its kind)."""

    class Arguments:
        client_slug = graphene.String()
        id = graphene.ID(required=True)
        input = MonitorInput(required=True)

    monitor = graphene.Field(MonitorType)
    max_lengths = MONITOR_LIMITS

    @classmethod
    def perform(cls, info: Any, id: str, input: Any, client_slug: str | None = None) -> Any:
        user = _manager(info)
        pk = decode_id(id, "Monitor", "id")
        assert pk is not None
        with client_schema(info.context, client_slug) as client:
            monitor = actions.update_monitor(client, pk, _monitor_input(input), actor=user)
            return cls.success(monitor=_monitor_payload(client, monitor))


class SetMonitorPaused(MonitoringMutation):
    """Staff: pause a monitor (no checks, no outages) or resume it."""

    class Arguments:
        client_slug = graphene.String()
        id = graphene.ID(required=True)
        paused = graphene.Boolean(required=True)

    monitor = graphene.Field(MonitorType)
    max_lengths = {"id": 100, "clientSlug": 63}

    @classmethod
    def perform(cls, info: Any, id: str, paused: bool, client_slug: str | None = None) -> Any:
        user = _manager(info)
        pk = decode_id(id, "Monitor", "id")
        assert pk is not None
        with client_schema(info.context, client_slug) as client:
            monitor = actions.set_monitor_paused(client, pk, actor=user, paused=paused)
            return cls.success(monitor=_monitor_payload(client, monitor))


class DeleteMonitor(MonitoringMutation):
    """Staff: remove a monitor and its history (tickets it raised stay)."""

    class Arguments:
        client_slug = graphene.String()
        id = graphene.ID(required=True)

    deleted_id = graphene.ID()
    max_lengths = {"id": 100, "clientSlug": 63}

    @classmethod
    def perform(cls, info: Any, id: str, client_slug: str | None = None) -> Any:
        user = _manager(info)
        pk = decode_id(id, "Monitor", "id")
        assert pk is not None
        with client_schema(info.context, client_slug) as client:
            actions.delete_monitor(client, pk, actor=user)
            return cls.success(deleted_id=str(pk))


class ScheduleMaintenance(MonitoringMutation):
    """Staff: plan maintenance of a service (no outages; left out of availability)."""

    class Arguments:
        client_slug = graphene.String()
        service_id = graphene.ID(required=True)
        starts_at = graphene.DateTime(required=True)
        ends_at = graphene.DateTime(required=True)
        reason = graphene.String(required=True)

    window = graphene.Field(MaintenanceWindowType)
    max_lengths = {"reason": model_limit(MaintenanceWindow, "reason"), "serviceId": 100, "clientSlug": 63}

    @classmethod
    def perform(
        cls,
        info: Any,
        service_id: str,
        starts_at: Any,
        ends_at: Any,
        reason: str,
        client_slug: str | None = None,
    ) -> Any:
        user = _manager(info)
        pk = decode_id(service_id, "ClientService", "serviceId")
        assert pk is not None
        with client_schema(info.context, client_slug) as client:
            window = actions.schedule_maintenance(
                client, pk, actor=user, starts_at=starts_at, ends_at=ends_at, reason=reason
            )
            return cls.success(window=window)


class CancelMaintenance(MonitoringMutation):
    """Staff: cancel a planned window or end one in progress now."""

    class Arguments:
        client_slug = graphene.String()
        id = graphene.ID(required=True)

    cancelled_id = graphene.ID()
    max_lengths = {"id": 100, "clientSlug": 63}

    @classmethod
    def perform(cls, info: Any, id: str, client_slug: str | None = None) -> Any:
        user = _manager(info)
        pk = decode_id(id, "MaintenanceWindow", "id")
        assert pk is not None
        with client_schema(info.context, client_slug) as client:
            actions.cancel_maintenance(client, pk, actor=user)
            return cls.success(cancelled_id=str(pk))


class MonitoringMutations(graphene.ObjectType):
    create_client_service = CreateClientService.Field(required=True)
    update_client_service = UpdateClientService.Field(required=True)
    create_monitor = CreateMonitor.Field(required=True)
    update_monitor = UpdateMonitor.Field(required=True)
    set_monitor_paused = SetMonitorPaused.Field(required=True)
    delete_monitor = DeleteMonitor.Field(required=True)
    schedule_maintenance = ScheduleMaintenance.Field(required=True)
    cancel_maintenance = CancelMaintenance.Field(required=True)
