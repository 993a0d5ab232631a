"""GraphQL types of security: incidents with their clocks and timeline, phishing campaigns and
reports (links shown defanged only, the message never rendered), response targets."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import graphene

from core.errors import ActionError
from core.graphql.errors import error_type
from core.graphql.loaders import loader
from core.graphql.types import enum_value
from services.security import actions
from services.security.clocks import SecurityClockStatus, incident_clocks
from services.security.models import (
    IncidentKind,
    IncidentStatus,
    PhishingCampaign,
    PhishingCampaignStatus,
    PhishingReport,
    SecurityClock,
    SecurityIncident,
    Severity,
)
from services.security.phishing import defang, host_of
from services.security.policy import ResponsePolicy, response_policy
from services.support.graphql.types import BreachStateEnum, SlaClock
from services.workqueue.models import WorkItem, WorkItemKind
from tenants.graphql.types import StaffMember, load_staff
from tenants.models import Client, User

IncidentKindEnum = graphene.Enum("SecurityIncidentKind", [(v.upper(), v) for v in IncidentKind.values])
SeverityEnum = graphene.Enum("SecuritySeverity", [(v.upper(), v) for v in Severity.values])
IncidentStatusEnum = graphene.Enum("SecurityIncidentStatus", [(v.upper(), v) for v in IncidentStatus.values])
PhishingStatusEnum = graphene.Enum(
    "PhishingCampaignStatus", [(v.upper(), v) for v in PhishingCampaignStatus.values]
)
PhishingVerdictEnum = graphene.Enum("PhishingVerdict", [("INCIDENT", "incident"), ("SAFE", "safe")])

SecurityError = error_type(
    "SecurityError",
    [
        "INVALID_TRANSITION",
        "TOO_LARGE",
        "TOO_MANY",
        "NOT_A_MESSAGE",
        "UNSUPPORTED_TYPE",
        "CLIENT_READ_ONLY",
        "CLIENT_INACTIVE",
    ],
    "Why a change to a security incident, a phishing report or response targets failed.",
)


class AffectedPerson(graphene.ObjectType):
    contact_id = graphene.ID(required=True)
    full_name = graphene.String(required=True)
    email = graphene.String(required=True)


class AffectedDevice(graphene.ObjectType):
    device_id = graphene.ID(required=True)
    name = graphene.String(required=True, description="The device's name when it was linked.")


class SecurityTimelineEntry(graphene.ObjectType):
    id = graphene.ID(required=True)
    kind = graphene.String(required=True)
    at = graphene.DateTime(required=True)
    actor_name = graphene.String()
    actor_is_staff = graphene.Boolean(required=True)
    is_internal = graphene.Boolean(required=True)
    body = graphene.String(required=True)
    detail = graphene.JSONString(required=True)


class PhishingCampaignRef(graphene.ObjectType):
    id = graphene.ID(required=True)
    subject = graphene.String(required=True)
    report_count = graphene.Int(required=True)


def security_clock(clock: SecurityClockStatus) -> SlaClock:
    """The engine's status of the measure, under the security clock's own name and words."""
    row = SlaClock.from_status(clock.status)
    row.name = clock.name
    row.explain_steps = clock.explain_steps
    return row


class SecurityIncidentType(graphene.ObjectType):
    """A security incident as the viewer may see it (internal notes only for staff)."""

    class Meta:
        name = "SecurityIncident"

    number = graphene.Int(required=True)
    reference = graphene.String(required=True, description="SEC-<number>")
    title = graphene.String(required=True)
    description = graphene.String(required=True)
    kind = IncidentKindEnum(required=True)
    severity = SeverityEnum(required=True)
    status = IncidentStatusEnum(required=True)
    assignee = graphene.Field(StaffMember)
    created_at = graphene.DateTime(required=True)
    updated_at = graphene.DateTime(required=True)
    acknowledged_at = graphene.DateTime()
    contained_at = graphene.DateTime()
    resolved_at = graphene.DateTime()
    closed_at = graphene.DateTime()
    affected_users = graphene.List(graphene.NonNull(AffectedPerson), required=True)
    affected_devices = graphene.List(graphene.NonNull(AffectedDevice), required=True)
    sla_clocks = graphene.List(
        graphene.NonNull(SlaClock),
        required=True,
        description="acknowledge, contain, resolve (SlaClock.name); empty while they can't be computed.",
    )
    sla_problem = graphene.String(description="Staff only: why the clocks can't be computed.")
    timeline = graphene.List(graphene.NonNull(SecurityTimelineEntry), required=True)
    campaigns = graphene.List(
        graphene.NonNull(PhishingCampaignRef), required=True, description="Phishing reports triaged into it."
    )
    viewer_may_manage = graphene.Boolean(required=True, description="Staff: may change status, severity, ...")

    @staticmethod
    def resolve_reference(root: SecurityIncident, info: Any) -> str:
        return root.reference

    @staticmethod
    def resolve_kind(root: SecurityIncident, info: Any) -> str:
        return root.kind

    @staticmethod
    def resolve_severity(root: SecurityIncident, info: Any) -> str:
        return root.severity

    @staticmethod
    def resolve_status(root: SecurityIncident, info: Any) -> str:
        return root.status

    @staticmethod
    def resolve_assignee(root: SecurityIncident, info: Any) -> Any:
        if root.assignee_id is None:
            return None
        return loader(info, load_staff).load(root.assignee_id)

    @staticmethod
    def resolve_affected_users(root: SecurityIncident, info: Any) -> list[AffectedPerson]:
        return [
            AffectedPerson(contact_id=str(a.contact_id), full_name=a.contact.full_name, email=a.contact.email)
            for a in root.affected_users.all()
        ]

    @staticmethod
    def resolve_affected_devices(root: SecurityIncident, info: Any) -> list[AffectedDevice]:
        return [
            AffectedDevice(device_id=str(d.device_id), name=d.device_name)
            for d in root.affected_devices.all()
        ]

    @staticmethod
    def resolve_sla_clocks(root: SecurityIncident, info: Any) -> list[SlaClock]:
        clocks = root._clocks  # type: ignore[attr-defined]
        return [] if clocks is None else [security_clock(clock) for clock in clocks.all()]

    @staticmethod
    def resolve_sla_problem(root: SecurityIncident, info: Any) -> str | None:
        return root._clock_problem if info.context.user.is_msp_staff else None  # type: ignore[attr-defined]

    @staticmethod
    def resolve_timeline(root: SecurityIncident, info: Any) -> list[SecurityTimelineEntry]:
        return root._timeline  # type: ignore[attr-defined,no-any-return]

    @staticmethod
    def resolve_campaigns(root: SecurityIncident, info: Any) -> list[PhishingCampaignRef]:
        return [
            PhishingCampaignRef(id=str(c.pk), subject=c.subject, report_count=c.report_count)
            for c in root.campaigns.all()
        ]

    @staticmethod
    def resolve_viewer_may_manage(root: SecurityIncident, info: Any) -> bool:
        return bool(info.context.user.is_msp_staff)


def _timeline(incident: SecurityIncident, viewer: User) -> list[SecurityTimelineEntry]:
    activities = [a for a in incident.activities.all() if viewer.is_msp_staff or not a.is_internal]
    people = {
        user.pk: user for user in User.objects.filter(pk__in={a.actor_id for a in activities if a.actor_id})
    }
    entries = []
    for activity in activities:
        actor = people.get(activity.actor_id) if activity.actor_id else None
        entries.append(
            SecurityTimelineEntry(
                id=str(activity.pk),
                kind=activity.kind,
                at=activity.created_at,
                actor_name=actor.full_name if actor else None,
                actor_is_staff=bool(actor and actor.is_msp_staff),
                is_internal=activity.is_internal,
                body=activity.body,
                detail=activity.detail,
            )
        )
    return entries


def load_incident_view(
    client: Client, viewer: User, number: int, policy: ResponsePolicy | None = None
) -> SecurityIncident:
    """The incident a person may see with what its page shows prefetched (constant queries)."""
    incident = (
        actions.incidents_visible_to(client, viewer)
        .filter(number=number)
        .prefetch_related(
            "sla_events",
            "sla_outcomes",
            "activities",
            "affected_devices",
            "campaigns",
            "affected_users__contact",
        )
        .first()
    )
    if incident is None:
        raise ActionError.single("NOT_FOUND", f"There is no incident SEC-{number} for you here.", "number")
    checked = incident_clocks(incident, policy or response_policy(client))
    incident._clocks = checked.clocks  # type: ignore[attr-defined]
    incident._clock_problem = checked.problem  # type: ignore[attr-defined]
    incident._timeline = _timeline(incident, viewer)  # type: ignore[attr-defined]
    return incident


class SecurityIncidentSummary(graphene.ObjectType):
    """A line of a client's incident list, with its deadline from the queue index."""

    number = graphene.Int(required=True)
    reference = graphene.String(required=True)
    title = graphene.String(required=True)
    kind = IncidentKindEnum(required=True)
    severity = SeverityEnum(required=True)
    status = IncidentStatusEnum(required=True)
    created_at = graphene.DateTime(required=True)
    updated_at = graphene.DateTime(required=True)
    assignee = graphene.Field(StaffMember)
    next_deadline_at = graphene.DateTime()
    next_deadline_clock = graphene.String()
    breach_state = BreachStateEnum(required=True)
    affected_user_count = graphene.Int(required=True)

    @staticmethod
    def resolve_assignee(root: Any, info: Any) -> Any:
        assignee_id = root.assignee
        return None if assignee_id is None else loader(info, load_staff).load(assignee_id)


