"""Root query fields of outreach: authorise, call a selector, shape the answer."""

from __future__ import annotations

from datetime import date
from typing import Any

import graphene
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from billing.models import OPEN_INVOICE_STATUSES, Invoice
from billing.selectors import invoices_of
from core.errors import AccessDenied
from core.graphql.errors import guard_query
from core.graphql.ids import decode_id
from core.graphql.types import enum_value
from core.tenancy import in_schema
from services.directory.models import Contact
from services.infrastructure.monitoring import service_statuses
from services.outreach import broadcasts as broadcast_actions
from services.outreach import selectors
from services.outreach.actions import OUTREACH_ROLES, client_for_outreach, outreach_clients
from services.outreach.campaigns import campaign_progress, evaluate
from services.outreach.graphql.types import (
    BoardClient,
    BroadcastType,
    CadenceType,
    CampaignProgress,
    CampaignTaskType,
    CampaignType,
    CheckInType,
    ClientOutreachType,
    ContactCard,
    FollowUpType,
    HealthPoint,
    OpenTicket,
    OutreachBoard,
    OutreachSettingsType,
    QbrReportType,
    SegmentMember,
    SegmentType,
    SourceItem,
    SourceStatus,
    ThresholdType,
    WeightType,
    gid,
    health_of,
)
from services.outreach.models import (
    DEFAULT_THRESHOLDS,
    Broadcast,
    BroadcastAudience,
    Campaign,
    CampaignTask,
    OutreachSettings,
    QbrReport,
    Segment,
)
from services.outreach.qbr import may_download
from services.outreach.signals import SIGNALS, cadence_days
from services.workqueue.models import BreachState, WorkItem, WorkItemKind
from tenants.access import ensure_msp_role
from tenants.models import Client, MspRole, User
from tenants.request_scope import resolve_client

BOARD_LIMIT = 200
SEGMENT_CLIENTS_LIMIT = 500
FOLLOW_UPS_LIMIT = 50
OPEN_TICKETS_LIMIT = 50
CONTACTS_LIMIT = 100
CHECKINS_LIMIT = 30
INVOICES_LIMIT = 5
HISTORY_DAYS = 90
LIST_LIMIT = 100
CAMPAIGNS_LIMIT = 20
CAMPAIGN_TASKS_LIMIT = 200


def _board_row(row: selectors.BoardRow) -> BoardClient:
    profile = row.profile
    return BoardClient(
        slug=row.client.slug,
        name=row.client.name,
        tier=row.client.tier,
        industry=row.client.industry,
        section=row.section,
        cadence_days=row.cadence_days,
        last_check_in_at=profile.last_checkin_at if profile else None,
        next_planned_at=profile.next_planned_at if profile else None,
        next_due_on=row.next_due_on,
        days_overdue=row.days_overdue,
        health_score=profile.health_score if profile else None,
        health_band=enum_value(profile.health_band) if profile else "no_data",
        open_follow_ups=row.open_follow_ups,
        overdue_follow_ups=row.overdue_follow_ups,
    )


def _service_status(client: Client) -> SourceStatus:
    """The client's services now (services.infrastructure, four queries in its schema)."""
    with in_schema(client.schema_name):
        statuses = service_statuses(client)
    if not statuses:
        return SourceStatus(connected=True, summary="No monitored services.", items=[])
    counts: dict[str, int] = {}
    for status in statuses:
        counts[status.state] = counts.get(status.state, 0) + 1
    states = ", ".join(f"{n} {state}" for state, n in sorted(counts.items()))
    items = []
    for status in statuses:
        parts = [f"promised {status.service.promised_availability.normalize():f} %"]
        if status.open_outages:
            parts.append(
                f"{len(status.open_outages)} open outage{'s' if len(status.open_outages) != 1 else ''}"
            )
        if status.maintenance is not None:
            parts.append(f"maintenance until {status.maintenance.ends_at:%Y-%m-%d %H:%M}")
        items.append(SourceItem(label=status.service.name, state=status.state, detail="; ".join(parts)))
    return SourceStatus(
        connected=True,
        summary=f"{len(statuses)} service{'s' if len(statuses) != 1 else ''}: {states}.",
        items=items,
    )


