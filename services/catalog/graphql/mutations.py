"""Mutations of the catalog (MSP admins change it)."""

from __future__ import annotations

from typing import Any

import graphene

from core.errors import ActionError
from core.graphql.ids import decode_id
from core.graphql.mutations import BaseMutation, model_limit
from core.graphql.types import enum_value
from services.catalog import actions
from services.catalog.graphql.types import (
    CalendarType,
    CatalogError,
    ClientSlaType,
    LevelEnum,
    PolicyType,
    PriorityEnum,
    TriageCell,
    client_sla_view,
)
from services.catalog.models import BusinessCalendar, CalendarClosure, SlaPolicy
from tenants.access import ensure_msp_role
from tenants.models import MspRole
from tenants.request_scope import resolve_client


class WindowInput(graphene.InputObjectType):
    weekday = graphene.Int(required=True)
    start = graphene.String(required=True)
    end = graphene.String(required=True)


class ClosureInput(graphene.InputObjectType):
    date = graphene.Date(required=True)
    reason = graphene.String()


class CalendarInput(graphene.InputObjectType):
    id = graphene.ID(description="Omit to create a calendar.")
    name = graphene.String(required=True)
    timezone = graphene.String(required=True)
    always_open = graphene.Boolean()
    holiday_country = graphene.String()
    holiday_subdivision = graphene.String()
    windows = graphene.List(graphene.NonNull(WindowInput))
    closures = graphene.List(graphene.NonNull(ClosureInput))


class SaveBusinessCalendar(BaseMutation):
    """MSP admins: create or replace a business calendar."""

    class Arguments:
        input = CalendarInput(required=True)

    calendar = graphene.Field(CalendarType)

    class Meta:
        error_type = CatalogError

    max_lengths = {
        "id": 200,
        "name": model_limit(BusinessCalendar, "name"),
        "timezone": model_limit(BusinessCalendar, "timezone"),
        "holidayCountry": model_limit(BusinessCalendar, "holiday_country"),
        "holidaySubdivision": model_limit(BusinessCalendar, "holiday_subdivision"),
        "windows.start": len("HH:MM"),
        "windows.end": len("HH:MM"),
        "closures.reason": model_limit(CalendarClosure, "reason"),
    }

    @classmethod
    def perform(cls, info: Any, input: Any) -> Any:
        user = ensure_msp_role(info.context.user, MspRole.ADMIN)
        if len(input.windows or []) > 7 * 6 or len(input.closures or []) > 366:
            raise ActionError.single("INVALID", "Too many windows or closures.", None)
        calendar = actions.save_business_calendar(
            actions.CalendarInput(
                name=input.name,
                timezone=input.timezone,
                always_open=bool(input.always_open),
                holiday_country=input.holiday_country or "",
                holiday_subdivision=input.holiday_subdivision or "",
                windows=[actions.WindowInput(w.weekday, w.start, w.end) for w in input.windows or []],
                closures=[actions.ClosureInput(c.date, c.reason or "") for c in input.closures or []],
            ),
            actor=user,
            calendar_id=decode_id(input.id, "BusinessCalendar", "id", required=False),
        )
        return cls.success(calendar=CalendarType.from_row(calendar))


class TargetInput(graphene.InputObjectType):
    priority = PriorityEnum(required=True)
    first_response_minutes = graphene.Int()
    next_update_minutes = graphene.Int()
    resolution_minutes = graphene.Int()
    around_the_clock = graphene.Boolean()


def _target_inputs(items: Any) -> list[actions.TargetInput]:
    return [
        actions.TargetInput(
            priority=enum_value(t.priority),
            first_response_minutes=t.first_response_minutes,
            next_update_minutes=t.next_update_minutes,
            resolution_minutes=t.resolution_minutes,
            around_the_clock=bool(t.around_the_clock),
        )
        for t in items[:8]
    ]


