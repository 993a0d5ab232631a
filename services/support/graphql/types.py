"""GraphQL types of the service desk: tickets, SLA clocks, timelines, queue rows; enums and error type."""

from __future__ import annotations

from typing import Any

import graphene
from django.db.models import Q
from django.utils import timezone
from graphene import relay
from graphene_django import DjangoObjectType

from core.graphql.errors import error_type
from core.graphql.execution import row_value
from core.graphql.loaders import loader
from core.graphql.types import CappedCountConnection, HistoryEntryType, enum_value
from core.history import HistoryEntry
from services.catalog.graphql.types import LevelEnum, PriorityEnum
from services.sla import engine
from services.support import actions
from services.support.models import Comment, Ticket, TicketStatus
from services.support.selectors import ticket_history
from services.support.sla_clocks import checked_ticket_clocks
from services.workqueue.models import BreachState, WorkItem, WorkItemKind
from services.workqueue.sweep import item_reference
from tenants.graphql.types import StaffMember, load_staff
from tenants.models import Client, User

TicketStatusEnum = graphene.Enum("TicketStatus", [(v.upper(), v) for v in TicketStatus.values])
ServiceLineEnum = graphene.Enum(
    "ServiceLine", [("INFRASTRUCTURE", "infrastructure"), ("SUPPORT", "support"), ("SECURITY", "security")]
)
ChannelEnum = graphene.Enum("Channel", [(v.upper(), v) for v in ("portal", "email", "phone", "monitoring")])
BreachStateEnum = graphene.Enum("BreachState", [(v.upper(), v) for v in BreachState.values])
ClockStateEnum = graphene.Enum("SlaClockState", [(v.upper(), v) for v in engine.ClockState])

SUPPORT_ERROR_CODES = [
    "REQUIRED",
    "INVALID",
    "NOT_FOUND",
    "PERMISSION_DENIED",
    "OTP_REQUIRED",
    "NOT_AUTHENTICATED",
    "INVALID_TRANSITION",
    "TOO_LARGE",
    "TOO_MANY",
    "UNSUPPORTED_TYPE",
    "TICKET_CLOSED",
    "REOPEN_WINDOW_PASSED",
    "CLIENT_READ_ONLY",
    "CLIENT_INACTIVE",
]
SupportError = error_type("SupportError", SUPPORT_ERROR_CODES, "Why a change to a ticket failed.")


# ---------------------------------------------------------------------------- queue


class ClientRef(graphene.ObjectType):
    slug = graphene.String(required=True)
    name = graphene.String(required=True)


# The columns a queue row shows (`WorkItemType`'s fields): the queue reads only these — not
# the row's alert schedule, nor the whole client and assignee rows (a 100-row page parsed
# ~560 timestamps and 100 JSON documents it never showed).
QUEUE_ROW_COLUMNS = (
    "id",
    "kind",
    "number",
    "title",
    "priority",
    "status",
    "service_line",
    "next_deadline_at",
    "next_deadline_clock",
    "breach_state",
    "created_at",
    "updated_at",
    "client__id",
    "client__slug",
    "client__name",
    "assignee__id",
    "assignee__full_name",
    "assignee__email",
    "assignee__msp_role",
)
TICKET_STATUSES = frozenset(TicketStatus.values)


class WorkItemKindEnum(graphene.Enum):
    """What a queue row is: a ticket, a security incident, or a phishing report awaiting triage."""

    # (The name is the one graphene-django gave the converted model field, kept for the API.)

    class Meta:
        name = "WorkqueueWorkItemKindChoices"

    TICKET = WorkItemKind.TICKET.value
    SEC_INCIDENT = WorkItemKind.SECURITY_INCIDENT.value
    PHISHING = WorkItemKind.PHISHING.value

    @property
    def description(self) -> str:
        return str(WorkItemKind(self.value).label)


