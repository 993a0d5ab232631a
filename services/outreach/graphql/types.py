"""GraphQL types of outreach. Rows are resolved from what the selectors loaded (owners,
clients, profiles selected with them), so lists don't query per row."""

from __future__ import annotations

from typing import Any

import graphene
from graphql_relay import to_global_id

from core.graphql.errors import error_type
from core.graphql.types import enum_from_choices, enum_value
from services.outreach.models import (
    Broadcast,
    BroadcastKind,
    CampaignTaskStatus,
    CheckIn,
    CheckInKind,
    CheckInStatus,
    FollowUp,
    HealthBand,
    QbrReport,
    QbrStatus,
    Sentiment,
    SuggestionOutcome,
)
from tenants.graphql.types import StaffMember

OUTREACH_ERROR_CODES = [
    "IN_THE_PAST",
    "UNKNOWN_FIELD",
    "UNKNOWN_SIGNAL",
    "EMPTY_SEGMENT",
    "SOURCE_UNAVAILABLE",
    "INVALID_STATE",
    "DUPLICATE",
    "CLIENT_READ_ONLY",
    "TOO_MANY",
]
OutreachError = error_type(
    "OutreachError",
    OUTREACH_ERROR_CODES,
    "Why a change to check-ins, health, campaigns or broadcasts failed.",
)

CheckInKindEnum = enum_from_choices("CheckInKind", CheckInKind, "Call, meeting, QBR or e-mail.")
CheckInStatusEnum = enum_from_choices("CheckInStatus", CheckInStatus, "Planned, done or cancelled.")
SentimentEnum = enum_from_choices("Sentiment", Sentiment, "How the client felt.")
HealthBandEnum = enum_from_choices("HealthBand", HealthBand, "Healthy, watch, at risk or no data.")
CampaignTaskStatusEnum = enum_from_choices(
    "CampaignTaskStatus", CampaignTaskStatus, "Progress of one client."
)
BroadcastKindEnum = enum_from_choices("BroadcastKind", BroadcastKind, "Announcement or how-to.")
QbrStatusEnum = enum_from_choices("QbrStatus", QbrStatus, "Where the QBR pack is.")
SuggestionOutcomeEnum = graphene.Enum(
    "SuggestionOutcome",
    [(v.upper(), v) for v in SuggestionOutcome.values if v != SuggestionOutcome.SHOWN],
    description="What the person did after the suggestions.",
)
BoardSectionEnum = graphene.Enum(
    "BoardSection", [("OVERDUE", "overdue"), ("DUE_THIS_WEEK", "due_this_week"), ("UPCOMING", "upcoming")]
)


def gid(type_name: str, pk: Any) -> str:
    return to_global_id(type_name, pk)


class ContactRef(graphene.ObjectType):
    """A client contact as the check-in recorded them (id and a snapshot of the name)."""

    id = graphene.ID(required=True)
    name = graphene.String(required=True)
    email = graphene.String(required=True)


class SignalExplanation(graphene.ObjectType):
    """One signal of a health score: its value, the rule, the sub-score and its share."""

    key = graphene.String(required=True)
    label = graphene.String(required=True)
    source = graphene.String(required=True)
    rule = graphene.String(required=True)
    weight = graphene.Int(required=True)
    has_data = graphene.Boolean(required=True, description="False: no data, its weight set aside.")
    value = graphene.Float()
    display = graphene.String(required=True)
    subscore = graphene.Float(description="0–100, from the value by the rule.")
    contribution = graphene.Float(description="Points of the score this signal brings.")

    @staticmethod
    def from_row(row: dict[str, Any]) -> SignalExplanation:
        return SignalExplanation(
            key=row["key"],
            label=row["label"],
            source=row["source"],
            rule=row["rule"],
            weight=row["weight"],
            has_data=row["hasData"],
            value=row.get("value"),
            display=row["display"],
            subscore=row.get("subscore"),
            contribution=row.get("contribution"),
        )


class HealthType(graphene.ObjectType):
    class Meta:
        name = "Health"

    score = graphene.Int()
    band = HealthBandEnum(required=True)
    computed_at = graphene.DateTime()
    signals = graphene.List(graphene.NonNull(SignalExplanation), required=True)