class SaveSlaTargets(BaseMutation):
    """MSP admins: replace a policy's targets (and optionally its warning thresholds)."""

    class Arguments:
        policy_id = graphene.ID(required=True)
        targets = graphene.List(graphene.NonNull(TargetInput), required=True)
        warning_thresholds = graphene.List(graphene.NonNull(graphene.Float))

    policy = graphene.Field(PolicyType)

    class Meta:
        error_type = CatalogError

    max_lengths = {"policyId": 200}

    @classmethod
    def perform(cls, info: Any, policy_id: str, targets: list[Any], warning_thresholds: Any = None) -> Any:
        user = ensure_msp_role(info.context.user, MspRole.ADMIN)
        policy = actions.save_policy_targets(
            decode_id(policy_id, "SlaPolicy", "policyId") or 0,
            _target_inputs(targets),
            actor=user,
            warning_thresholds=warning_thresholds,
        )
        return cls.success(policy=PolicyType.from_row(policy))


class SaveTriageRule(BaseMutation):
    """MSP admins: set one impact × urgency cell of the triage matrix."""

    class Arguments:
        impact = LevelEnum(required=True)
        urgency = LevelEnum(required=True)
        priority = PriorityEnum(required=True)

    cell = graphene.Field(TriageCell)

    class Meta:
        error_type = CatalogError

    @classmethod
    def perform(cls, info: Any, impact: Any, urgency: Any, priority: Any) -> Any:
        user = ensure_msp_role(info.context.user, MspRole.ADMIN)
        rule = actions.save_triage_rule(
            enum_value(impact), enum_value(urgency), enum_value(priority), actor=user
        )
        cell = TriageCell(impact=rule.impact, urgency=rule.urgency, priority=rule.priority, configured=True)
        return cls.success(cell=cell)


class SetClientSla(BaseMutation):
    """MSP admins and account managers: a client's SLA policy, explicit "no SLA", or the default."""

    class Arguments:
        client_slug = graphene.String(required=True)
        policy_id = graphene.ID()
        no_sla = graphene.Boolean()

    client_sla = graphene.Field(ClientSlaType)

    class Meta:
        error_type = CatalogError

    max_lengths = {"clientSlug": 63, "policyId": 200}

    @classmethod
    def perform(cls, info: Any, client_slug: str, policy_id: str | None = None, no_sla: bool = False) -> Any:
        user = ensure_msp_role(info.context.user, MspRole.ADMIN, MspRole.ACCOUNT_MANAGER)
        client = resolve_client(info.context, client_slug)
        actions.set_client_sla(
            client,
            actor=user,
            policy_id=decode_id(policy_id, "SlaPolicy", "policyId", required=False),
            no_sla=bool(no_sla),
        )
        return cls.success(client_sla=client_sla_view(client))


class PolicyInput(graphene.InputObjectType):
    id = graphene.ID(description="Omit to create a policy.")
    name = graphene.String(required=True)
    description = graphene.String()
    calendar_id = graphene.ID(required=True)
    is_default = graphene.Boolean()
    targets = graphene.List(graphene.NonNull(TargetInput), description="Required for a new policy: P1–P4.")


class SaveSlaPolicy(BaseMutation):
    """MSP admins: create a policy (with targets), rename it, change its calendar or make it the default."""

    class Arguments:
        input = PolicyInput(required=True)

    policy = graphene.Field(PolicyType)

    class Meta:
        error_type = CatalogError

    max_lengths = {
        "id": 200,
        "name": model_limit(SlaPolicy, "name"),
        "description": 2_000,
        "calendarId": 200,
    }

    @classmethod
    def perform(cls, info: Any, input: Any) -> Any:
        user = ensure_msp_role(info.context.user, MspRole.ADMIN)
        calendar_id = decode_id(input.calendar_id, "BusinessCalendar", "calendarId") or 0
        targets = None if input.targets is None else _target_inputs(input.targets)
        policy = actions.save_sla_policy(
            actions.PolicyInput(
                name=input.name,
                calendar_id=calendar_id,
                description=input.description or "",
                is_default=bool(input.is_default),
            ),
            actor=user,
            policy_id=decode_id(input.id, "SlaPolicy", "id", required=False),
            targets=targets,
        )
        policy = SlaPolicy.objects.prefetch_related("targets").get(pk=policy.pk)
        return cls.success(policy=PolicyType.from_row(policy))


class CatalogMutation(graphene.ObjectType):
    save_sla_policy = SaveSlaPolicy.Field(required=True)
    save_business_calendar = SaveBusinessCalendar.Field(required=True)
    save_sla_targets = SaveSlaTargets.Field(required=True)
    save_triage_rule = SaveTriageRule.Field(required=True)
    set_client_sla = SetClientSla.Field(required=True)
