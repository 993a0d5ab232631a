"""Service-desk use cases. Each is one transaction in the client's schema that changes the
ticket, appends to its SLA event log, records judged SLA outcomes and rewrites the ticket's
public `WorkItem` — so the technician queue is never out of step.

Callers (GraphQL, tasks) resolve and authorise the client first and run these inside
that client's schema; the actions check what the actor may do *on* the ticket.
"""

from __future__ import annotations

import base64
import binascii
import math
import unicodedata
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import transaction
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.errors import ActionError, FieldError
from core.idempotency import clean_idempotency_key, create_once, key_reused
from core.tenancy import require_schema
from services.catalog.models import Impact, SlaPolicy, Urgency
from services.catalog.sla_policies import effective_policy_id
from services.catalog.triage import triage
from services.directory.models import Contact
from services.sla import engine
from services.support.models import (
    DONE_STATUSES,
    WAITING_STATUSES,
    Attachment,
    Channel,
    Comment,
    ServiceLine,
    SlaEventKind,
    Ticket,
    TicketActivity,
    TicketCounter,
    TicketSlaEvent,
    TicketStatus,
    TicketWatcher,
    TimeEntry,
)
from services.support.sla_clocks import checked_ticket_clocks, record_outcomes
from services.support.work_index import sync_watchers, sync_work_item
from services.workqueue.models import WorkItemKind
from services.workqueue.selectors import clients_lost_by
from tenants.access import (
    TICKET_ROLES,
    assignable_staff,
    ensure_client_writable,
    staff_reaching,
)
from tenants.models import Client, ClientRole, ClientStatus, Membership, MspRole, User

STAFF_TRANSITIONS: dict[str, frozenset[str]] = {
    TicketStatus.NEW: frozenset(
        {TicketStatus.OPEN, TicketStatus.IN_PROGRESS, *WAITING_STATUSES, TicketStatus.RESOLVED}
    ),
    TicketStatus.OPEN: frozenset({TicketStatus.IN_PROGRESS, *WAITING_STATUSES, TicketStatus.RESOLVED}),
    TicketStatus.IN_PROGRESS: frozenset({TicketStatus.OPEN, *WAITING_STATUSES, TicketStatus.RESOLVED}),
    TicketStatus.WAITING_ON_CLIENT: frozenset(
        {TicketStatus.OPEN, TicketStatus.IN_PROGRESS, TicketStatus.WAITING_ON_VENDOR, TicketStatus.RESOLVED}
    ),
    TicketStatus.WAITING_ON_VENDOR: frozenset(
        {TicketStatus.OPEN, TicketStatus.IN_PROGRESS, TicketStatus.WAITING_ON_CLIENT, TicketStatus.RESOLVED}
    ),
    TicketStatus.RESOLVED: frozenset({TicketStatus.CLOSED, TicketStatus.OPEN}),
    TicketStatus.CLOSED: frozenset({TicketStatus.OPEN}),
}
# Client users may confirm a resolution (close it) or say it is not fixed (reopen).
CLIENT_TRANSITIONS: dict[str, frozenset[str]] = {
    TicketStatus.RESOLVED: frozenset({TicketStatus.CLOSED, TicketStatus.OPEN}),
}
MAX_TITLE = 200
MAX_BODY = 20_000
MAX_FILENAME = 200
MAX_TIME_NOTE = 300


def _is_staff(actor: User) -> bool:
    return actor.is_msp_staff


def _warning_fractions(policy_id: int | None) -> tuple[float, ...]:
    if policy_id is None:
        return engine.DEFAULT_WARNING_FRACTIONS
    thresholds = SlaPolicy.objects.filter(pk=policy_id).values_list("warning_thresholds", flat=True).first()
    return tuple(thresholds) if thresholds else engine.DEFAULT_WARNING_FRACTIONS


def _instant(ticket: Ticket, now: datetime | None = None) -> datetime:
    """The instant a change to `ticket` is recorded at. Call it only while holding the
    ticket's row lock (`get_ticket(..., for_update=True)`), never before waiting for it.

    It is the clock (or the `now` a caller passes), but never earlier than the ticket's last
    recorded change (`updated_at`, which every change moves forward): a request whose clock
    is behind the one that committed before it (another web server, a clock stepped back) is
    recorded at the same instant. The SLA event log is replayed and the timeline shown in
    (`at`, id) order, and ids are drawn under the lock, so an event committed later never
    sorts before one committed earlier."""
    at = now or timezone.now()
    return max(at, ticket.updated_at)


def _after_change(client: Client, ticket: Ticket, now: datetime) -> None:
    """Recompute clocks from the log, record judged outcomes, rewrite the queue row."""
    ticket.updated_at = now
    ticket.save()
    checked = checked_ticket_clocks(ticket, now)
    clocks = checked.clocks
    if clocks is not None and ticket.sla_policy_id is not None:
        record_outcomes(ticket, clocks, ticket.sla_policy_id)
    sync_work_item(
        client,
        ticket,
        clocks,
        _warning_fractions(ticket.sla_policy_id),
        now,
        clock_error=checked.problem is not None,
    )


