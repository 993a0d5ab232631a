"""GraphQL types of the status page and the remote-work hierarchy."""

from __future__ import annotations

from typing import Any

import graphene

from core.graphql.types import enum_from_choices
from services.catalog.graphql.types import PriorityEnum
from services.outreach.graphql.types import BroadcastType
from services.status.hierarchy import Evidence, LayerState, ServiceState, percent
from services.support.graphql.types import BreachStateEnum, ServiceLineEnum
from services.workqueue.models import WorkItemKind

# From the rules' own enums, so the values they return serialise as they are.
ServiceStateEnum = graphene.Enum.from_enum(ServiceState, description="A service's live state.")
LayerStateEnum = graphene.Enum.from_enum(
    LayerState, description="A hierarchy layer: green, amber, red, or no data (nothing to judge it by)."
)
EvidenceEnum = graphene.Enum.from_enum(
    Evidence, name="StatusEvidence", description="Where a reason's evidence is shown."
)
ServiceLayerEnum = graphene.Enum(
    "ServiceLayer",
    [("CONNECTIVITY", "connectivity"), ("COLLABORATION", "collaboration")],
    description="Which hierarchy layer a service counts towards (none: neither).",
)
IncidentKindEnum = graphene.Enum("StatusIncidentKind", [("OUTAGE", "outage"), ("SECURITY", "security")])


class ServiceStatusType(graphene.ObjectType):
    class Meta:
        name = "ServiceStatus"

    name = graphene.String(required=True)
    state = ServiceStateEnum(required=True)
    since = graphene.DateTime(description="When the service entered its current state.")
    availability_percent = graphene.Float(description="This month so far; null before any check.")
    promised_percent = graphene.Float(description="The availability the contract promises.")
    daily_uptime = graphene.List(
        graphene.Float,
        required=True,
        description="Uptime % per UTC day, the last 30 days from uptimeFrom; null: nothing measured.",
    )
    layer = ServiceLayerEnum()
    is_business_critical = graphene.Boolean(required=True)
    maintenance_until = graphene.DateTime(description="Inside a planned maintenance window until then.")


class StatusIncident(graphene.ObjectType):
    kind = IncidentKindEnum(required=True)
    title = graphene.String(required=True)
    severity = graphene.String(required=True, description="Ticket priority (P1–P4) or incident severity.")
    status = graphene.String(required=True)
    started_at = graphene.DateTime(required=True)
    reference = graphene.Int(description="The ticket or incident number (null for client members).")


WorkKindEnum = enum_from_choices(
    "StatusWorkKind",
    WorkItemKind,
    "What an open work item is: a ticket, a security incident, a phishing report.",
)


class StatusWorkItem(graphene.ObjectType):
    kind = WorkKindEnum(required=True)
    number = graphene.Int(required=True)
    reference = graphene.String(required=True, description='How people name it: "#12", "SEC-3", …')
    title = graphene.String(required=True)
    priority = PriorityEnum(required=True)
    status = graphene.String(required=True, description="The ticket's or incident's status value.")
    service_line = ServiceLineEnum(required=True)
    assignee_name = graphene.String()
    next_deadline_at = graphene.DateTime()
    breach_state = BreachStateEnum(required=True)
    updated_at = graphene.DateTime(required=True)


class MfaPointType(graphene.ObjectType):
    class Meta:
        name = "MfaPoint"

    day = graphene.Date(required=True)
    percent = graphene.Float()


class DeviceSummary(graphene.ObjectType):
    active = graphene.Int(required=True)
    managed = graphene.Int(required=True)
    protected = graphene.Int(required=True)
    protection_outdated = graphene.Int(required=True)
    protection_missing = graphene.Int(required=True)
    protection_unknown = graphene.Int(required=True)
    patch_current = graphene.Int(required=True)
    patch_pending = graphene.Int(required=True)
    patch_overdue = graphene.Int(required=True)
    patch_unknown = graphene.Int(required=True)


class ImprovementSummary(graphene.ObjectType):
    proposed = graphene.Int(required=True)
    active = graphene.Int(required=True)
    stalled = graphene.Int(required=True)
    completed_recently = graphene.Int(required=True)


class HierarchyReason(graphene.ObjectType):
    text = graphene.String(required=True)
    state = LayerStateEnum(required=True)
    evidence = EvidenceEnum(required=True)


class HierarchyLayer(graphene.ObjectType):
    key = graphene.String(required=True)
    label = graphene.String(required=True)
    own_state = LayerStateEnum(required=True, description="This layer judged alone.")
    state = LayerStateEnum(
        required=True, description="Shown: green only when this layer and every layer below are green."
    )
    reasons = graphene.List(graphene.NonNull(HierarchyReason), required=True)


class StatusPageType(graphene.ObjectType):
    class Meta:
        name = "StatusPage"

    full = graphene.Boolean(
        required=True,
        description="True for IT leads and staff; client members get the services and outages only.",
    )
    generated_at = graphene.DateTime(required=True)
    month_start = graphene.Date(required=True)
    uptime_from = graphene.Date(required=True, description="The first day of each service's dailyUptime.")
    services = graphene.List(graphene.NonNull(ServiceStatusType), required=True)
    incidents = graphene.List(
        graphene.NonNull(StatusIncident), required=True, description="Open outages and security incidents."
    )
    open_security_incidents = graphene.Int()
    open_major_security_incidents = graphene.Int()
    mfa_covered = graphene.Int()
    mfa_total = graphene.Int()
    mfa_percent = graphene.Float()
    mfa_history = graphene.List(graphene.NonNull(MfaPointType), required=True)
    sla_month_met = graphene.Int()
    sla_month_breached = graphene.Int()
    sla_month_percent = graphene.Float(description="Null when nothing was judged this month.")
    devices = graphene.Field(DeviceSummary)
    work = graphene.List(
        graphene.NonNull(StatusWorkItem),
        required=True,
        description="What the MSP is working on now: open work, soonest deadline first (at most 10).",
    )
    work_total = graphene.Int()
    tickets_opened_last_30_days = graphene.Int()
    tickets_opened_previous_30_days = graphene.Int()
    improvements = graphene.Field(ImprovementSummary)
    hierarchy = graphene.List(
        graphene.NonNull(HierarchyLayer), description="Bottom (connectivity) first; null for client members."
    )

    broadcasts = graphene.List(
        graphene.NonNull(BroadcastType),
        required=True,
        description="The MSP's latest published broadcasts addressed to this client (at most 10).",
    )

    def resolve_broadcasts(root: Any, info: Any) -> list[BroadcastType]:
        # Client-facing: never the staff-only parts (segment, roles, audience, deflection).
        return [BroadcastType.from_row(row, staff=False) for row in root.broadcasts]

    def resolve_mfa_percent(root: Any, info: Any) -> float | None:
        return None if root.mfa_total is None else percent(root.mfa_covered or 0, root.mfa_total)

    def resolve_sla_month_percent(root: Any, info: Any) -> float | None:
        if root.sla_month_met is None:
            return None
        return percent(root.sla_month_met, root.sla_month_met + (root.sla_month_breached or 0))
