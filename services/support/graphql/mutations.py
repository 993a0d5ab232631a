"""Mutations of the service desk: one per ticket use case, each calling one action.

All share `TicketMutation`: the base mutation's checks, then the client of the request is
resolved and authorised (`tenants.request_scope.client_schema`), the action runs in the
client's schema, and the payload is the ticket as the person may now see it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, ClassVar

import graphene
from django.conf import settings

from core.errors import ActionError
from core.graphql.ids import decode_id
from core.graphql.mutations import BaseMutation
from core.graphql.types import enum_value, idempotency_key_argument
from core.idempotency import IDEMPOTENCY_KEY_MAX
from services.support import actions
from services.support.graphql.types import (
    ChannelEnum,
    LevelEnum,
    ServiceLineEnum,
    SupportError,
    TicketStatusEnum,
    TicketType,
    load_ticket_view,
)
from tenants.models import Client, User
from tenants.request_scope import client_schema

# Longest texts (the model's limits; message bodies are long but not unbounded).
TITLE_MAX = 200
CATEGORY_MAX = 80
BODY_MAX = 50_000
# A base64 attachment is 4/3 of the largest file accepted.
ATTACHMENT_DATA_MAX = math.ceil(settings.ATTACHMENT_MAX_BYTES * 4 / 3) + 4


class TicketPayload(graphene.ObjectType):
    ticket = graphene.Field(
        TicketType, description="The ticket as you may see it now (null if you no longer may)."
    )
    errors = graphene.List(graphene.NonNull(SupportError), required=True)


class AttachmentInput(graphene.InputObjectType):
    filename = graphene.String(required=True)
    content_type = graphene.String(required=True)
    data_base64 = graphene.String(required=True)


def _uploads(items: Sequence[Any] | None) -> list[actions.Upload]:
    return [actions.Upload(i.filename, i.content_type, i.data_base64) for i in items or []]


class ClientRecordMutation(BaseMutation):
    """A change to one numbered record of one client (a ticket, a security incident): runs
    `act(client, user, **data)` in the client's schema and answers with the record as the
    person may now see it, `load_view(client, user, number)` in the payload's `record_field`
    (null when they no longer may, e.g. after they stopped watching it)."""

    class Meta:
        abstract = True

    record_field: ClassVar[str]

    @classmethod
    def act(cls, client: Client, user: User, *args: Any, **data: Any) -> Any:
        """The action's result: the record, or a row of it (a comment) when `number` was given."""
        raise NotImplementedError(f"{cls.__name__}.act")

    @staticmethod
    def load_view(client: Client, viewer: User, number: int) -> Any:
        raise NotImplementedError("load_view")

    @classmethod
    def perform(cls, info: Any, *args: Any, client_slug: str | None = None, **data: Any) -> Any:
        with client_schema(info.context, client_slug) as client:
            result = cls.act(client, info.context.user, **data)
            number = data.get("number") or result.number
            try:
                view = cls.load_view(client, info.context.user, number)
            except ActionError:
                view = None  # done, but the person can no longer see the record
            return cls.success(**{cls.record_field: view})


def record_arguments(**extra: Any) -> type:
    """The arguments of a `ClientRecordMutation`: the record's `number`, `clientSlug`, `extra`."""
    return type(
        "Arguments", (), {"number": graphene.Int(required=True), "client_slug": graphene.String(), **extra}
    )


class TicketMutation(ClientRecordMutation):
    """A mutation on one client's tickets: runs `act(client, user, **data)` in its schema.
    Every one answers with the ticket (`TicketPayload`) and the service desk's error type."""

    class Meta:
        abstract = True

    default_error_type = SupportError
    Output = TicketPayload

    max_lengths: ClassVar[dict[str, int]] = {
        "clientSlug": 63,
        "title": TITLE_MAX,
        "category": CATEGORY_MAX,
        "description": BODY_MAX,
        "body": BODY_MAX,
        "note": 300,
        "watcherEmail": 254,
        "attachments.filename": 200,
        "attachments.contentType": 100,
        "attachments.dataBase64": ATTACHMENT_DATA_MAX,
        "idempotencyKey": IDEMPOTENCY_KEY_MAX,
    }

    record_field = "ticket"
    load_view = staticmethod(load_ticket_view)


ticket_arguments = record_arguments


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
    idempotency_key = idempotency_key_argument()