def health_of(profile: Any) -> HealthType:
    if profile is None:
        return HealthType(score=None, band=HealthBand.NO_DATA, computed_at=None, signals=[])
    return HealthType(
        score=profile.health_score,
        band=enum_value(profile.health_band),
        computed_at=profile.health_computed_at,
        signals=[SignalExplanation.from_row(r) for r in profile.health_explanation or []],
    )


class HealthPoint(graphene.ObjectType):
    day = graphene.Date(required=True)
    score = graphene.Int()
    band = HealthBandEnum(required=True)


class FollowUpType(graphene.ObjectType):
    class Meta:
        name = "FollowUp"

    id = graphene.ID(required=True)
    title = graphene.String(required=True)
    detail = graphene.String(required=True)
    due_on = graphene.Date(required=True)
    done = graphene.Boolean(required=True)
    overdue = graphene.Boolean(required=True)
    ticket_number = graphene.Int()
    owner = graphene.Field(StaffMember, required=True)
    client_slug = graphene.String(required=True)
    client_name = graphene.String(required=True)
    from_health_fall = graphene.Boolean(required=True)

    @staticmethod
    def from_row(row: FollowUp, today: Any = None) -> FollowUpType:
        from django.utils import timezone

        today = today or timezone.localdate()
        return FollowUpType(
            id=gid("FollowUp", row.pk),
            title=row.title,
            detail=row.detail,
            due_on=row.due_on,
            done=row.done_at is not None,
            overdue=row.done_at is None and row.due_on < today,
            ticket_number=row.ticket_number,
            owner=row.owner,
            client_slug=row.client.slug,
            client_name=row.client.name,
            from_health_fall=bool(row.dedupe_key and row.dedupe_key.startswith("health-fall:")),
        )


class CheckInType(graphene.ObjectType):
    class Meta:
        name = "CheckIn"

    id = graphene.ID(required=True)
    kind = CheckInKindEnum(required=True)
    status = CheckInStatusEnum(required=True)
    subject = graphene.String(required=True)
    notes = graphene.String(required=True)
    sentiment = SentimentEnum()
    scheduled_for = graphene.DateTime()
    held_at = graphene.DateTime()
    duration_minutes = graphene.Int(required=True)
    location = graphene.String(required=True)
    contacts = graphene.List(graphene.NonNull(ContactRef), required=True)
    owner = graphene.Field(StaffMember, required=True)

    @staticmethod
    def from_row(row: CheckIn) -> CheckInType:
        return CheckInType(
            id=gid("CheckIn", row.pk),
            kind=enum_value(row.kind),
            status=enum_value(row.status),
            subject=row.subject,
            notes=row.notes,
            sentiment=enum_value(row.sentiment) or None,
            scheduled_for=row.scheduled_for,
            held_at=row.held_at,
            duration_minutes=row.duration_minutes,
            location=row.location,
            contacts=[ContactRef(id=str(c["id"]), name=c["name"], email=c["email"]) for c in row.contacts],
            owner=row.owner,
        )


class BoardClient(graphene.ObjectType):
    """One client on the account manager's board."""

    slug = graphene.String(required=True)
    name = graphene.String(required=True)
    tier = graphene.String(required=True)
    industry = graphene.String(required=True)
    section = BoardSectionEnum(required=True)
    cadence_days = graphene.Int(required=True)
    last_check_in_at = graphene.DateTime()
    next_planned_at = graphene.DateTime()
    next_due_on = graphene.Date()
    days_overdue = graphene.Int(required=True)
    health_score = graphene.Int()
    health_band = HealthBandEnum(required=True)
    open_follow_ups = graphene.Int(required=True)
    overdue_follow_ups = graphene.Int(required=True)


class OutreachBoard(graphene.ObjectType):
    clients = graphene.List(
        graphene.NonNull(BoardClient),
        required=True,
        description="Overdue, then due this week, then upcoming; riskiest first in each (max 200).",
    )
    overdue_count = graphene.Int(required=True)
    due_this_week_count = graphene.Int(required=True)
    upcoming_count = graphene.Int(required=True)
    follow_ups = graphene.List(
        graphene.NonNull(FollowUpType),
        required=True,
        description="Open follow-ups you own, by due date (max 100).",
    )