def incident_summaries(
    client: Client, incidents: Sequence[SecurityIncident]
) -> list[SecurityIncidentSummary]:
    """Rows for `incidents` (annotated with `affected_count`) plus their queue rows: one query."""
    items = {
        item.object_id: item
        for item in WorkItem.objects.filter(
            client=client, kind=WorkItemKind.SECURITY_INCIDENT, object_id__in=[i.pk for i in incidents]
        )
    }
    rows = []
    for incident in incidents:
        item = items.get(incident.pk)
        rows.append(
            SecurityIncidentSummary(
                number=incident.number,
                reference=incident.reference,
                title=incident.title,
                kind=incident.kind,
                severity=incident.severity,
                status=incident.status,
                created_at=incident.created_at,
                updated_at=incident.updated_at,
                assignee=incident.assignee_id,
                next_deadline_at=item.next_deadline_at if item else None,
                next_deadline_clock=(item.next_deadline_clock or None) if item else None,
                breach_state=enum_value(item.breach_state) if item else "none",
                affected_user_count=incident.affected_count,  # type: ignore[attr-defined]
            )
        )
    return rows


# ------------------------------------------------------------------------- phishing


class AuthenticationVerdicts(graphene.ObjectType):
    spf = graphene.String(
        required=True, description='"pass", "fail", "softfail", "none", ... or "" when absent.'
    )
    dkim = graphene.String(required=True)
    dmarc = graphene.String(required=True)
    headers = graphene.List(graphene.NonNull(graphene.String), required=True)