class CreateTicket(TicketMutation):
    """Raise a request: client users for themselves, staff for one of the client's contacts."""

    class Arguments:
        input = CreateTicketInput(required=True)

    @classmethod
    def perform(cls, info: Any, *args: Any, **data: Any) -> Any:
        return super().perform(info, client_slug=data["input"].client_slug, input=data["input"])

    @classmethod
    def act(cls, client: Client, user: User, input: Any) -> Any:
        data = actions.NewTicket(
            title=input.title or "",
            description=input.description or "",
            impact=enum_value(input.impact),
            urgency=enum_value(input.urgency),
            category=input.category or "",
            service_line=enum_value(input.service_line) or "support",
            channel=enum_value(input.channel),
            requester_contact_id=decode_id(input.requester_id, "Contact", "requesterId", required=False),
            follow_up_of_number=input.related_ticket_number,
        )
        return actions.create_ticket(client, data, actor=user, idempotency_key=input.idempotency_key)


class TriageTicket(TicketMutation):
    """Staff: re-assess impact and urgency; priority follows the triage matrix."""

    Arguments = ticket_arguments(impact=LevelEnum(required=True), urgency=LevelEnum(required=True))

    @classmethod
    def act(cls, client: Client, user: User, number: int, impact: Any, urgency: Any) -> Any:
        return actions.triage_ticket(
            client, number, actor=user, impact=enum_value(impact), urgency=enum_value(urgency)
        )


class AssignTicket(TicketMutation):
    """Staff: give the ticket to a technician who reaches the client (omit the id to unassign)."""

    Arguments = ticket_arguments(assignee_id=graphene.ID(description="A StaffMember id; omit to unassign."))

    @classmethod
    def act(cls, client: Client, user: User, number: int, assignee_id: str | None = None) -> Any:
        assignee_pk = decode_id(assignee_id, "StaffMember", "assigneeId", required=False)
        return actions.assign_ticket(client, number, actor=user, assignee_id=assignee_pk)


class ChangeTicketStatus(TicketMutation):
    """Move the ticket through its lifecycle (client users may close or reopen a resolved ticket)."""

    Arguments = ticket_arguments(status=TicketStatusEnum(required=True))

    @classmethod
    def act(cls, client: Client, user: User, number: int, status: Any) -> Any:
        return actions.change_status(client, number, actor=user, status=enum_value(status))


class CommentMutation(TicketMutation):
    """A message on the ticket: `action` is `actions.reply` or `actions.add_internal_note`."""

    class Meta:
        abstract = True

    action: ClassVar[Any]

    @classmethod
    def act(
        cls,
        client: Client,
        user: User,
        number: int,
        body: str,
        attachments: Any = None,
        idempotency_key: str | None = None,
    ) -> Any:
        return cls.action(
            client,
            number,
            actor=user,
            body=body,
            uploads=_uploads(attachments),
            idempotency_key=idempotency_key,
        )


def comment_arguments() -> type:
    return ticket_arguments(
        body=graphene.String(required=True),
        attachments=graphene.List(graphene.NonNull(AttachmentInput)),
        idempotency_key=idempotency_key_argument(),
    )


class ReplyToTicket(CommentMutation):
    """A public message on the ticket (staff or client)."""

    Arguments = comment_arguments()
    action = staticmethod(actions.reply)


class AddInternalNote(CommentMutation):
    """Staff: a note client users never see."""

    Arguments = comment_arguments()
    action = staticmethod(actions.add_internal_note)


class LogTime(TicketMutation):
    """Staff: record time on the ticket (rounded by the billing rule)."""

    Arguments = ticket_arguments(
        minutes=graphene.Int(required=True),
        billable=graphene.Boolean(),
        note=graphene.String(),
        work_date=graphene.Date(),
    )

    @classmethod
    def act(
        cls,
        client: Client,
        user: User,
        number: int,
        minutes: int,
        billable: bool | None = True,
        note: str | None = "",
        work_date: Any = None,
    ) -> Any:
        return actions.log_time(
            client,
            number,
            actor=user,
            minutes=minutes,
            billable=billable if billable is not None else True,
            note=note or "",
            work_date=work_date,
        )


class WatchTicket(TicketMutation):
    """Follow or stop following a ticket you can see."""

    Arguments = ticket_arguments(watching=graphene.Boolean(required=True))

    @classmethod
    def act(cls, client: Client, user: User, number: int, watching: bool) -> Any:
        return actions.set_watching(client, number, actor=user, watching=watching)


class AddTicketWatcher(TicketMutation):
    """Staff or the client's IT lead: add a colleague as a watcher."""

    Arguments = ticket_arguments(watcher_email=graphene.String(required=True))

    @classmethod
    def act(cls, client: Client, user: User, number: int, watcher_email: str) -> Any:
        return actions.add_watcher(client, number, actor=user, watcher_email=watcher_email)


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