def _event(ticket: Ticket, kind: str, at: datetime, **fields: object) -> None:
    if ticket.sla_policy_id is not None:
        TicketSlaEvent.objects.create(ticket=ticket, kind=kind, at=at, **fields)  # type: ignore[misc]


def _activity(
    ticket: Ticket,
    kind: str,
    actor: User | None,
    at: datetime,
    *,
    internal: bool = False,
    detail: dict[str, object] | None = None,
) -> None:
    TicketActivity.objects.create(
        ticket=ticket,
        kind=kind,
        actor_id=actor.pk if actor else None,
        is_internal=internal,
        detail=detail or {},
        created_at=at,
    )


def contact_for_user(user: User) -> Contact | None:
    return Contact.objects.filter(user_id=user.pk, is_active=True).first()


def client_role(actor: User, client: Client) -> str | None:
    return Membership.objects.filter(user=actor, client=client).values_list("role", flat=True).first()


def tickets_visible_to(client: Client, actor: User) -> QuerySet[Ticket]:
    """Tickets of `client` this person may see: staff and IT leads all; members their own
    (as requester) and those they watch."""
    require_schema(client)
    tickets = Ticket.objects.all()
    if _is_staff(actor) or client_role(actor, client) == ClientRole.IT_LEAD:
        return tickets
    contact = contact_for_user(actor)
    return tickets.filter(Q(requester=contact) | Q(watchers__user_id=actor.pk)).distinct()


def get_ticket(
    client: Client,
    actor: User,
    number: int,
    *,
    for_update: bool = False,
    select_related: tuple[str, ...] = (),
    prefetch_related: tuple[str, ...] = (),
) -> Ticket:
    """The ticket `number` of `client` if `actor` may see it; a NOT_FOUND error otherwise.
    A read may load relations with it (`select_related`, `prefetch_related`)."""
    tickets = tickets_visible_to(client, actor)
    if for_update:
        # Every change to a ticket locks it first: an offboarded client's tickets are read-only.
        ensure_client_writable(client)
        ticket = Ticket.objects.select_for_update().filter(pk__in=tickets.values("pk"), number=number).first()
    else:
        ticket = (
            tickets.filter(number=number)
            .select_related(*select_related)
            .prefetch_related(*prefetch_related)
            .first()
        )
    if ticket is None:
        raise ActionError.single("NOT_FOUND", f"There is no ticket #{number} for you here.", "number")
    return ticket


@dataclass(frozen=True)
class NewTicket:
    title: str
    description: str = ""
    impact: str = Impact.LOW
    urgency: str = Urgency.MEDIUM
    category: str = ""
    service_line: str = ServiceLine.SUPPORT
    channel: str | None = None
    requester_contact_id: int | None = None
    follow_up_of_number: int | None = None


def _validate_new_ticket(data: NewTicket) -> list[FieldError]:
    errors = []
    if not data.title.strip():
        errors.append(FieldError("REQUIRED", "Give the request a short title.", "title"))
    elif len(data.title) > MAX_TITLE:
        errors.append(FieldError("INVALID", f"Keep the title under {MAX_TITLE} characters.", "title"))
    if len(data.description) > MAX_BODY:
        errors.append(FieldError("INVALID", "The description is too long.", "description"))
    if data.impact not in Impact.values:
        errors.append(FieldError("INVALID", "Choose an impact: low, medium or high.", "impact"))
    if data.urgency not in Urgency.values:
        errors.append(FieldError("INVALID", "Choose an urgency: low, medium or high.", "urgency"))
    if data.service_line not in ServiceLine.values:
        errors.append(FieldError("INVALID", "Choose a service line.", "serviceLine"))
    if data.channel is not None and data.channel not in Channel.values:
        errors.append(FieldError("INVALID", "Choose a channel.", "channel"))
    return errors


def _ticket_of_submission(actor: User, key: str) -> Ticket | None:
    return Ticket.objects.filter(created_by_id=actor.pk, idempotency_key=key).first() if key else None


def _same_ticket_request(ticket: Ticket, data: NewTicket) -> Ticket:
    if ticket.title != data.title.strip() or ticket.description != data.description.strip():
        raise key_reused()
    return ticket