class PhishingLinkType(graphene.ObjectType):
    class Meta:
        name = "PhishingLink"

    defanged_url = graphene.String(
        required=True, description="hxxps[://]host[.]example/... — never a live link."
    )
    host = graphene.String(required=True)
    text = graphene.String(required=True, description="The link's visible text in the HTML part.")
    text_shows_other_host = graphene.Boolean(
        required=True, description="The visible text looks like an address on another host (a classic lure)."
    )


class PhishingAttachmentType(graphene.ObjectType):
    class Meta:
        name = "PhishingAttachment"

    filename = graphene.String(required=True)
    content_type = graphene.String(required=True)
    size_bytes = graphene.Int(required=True)
    sha256 = graphene.String(required=True)


def _other_host(text: str, host: str) -> bool:
    candidate = text.strip()
    if "." not in candidate or " " in candidate:
        return False
    shown = host_of(candidate if "://" in candidate else f"http://{candidate}")
    return bool(shown) and shown.lower() != host.lower()


class PhishingReportType(graphene.ObjectType):
    """One reported message, as parsed on arrival. Never the message's HTML."""

    class Meta:
        name = "PhishingReport"

    id = graphene.ID(required=True)
    campaign_id = graphene.ID(required=True)
    status = PhishingStatusEnum(required=True, description="The verdict of its campaign.")
    incident_number = graphene.Int(description="The incident it was triaged into (if you may see it).")
    reporter_name = graphene.String(required=True)
    comment = graphene.String(required=True)
    created_at = graphene.DateTime(required=True)
    raw_size = graphene.Int(required=True)
    subject = graphene.String(required=True)
    from_address = graphene.String(required=True)
    from_display = graphene.String(required=True)
    reply_to = graphene.String(required=True)
    return_path = graphene.String(required=True)
    date_header = graphene.String(required=True)
    sent_at = graphene.DateTime()
    message_id = graphene.String(required=True)
    received_chain = graphene.List(graphene.NonNull(graphene.String), required=True)
    authentication = graphene.Field(AuthenticationVerdicts, required=True)
    links = graphene.List(graphene.NonNull(PhishingLinkType), required=True)
    attachments = graphene.List(graphene.NonNull(PhishingAttachmentType), required=True)
    text_excerpt = graphene.String(required=True, description="Start of the plain text (never HTML).")
    parse_problems = graphene.List(graphene.NonNull(graphene.String), required=True)

    @staticmethod
    def resolve_id(root: PhishingReport, info: Any) -> str:
        return str(root.pk)

    @staticmethod
    def resolve_campaign_id(root: PhishingReport, info: Any) -> str:
        return str(root.campaign_id)

    @staticmethod
    def resolve_status(root: PhishingReport, info: Any) -> str:
        return root.campaign.status

    @staticmethod
    def resolve_incident_number(root: PhishingReport, info: Any) -> int | None:
        incident = root.campaign.incident
        return incident.number if incident is not None else None

    @staticmethod
    def resolve_reporter_name(root: PhishingReport, info: Any) -> str:
        return root.reporter.full_name

    @staticmethod
    def resolve_authentication(root: PhishingReport, info: Any) -> AuthenticationVerdicts:
        data = root.authentication or {}
        return AuthenticationVerdicts(
            spf=str(data.get("spf", "")),
            dkim=str(data.get("dkim", "")),
            dmarc=str(data.get("dmarc", "")),
            headers=[str(h) for h in data.get("headers", [])],
        )

    @staticmethod
    def resolve_links(root: PhishingReport, info: Any) -> list[PhishingLinkType]:
        return [
            PhishingLinkType(
                defanged_url=defang(link.url),
                host=link.host,
                text=link.text,
                text_shows_other_host=_other_host(link.text, link.host),
            )
            for link in root.links.all()
        ]

    @staticmethod
    def resolve_attachments(root: PhishingReport, info: Any) -> list[PhishingAttachmentType]:
        return [
            PhishingAttachmentType(
                filename=a.filename, content_type=a.content_type, size_bytes=a.size_bytes, sha256=a.sha256
            )
            for a in root.attachments.all()
        ]


