"""Mutations of the service desk: one per ticket use case, each calling one action."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import graphene
from graphql_relay import from_global_id

from core.errors import ActionError
from core.graphql.errors import to_error_list
from core.graphql.types import enum_value
from services.support import actions
from services.support.graphql.types import (
    SUPPORT_ERROR_CODES,
    ChannelEnum,
    LevelEnum,
    ServiceLineEnum,
    SupportError,
    TicketStatusEnum,
    TicketType,
    load_ticket_view,
)
from services.support.models import Ticket
from tenants.access import (
    AccessDenied,
)
from tenants.models import Client, User
from tenants.request_scope import client_schema

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
    related_ticket_number = graphene.Int(
        description="Raise this as a follow-up of an earlier (e.g. closed) request; both timelines link them."
    )


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
                follow_up_of_number=input.related_ticket_number,
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