class WorkItemType(DjangoObjectType):
    """One line of the technician queue (read from the public index)."""

    client = graphene.Field(ClientRef, required=True)
    kind = WorkItemKindEnum(required=True)
    priority = PriorityEnum(required=True)
    status = TicketStatusEnum(required=True)
    service_line = ServiceLineEnum(required=True)
    breach_state = BreachStateEnum(required=True)
    assignee = graphene.Field(StaffMember)
    next_deadline_clock = graphene.String()
    status_label = graphene.String(
        required=True, description="The item's own status in words (a security incident's: e.g. Contained)."
    )
    reference = graphene.String(
        required=True, description='How people name it: "#12", or "SEC-3" for an incident.'
    )

    class Meta:
        model = WorkItem
        name = "WorkItem"
        interfaces = (relay.Node,)
        connection_class = CappedCountConnection
        fields = ("id", "number", "title", "next_deadline_at", "updated_at", "created_at")

    @classmethod
    def get_node(cls, info: Any, id: Any) -> WorkItem | None:
        return None  # queue rows are only reached through `queue`, which authorises

    @row_value
    def resolve_kind(root: WorkItem, info: Any) -> str:
        return root.kind

    @row_value
    def resolve_client(root: WorkItem, info: Any) -> ClientRef:
        return ClientRef(slug=root.client.slug, name=root.client.name)

    @row_value
    def resolve_priority(root: WorkItem, info: Any) -> str:
        return root.priority

    @row_value
    def resolve_status(root: WorkItem, info: Any) -> str:
        # Other kinds of work (security incidents) have statuses of their own: the nearest
        # ticket status here, their own in `statusLabel`. A plain string: graphene cannot
        # serialise a TextChoices member (a str *and* an Enum) into its own GraphQL enum.
        return root.status if root.status in TICKET_STATUSES else TicketStatus.IN_PROGRESS.value

    @row_value
    def resolve_status_label(root: WorkItem, info: Any) -> str:
        return root.status.replace("_", " ").capitalize()

    @row_value
    def resolve_reference(root: WorkItem, info: Any) -> str:
        return item_reference(root)

    @row_value
    def resolve_service_line(root: WorkItem, info: Any) -> str:
        return root.service_line

    @row_value
    def resolve_breach_state(root: WorkItem, info: Any) -> str:
        return enum_value(root.breach_state)

    @row_value
    def resolve_assignee(root: WorkItem, info: Any) -> Any:
        return root.assignee

    @row_value
    def resolve_next_deadline_clock(root: WorkItem, info: Any) -> str | None:
        return root.next_deadline_clock or None


# --------------------------------------------------------------------------- tickets


class PersonRef(graphene.ObjectType):
    full_name = graphene.String(required=True)
    email = graphene.String(required=True)


class SlaClock(graphene.ObjectType):
    name = graphene.String(
        required=True, description="first_response, next_update, first_resolution, resolution"
    )
    state = ClockStateEnum(required=True)
    target_minutes = graphene.Int()
    used_minutes = graphene.Int()
    remaining_minutes = graphene.Int()
    overdue_minutes = graphene.Int()
    due_at = graphene.DateTime()
    started_at = graphene.DateTime(required=True)
    stopped_at = graphene.DateTime()
    explain_steps = graphene.List(graphene.NonNull(graphene.String), required=True)
    explain = graphene.JSONString(required=True, description="Policy, calendar, pauses and derivation.")

    @staticmethod
    def from_status(status: engine.ClockStatus) -> SlaClock:
        return SlaClock(
            name=str(status.name),
            state=str(status.state),
            target_minutes=None if status.target_seconds is None else status.target_seconds // 60,
            used_minutes=status.used_minutes,
            remaining_minutes=status.remaining_minutes,
            overdue_minutes=status.overdue_minutes,
            due_at=status.due_at,
            started_at=status.started_at,
            stopped_at=status.stopped_at,
            explain_steps=list(status.explain.steps),
            explain=status.explain.to_dict(),
        )