class ContactCard(graphene.ObjectType):
    id = graphene.ID(required=True)
    full_name = graphene.String(required=True)
    email = graphene.String(required=True)
    phone = graphene.String(required=True)
    job_title = graphene.String(required=True)
    is_business_critical = graphene.Boolean(required=True)


class OpenTicket(graphene.ObjectType):
    number = graphene.Int(required=True)
    title = graphene.String(required=True)
    priority = graphene.String(required=True)
    status = graphene.String(required=True)
    breach_state = graphene.String(required=True)
    next_deadline_at = graphene.DateTime()


class SourceItem(graphene.ObjectType):
    """One row of a part of the 360 read from another app (a service, an invoice)."""

    label = graphene.String(required=True)
    state = graphene.String(
        required=True, description="Services: up/degraded/down/maintenance/unknown. Invoices: their status."
    )
    detail = graphene.String(required=True)


class SourceStatus(graphene.ObjectType):
    """A part of the 360 whose data comes from another app (infrastructure, billing)."""

    connected = graphene.Boolean(required=True)
    summary = graphene.String(required=True)
    items = graphene.List(graphene.NonNull(SourceItem), required=True)


class QbrReportType(graphene.ObjectType):
    class Meta:
        name = "QbrReport"

    id = graphene.ID(required=True)
    period_start = graphene.Date(required=True)
    period_end = graphene.Date(required=True)
    status = QbrStatusEnum(required=True)
    progress = graphene.Int(required=True)
    step = graphene.String(required=True)
    size_bytes = graphene.Int(required=True)
    download_url = graphene.String()
    created_at = graphene.DateTime(required=True)

    @staticmethod
    def from_row(row: QbrReport) -> QbrReportType:
        return QbrReportType(
            id=str(row.pk),
            period_start=row.period_start,
            period_end=row.period_end,
            status=enum_value(row.status),
            progress=row.progress,
            step=row.step,
            size_bytes=row.size_bytes,
            download_url=f"/outreach/qbr/{row.pk}.pdf" if row.status == QbrStatus.READY else None,
            created_at=row.created_at,
        )


class ClientOutreachType(graphene.ObjectType):
    """The client 360 of the account manager."""

    class Meta:
        name = "ClientOutreach"

    slug = graphene.String(required=True)
    name = graphene.String(required=True)
    tier = graphene.String(required=True)
    industry = graphene.String(required=True)
    account_manager = graphene.Field(StaffMember)
    cadence_days = graphene.Int(required=True)
    cadence_override_days = graphene.Int()
    last_check_in_at = graphene.DateTime()
    next_planned_at = graphene.DateTime()
    next_due_on = graphene.Date()
    health = graphene.Field(HealthType, required=True)
    health_history = graphene.List(graphene.NonNull(HealthPoint), required=True)
    contacts = graphene.List(graphene.NonNull(ContactCard), required=True)
    open_tickets = graphene.List(graphene.NonNull(OpenTicket), required=True)
    breached_open_tickets = graphene.Int(required=True)
    services = graphene.Field(SourceStatus, required=True)
    invoices = graphene.Field(SourceStatus, required=True)
    check_ins = graphene.List(graphene.NonNull(CheckInType), required=True)
    open_follow_ups = graphene.List(graphene.NonNull(FollowUpType), required=True)
    qbr_reports = graphene.List(graphene.NonNull(QbrReportType), required=True)


class CadenceType(graphene.ObjectType):
    premium = graphene.Int(required=True)
    standard = graphene.Int(required=True)
    essential = graphene.Int(required=True)


class WeightType(graphene.ObjectType):
    key = graphene.String(required=True)
    label = graphene.String(required=True)
    weight = graphene.Int(required=True)
    connected = graphene.Boolean(required=True)


class ThresholdType(graphene.ObjectType):
    key = graphene.String(required=True)
    value = graphene.Float(required=True)


class OutreachSettingsType(graphene.ObjectType):
    class Meta:
        name = "OutreachSettings"

    cadence_days = graphene.Field(CadenceType, required=True)
    weights = graphene.List(graphene.NonNull(WeightType), required=True)
    thresholds = graphene.List(graphene.NonNull(ThresholdType), required=True)
    reminder_days_before = graphene.Int(required=True)


