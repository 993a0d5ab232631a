"""Root query fields of security: incidents, phishing reports and campaigns, response targets."""

from __future__ import annotations

from typing import Any

import graphene
from django.db.models import Count

from core.errors import AccessDenied, ActionError
from core.graphql.errors import guard_query
from core.graphql.ids import decode_id
from core.graphql.types import enum_value
from services.security import actions, devices, phishing_actions
from services.security.graphql.types import (
    DeviceChoice,
    IncidentKindEnum,
    IncidentStatusEnum,
    PhishingCampaignType,
    PhishingReportType,
    PhishingStatusEnum,
    SecurityIncidentSummary,
    SecurityIncidentType,
    SecurityResponsePolicyType,
    SeverityEnum,
    incident_summaries,
    load_campaign_view,
    load_incident_view,
    policy_view,
    report_rows,
)
from services.security.models import DONE_INCIDENT_STATUSES, PhishingCampaign, SecurityIncident
from services.security.policy import response_policy
from tenants.models import ClientRole
from tenants.request_scope import client_schema

MAX_ROWS = 100


def _not_found_is_null(body: Any) -> Any:
    def run() -> Any:
        try:
            return body()
        except ActionError:
            return None
        except AccessDenied as exc:
            if exc.code == "NOT_FOUND":
                return None
            raise

    return guard_query(run)


def _require_staff(user: Any, what: str) -> None:
    if not user.is_msp_staff:
        raise AccessDenied(f"Only MSP staff can {what}.")


class SecurityQuery(graphene.ObjectType):
    security_incidents = graphene.List(
        graphene.NonNull(SecurityIncidentSummary),
        required=True,
        client_slug=graphene.String(),
        open_only=graphene.Boolean(),
        status=IncidentStatusEnum(),
        severity=SeverityEnum(),
        kind=IncidentKindEnum(),
        description="The client's security incidents this person may see (staff and IT leads: all; "
        "members: those they raised or are affected by), newest first (at most 100).",
    )
    security_incident = graphene.Field(
        SecurityIncidentType, number=graphene.Int(required=True), client_slug=graphene.String()
    )
    phishing_reports = graphene.List(
        graphene.NonNull(PhishingReportType),
        required=True,
        client_slug=graphene.String(),
        description="Reported messages (staff and IT leads: all of the client's; members: their own), "
        "newest first (at most 100).",
    )
    phishing_report = graphene.Field(
        PhishingReportType, id=graphene.ID(required=True), client_slug=graphene.String()
    )
    phishing_campaigns = graphene.List(
        graphene.NonNull(PhishingCampaignType),
        required=True,
        client_slug=graphene.String(),
        status=PhishingStatusEnum(),
        description="Staff: the client's reports grouped by campaign, most recently reported first "
        "(at most 100).",
    )
    phishing_campaign = graphene.Field(
        PhishingCampaignType, id=graphene.ID(required=True), client_slug=graphene.String()
    )
    security_response_policy = graphene.Field(
        SecurityResponsePolicyType,
        required=True,
        client_slug=graphene.String(),
        description="Staff and the client's IT leads: the targets its incidents are measured against.",
    )
    security_device_choices = graphene.List(
        graphene.NonNull(DeviceChoice),
        required=True,
        client_slug=graphene.String(),
        search=graphene.String(),
        description="Staff: the client's active devices to name on an incident (at most 20).",
    )

    @staticmethod
    def resolve_security_incidents(
        root: Any, info: Any, client_slug: str | None = None, **filters: Any
    ) -> Any:
        def body() -> Any:
            with client_schema(info.context, client_slug) as client:
                incidents = actions.incidents_visible_to(client, info.context.user)
                if filters.get("open_only"):
                    incidents = incidents.exclude(status__in=DONE_INCIDENT_STATUSES)
                for name in ("status", "severity", "kind"):
                    if filters.get(name) is not None:
                        incidents = incidents.filter(**{name: enum_value(filters[name])})
                rows = list(
                    incidents.annotate(affected_count=Count("affected_users", distinct=True)).order_by(
                        "-number"
                    )[:MAX_ROWS]
                )
                return incident_summaries(client, rows)

        return guard_query(body)

    @staticmethod
    def resolve_security_incident(root: Any, info: Any, number: int, client_slug: str | None = None) -> Any:
        def body() -> SecurityIncident:
            with client_schema(info.context, client_slug) as client:
                return load_incident_view(client, info.context.user, number)

        return _not_found_is_null(body)

    @staticmethod
    def resolve_phishing_reports(root: Any, info: Any, client_slug: str | None = None) -> Any:
        def body() -> Any:
            with client_schema(info.context, client_slug) as client:
                reports = phishing_actions.reports_visible_to(client, info.context.user)
                return list(report_rows(reports).order_by("-created_at", "-pk")[:100])

        return guard_query(body)

    @staticmethod
    def resolve_phishing_report(root: Any, info: Any, id: str, client_slug: str | None = None) -> Any:
        def body() -> Any:
            pk = decode_id(id, "PhishingReport", "id")
            with client_schema(info.context, client_slug) as client:
                reports = phishing_actions.reports_visible_to(client, info.context.user)
                report = report_rows(reports).filter(pk=pk).first()
                if report is not None and report.campaign.incident_id is not None:
                    # The incident number only for people who may open the incident.
                    visible = actions.incidents_visible_to(client, info.context.user)
                    if not visible.filter(pk=report.campaign.incident_id).exists():
                        report.campaign.incident = None
                return report

        return _not_found_is_null(body)

    @staticmethod
    def resolve_phishing_campaigns(
        root: Any, info: Any, client_slug: str | None = None, status: Any = None
    ) -> Any:
        def body() -> Any:
            _require_staff(info.context.user, "triage phishing reports")
            with client_schema(info.context, client_slug):
                campaigns = PhishingCampaign.objects.select_related("incident")
                if status is not None:
                    campaigns = campaigns.filter(status=enum_value(status))
                return list(campaigns.order_by("-last_reported_at", "-pk")[:100])

        return guard_query(body)

    @staticmethod
    def resolve_phishing_campaign(root: Any, info: Any, id: str, client_slug: str | None = None) -> Any:
        def body() -> Any:
            _require_staff(info.context.user, "triage phishing reports")
            pk = decode_id(id, "PhishingCampaign", "id")
            assert pk is not None
            with client_schema(info.context, client_slug):
                campaign = PhishingCampaign.objects.select_related("incident").filter(pk=pk).first()
                return None if campaign is None else load_campaign_view(campaign)

        return _not_found_is_null(body)

    @staticmethod
    def resolve_security_response_policy(root: Any, info: Any, client_slug: str | None = None) -> Any:
        def body() -> Any:
            with client_schema(info.context, client_slug) as client:
                user = info.context.user
                if not (user.is_msp_staff or actions.client_role(user, client) == ClientRole.IT_LEAD):
                    raise AccessDenied("Only staff and the client's IT leads can see its response targets.")
                return policy_view(response_policy(client))

        return guard_query(body)

    @staticmethod
    def resolve_security_device_choices(
        root: Any, info: Any, client_slug: str | None = None, search: str | None = None
    ) -> Any:
        def body() -> Any:
            _require_staff(info.context.user, "name devices on incidents")
            with client_schema(info.context, client_slug):
                return [
                    DeviceChoice(id=str(d.id), name=d.name) for d in devices.search_devices(search or "", 20)
                ]

        return guard_query(body)