def _invoice_detail(invoice: Invoice) -> str:
    parts = [f"{invoice.currency} {invoice.total:,.2f}"]
    if invoice.due_on:
        parts.append(f"due {invoice.due_on:%Y-%m-%d}")
    if invoice.status in OPEN_INVOICE_STATUSES:
        balance = invoice.total - invoice.amount_paid - invoice.amount_credited
        parts.append(f"{invoice.currency} {balance:,.2f} open")
    return ", ".join(parts)


def _invoice_status(client: Client, today: date) -> SourceStatus:
    """Open balance per currency, overdue count and the latest invoices (billing, public; two
    queries)."""
    open_rows = (
        Invoice.objects.filter(client=client, status__in=OPEN_INVOICE_STATUSES)
        .values("currency")
        .annotate(
            open_amount=Sum(F("total") - F("amount_paid") - F("amount_credited")),
            overdue=Count("pk", filter=Q(due_on__lt=today)),
        )
        .order_by("currency")
    )
    balances = [f"{row['currency']} {row['open_amount']:,.2f}" for row in open_rows]
    overdue = sum(row["overdue"] for row in open_rows)
    latest = list(invoices_of(Client.objects.filter(pk=client.pk), include_drafts=False)[:INVOICES_LIMIT])
    if not latest:
        return SourceStatus(connected=True, summary="Not invoiced yet.", items=[])
    summary = f"Open balance {', '.join(balances)}" if balances else "Nothing open"
    summary += f"; {overdue} overdue." if overdue else "; nothing overdue."
    items = [
        SourceItem(
            label=invoice.number_display or f"#{invoice.pk}",
            state=invoice.status,
            detail=_invoice_detail(invoice),
        )
        for invoice in latest
    ]
    return SourceStatus(connected=True, summary=summary, items=items)