def create_ticket(
    client: Client,
    data: NewTicket,
    *,
    actor: User,
    now: datetime | None = None,
    idempotency_key: str | None = None,
) -> Ticket:
    """Raise a request. Client users raise it for themselves; staff name the requester.

    With an idempotency key, the same submission sent again (or twice at once) answers with
    the ticket it raised the first time and writes nothing (core.idempotency)."""
    require_schema(client)
    ensure_client_writable(client)
    key = clean_idempotency_key(idempotency_key)
    earlier = _ticket_of_submission(actor, key)
    if earlier is not None:
        return _same_ticket_request(earlier, data)
    errors = _validate_new_ticket(data)
    if _is_staff(actor):
        requester = (
            Contact.objects.filter(pk=data.requester_contact_id, is_active=True).first()
            if data.requester_contact_id
            else None
        )
        if requester is None:
            errors.append(
                FieldError("REQUIRED", "Choose who is asking (a contact of the client).", "requesterId")
            )
    else:
        requester = contact_for_user(actor)
        if requester is None:
            errors.append(
                FieldError("INVALID", "Your contact record is not set up yet; try again shortly.", None)
            )
    follow_up_of = None
    if data.follow_up_of_number is not None:
        follow_up_of = tickets_visible_to(client, actor).filter(number=data.follow_up_of_number).first()
        if follow_up_of is None:
            errors.append(
                FieldError(
                    "NOT_FOUND",
                    f"There is no request #{data.follow_up_of_number} for you to follow up.",
                    "relatedTicketNumber",
                )
            )
    if errors:
        raise ActionError(errors)
    assert requester is not None
    derived = triage(data.impact, data.urgency, business_critical_requester=requester.is_business_critical)
    policy_id = effective_policy_id(client)
    with transaction.atomic():
        counter, _ = TicketCounter.objects.select_for_update().get_or_create(pk=1)
        # Read the clock once the counter is locked: numbers and creation instants agree.
        now = now or timezone.now()

        def number_and_create() -> Ticket:
            number = counter.next_number
            TicketCounter.objects.filter(pk=counter.pk).update(next_number=number + 1)
            return Ticket.objects.create(
                number=number,
                title=data.title.strip(),
                description=data.description.strip(),
                requester=requester,
                category=data.category.strip(),
                service_line=data.service_line,
                impact=data.impact,
                urgency=data.urgency,
                priority=derived.priority,
                priority_reason=derived.reason,
                channel=data.channel or (Channel.PHONE if _is_staff(actor) else Channel.PORTAL),
                sla_policy_id=policy_id,
                created_by_id=actor.pk,
                created_at=now,
                updated_at=now,
                idempotency_key=key,
                follow_up_of=follow_up_of,
            )

        # Refused by the key's constraint: the same submission raised its ticket first (the
        # number it took is given back with the savepoint, so numbering stays gap-free).
        ticket, is_new = create_once(number_and_create, lambda: _ticket_of_submission(actor, key))
        if not is_new:
            return _same_ticket_request(ticket, data)
        _event(ticket, SlaEventKind.CREATED, now, priority=derived.priority, policy_id=policy_id)
        created: dict[str, object] = {"priority": derived.priority}
        if follow_up_of is not None:
            created["follow_up_of"] = follow_up_of.number
            # Both timelines show the link; the earlier ticket's status and clocks are untouched.
            _activity(
                follow_up_of, TicketActivity.Kind.FOLLOW_UP, actor, now, detail={"number": ticket.number}
            )
        _activity(ticket, TicketActivity.Kind.CREATED, actor, now, detail=created)
        _after_change(client, ticket, now)
    return ticket


def triage_ticket(
    client: Client, number: int, *, actor: User, impact: str, urgency: str, now: datetime | None = None
) -> Ticket:
    """Re-assess impact and urgency; the priority follows the matrix. Time already used survives."""
    _require_staff(actor)
    errors = []
    if impact not in Impact.values:
        errors.append(FieldError("INVALID", "Choose an impact: low, medium or high.", "impact"))
    if urgency not in Urgency.values:
        errors.append(FieldError("INVALID", "Choose an urgency: low, medium or high.", "urgency"))
    if errors:
        raise ActionError(errors)
    with transaction.atomic():
        ticket = get_ticket(client, actor, number, for_update=True)
        now = _instant(ticket, now)
        derived = triage(impact, urgency, business_critical_requester=ticket.requester.is_business_critical)
        previous = ticket.priority
        ticket.impact, ticket.urgency, ticket.priority, ticket.priority_reason = (
            impact,
            urgency,
            derived.priority,
            derived.reason,
        )
        if derived.priority != previous:
            _event(ticket, SlaEventKind.PRIORITY_CHANGED, now, priority=derived.priority)
        _activity(
            ticket, TicketActivity.Kind.TRIAGED, actor, now, detail={"from": previous, "to": derived.priority}
        )
        _after_change(client, ticket, now)
    return ticket


def _require_staff(actor: User) -> None:
    if not _is_staff(actor):
        raise ActionError.single("PERMISSION_DENIED", "Only MSP staff can do that.")


