"""GraphQL for the service desk: the technician queue, tickets, SLA clocks and explain,
compliance, and the ticket mutations. Thin: resolve and authorise the client, switch
to its schema, call an action, map errors."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from datetime import date, datetime, timedelta
from typing import Any

import graphene
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django_tenants.utils import tenant_context
from graphene import relay
from graphene_django import DjangoConnectionField, DjangoObjectType
from graphql_relay import from_global_id

from msp_portal.graphql.errors import error_fields, guard_query, to_error_list
from msp_portal.graphql.loaders import loader
from msp_portal.tenancy import current_schema_name
from services.directory.models import Contact
from services.sla import engine
from services.sla.clocks import ticket_clocks
from services.support import actions
from services.support.models import Comment, SlaOutcome, Ticket, TicketStatus
from services.workqueue.models import BreachState, WorkItem
from tenants.access import AccessDenied, clients_visible_to, ensure_msp_role, staff_reaches_all_clients
from tenants.errors import ActionError
from tenants.models import Client, ClientRole, MspRole, User
from tenants.request_scope import is_msp_host, resolve_client
from tenants.schema import CountedConnection, StaffMember, enum_value, load_staff

PriorityEnum = graphene.Enum("Priority", [(p, p) for p in ("P1", "P2", "P3", "P4")])
TicketStatusEnum = graphene.Enum("TicketStatus", [(v.upper(), v) for v in TicketStatus.values])
ServiceLineEnum = graphene.Enum(
    "ServiceLine", [("INFRASTRUCTURE", "infrastructure"), ("SUPPORT", "support"), ("SECURITY", "security")]
)
ChannelEnum = graphene.Enum("Channel", [(v.upper(), v) for v in ("portal", "email", "phone", "monitoring")])
LevelEnum = graphene.Enum("Level", [("LOW", "low"), ("MEDIUM", "medium"), ("HIGH", "high")])
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
]
SupportErrorCode = graphene.Enum("SupportErrorCode", [(code, code) for code in SUPPORT_ERROR_CODES])
SupportError = type("SupportError", (graphene.ObjectType,), error_fields(SupportErrorCode))


@contextlib.contextmanager
def client_schema(request: Any, slug: str | None) -> Iterator[Client]:
    """Resolve and authorise the client of this request, and work in its schema."""
    client = resolve_client(request, slug)
    if current_schema_name() == client.schema_name:
        yield client
    else:
        with tenant_context(client):
            yield client


# ---------------------------------------------------------------------------- queue


class ClientRef(graphene.ObjectType):
    slug = graphene.String(required=True)
    name = graphene.String(required=True)


class WorkItemType(DjangoObjectType):
    """One line of the technician queue (read from the public index)."""

    client = graphene.Field(ClientRef, required=True)
    priority = PriorityEnum(required=True)
    status = TicketStatusEnum(required=True)
    service_line = ServiceLineEnum(required=True)
    breach_state = BreachStateEnum(required=True)
    assignee = graphene.Field(StaffMember)
    next_deadline_clock = graphene.String()

    class Meta:
        model = WorkItem
        name = "WorkItem"
        interfaces = (relay.Node,)
        connection_class = CountedConnection
        fields = ("id", "kind", "number", "title", "next_deadline_at", "updated_at", "created_at")

    @classmethod
    def get_node(cls, info: Any, id: Any) -> WorkItem | None:
        return None  # queue rows are only reached through `queue`, which authorises

    def resolve_client(root: WorkItem, info: Any) -> ClientRef:
        return ClientRef(slug=root.client.slug, name=root.client.name)

    def resolve_priority(root: WorkItem, info: Any) -> str:
        return root.priority

    def resolve_status(root: WorkItem, info: Any) -> str:
        return root.status

    def resolve_service_line(root: WorkItem, info: Any) -> str:
        return root.service_line

    def resolve_breach_state(root: WorkItem, info: Any) -> str:
        return enum_value(root.breach_state)

    def resolve_assignee(root: WorkItem, info: Any) -> Any:
        return root.assignee

    def resolve_next_deadline_clock(root: WorkItem, info: Any) -> str | None:
        return root.next_deadline_clock or None


def queue_queryset(
    user: User,
    *,
    now: datetime,
    mine: bool = False,
    unassigned: bool = False,
    client_slug: str | None = None,
    priority: str | None = None,
    service_line: str | None = None,
    breaching_soon: bool = False,
    breached: bool = False,
) -> QuerySet[WorkItem]:
    """Open work across the clients this person reaches, soonest deadline first."""
    items = WorkItem.objects.filter(is_open=True).select_related("client", "assignee")
    if not staff_reaches_all_clients(user):
        # A technician limited to an allow-list: only their clients (a subquery, still one query).
        items = items.filter(client__in=clients_visible_to(user))
    if mine:
        items = items.filter(assignee=user)
    if unassigned:
        items = items.filter(assignee__isnull=True)
    if client_slug:
        items = items.filter(client__slug=client_slug)
    if priority:
        items = items.filter(priority=priority)
    if service_line:
        items = items.filter(service_line=service_line)
    if breached:
        items = items.filter(Q(breach_state=BreachState.BREACHED) | Q(next_deadline_at__lte=now))
    if breaching_soon:
        items = items.filter(
            Q(breach_state=BreachState.WARNING)
            | Q(next_deadline_at__gt=now, next_deadline_at__lte=now + timedelta(hours=1))
        )
    return items.order_by(F("next_deadline_at").asc(nulls_last=True), "id")


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
    sla_clocks = graphene.List(graphene.NonNull(SlaClock), required=True, description="Empty without an SLA.")
    timeline = graphene.List(graphene.NonNull(TimelineEntry), required=True)
    time_entries = graphene.List(graphene.NonNull(TimeEntryType), required=True, description="Staff only.")
    watchers = graphene.List(graphene.NonNull(PersonRef), required=True)
    viewer_is_watching = graphene.Boolean(required=True)
    billable_minutes = graphene.Int(description="Staff only.")
    total_minutes = graphene.Int(description="Staff only.")

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

    def resolve_billable_minutes(root: Ticket, info: Any) -> int | None:
        if not info.context.user.is_msp_staff:
            return None
        return sum(entry.minutes for entry in root.time_entries.all() if entry.billable)

    def resolve_total_minutes(root: Ticket, info: Any) -> int | None:
        if not info.context.user.is_msp_staff:
            return None
        return sum(entry.minutes for entry in root.time_entries.all())


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
    """Everything the ticket's resolvers read, loaded now: they run after the request has left
    the client's schema, so nothing may be fetched lazily from tenant tables later."""
    ticket = actions.get_ticket(client, viewer, number)
    ticket = (
        Ticket.objects.select_related("requester")
        .prefetch_related("time_entries", "sla_events", "watchers")
        .get(pk=ticket.pk)
    )
    ticket._client = client  # type: ignore[attr-defined]
    ticket._clocks = ticket_clocks(ticket)  # type: ignore[attr-defined]
    ticket._timeline = build_timeline(ticket, viewer)  # type: ignore[attr-defined]
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