class AttachmentType(graphene.ObjectType):
    class Meta:
        name = "Attachment"

    id = graphene.ID(required=True)
    filename = graphene.String(required=True)
    content_type = graphene.String(required=True)
    size_bytes = graphene.Int(required=True)
    url = graphene.String(required=True, description="Download link (same authorisation as the ticket).")


class TimelineEntry(graphene.ObjectType):
    id = graphene.ID(required=True)
    kind = graphene.String(required=True)
    at = graphene.DateTime(required=True)
    actor_name = graphene.String()
    actor_is_staff = graphene.Boolean(required=True)
    is_internal = graphene.Boolean(required=True)
    body = graphene.String()
    detail = graphene.JSONString(required=True)
    attachments = graphene.List(graphene.NonNull(AttachmentType), required=True)


class TimeEntryType(graphene.ObjectType):
    class Meta:
        name = "TimeEntry"

    id = graphene.ID(required=True)
    technician = graphene.Field(StaffMember)
    minutes = graphene.Int(required=True)
    raw_minutes = graphene.Int(required=True)
    billable = graphene.Boolean(required=True)
    note = graphene.String(required=True)
    work_date = graphene.Date(required=True)


class TicketLink(graphene.ObjectType):
    """Another request of the same client, linked as a follow-up."""

    number = graphene.Int(required=True)
    title = graphene.String(required=True)
    status = TicketStatusEnum(required=True)