def assign_ticket(
    client: Client, number: int, *, actor: User, assignee_id: int | None, now: datetime | None = None
) -> Ticket:
    """Give the ticket to a technician who reaches this client (or to nobody).

    The ticket is checked before the assignee, and every id that can't be assigned (no such
    user, a client user, a deactivated account, a role that doesn't work tickets, no access
    to this client) gets the same answer from one query: no account-existence oracle."""
    _require_staff(actor)
    with transaction.atomic():
        ticket = get_ticket(client, actor, number, for_update=True)
        now = _instant(ticket, now)
        if assignee_id is not None and not assignable_staff(client).filter(pk=assignee_id).exists():
            raise ActionError.single(
                "INVALID", "Choose a technician who works for this client.", "assigneeId"
            )
        ticket.assignee_id = assignee_id
        _activity(
            ticket, TicketActivity.Kind.ASSIGNED, actor, now, detail={"assignee_id": ticket.assignee_id}
        )
        _after_change(client, ticket, now)
    return ticket


def _lost_access_reason(user: User, client: Client) -> str:
    if not user.is_active:
        return f"{user.full_name} was deactivated."
    if user.msp_role not in TICKET_ROLES:
        role = MspRole(user.msp_role).label if user.msp_role else "not MSP staff"
        return f"{user.full_name}'s role ({role}) doesn't work tickets."
    return f"{user.full_name} no longer has access to {client.name}."


def unassign_after_lost_access(
    client: Client, *, assignee: User, actor: User | None, now: datetime | None = None
) -> int:
    """Unassign `assignee`'s open tickets of `client` (run in its schema), each with an
    internal timeline entry saying why; their queue rows follow in the same transaction.
    Done tickets keep their assignee: the record of who worked them."""
    require_schema(client)
    reason = _lost_access_reason(assignee, client)
    with transaction.atomic():
        tickets = list(
            Ticket.objects.select_for_update()
            .filter(assignee_id=assignee.pk)
            .exclude(status__in=DONE_STATUSES)
            .order_by("number")
        )
        for ticket in tickets:
            at = _instant(ticket, now)
            ticket.assignee_id = None
            _activity(
                ticket,
                TicketActivity.Kind.ASSIGNED,
                actor,
                at,
                internal=True,
                detail={"assignee_id": None, "previous_assignee_id": assignee.pk, "reason": reason},
            )
            _after_change(client, ticket, at)
    return len(tickets)


def release_lost_assignments(user: User, *, actor: User | None, now: datetime | None = None) -> int:
    """After `user`'s access shrank: unassign their open tickets of every client they can no
    longer work. The queue index names the clients concerned, so only those schemas are
    visited. Returns how many tickets were unassigned."""
    lost = clients_lost_by(user, WorkItemKind.TICKET)
    if not lost:
        return 0
    unassigned = 0
    with transaction.atomic():
        for client in Client.objects.filter(pk__in=lost).order_by("pk"):
            with tenant_context(client):
                unassigned += unassign_after_lost_access(client, assignee=user, actor=actor, now=now)
    return unassigned


def _status_events(ticket: Ticket, old: str, new: str, at: datetime) -> None:
    if old in WAITING_STATUSES and new not in WAITING_STATUSES:
        _event(ticket, SlaEventKind.RESUMED, at)
    if new in WAITING_STATUSES and old not in WAITING_STATUSES:
        _event(ticket, SlaEventKind.PAUSED, at, reason=str(TicketStatus(new).label).lower())
    if new == TicketStatus.RESOLVED and old not in DONE_STATUSES:
        _event(ticket, SlaEventKind.RESOLVED, at)
    if old in DONE_STATUSES and new not in DONE_STATUSES:
        _event(ticket, SlaEventKind.REOPENED, at)


def client_reopen_deadline(ticket: Ticket) -> datetime | None:
    """Until when the client may reopen this ticket (None: it is not resolved, so not at all).

    A resolved ticket may be reopened by its client for TICKET_REOPEN_WINDOW_DAYS after the
    resolution; a closed one never (staff may reopen both). After that the client raises a
    new request that links to this one (`NewTicket.follow_up_of_number`)."""
    if ticket.status != TicketStatus.RESOLVED or ticket.resolved_at is None:
        return None
    return ticket.resolved_at + timedelta(days=settings.TICKET_REOPEN_WINDOW_DAYS)


def may_client_reopen(ticket: Ticket, now: datetime) -> bool:
    deadline = client_reopen_deadline(ticket)
    return deadline is not None and now < deadline


def _closed_error(ticket: Ticket, actor: User, *, reopening: bool = False) -> ActionError:
    if reopening:
        return ActionError.single(
            "TICKET_CLOSED",
            f"#{ticket.number} is closed and can't be reopened. Raise a new request that refers to it.",
            "status",
        )
    advice = (
        "Reopen it first to write to the client."
        if _is_staff(actor)
        else "Raise a new request that refers to it instead."
    )
    return ActionError.single(
        "TICKET_CLOSED", f"#{ticket.number} is closed, so it takes no more replies. {advice}", "number"
    )