class OutreachQuery(graphene.ObjectType):
    outreach_board = graphene.Field(
        OutreachBoard,
        manager_id=graphene.ID(description="MSP admins: whose book (default: every client)."),
        description="Account managers: your book by due date, riskiest first. MSP admins: any book.",
    )
    client_outreach = graphene.Field(
        ClientOutreachType,
        client_slug=graphene.String(required=True),
        description="The account manager's client 360 (null when not yours or no such client).",
    )
    outreach_settings = graphene.Field(OutreachSettingsType, description="Admins and account managers.")
    segments = graphene.List(graphene.NonNull(SegmentType), description="Saved segments (max 100).")
    segment_clients = graphene.List(
        graphene.NonNull(SegmentMember),
        segment_id=graphene.ID(required=True),
        description="The clients in a segment now (live evaluation, max 500).",
    )
    campaigns = graphene.List(
        graphene.NonNull(CampaignType), description="Campaigns, newest first (max 100)."
    )
    broadcasts = graphene.List(
        graphene.NonNull(BroadcastType),
        client_slug=graphene.String(description="Client users: the client (on its host, the host's)."),
        description="Staff: every broadcast with deflection. Client users: those addressed to their client.",
    )
    qbr_reports = graphene.List(
        graphene.NonNull(QbrReportType),
        client_slug=graphene.String(),
        description="The client's QBR packs: its account manager, MSP admins and its IT lead (max 20).",
    )
    qbr_report = graphene.Field(
        QbrReportType, id=graphene.ID(required=True), description="A QBR pack's progress."
    )

    def resolve_outreach_board(root: Any, info: Any, manager_id: str | None = None) -> OutreachBoard:
        def body() -> OutreachBoard:
            user = ensure_msp_role(info.context.user, *OUTREACH_ROLES)
            clients = outreach_clients(user)
            owner_id: int | None = user.pk
            if user.msp_role == MspRole.ADMIN:
                owner_id = None
                if manager_id:
                    try:
                        pk = decode_id(manager_id, "StaffMember", "managerId") or 0
                    except Exception:
                        pk = 0
                    clients = clients.filter(account_manager_id=pk)
                    owner_id = pk
            result = selectors.board(clients, owner_id, limit=BOARD_LIMIT)
            return OutreachBoard(
                clients=[_board_row(r) for r in result.rows],
                overdue_count=len(result.section("overdue")),
                due_this_week_count=len(result.section("due_this_week")),
                upcoming_count=len(result.section("upcoming")),
                follow_ups=[FollowUpType.from_row(f) for f in result.follow_ups[:FOLLOW_UPS_LIMIT]],
            )

        return guard_query(body)

    def resolve_client_outreach(root: Any, info: Any, client_slug: str) -> ClientOutreachType | None:
        def body() -> ClientOutreachType | None:
            user = ensure_msp_role(info.context.user, *OUTREACH_ROLES)
            try:
                client = client_for_outreach(user, client_slug)
            except Exception:
                return None
            client = type(client).objects.select_related("account_manager", "outreach").get(pk=client.pk)
            profile = getattr(client, "outreach", None)
            settings = OutreachSettings.current()
            with in_schema(client.schema_name):
                contacts = list(
                    Contact.objects.filter(is_active=True).order_by("-is_business_critical", "full_name")[
                        :CONTACTS_LIMIT
                    ]
                )
            tickets = list(
                WorkItem.objects.filter(client=client, kind=WorkItemKind.TICKET, is_open=True).order_by(
                    "priority", "next_deadline_at"
                )[:OPEN_TICKETS_LIMIT]
            )
            today = timezone.localdate()
            return ClientOutreachType(
                slug=client.slug,
                name=client.name,
                tier=client.tier,
                industry=client.industry,
                account_manager=client.account_manager,
                cadence_days=cadence_days(client, profile, settings),
                cadence_override_days=profile.cadence_override_days if profile else None,
                last_check_in_at=profile.last_checkin_at if profile else None,
                next_planned_at=profile.next_planned_at if profile else None,
                next_due_on=profile.next_due_on if profile else None,
                health=health_of(profile),
                health_history=[
                    HealthPoint(day=s.day, score=s.score, band=enum_value(s.band))
                    for s in selectors.health_history(client, HISTORY_DAYS)
                ],
                contacts=[
                    ContactCard(
                        id=str(c.pk),
                        full_name=c.full_name,
                        email=c.email,
                        phone=c.phone,
                        job_title=c.job_title,
                        is_business_critical=c.is_business_critical,
                    )
                    for c in contacts
                ],
                open_tickets=[
                    OpenTicket(
                        number=t.number,
                        title=t.title,
                        priority=t.priority,
                        status=t.status,
                        breach_state=t.breach_state,
                        next_deadline_at=t.next_deadline_at,
                    )
                    for t in tickets
                ],
                breached_open_tickets=sum(1 for t in tickets if t.breach_state == BreachState.BREACHED),
                services=_service_status(client),
                invoices=_invoice_status(client, today),
                check_ins=[CheckInType.from_row(c) for c in selectors.checkins_of(client, CHECKINS_LIMIT)],
                open_follow_ups=[
                    FollowUpType.from_row(f, today)
                    for f in selectors.open_follow_ups_of(client).select_related("client")[:FOLLOW_UPS_LIMIT]
                ],
                qbr_reports=[
                    QbrReportType.from_row(r)
                    for r in QbrReport.objects.filter(client=client).defer("pdf").order_by("-created_at")[:10]
                ],
            )

        return guard_query(body)

    def resolve_outreach_settings(root: Any, info: Any) -> OutreachSettingsType:
        def body() -> OutreachSettingsType:
            ensure_msp_role(info.context.user, *OUTREACH_ROLES)
            settings = OutreachSettings.current()
            return OutreachSettingsType(
                cadence_days=CadenceType(
                    premium=settings.premium_cadence_days,
                    standard=settings.standard_cadence_days,
                    essential=settings.essential_cadence_days,
                ),
                weights=[
                    WeightType(key=k, label=s.label, weight=settings.weight(k), connected=s.installed())
                    for k, s in SIGNALS.items()
                ],
                thresholds=[ThresholdType(key=k, value=settings.threshold(k)) for k in DEFAULT_THRESHOLDS],
                reminder_days_before=settings.reminder_days_before,
            )

        return guard_query(body)

    def resolve_segments(root: Any, info: Any) -> list[SegmentType]:
        def body() -> list[SegmentType]:
            ensure_msp_role(info.context.user, *OUTREACH_ROLES)
            return [SegmentType.from_row(s) for s in Segment.objects.order_by("name")[:LIST_LIMIT]]

        return guard_query(body)

    def resolve_segment_clients(root: Any, info: Any, segment_id: str) -> list[SegmentMember]:
        def body() -> list[SegmentMember]:
            ensure_msp_role(info.context.user, *OUTREACH_ROLES)
            try:
                pk = decode_id(segment_id, "Segment", "segmentId") or 0
            except Exception:
                return []
            segment = Segment.objects.filter(pk=pk).first()
            if segment is None:
                return []
            return [
                SegmentMember(slug=c.slug, name=c.name, tier=c.tier, industry=c.industry)
                for c in evaluate(segment.rules)[:SEGMENT_CLIENTS_LIMIT]
            ]

        return guard_query(body)

    def resolve_campaigns(root: Any, info: Any) -> list[CampaignType]:
        def body() -> list[CampaignType]:
            user = ensure_msp_role(info.context.user, *OUTREACH_ROLES)
            campaigns = list(
                Campaign.objects.select_related("segment").order_by("-created_at")[:CAMPAIGNS_LIMIT]
            )
            ids = [c.pk for c in campaigns]
            progress = campaign_progress(ids)
            mine = CampaignTask.objects.filter(campaign_id__in=ids, client__in=outreach_clients(user))
            tasks: dict[int, list[CampaignTaskType]] = {}
            for task in mine.select_related("client", "assignee").order_by("client__name"):
                tasks.setdefault(task.campaign_id, []).append(
                    CampaignTaskType(
                        id=gid("CampaignTask", task.pk),
                        client_slug=task.client.slug,
                        client_name=task.client.name,
                        assignee=task.assignee,
                        status=enum_value(task.status),
                        response=task.response,
                    )
                )
            return [
                CampaignType(
                    id=gid("Campaign", c.pk),
                    name=c.name,
                    brief=c.brief,
                    segment_name=c.segment.name if c.segment else None,
                    due_on=c.due_on,
                    progress=CampaignProgress(
                        total=sum(progress[c.pk].values()),
                        pending=progress[c.pk]["pending"],
                        contacted=progress[c.pk]["contacted"],
                        responded=progress[c.pk]["responded"],
                        follow_up_needed=progress[c.pk]["follow_up_needed"],
                    ),
                    tasks=tasks.get(c.pk, [])[:CAMPAIGN_TASKS_LIMIT],
                )
                for c in campaigns
            ]

        return guard_query(body)

    def resolve_broadcasts(root: Any, info: Any, client_slug: str | None = None) -> list[BroadcastType]:
        def body() -> list[BroadcastType]:
            user: User = info.context.user
            if getattr(user, "is_msp_staff", False) and user.msp_role in OUTREACH_ROLES and not client_slug:
                ensure_msp_role(user, *OUTREACH_ROLES)
                rows = list(Broadcast.objects.select_related("segment").order_by("-publish_at")[:LIST_LIMIT])
                ids = [b.pk for b in rows]
                stats = broadcast_actions.deflection(ids)
                sizes = dict(
                    BroadcastAudience.objects.filter(broadcast_id__in=ids)
                    .values("broadcast_id")
                    .annotate(n=Count("pk"))
                    .values_list("broadcast_id", "n")
                )
                return [
                    BroadcastType.from_row(b, staff=True, deflection=stats[b.pk], audience=sizes.get(b.pk, 0))
                    for b in rows
                ]
            client = resolve_client(info.context, client_slug)
            return [
                BroadcastType.from_row(b, staff=False)
                for b in broadcast_actions.broadcasts_for(client, user)[:LIST_LIMIT]
            ]

        return guard_query(body)

    def resolve_qbr_reports(root: Any, info: Any, client_slug: str | None = None) -> list[QbrReportType]:
        def body() -> list[QbrReportType]:
            client = resolve_client(info.context, client_slug)
            if not may_download(info.context.user, client):
                raise AccessDenied("Only the account manager and the client's IT lead see QBR packs.")
            rows = QbrReport.objects.filter(client=client).defer("pdf").order_by("-created_at")[:20]
            return [QbrReportType.from_row(r) for r in rows]

        return guard_query(body)

    def resolve_qbr_report(root: Any, info: Any, id: str) -> QbrReportType | None:
        def body() -> QbrReportType | None:
            user = info.context.user
            if not _uuid(id):
                return None
            report = QbrReport.objects.filter(pk=id).defer("pdf").select_related("client").first()
            if report is None or not may_download(user, report.client):
                return None
            return QbrReportType.from_row(report)

        return guard_query(body)


def _uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except (ValueError, AttributeError):
        return False
    return True