def compliance_rows(months: int, now: datetime) -> list[ComplianceRow]:
    """Per month, priority and clock (first response, first resolution) in the current schema."""
    today = timezone.localdate(now)
    month_index = today.year * 12 + today.month - 1 - (months - 1)
    first_month = date(month_index // 12, month_index % 12 + 1, 1)
    counts = (
        SlaOutcome.objects.filter(
            judged_at__date__gte=first_month, clock__in=["first_response", "first_resolution"]
        )
        .values("judged_at__year", "judged_at__month", "priority", "clock")
        .annotate(
            met=Count("pk", filter=Q(result=SlaOutcome.Result.MET)),
            breached=Count("pk", filter=Q(result="breached")),
        )
    )
    found = {
        (f"{row['judged_at__year']:04d}-{row['judged_at__month']:02d}", row["priority"], row["clock"]): row
        for row in counts
    }
    rows = []
    month = first_month
    while month <= today:
        key_month = f"{month:%Y-%m}"
        for priority in ("P1", "P2", "P3", "P4"):
            for clock in ("first_response", "first_resolution"):
                row = found.get((key_month, priority, clock))
                met = row["met"] if row else 0
                breached = row["breached"] if row else 0
                rows.append(
                    ComplianceRow(
                        month=key_month,
                        priority=priority,
                        clock=clock,
                        met=met,
                        breached=breached,
                        compliance_percent=engine.compliance_percent(met, breached),
                    )
                )
        month = (month + timedelta(days=32)).replace(day=1)
    return rows


class ContactType(graphene.ObjectType):
    class Meta:
        name = "Contact"

    id = graphene.ID(required=True)
    full_name = graphene.String(required=True)
    email = graphene.String(required=True)
    job_title = graphene.String(required=True)
    is_business_critical = graphene.Boolean(required=True)


def assignable_staff(client: Client) -> QuerySet[User]:
    """Technicians and admins who reach `client` (one query: all-client staff or the allow-list)."""
    return (
        User.objects.filter(is_active=True, msp_role__in=[MspRole.TECHNICIAN, MspRole.ADMIN])
        .filter(
            Q(limited_to_allowed_clients=False) | Q(msp_role=MspRole.ADMIN) | Q(client_access__client=client)
        )
        .distinct()
        .order_by("full_name")
    )


class SupportQuery(graphene.ObjectType):
    contacts = graphene.List(
        graphene.NonNull(ContactType),
        required=True,
        client_slug=graphene.String(),
        search=graphene.String(),
        description="Staff and the client's IT leads: its active contacts (at most 200).",
    )
    assignable_staff = graphene.List(
        graphene.NonNull(StaffMember),
        required=True,
        client_slug=graphene.String(required=True),
        description="Staff: technicians and admins who may be assigned this client's tickets.",
    )
    queue = DjangoConnectionField(
        WorkItemType,
        required=True,
        mine=graphene.Boolean(),
        unassigned=graphene.Boolean(),
        client_slug=graphene.String(),
        priority=PriorityEnum(),
        service_line=ServiceLineEnum(),
        breaching_soon=graphene.Boolean(),
        breached=graphene.Boolean(),
        description="MSP staff on the MSP host: open work across their clients, soonest SLA deadline first.",
    )
    ticket = graphene.Field(TicketType, number=graphene.Int(required=True), client_slug=graphene.String())
    tickets = graphene.List(
        graphene.NonNull(TicketSummary),
        required=True,
        client_slug=graphene.String(),
        open_only=graphene.Boolean(),
        description="The client's requests this person may see, newest first (at most 200).",
    )
    sla_compliance = graphene.List(
        graphene.NonNull(ComplianceRow), required=True, client_slug=graphene.String(), months=graphene.Int()
    )

    def resolve_contacts(
        root: Any, info: Any, client_slug: str | None = None, search: str | None = None
    ) -> list[ContactType]:
        def body() -> list[ContactType]:
            with client_schema(info.context, client_slug) as client:
                user = info.context.user
                if not (user.is_msp_staff or actions.client_role(user, client) == ClientRole.IT_LEAD):
                    raise AccessDenied("Only staff and the client's IT leads can list its contacts.")
                rows = Contact.objects.filter(is_active=True)
                if search:
                    rows = rows.filter(Q(full_name__icontains=search) | Q(email__icontains=search))
                return [
                    ContactType(
                        id=str(c.pk),
                        full_name=c.full_name,
                        email=c.email,
                        job_title=c.job_title,
                        is_business_critical=c.is_business_critical,
                    )
                    for c in rows.order_by("full_name")[:200]
                ]

        return guard_query(body)

    def resolve_assignable_staff(root: Any, info: Any, client_slug: str) -> QuerySet[User]:
        def body() -> QuerySet[User]:
            ensure_msp_role(info.context.user)
            client = resolve_client(info.context, client_slug)
            return assignable_staff(client)

        return guard_query(body)

    def resolve_queue(root: Any, info: Any, **kwargs: Any) -> QuerySet[WorkItem]:
        def body() -> QuerySet[WorkItem]:
            user = ensure_msp_role(info.context.user)
            if not is_msp_host(info.context):
                raise AccessDenied("The queue is only available on the MSP host.")
            return queue_queryset(
                user,
                now=timezone.now(),
                mine=bool(kwargs.get("mine")),
                unassigned=bool(kwargs.get("unassigned")),
                client_slug=kwargs.get("client_slug"),
                priority=enum_value(kwargs.get("priority")),
                service_line=enum_value(kwargs.get("service_line")),
                breaching_soon=bool(kwargs.get("breaching_soon")),
                breached=bool(kwargs.get("breached")),
            )

        return guard_query(body)

    def resolve_ticket(root: Any, info: Any, number: int, client_slug: str | None = None) -> Ticket | None:
        def body() -> Ticket | None:
            try:
                with client_schema(info.context, client_slug) as client:
                    return load_ticket_view(client, info.context.user, number)
            except ActionError:
                return None
            except AccessDenied as exc:
                if exc.code == "NOT_FOUND":
                    return None
                raise

        return guard_query(body)

    def resolve_tickets(
        root: Any, info: Any, client_slug: str | None = None, open_only: bool = False
    ) -> list[TicketSummary]:
        def body() -> list[TicketSummary]:
            with client_schema(info.context, client_slug) as client:
                tickets = actions.tickets_visible_to(client, info.context.user).select_related("requester")
                if open_only:
                    tickets = tickets.exclude(status__in=[TicketStatus.RESOLVED, TicketStatus.CLOSED])
                rows = list(tickets.order_by("-number")[:200])
                items = {
                    item.object_id: item
                    for item in WorkItem.objects.filter(
                        client=client, kind="ticket", object_id__in=[t.pk for t in rows]
                    )
                }
                return [
                    TicketSummary(
                        number=t.number,
                        title=t.title,
                        status=t.status,
                        priority=t.priority,
                        requester_name=t.requester.full_name,
                        created_at=t.created_at,
                        updated_at=t.updated_at,
                        next_deadline_at=items[t.pk].next_deadline_at if t.pk in items else None,
                        next_deadline_clock=(items[t.pk].next_deadline_clock or None)
                        if t.pk in items
                        else None,
                        breach_state=enum_value(items[t.pk].breach_state) if t.pk in items else "none",
                    )
                    for t in rows
                ]

        return guard_query(body)

    def resolve_sla_compliance(
        root: Any, info: Any, client_slug: str | None = None, months: int | None = None
    ) -> list[ComplianceRow]:
        def body() -> list[ComplianceRow]:
            span = max(1, min(months or 6, 24))
            with client_schema(info.context, client_slug):
                return compliance_rows(span, timezone.now())

        return guard_query(body)


# ------------------------------------------------------------------------- mutations


def _support_errors(exc: Exception) -> list[Any]:
    return to_error_list(exc, SupportError, set(SUPPORT_ERROR_CODES))


def _run(
    info: Any, client_slug: str | None, number: int | None, action: Any
) -> tuple[Ticket | None, list[Any]]:
    """Resolve the client, run `action(client, user)` in its schema, return the fresh ticket."""
    try:
        with client_schema(info.context, client_slug) as client:
            result = action(client, info.context.user)
            ticket_number = number if number is not None else result.number
            try:
                return load_ticket_view(client, info.context.user, ticket_number), []
            except ActionError:
                # Done, but the person can no longer see the ticket (e.g. stopped watching it).
                return None, []
    except (ActionError, AccessDenied) as exc:
        return None, _support_errors(exc)


class AttachmentInput(graphene.InputObjectType):
    filename = graphene.String(required=True)
    content_type = graphene.String(required=True)
    data_base64 = graphene.String(required=True)


def _uploads(items: Sequence[Any] | None) -> list[actions.Upload]:
    return [actions.Upload(i.filename, i.content_type, i.data_base64) for i in items or []]


class CreateTicketInput(graphene.InputObjectType):
    client_slug = graphene.String()
    title = graphene.String(required=True)
    description = graphene.String()
    impact = LevelEnum(required=True)
    urgency = LevelEnum(required=True)
    category = graphene.String()
    service_line = ServiceLineEnum()
    channel = ChannelEnum()
    requester_id = graphene.ID(description="Staff only: the contact who is asking.")


class TicketPayload(graphene.ObjectType):
    ticket = graphene.Field(TicketType)
    errors = graphene.List(graphene.NonNull(SupportError), required=True)


def _decode_contact_id(value: str | None) -> int | None:
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        try:
            return int(from_global_id(value)[1])
        except Exception:
            raise ActionError.single("INVALID", "That is not a contact id.", "requesterId") from None


class CreateTicket(graphene.Mutation):
    class Arguments:
        input = CreateTicketInput(required=True)

    Output = TicketPayload

    @staticmethod
    def mutate(root: Any, info: Any, input: Any) -> TicketPayload:
        def act(client: Client, user: User) -> Ticket:
            data = actions.NewTicket(
                title=input.title or "",
                description=input.description or "",
                impact=enum_value(input.impact),
                urgency=enum_value(input.urgency),
                category=input.category or "",
                service_line=enum_value(input.service_line) or "support",
                channel=enum_value(input.channel),
                requester_contact_id=_decode_contact_id(input.requester_id),
            )
            return actions.create_ticket(client, data, actor=user)

        ticket, errors = _run(info, input.client_slug, None, act)
        return TicketPayload(ticket=ticket, errors=errors)


def _ticket_mutation(name: str, arguments: dict[str, Any], call: Any, doc: str) -> type[graphene.Mutation]:
    """A mutation on one ticket (`clientSlug`, `number`) that calls one action."""

    def mutate(
        root: Any, info: Any, number: int, client_slug: str | None = None, **kwargs: Any
    ) -> TicketPayload:
        ticket, errors = _run(
            info, client_slug, number, lambda client, user: call(client, number, user, **kwargs)
        )
        return TicketPayload(ticket=ticket, errors=errors)

    args = type(
        "Arguments",
        (),
        {"number": graphene.Int(required=True), "client_slug": graphene.String(), **arguments},
    )
    return type(
        name,
        (graphene.Mutation,),
        {"Arguments": args, "Output": TicketPayload, "mutate": staticmethod(mutate), "__doc__": doc},
    )


def _staff_user(global_id: str | None) -> User | None:
    if not global_id:
        return None
    try:
        kind, pk = from_global_id(global_id)
        if kind != "StaffMember":
            raise ValueError(kind)
    except Exception:
        raise ActionError.single("INVALID", "That is not a staff member's id.", "assigneeId") from None
    user = User.objects.filter(pk=int(pk), is_active=True).first()
    if user is None:
        raise ActionError.single("INVALID", "That is not a staff member's id.", "assigneeId")
    return user


TriageTicket = _ticket_mutation(
    "TriageTicket",
    {"impact": LevelEnum(required=True), "urgency": LevelEnum(required=True)},
    lambda client, number, user, impact, urgency: actions.triage_ticket(
        client, number, actor=user, impact=enum_value(impact), urgency=enum_value(urgency)
    ),
    "Staff: re-assess impact and urgency; priority follows the triage matrix.",
)
AssignTicket = _ticket_mutation(
    "AssignTicket",
    {"assignee_id": graphene.ID(description="A StaffMember id; omit to unassign.")},
    lambda client, number, user, assignee_id=None: actions.assign_ticket(
        client, number, actor=user, assignee=_staff_user(assignee_id)
    ),
    "Staff: give the ticket to a technician who reaches the client.",
)
ChangeTicketStatus = _ticket_mutation(
    "ChangeTicketStatus",
    {"status": TicketStatusEnum(required=True)},
    lambda client, number, user, status: actions.change_status(
        client, number, actor=user, status=enum_value(status)
    ),
    "Move the ticket through its lifecycle (client users may close or reopen a resolved ticket).",
)
ReplyToTicket = _ticket_mutation(
    "ReplyToTicket",
    {"body": graphene.String(required=True), "attachments": graphene.List(graphene.NonNull(AttachmentInput))},
    lambda client, number, user, body, attachments=None: actions.reply(
        client, number, actor=user, body=body, uploads=_uploads(attachments)
    ),
    "A public message on the ticket (staff or client).",
)
AddInternalNote = _ticket_mutation(
    "AddInternalNote",
    {"body": graphene.String(required=True), "attachments": graphene.List(graphene.NonNull(AttachmentInput))},
    lambda client, number, user, body, attachments=None: actions.add_internal_note(
        client, number, actor=user, body=body, uploads=_uploads(attachments)
    ),
    "Staff: a note client users never see.",
)
LogTime = _ticket_mutation(
    "LogTime",
    {
        "minutes": graphene.Int(required=True),
        "billable": graphene.Boolean(),
        "note": graphene.String(),
        "work_date": graphene.Date(),
    },
    lambda client, number, user, minutes, billable=True, note="", work_date=None: actions.log_time(
        client,
        number,
        actor=user,
        minutes=minutes,
        billable=billable if billable is not None else True,
        note=note or "",
        work_date=work_date,
    ),
    "Staff: record time on the ticket (rounded by the billing rule).",
)


WatchTicket = _ticket_mutation(
    "WatchTicket",
    {"watching": graphene.Boolean(required=True)},
    lambda client, number, user, watching: actions.set_watching(
        client, number, actor=user, watching=watching
    ),
    "Follow or stop following a ticket you can see.",
)


def _watcher_by_email(email: str) -> User:
    user = User.objects.filter(email__iexact=(email or "").strip(), is_active=True).first()
    if user is None:
        raise ActionError.single("INVALID", "Nobody with that email can watch this ticket.", "watcherEmail")
    return user


AddTicketWatcher = _ticket_mutation(
    "AddTicketWatcher",
    {"watcher_email": graphene.String(required=True)},
    lambda client, number, user, watcher_email: actions.add_watcher(
        client, number, actor=user, watcher=_watcher_by_email(watcher_email)
    ),
    "Staff or the client's IT lead: add a colleague as a watcher.",
)


class SupportMutation(graphene.ObjectType):
    watch_ticket = WatchTicket.Field(required=True)
    add_ticket_watcher = AddTicketWatcher.Field(required=True)
    create_ticket = CreateTicket.Field(required=True)
    triage_ticket = TriageTicket.Field(required=True)
    assign_ticket = AssignTicket.Field(required=True)
    change_ticket_status = ChangeTicketStatus.Field(required=True)
    reply_to_ticket = ReplyToTicket.Field(required=True)
    add_internal_note = AddInternalNote.Field(required=True)
    log_time = LogTime.Field(required=True)