def change_status(
    client: Client, number: int, *, actor: User, status: str, now: datetime | None = None
) -> Ticket:
    """Move the ticket through its lifecycle; waiting statuses pause every SLA clock."""
    if status not in TicketStatus.values:
        raise ActionError.single("INVALID", "Unknown status.", "status")
    with transaction.atomic():
        ticket = get_ticket(client, actor, number, for_update=True)
        now = _instant(ticket, now)
        allowed = (STAFF_TRANSITIONS if _is_staff(actor) else CLIENT_TRANSITIONS).get(
            ticket.status, frozenset()
        )
        if status not in allowed:
            if ticket.status == TicketStatus.CLOSED and not _is_staff(actor):
                raise _closed_error(ticket, actor, reopening=True)
            raise ActionError.single(
                "INVALID_TRANSITION",
                f"A ticket that is {TicketStatus(ticket.status).label.lower()} cannot become "
                f"{TicketStatus(status).label.lower()}.",
                "status",
            )
        if (
            not _is_staff(actor)
            and ticket.status == TicketStatus.RESOLVED
            and status == TicketStatus.OPEN
            and not may_client_reopen(ticket, now)
        ):
            raise ActionError.single(
                "REOPEN_WINDOW_PASSED",
                f"#{ticket.number} was resolved more than {settings.TICKET_REOPEN_WINDOW_DAYS} days ago, "
                "so it can't be reopened. Raise a new request that refers to it.",
                "status",
            )
        old = ticket.status
        _status_events(ticket, old, status, now)
        ticket.status = status
        if status == TicketStatus.RESOLVED:
            ticket.resolved_at = now
        if status == TicketStatus.CLOSED:
            ticket.closed_at = now
        if old in DONE_STATUSES and status not in DONE_STATUSES:
            ticket.resolved_at = ticket.closed_at = None
        _activity(ticket, TicketActivity.Kind.STATUS, actor, now, detail={"from": old, "to": status})
        _after_change(client, ticket, now)
    return ticket


@dataclass(frozen=True)
class Upload:
    filename: str
    content_type: str
    data_base64: str


def _check_filename(filename: str) -> None:
    """The name shown and offered on download; it never becomes a path (see `_storage_name`)."""
    name = filename.strip()
    if not name:
        raise ActionError.single("REQUIRED", "Every attached file needs a name.", "attachments")
    if any(unicodedata.category(char) == "Cc" for char in name):
        raise ActionError.single(
            "INVALID", "A file name can't contain control characters (such as NUL).", "attachments"
        )
    if "/" in name or "\\" in name or name in {".", ".."}:
        raise ActionError.single(
            "INVALID", f"Give the file's own name, without folders: {name[:80]!r}.", "attachments"
        )
    if len(name) > MAX_FILENAME:
        raise ActionError.single(
            "TOO_LONG", f"Keep file names under {MAX_FILENAME} characters.", "attachments"
        )


def _attachment_storage() -> Storage:
    return Attachment._meta.get_field("file").storage  # type: ignore[attr-defined,no-any-return]


def _storage_name(filename: str) -> str:
    """A fresh name on disk: random, keeping a short plain extension (the person's file name
    is stored in the row and used on download only)."""
    extension = filename.strip().rpartition(".")[2] if "." in filename else ""
    suffix = (
        f".{extension.lower()}"
        if extension.isascii() and extension.isalnum() and len(extension) <= 10
        else ""
    )
    return f"{uuid.uuid4().hex}{suffix}"


def _decode_uploads(uploads: Sequence[Upload]) -> list[tuple[Upload, bytes]]:
    if len(uploads) > settings.ATTACHMENT_MAX_COUNT:
        raise ActionError.single(
            "TOO_MANY", f"Attach at most {settings.ATTACHMENT_MAX_COUNT} files to one message.", "attachments"
        )
    decoded = []
    for upload in uploads:
        _check_filename(upload.filename)
        if upload.content_type not in settings.ATTACHMENT_CONTENT_TYPES:
            raise ActionError.single(
                "UNSUPPORTED_TYPE",
                f"{upload.filename}: files of type {upload.content_type} are not accepted.",
                "attachments",
            )
        try:
            content = base64.b64decode(upload.data_base64, validate=True)
        except (binascii.Error, ValueError):
            raise ActionError.single(
                "INVALID", f"{upload.filename}: the file data is not valid base64.", "attachments"
            ) from None
        if len(content) > settings.ATTACHMENT_MAX_BYTES:
            limit_mb = settings.ATTACHMENT_MAX_BYTES / 1_000_000
            raise ActionError.single(
                "TOO_LARGE", f"{upload.filename} is larger than {limit_mb:g} MB.", "attachments"
            )
        if not content:
            raise ActionError.single("INVALID", f"{upload.filename} is empty.", "attachments")
        decoded.append((upload, content))
    return decoded