class SegmentRule(graphene.ObjectType):
    field = graphene.String(required=True)
    values = graphene.List(graphene.NonNull(graphene.String), required=True)
    min = graphene.Int()
    max = graphene.Int()


class SegmentType(graphene.ObjectType):
    class Meta:
        name = "Segment"

    id = graphene.ID(required=True)
    name = graphene.String(required=True)
    rules = graphene.List(graphene.NonNull(SegmentRule), required=True)

    @staticmethod
    def from_row(row: Any) -> SegmentType:
        return SegmentType(
            id=gid("Segment", row.pk),
            name=row.name,
            rules=[
                SegmentRule(
                    field=r["field"], values=r.get("values") or [], min=r.get("min"), max=r.get("max")
                )
                for r in row.rules
            ],
        )


class SegmentMember(graphene.ObjectType):
    slug = graphene.String(required=True)
    name = graphene.String(required=True)
    tier = graphene.String(required=True)
    industry = graphene.String(required=True)


class CampaignProgress(graphene.ObjectType):
    total = graphene.Int(required=True)
    pending = graphene.Int(required=True)
    contacted = graphene.Int(required=True)
    responded = graphene.Int(required=True)
    follow_up_needed = graphene.Int(required=True)


class CampaignTaskType(graphene.ObjectType):
    class Meta:
        name = "CampaignTask"

    id = graphene.ID(required=True)
    client_slug = graphene.String(required=True)
    client_name = graphene.String(required=True)
    assignee = graphene.Field(StaffMember)
    status = CampaignTaskStatusEnum(required=True)
    response = graphene.String(required=True)


class CampaignType(graphene.ObjectType):
    class Meta:
        name = "Campaign"

    id = graphene.ID(required=True)
    name = graphene.String(required=True)
    brief = graphene.String(required=True)
    segment_name = graphene.String()
    due_on = graphene.Date(required=True)
    progress = graphene.Field(CampaignProgress, required=True)
    tasks = graphene.List(graphene.NonNull(CampaignTaskType), required=True, description="Your book's tasks.")


class DeflectionType(graphene.ObjectType):
    class Meta:
        name = "Deflection"

    suggested = graphene.Int(required=True)
    solved = graphene.Int(required=True)
    abandoned = graphene.Int(required=True)
    submitted = graphene.Int(required=True)
    rate = graphene.Float(description="(solved + abandoned) / suggested; null before any suggestion.")


class BroadcastType(graphene.ObjectType):
    class Meta:
        name = "Broadcast"

    id = graphene.ID(required=True)
    kind = BroadcastKindEnum(required=True)
    title = graphene.String(required=True)
    body_html = graphene.String(required=True, description="Sanitised HTML, safe to render.")
    publish_at = graphene.DateTime(required=True)
    published_at = graphene.DateTime()
    segment_name = graphene.String(description="Staff only; null = every client.")
    email_roles = graphene.List(graphene.NonNull(graphene.String), description="Staff only.")
    audience_size = graphene.Int(description="Staff only: clients it was published to.")
    deflection = graphene.Field(DeflectionType, description="Staff only.")

    @staticmethod
    def from_row(
        row: Broadcast, *, staff: bool, deflection: Any = None, audience: int | None = None
    ) -> BroadcastType:
        return BroadcastType(
            id=gid("Broadcast", row.pk),
            kind=enum_value(row.kind),
            title=row.title,
            body_html=row.body_html,
            publish_at=row.publish_at,
            published_at=row.published_at,
            segment_name=(row.segment.name if row.segment_id else None) if staff else None,  # type: ignore[union-attr]
            email_roles=list(row.email_roles) if staff else None,
            audience_size=audience if staff else None,
            deflection=(
                DeflectionType(
                    suggested=deflection.shown,
                    solved=deflection.solved,
                    abandoned=deflection.abandoned,
                    submitted=deflection.submitted,
                    rate=deflection.rate,
                )
                if staff and deflection is not None
                else None
            ),
        )


class SuggestionType(graphene.ObjectType):
    class Meta:
        name = "BroadcastSuggestions"

    suggestion_id = graphene.ID(
        description="Report what happened next with this id; null when nothing matched."
    )
    broadcasts = graphene.List(graphene.NonNull(BroadcastType), required=True)