def report_rows(reports: Any) -> Any:
    """Reports with what a list or page shows, in a constant number of queries."""
    return reports.select_related("campaign__incident", "reporter").prefetch_related("links", "attachments")


class PhishingCampaignType(graphene.ObjectType):
    """Reports of one message, grouped (see docs/security.md); staff triage it."""

    class Meta:
        name = "PhishingCampaign"

    id = graphene.ID(required=True)
    subject = graphene.String(required=True)
    sender_domain = graphene.String(required=True)
    status = PhishingStatusEnum(required=True)
    report_count = graphene.Int(required=True)
    first_reported_at = graphene.DateTime(required=True)
    last_reported_at = graphene.DateTime(required=True)
    incident_number = graphene.Int()
    verdict_note = graphene.String(required=True)
    triaged_at = graphene.DateTime()
    triaged_by = graphene.Field(StaffMember)
    reports = graphene.List(
        graphene.NonNull(PhishingReportType), required=True, description="Oldest first (at most 100)."
    )

    @staticmethod
    def resolve_id(root: PhishingCampaign, info: Any) -> str:
        return str(root.pk)

    @staticmethod
    def resolve_status(root: PhishingCampaign, info: Any) -> str:
        return root.status

    @staticmethod
    def resolve_incident_number(root: PhishingCampaign, info: Any) -> int | None:
        return root.incident.number if root.incident is not None else None

    @staticmethod
    def resolve_triaged_by(root: PhishingCampaign, info: Any) -> Any:
        return None if root.triaged_by_id is None else loader(info, load_staff).load(root.triaged_by_id)

    @staticmethod
    def resolve_reports(root: PhishingCampaign, info: Any) -> Any:
        return getattr(root, "_reports", [])


def load_campaign_view(campaign: PhishingCampaign) -> PhishingCampaign:
    campaign._reports = list(  # type: ignore[attr-defined]
        report_rows(PhishingReport.objects.filter(campaign=campaign)).order_by("created_at", "pk")[:100]
    )
    return campaign


# ------------------------------------------------------------------- response policy


class SecurityResponseTargetType(graphene.ObjectType):
    class Meta:
        name = "SecurityResponseTarget"

    severity = SeverityEnum(required=True)
    acknowledge_minutes = graphene.Int()
    contain_minutes = graphene.Int()
    resolve_minutes = graphene.Int()
    around_the_clock = graphene.Boolean(required=True)
    is_default = graphene.Boolean(
        required=True, description="The MSP's default (the client has no own target)."
    )


class SecurityResponsePolicyType(graphene.ObjectType):
    class Meta:
        name = "SecurityResponsePolicy"

    calendar_name = graphene.String(
        required=True, description="The business calendar of severities not measured around the clock."
    )
    is_default = graphene.Boolean(required=True)
    targets = graphene.List(graphene.NonNull(SecurityResponseTargetType), required=True)
    clocks = graphene.List(graphene.NonNull(graphene.String), required=True)


def policy_view(policy: ResponsePolicy) -> SecurityResponsePolicyType:
    return SecurityResponsePolicyType(
        calendar_name=policy.calendar_name,
        is_default=policy.is_default,
        clocks=list(SecurityClock.values),
        targets=[
            SecurityResponseTargetType(
                severity=t.severity,
                acknowledge_minutes=t.acknowledge_minutes,
                contain_minutes=t.contain_minutes,
                resolve_minutes=t.resolve_minutes,
                around_the_clock=t.around_the_clock,
                is_default=t.is_default,
            )
            for t in (policy.targets[s] for s in Severity.values)
        ],
    )


class DeviceChoice(graphene.ObjectType):
    id = graphene.ID(required=True)
    name = graphene.String(required=True)