def _comment(
    client: Client,
    number: int,
    *,
    actor: User,
    body: str,
    internal: bool,
    uploads: Sequence[Upload] = (),
    now: datetime | None = None,
    idempotency_key: str | None = None,
) -> Comment:
    """A reply or an internal note, in one transaction (see `reply`)."""
    key = clean_idempotency_key(idempotency_key)
    body = (body or "").strip()

    def of_submission() -> Comment | None:
        if not key:
            return None
        return (
            Comment.objects.select_related("ticket")
            .filter(author_id=actor.pk, is_internal=internal, idempotency_key=key)
            .first()
        )

    def same_request(comment: Comment) -> Comment:
        if comment.ticket.number != number or comment.body != body:
            raise key_reused()
        return comment

    earlier = of_submission()
    if earlier is not None:
        return same_request(earlier)
    if not body:
        raise ActionError.single("REQUIRED", "Write a message first.", "body")
    if len(body) > MAX_BODY:
        raise ActionError.single("INVALID", "The message is too long.", "body")
    if internal:
        _require_staff(actor)
    files = _decode_uploads(uploads)
    written: list[str] = []
    try:
        return _store_comment(
            client, number, actor, body, internal, files, now, written, key, of_submission, same_request
        )
    except BaseException:
        # The transaction was rolled back: remove the files this call wrote.
        for name in written:
            _attachment_storage().delete(name)
        raise


def _store_comment(
    client: Client,
    number: int,
    actor: User,
    body: str,
    internal: bool,
    files: list[tuple[Upload, bytes]],
    now: datetime | None,
    written: list[str],
    key: str,
    of_submission: Callable[[], Comment | None],
    same_request: Callable[[Comment], Comment],
) -> Comment:
    """Rows first, then each file (only once its row is saved), then the ticket's clocks.
    `key`, `of_submission` and `same_request` are the submission's idempotency (see _comment)."""
    with transaction.atomic():
        ticket = get_ticket(client, actor, number, for_update=True)
        if not internal and ticket.status == TicketStatus.CLOSED:
            # A closed ticket is finished: a reply would reach nobody and never enter the queue.
            raise _closed_error(ticket, actor)
        now = _instant(ticket, now)
        comment, created = create_once(
            lambda: Comment.objects.create(
                ticket=ticket,
                author_id=actor.pk,
                author_is_staff=_is_staff(actor),
                is_internal=internal,
                body=body,
                created_at=now,
                idempotency_key=key,
            ),
            of_submission,
        )
        if not created:
            # The same submission was stored while this one waited for the ticket.
            return same_request(comment)
        for upload, content in files:
            attachment = Attachment(
                comment=comment,
                filename=upload.filename.strip(),
                content_type=upload.content_type,
                size_bytes=len(content),
            )
            attachment.file.name = attachment.file.field.generate_filename(
                attachment, _storage_name(upload.filename)
            )
            attachment.save()
            stored = attachment.file.storage.save(attachment.file.name, ContentFile(content))
            written.append(stored)
            if stored != attachment.file.name:
                attachment.file.name = stored
                attachment.save(update_fields=["file"])
        kind = TicketActivity.Kind.NOTE if internal else TicketActivity.Kind.REPLY
        _activity(ticket, kind, actor, now, internal=internal, detail={"comment_id": comment.pk})
        if not internal and ticket.status not in DONE_STATUSES:
            if _is_staff(actor):
                first = ticket.first_responded_at is None
                _event(ticket, SlaEventKind.FIRST_PUBLIC_REPLY if first else SlaEventKind.PUBLIC_UPDATE, now)
                if first:
                    ticket.first_responded_at = now
                if ticket.status == TicketStatus.NEW:
                    _activity(
                        ticket,
                        TicketActivity.Kind.STATUS,
                        actor,
                        now,
                        detail={"from": ticket.status, "to": "open"},
                    )
                    ticket.status = TicketStatus.OPEN
            elif ticket.status == TicketStatus.WAITING_ON_CLIENT:
                # The client answered: the clocks run again.
                _status_events(ticket, ticket.status, TicketStatus.OPEN, now)
                _activity(
                    ticket,
                    TicketActivity.Kind.STATUS,
                    actor,
                    now,
                    detail={"from": ticket.status, "to": "open"},
                )
                ticket.status = TicketStatus.OPEN
        _after_change(client, ticket, now)
    return comment


def reply(client: Client, number: int, **message: Any) -> Comment:
    """A public message on the ticket, from staff or the client (`actor`, `body`, `uploads`,
    `now`, `idempotency_key` as for `_comment`). With an idempotency key, the same submission
    sent again is stored once (core.idempotency)."""
    return _comment(client, number, internal=False, **message)


def add_internal_note(client: Client, number: int, **message: Any) -> Comment:
    """A staff-only note; never shown to client users. Idempotent per key, like `reply`."""
    return _comment(client, number, internal=True, **message)


def rounded_minutes(raw_minutes: int) -> int:
    """Apply the billing rounding rule: up to the next multiple of TIME_ENTRY_ROUNDING_MINUTES."""
    step = settings.TIME_ENTRY_ROUNDING_MINUTES
    return raw_minutes if step <= 1 else int(math.ceil(raw_minutes / step) * step)


