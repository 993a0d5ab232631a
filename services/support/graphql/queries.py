"""Root query fields of the service desk: queue, ticket, tickets, contacts, assignable staff, compliance."""

from __future__ import annotations

from typing import Any

import graphene
from django.db.models import Q, QuerySet
from django.utils import timezone

from core.errors import ActionError
from core.graphql.connections import LazyCountConnectionField
from core.graphql.errors import guard_query
from core.graphql.types import enum_value
from services.directory.models import Contact
from services.support import actions, selectors
from services.support.graphql.types import (
    QUEUE_ROW_COLUMNS,
    ComplianceRow,
    ContactType,
    PriorityEnum,
    ServiceLineEnum,
    TicketSummary,
    TicketType,
    WorkItemType,
    load_ticket_view,
)
from services.support.models import Ticket, TicketStatus
from services.workqueue.models import WorkItem
from services.workqueue.selectors import queue_queryset
from tenants.access import (
    AccessDenied,
    assignable_staff,
    ensure_msp_role,
)
from tenants.graphql.types import StaffMember
from tenants.models import ClientRole, User
from tenants.request_scope import client_schema, is_msp_host, resolve_client


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
        client_slug=graphene.String(description="The client (required on the MSP host)."),
        description="Staff: technicians and admins who may be assigned this client's tickets.",
    )
    queue = LazyCountConnectionField(
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

    def resolve_assignable_staff(root: Any, info: Any, client_slug: str | None = None) -> QuerySet[User]:
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
            ).only(*QUEUE_ROW_COLUMNS)

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
                return selectors.compliance_rows(span, timezone.now())  # type: ignore[return-value]

        return guard_query(body)