class TicketType(DjangoObjectType):
    """A ticket as the viewer may see it (internal notes and time only for staff)."""

    priority = PriorityEnum(required=True)
    status = TicketStatusEnum(required=True)
    service_line = ServiceLineEnum(required=True)
    channel = ChannelEnum(required=True)
    impact = LevelEnum(required=True)
    urgency = LevelEnum(required=True)
    priority_reason = graphene.JSONString(required=True)
    requester = graphene.Field(PersonRef, required=True)
    assignee = graphene.Field(StaffMember)
    client = graphene.Field(ClientRef, required=True)
    sla_clocks = graphene.List(
        graphene.NonNull(SlaClock),
        required=True,
        description="Empty without an SLA (or while its policy can't be computed: see slaProblem).",
    )
    sla_problem = graphene.String(
        description="Staff only: why the SLA clocks can't be computed; null when they can."
    )
    timeline = graphene.List(graphene.NonNull(TimelineEntry), required=True)
    time_entries = graphene.List(graphene.NonNull(TimeEntryType), required=True, description="Staff only.")
    watchers = graphene.List(graphene.NonNull(PersonRef), required=True)
    viewer_is_watching = graphene.Boolean(required=True)
    billable_minutes = graphene.Int(description="Staff only.")
    total_minutes = graphene.Int(description="Staff only.")
    history = graphene.List(
        graphene.NonNull(HistoryEntryType),
        required=True,
        description="Staff only: every recorded change, newest first (empty for client users).",
    )
    closed_at = graphene.DateTime()
    client_may_reopen_until = graphene.DateTime(
        description="Resolved tickets: until when the client may reopen it (null when it can't be, "
        "e.g. closed, or resolved more than TICKET_REOPEN_WINDOW_DAYS ago)."
    )
    follow_up_of = graphene.Field(
        lambda: TicketLink, description="The earlier request this one follows up (if the viewer may see it)."
    )
    follow_ups = graphene.List(
        graphene.NonNull(lambda: TicketLink),
        required=True,
        description="Later requests raised as follow-ups of this one (those the viewer may see).",
    )

    class Meta:
        model = Ticket
        name = "Ticket"
        fields = ("number", "title", "description", "category", "created_at", "updated_at", "resolved_at")

    def resolve_priority(root: Ticket, info: Any) -> str:
        return root.priority

    def resolve_status(root: Ticket, info: Any) -> str:
        return root.status

    def resolve_service_line(root: Ticket, info: Any) -> str:
        return root.service_line

    def resolve_channel(root: Ticket, info: Any) -> str:
        return root.channel

    def resolve_impact(root: Ticket, info: Any) -> str:
        return root.impact

    def resolve_urgency(root: Ticket, info: Any) -> str:
        return root.urgency

    def resolve_requester(root: Ticket, info: Any) -> PersonRef:
        return PersonRef(full_name=root.requester.full_name, email=root.requester.email)

    def resolve_assignee(root: Ticket, info: Any) -> Any:
        return loader(info, load_staff).load(root.assignee_id) if root.assignee_id else None

    def resolve_client(root: Ticket, info: Any) -> ClientRef:
        client: Client = root._client  # type: ignore[attr-defined]
        return ClientRef(slug=client.slug, name=client.name)

    def resolve_sla_clocks(root: Ticket, info: Any) -> list[SlaClock]:
        clocks = root._clocks  # type: ignore[attr-defined]
        return [] if clocks is None else [SlaClock.from_status(status) for status in clocks.clocks()]

    def resolve_sla_problem(root: Ticket, info: Any) -> str | None:
        if not info.context.user.is_msp_staff:
            return None
        return root._clock_problem  # type: ignore[attr-defined,no-any-return]

    def resolve_timeline(root: Ticket, info: Any) -> list[TimelineEntry]:
        return root._timeline  # type: ignore[attr-defined,no-any-return]

    def resolve_time_entries(root: Ticket, info: Any) -> list[TimeEntryType]:
        if not info.context.user.is_msp_staff:
            return []
        return [
            TimeEntryType(
                id=str(entry.pk),
                technician=loader(info, load_staff).load(entry.technician_id),
                minutes=entry.minutes,
                raw_minutes=entry.raw_minutes,
                billable=entry.billable,
                note=entry.note,
                work_date=entry.work_date,
            )
            for entry in root.time_entries.all()
        ]

    def resolve_watchers(root: Ticket, info: Any) -> list[PersonRef]:
        ids = [watcher.user_id for watcher in root.watchers.all()]
        return [PersonRef(full_name=u.full_name, email=u.email) for u in User.objects.filter(pk__in=ids)]

    def resolve_viewer_is_watching(root: Ticket, info: Any) -> bool:
        return any(watcher.user_id == info.context.user.pk for watcher in root.watchers.all())

    def resolve_closed_at(root: Ticket, info: Any) -> Any:
        return root.closed_at

    def resolve_client_may_reopen_until(root: Ticket, info: Any) -> Any:
        # Null once the window has passed, so the page needs no clock of its own.
        if not actions.may_client_reopen(root, timezone.now()):
            return None
        return actions.client_reopen_deadline(root)

    def resolve_follow_up_of(root: Ticket, info: Any) -> TicketLink | None:
        return root._follow_up_of  # type: ignore[attr-defined,no-any-return]

    def resolve_follow_ups(root: Ticket, info: Any) -> list[TicketLink]:
        return root._follow_ups  # type: ignore[attr-defined,no-any-return]

    def resolve_billable_minutes(root: Ticket, info: Any) -> int | None:
        if not info.context.user.is_msp_staff:
            return None
        return sum(entry.minutes for entry in root.time_entries.all() if entry.billable)

    def resolve_total_minutes(root: Ticket, info: Any) -> int | None:
        if not info.context.user.is_msp_staff:
            return None
        return sum(entry.minutes for entry in root.time_entries.all())

    def resolve_history(root: Ticket, info: Any) -> list[HistoryEntry]:
        if not info.context.user.is_msp_staff:
            return []
        return ticket_history(root)