def log_time(
    client: Client,
    number: int,
    *,
    actor: User,
    minutes: int,
    billable: bool = True,
    note: str = "",
    work_date: date | None = None,
    now: datetime | None = None,
) -> TimeEntry:
    """Record technician time on a ticket (rounded by the billing rule).

    The work date lies between the day before the ticket was raised (work started on a call
    before it was logged) and today; closed tickets take no more time (reopen the ticket
    first), resolved ones still do. See docs/service-desk.md."""
    _require_staff(actor)
    if minutes <= 0:
        raise ActionError.single("INVALID", "Log a positive number of minutes.", "minutes")
    if minutes > 24 * 60:
        raise ActionError.single("INVALID", "Log at most 24 hours in one entry.", "minutes")
    note = note.strip()
    if len(note) > MAX_TIME_NOTE:
        raise ActionError.single("TOO_LONG", f"Keep the note under {MAX_TIME_NOTE} characters.", "note")
    with transaction.atomic():
        ticket = get_ticket(client, actor, number, for_update=True)
        now = _instant(ticket, now)
        today = timezone.localdate(now)
        work_date = work_date or today
        if work_date > today:
            raise ActionError.single("INVALID", "Time cannot be logged for a future date.", "workDate")
        earliest = timezone.localdate(ticket.created_at) - timedelta(days=1)
        if work_date < earliest:
            raise ActionError.single(
                "INVALID",
                f"Log time from {earliest:%d %b %Y} (the day before the ticket was raised) onwards.",
                "workDate",
            )
        if ticket.status == TicketStatus.CLOSED:
            raise ActionError.single(
                "INVALID_TRANSITION", "This ticket is closed: reopen it to log more time.", None
            )
        entry = TimeEntry.objects.create(
            ticket=ticket,
            technician_id=actor.pk,
            minutes=rounded_minutes(minutes),
            raw_minutes=minutes,
            billable=billable,
            note=note,
            work_date=work_date,
            created_at=now,
        )
        _activity(
            ticket, TicketActivity.Kind.TIME, actor, now, internal=True, detail={"minutes": entry.minutes}
        )
        ticket.updated_at = now
        ticket.save(update_fields=["updated_at"])
    return entry


@dataclass(frozen=True)
class MonthlyTime:
    """A client's technician time in one month, as billing consumes it."""

    year: int
    month: int
    billable_minutes: int
    non_billable_minutes: int
    by_technician: dict[int, int]


def monthly_time_totals(client: Client, year: int, month: int) -> MonthlyTime:
    """Billed minutes (after rounding) logged for `client` in a calendar month."""
    require_schema(client)
    entries = TimeEntry.objects.filter(work_date__year=year, work_date__month=month)
    billable = entries.filter(billable=True).aggregate(total=Sum("minutes"))["total"] or 0
    non_billable = entries.filter(billable=False).aggregate(total=Sum("minutes"))["total"] or 0
    by_technician = {
        row["technician_id"]: row["total"]
        for row in entries.filter(billable=True).values("technician_id").annotate(total=Sum("minutes"))
    }
    return MonthlyTime(year, month, billable, non_billable, by_technician)


def set_watching(client: Client, number: int, *, actor: User, watching: bool) -> Ticket:
    """Follow (or stop following) a ticket: watchers see it in their request list.

    Anyone who may see the ticket may watch it; a client member may also be added by
    staff or their IT lead through `add_watcher`."""
    with transaction.atomic():
        ticket = get_ticket(client, actor, number, for_update=True)
        if watching:
            TicketWatcher.objects.get_or_create(ticket=ticket, user_id=actor.pk)
        else:
            TicketWatcher.objects.filter(ticket=ticket, user_id=actor.pk).delete()
        sync_watchers(client, ticket)
    return ticket


def _cannot_watch(client: Client, actor: User) -> ActionError:
    who = f"{client.name}, or MSP staff who work for it" if _is_staff(actor) else client.name
    return ActionError.single(
        "INVALID",
        f"That person can't be added as a watcher: add people who belong to {who}, by the email "
        "address they sign in with.",
        "watcherEmail",
    )


def add_watcher(client: Client, number: int, *, actor: User, watcher_email: str) -> Ticket:
    """Staff or the client's IT lead add a member of the client as a watcher (staff may also
    add MSP staff who reach the client).

    No account-existence oracle: the ticket is checked first (a missing or invisible ticket
    is NOT_FOUND whatever the e-mail), then one query finds an eligible person, and every
    e-mail that can't be added — no account, an account in another client, MSP staff when
    the actor is a client user or staff off the client's allow-list, a deactivated account
    — gets the same answer."""
    if not (_is_staff(actor) or client_role(actor, client) == ClientRole.IT_LEAD):
        raise ActionError.single(
            "PERMISSION_DENIED", "Only staff and the client's IT leads can add watchers."
        )
    with transaction.atomic():
        ticket = get_ticket(client, actor, number, for_update=True)
        email = (watcher_email or "").strip()
        belongs = Q(memberships__client=client)
        if _is_staff(actor):
            belongs |= staff_reaching(client)
        watcher = (
            User.objects.filter(belongs, email__iexact=email, is_active=True).distinct().first()
            if email
            else None
        )
        if watcher is None:
            raise _cannot_watch(client, actor)
        TicketWatcher.objects.get_or_create(ticket=ticket, user_id=watcher.pk)
        sync_watchers(client, ticket)
    return ticket


