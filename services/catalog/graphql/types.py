"""GraphQL types of the service catalog: calendars, SLA policies, targets, triage matrix."""

from __future__ import annotations

from typing import Any

import graphene

from core.graphql.errors import error_type
from services.catalog.models import BusinessCalendar, SlaPolicy, format_minute_of_day
from services.catalog.sla_policies import effective_policy_choice

CATALOG_ERROR_CODES = [
    "REQUIRED",
    "INVALID",
    "DUPLICATE",
    "NOT_FOUND",
    "PERMISSION_DENIED",
    "OTP_REQUIRED",
    "NOT_AUTHENTICATED",
    "CLIENT_READ_ONLY",
]
CatalogError = error_type("CatalogError", CATALOG_ERROR_CODES, "Why a change to the service catalog failed.")
# One enum per concept, owned here (the catalog defines priorities and the triage levels);
# the service desk uses these too.
PriorityEnum = graphene.Enum("Priority", [(p, p) for p in ("P1", "P2", "P3", "P4")])
LevelEnum = graphene.Enum("Level", [("LOW", "low"), ("MEDIUM", "medium"), ("HIGH", "high")])


class WindowType(graphene.ObjectType):
    class Meta:
        name = "WorkingWindow"

    weekday = graphene.Int(required=True, description="0 = Monday … 6 = Sunday")
    start = graphene.String(required=True)
    end = graphene.String(required=True)


class ClosureType(graphene.ObjectType):
    class Meta:
        name = "CalendarClosure"

    date = graphene.Date(required=True)
    reason = graphene.String(required=True)


class CalendarType(graphene.ObjectType):
    class Meta:
        name = "BusinessCalendar"

    id = graphene.ID(required=True)
    name = graphene.String(required=True)
    timezone = graphene.String(required=True)
    always_open = graphene.Boolean(required=True)
    holiday_country = graphene.String(required=True)
    holiday_subdivision = graphene.String(required=True)
    windows = graphene.List(graphene.NonNull(WindowType), required=True)
    closures = graphene.List(graphene.NonNull(ClosureType), required=True)

    @staticmethod
    def from_row(row: BusinessCalendar) -> CalendarType:
        return CalendarType(
            id=str(row.pk),
            name=row.name,
            timezone=row.timezone,
            always_open=row.always_open,
            holiday_country=row.holiday_country,
            holiday_subdivision=row.holiday_subdivision,
            windows=[
                WindowType(
                    weekday=w.weekday,
                    start=format_minute_of_day(w.start_minute),
                    end=format_minute_of_day(w.end_minute),
                )
                for w in row.windows.all()
            ],
            closures=[ClosureType(date=c.date, reason=c.reason) for c in row.closures.all()],
        )


class TargetType(graphene.ObjectType):
    class Meta:
        name = "SlaTarget"

    priority = PriorityEnum(required=True)
    first_response_minutes = graphene.Int()
    next_update_minutes = graphene.Int()
    resolution_minutes = graphene.Int()
    around_the_clock = graphene.Boolean(required=True)


class PolicyType(graphene.ObjectType):
    class Meta:
        name = "SlaPolicy"

    id = graphene.ID(required=True)
    name = graphene.String(required=True)
    description = graphene.String(required=True)
    is_default = graphene.Boolean(required=True)
    warning_thresholds = graphene.List(graphene.NonNull(graphene.Float), required=True)
    calendar_id = graphene.ID(required=True)
    targets = graphene.List(graphene.NonNull(TargetType), required=True)

    @staticmethod
    def from_row(row: SlaPolicy) -> PolicyType:
        return PolicyType(
            id=str(row.pk),
            name=row.name,
            description=row.description,
            is_default=row.is_default,
            warning_thresholds=row.warning_thresholds or [],
            calendar_id=str(row.calendar_id),
            targets=[
                TargetType(
                    priority=t.priority,
                    first_response_minutes=t.first_response_minutes,
                    next_update_minutes=t.next_update_minutes,
                    resolution_minutes=t.resolution_minutes,
                    around_the_clock=t.around_the_clock,
                )
                for t in row.targets.all()
            ],
        )


class TriageCell(graphene.ObjectType):
    impact = LevelEnum(required=True)
    urgency = LevelEnum(required=True)
    priority = PriorityEnum(required=True)
    configured = graphene.Boolean(required=True, description="False where the ITIL default applies.")


class SlaCatalog(graphene.ObjectType):
    calendars = graphene.List(graphene.NonNull(CalendarType), required=True)
    policies = graphene.List(graphene.NonNull(PolicyType), required=True)
    triage_matrix = graphene.List(graphene.NonNull(TriageCell), required=True)


class ClientSlaType(graphene.ObjectType):
    class Meta:
        name = "ClientSla"

    policy = graphene.Field(PolicyType, description="The policy new tickets use; null means no SLA.")
    explicit = graphene.Boolean(required=True, description="False when the MSP's default policy applies.")


def client_sla_view(client: Any) -> ClientSlaType:
    """The policy new tickets of `client` use (None = no SLA) and whether it was chosen explicitly."""
    policy_id, explicit = effective_policy_choice(client)
    policy = SlaPolicy.objects.prefetch_related("targets").filter(pk=policy_id).first() if policy_id else None
    return ClientSlaType(policy=PolicyType.from_row(policy) if policy else None, explicit=explicit)