def build_timeline(ticket: Ticket, viewer: User) -> list[TimelineEntry]:
    """Replies, notes and changes in order; internal entries only for staff."""
    staff = viewer.is_msp_staff
    activities = list(ticket.activities.all())
    comments = {
        comment.pk: comment
        for comment in Comment.objects.filter(ticket=ticket).prefetch_related("attachments")
    }
    client: Client = ticket._client  # type: ignore[attr-defined]
    people = {
        user.pk: user
        for user in User.objects.filter(pk__in={a.actor_id for a in activities if a.actor_id is not None})
    }
    entries = []
    for activity in activities:
        if activity.is_internal and not staff:
            continue
        comment = comments.get(int(activity.detail.get("comment_id", 0) or 0))
        actor = people.get(activity.actor_id) if activity.actor_id is not None else None
        entries.append(
            TimelineEntry(
                id=str(activity.pk),
                kind=activity.kind,
                at=activity.created_at,
                actor_name=actor.full_name if actor else None,
                actor_is_staff=bool(actor and actor.is_msp_staff),
                is_internal=activity.is_internal,
                body=comment.body if comment else None,
                detail=activity.detail,
                attachments=[
                    AttachmentType(
                        id=str(a.pk),
                        filename=a.filename,
                        content_type=a.content_type,
                        size_bytes=a.size_bytes,
                        url=f"/attachments/{client.slug}/{a.pk}",
                    )
                    for a in (comment.attachments.all() if comment else [])
                ],
            )
        )
    return entries


def load_ticket_view(client: Client, viewer: User, number: int) -> Ticket:
    """The ticket a person may see, with what its page shows prefetched (a constant number of
    queries). Fields read later resolve in the ticket's own schema anyway
    (`core.graphql.middleware.RowSchemaMiddleware`), so a relation read lazily is slower, not
    wrong."""
    ticket = actions.get_ticket(
        client,
        viewer,
        number,
        select_related=("requester",),
        prefetch_related=("time_entries", "sla_events", "watchers"),
    )
    ticket._client = client  # type: ignore[attr-defined]
    checked = checked_ticket_clocks(ticket)
    ticket._clocks = checked.clocks  # type: ignore[attr-defined]
    ticket._clock_problem = checked.problem  # type: ignore[attr-defined]
    ticket._timeline = build_timeline(ticket, viewer)  # type: ignore[attr-defined]
    visible = actions.tickets_visible_to(client, viewer)
    related = list(
        visible.filter(Q(pk=ticket.follow_up_of_id) | Q(follow_up_of=ticket)).order_by("number")
        if ticket.follow_up_of_id
        else visible.filter(follow_up_of=ticket).order_by("number")
    )
    link = lambda t: TicketLink(number=t.number, title=t.title, status=t.status)  # noqa: E731
    earlier = next((t for t in related if t.pk == ticket.follow_up_of_id), None)
    ticket._follow_up_of = link(earlier) if earlier else None  # type: ignore[attr-defined]
    ticket._follow_ups = [link(t) for t in related if t.follow_up_of_id == ticket.pk]  # type: ignore[attr-defined]
    return ticket


class TicketSummary(graphene.ObjectType):
    """A line of a client's request list."""

    number = graphene.Int(required=True)
    title = graphene.String(required=True)
    status = TicketStatusEnum(required=True)
    priority = PriorityEnum(required=True)
    requester_name = graphene.String(required=True)
    created_at = graphene.DateTime(required=True)
    updated_at = graphene.DateTime(required=True)
    next_deadline_at = graphene.DateTime()
    next_deadline_clock = graphene.String()
    breach_state = BreachStateEnum(required=True)


class ComplianceRow(graphene.ObjectType):
    month = graphene.String(required=True, description="YYYY-MM")
    priority = PriorityEnum(required=True)
    clock = graphene.String(required=True)
    met = graphene.Int(required=True)
    breached = graphene.Int(required=True)
    compliance_percent = graphene.Float(description="Null when nothing was judged (not 0 %, not 100 %).")


class ContactType(graphene.ObjectType):
    class Meta:
        name = "Contact"

    id = graphene.ID(required=True)
    full_name = graphene.String(required=True)
    email = graphene.String(required=True)
    job_title = graphene.String(required=True)
    is_business_critical = graphene.Boolean(required=True)