# ---------------------------------------------------------------- raised by monitoring
#
# Monitoring (services.infrastructure) opens one incident ticket per outage and writes to
# it when the service recovers. There is no person acting: `created_by_id` and the
# timeline's actor are empty ("System"), the channel is `monitoring`, the service line
# infrastructure. The requester is the client's IT lead (see `monitoring_requester`).


def monitoring_requester(client: Client) -> Contact | None:
    """Who an incident raised by monitoring is "from": the active contact of the client's
    longest-standing active IT lead; failing that, the client's oldest active contact;
    None when the client has no contact at all (then no ticket can be raised)."""
    require_schema(client)
    leads = list(
        Membership.objects.filter(client=client, role=ClientRole.IT_LEAD, user__is_active=True)
        .order_by("pk")
        .values_list("user_id", flat=True)
    )
    if leads:
        contacts = {c.user_id: c for c in Contact.objects.filter(user_id__in=leads, is_active=True)}
        for user_id in leads:
            if user_id in contacts:
                return contacts[user_id]
    return Contact.objects.filter(is_active=True).order_by("pk").first()


def raise_monitoring_incident(
    client: Client,
    *,
    title: str,
    description: str,
    impact: str,
    urgency: str,
    category: str = "",
    detail: dict[str, object] | None = None,
    now: datetime | None = None,
) -> Ticket | None:
    """Open an incident ticket for an outage seen by monitoring, in the caller's
    transaction. The priority comes from the triage matrix (so the SLA clocks start) and
    the ticket joins the queue like any other. Returns None (and writes nothing) when the
    client has no contact to raise it for, or its service desk is read-only (offboarded)."""
    require_schema(client)
    if client.status == ClientStatus.OFFBOARDED:
        return None
    requester = monitoring_requester(client)
    if requester is None:
        return None
    title = title.strip()[:MAX_TITLE]
    description = description.strip()[:MAX_BODY]
    derived = triage(impact, urgency, business_critical_requester=False)
    policy_id = effective_policy_id(client)
    with transaction.atomic():
        counter, _ = TicketCounter.objects.select_for_update().get_or_create(pk=1)
        now = now or timezone.now()
        number = counter.next_number
        TicketCounter.objects.filter(pk=counter.pk).update(next_number=number + 1)
        ticket = Ticket.objects.create(
            number=number,
            title=title,
            description=description,
            requester=requester,
            category=category.strip()[:80],
            service_line=ServiceLine.INFRASTRUCTURE,
            impact=impact,
            urgency=urgency,
            priority=derived.priority,
            priority_reason={**derived.reason, "source_of_request": "monitoring"},
            channel=Channel.MONITORING,
            sla_policy_id=policy_id,
            created_by_id=None,
            created_at=now,
            updated_at=now,
        )
        _event(ticket, SlaEventKind.CREATED, now, priority=derived.priority, policy_id=policy_id)
        _activity(ticket, TicketActivity.Kind.CREATED, None, now, detail={"priority": derived.priority})
        _activity(
            ticket, TicketActivity.Kind.MONITORING, None, now, detail={"event": "down", **(detail or {})}
        )
        _after_change(client, ticket, now)
    return ticket


def record_monitoring_recovery(
    client: Client,
    ticket_id: int,
    *,
    resolve: bool,
    detail: dict[str, object] | None = None,
    now: datetime | None = None,
) -> Ticket | None:
    """The outage behind ticket `ticket_id` is over: add a timeline entry and, when
    `resolve` and the ticket is still open, resolve it (stopping its clocks) with no actor.
    A ticket staff already resolved or closed only gets the entry. None when the ticket
    is gone."""
    require_schema(client)
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().filter(pk=ticket_id).first()
        if ticket is None:
            return None
        now = _instant(ticket, now)
        _activity(
            ticket, TicketActivity.Kind.MONITORING, None, now, detail={"event": "recovered", **(detail or {})}
        )
        if resolve and ticket.status not in DONE_STATUSES:
            old = ticket.status
            _status_events(ticket, old, TicketStatus.RESOLVED, now)
            ticket.status = TicketStatus.RESOLVED
            ticket.resolved_at = now
            _activity(
                ticket,
                TicketActivity.Kind.STATUS,
                None,
                now,
                detail={"from": old, "to": TicketStatus.RESOLVED},
            )
        _after_change(client, ticket, now)
    return ticket
