"""Root query fields of billing. Who sees what: `billing.access` (MSP admins and account
managers; the client's IT leads and members granted billing; technicians see no money).
Client users never see drafts. Lists are capped and read in a constant number of queries."""

from __future__ import annotations

from typing import Any

import graphene
from django.db.models import QuerySet
from django.utils import timezone

from billing import selectors
from billing.access import (
    billing_clients_of,
    ensure_may_see_billing,
    ensure_sees_all_billing,
    staff_sees_money,
)
from billing.graphql.types import (
    AgeingBucket,
    BillingDashboard,
    BillingProfileType,
    BillingRunType,
    BillingViewer,
    BlockHourBalance,
    BlockPeriodType,
    ClientMrr,
    ContractType,
    InvoiceStatusEnum,
    InvoiceType,
    MrrPoint,
    RunItemType,
    SlaCreditType,
    money,
)
from billing.models import BillingGrant, BillingProfile, BillingRun, InvoiceStatus
from core.errors import AccessDenied, ActionError
from core.graphql.errors import guard_query
from core.graphql.ids import decode_id
from core.graphql.types import enum_value
from tenants.access import ClientNotFound
from tenants.models import Client, ClientRole, Membership
from tenants.request_scope import host_client, resolve_client


def _client(info: Any, client_slug: str | None) -> Client:
    client = resolve_client(info.context, client_slug)
    ensure_may_see_billing(info.context.user, client)
    return client


def _id(value: str, type_name: str) -> int | None:
    try:
        return decode_id(value, type_name, "id")
    except ActionError:
        return None


def viewers_of(client: Client) -> list[BillingViewer]:
    granted = set(BillingGrant.objects.filter(client=client).values_list("user_id", flat=True))
    return [
        BillingViewer(
            user_id=m.user_id,
            full_name=m.user.full_name,
            email=m.user.email,
            role=m.role,
            sees_billing=m.role == ClientRole.IT_LEAD or m.user_id in granted,
        )
        for m in Membership.objects.filter(client=client, user__is_active=True)
        .select_related("user")
        .order_by("user__full_name")
    ]


class BillingQuery(graphene.ObjectType):
    billing_profile = graphene.Field(
        BillingProfileType,
        client_slug=graphene.String(),
        description="How the client is billed (null until set up).",
    )
    contracts = graphene.List(
        graphene.NonNull(ContractType),
        required=True,
        client_slug=graphene.String(),
        description="The client's contracts with their lines, newest first.",
    )
    invoices = graphene.List(
        graphene.NonNull(InvoiceType),
        required=True,
        client_slug=graphene.String(),
        status=InvoiceStatusEnum(),
        description="Invoices, newest first (at most 100): one client, or all (MSP money roles).",
    )
    invoice = graphene.Field(
        InvoiceType, id=graphene.ID(required=True), description="One invoice with its lines."
    )
    billing_runs = graphene.List(
        graphene.NonNull(BillingRunType),
        required=True,
        description="MSP money roles: recent runs with progress.",
    )
    billing_run = graphene.Field(
        BillingRunType,
        id=graphene.ID(required=True),
        offset=graphene.Int(),
        description="A run with its items to review (50 at a time from `offset`, clients by name).",
    )
    block_hour_balance = graphene.Field(
        BlockHourBalance, required=True, client_slug=graphene.String(), months=graphene.Int()
    )
    sla_credits = graphene.List(
        graphene.NonNull(SlaCreditType),
        required=True,
        client_slug=graphene.String(),
        description="SLA credits on the client's issued invoices and why (at most 24).",
    )
    billing_dashboard = graphene.Field(
        BillingDashboard,
        required=True,
        months=graphene.Int(),
        description="MSP money roles: MRR and AR ageing.",
    )

    def resolve_billing_profile(
        root: Any, info: Any, client_slug: str | None = None
    ) -> BillingProfileType | None:
        def body() -> BillingProfileType | None:
            client = _client(info, client_slug)
            profile = BillingProfile.objects.select_related("client").filter(client=client).first()
            if profile is None:
                return None
            return BillingProfileType.from_row(profile, viewers_of(client))

        return guard_query(body)

    def resolve_contracts(root: Any, info: Any, client_slug: str | None = None) -> list[ContractType]:
        def body() -> list[ContractType]:
            client = _client(info, client_slug)
            return [ContractType.from_row(c) for c in selectors.contracts_of(client)]

        return guard_query(body)

    def resolve_invoices(
        root: Any, info: Any, client_slug: str | None = None, status: Any = None
    ) -> list[InvoiceType]:
        def body() -> list[InvoiceType]:
            user = info.context.user
            clients: QuerySet[Client]
            if client_slug or host_client(info.context) is not None:
                clients = Client.objects.filter(pk=_client(info, client_slug).pk)
            else:
                ensure_sees_all_billing(user)
                clients = billing_clients_of(user)
            rows = selectors.invoices_of(
                clients, include_drafts=staff_sees_money(user), status=enum_value(status) if status else None
            )
            today = timezone.localdate()
            return [InvoiceType.from_row(row, today=today) for row in rows[: selectors.MAX_INVOICES]]

        return guard_query(body)

    def resolve_invoice(root: Any, info: Any, id: str) -> InvoiceType | None:
        def body() -> InvoiceType | None:
            pk = _id(id, "Invoice")
            invoice = selectors.invoice_detail(pk) if pk else None
            if invoice is None:
                return None
            try:
                _client(info, invoice.client.slug)
            except ClientNotFound:
                return None
            except AccessDenied as exc:
                if exc.code in ("NOT_AUTHENTICATED", "OTP_REQUIRED", "CLIENT_INACTIVE"):
                    raise
                return None
            if invoice.status == InvoiceStatus.DRAFT and not staff_sees_money(info.context.user):
                return None
            return InvoiceType.from_row(invoice, today=timezone.localdate(), detail=True)

        return guard_query(body)

    def resolve_billing_runs(root: Any, info: Any) -> list[BillingRunType]:
        def body() -> list[BillingRunType]:
            ensure_sees_all_billing(info.context.user)
            return [BillingRunType.from_row(run) for run in selectors.runs_list()]

        return guard_query(body)

    def resolve_billing_run(
        root: Any, info: Any, id: str, offset: int | None = None
    ) -> BillingRunType | None:
        def body() -> BillingRunType | None:
            ensure_sees_all_billing(info.context.user)
            pk = _id(id, "BillingRun")
            run = BillingRun.objects.select_related("started_by").filter(pk=pk).first() if pk else None
            if run is None:
                return None
            selectors.attach_progress([run])
            today = timezone.localdate()
            start = max(offset or 0, 0)
            items = [
                RunItemType.from_row(item, today)
                for item in selectors.run_items(
                    run, billing_clients_of(info.context.user), start, selectors.RUN_PAGE
                )
            ]
            return BillingRunType.from_row(run, items)

        return guard_query(body)

    def resolve_block_hour_balance(
        root: Any, info: Any, client_slug: str | None = None, months: int | None = None
    ) -> BlockHourBalance:
        def body() -> BlockHourBalance:
            client = _client(info, client_slug)
            months_shown = max(1, min(months or 12, 24))
            balance = selectors.block_balance(client, timezone.localdate(), months=months_shown)
            return BlockHourBalance(
                description=balance.description,
                currency=balance.currency,
                period_start=balance.period.start if balance.period else None,
                period_end=balance.period.end if balance.period else None,
                allowance_minutes=balance.allowance_minutes,
                rolled_in_minutes=balance.rolled_in_minutes,
                used_minutes=balance.used_minutes,
                left_minutes=balance.left_minutes,
                covered_minutes=balance.covered_minutes,
                billable_minutes=balance.billable_minutes,
                non_billable_minutes=balance.non_billable_minutes,
                overage_rate=money(balance.overage_rate, balance.currency),
                history=[BlockPeriodType.from_row(row) for row in balance.ledger],
            )

        return guard_query(body)

    def resolve_sla_credits(root: Any, info: Any, client_slug: str | None = None) -> list[SlaCreditType]:
        def body() -> list[SlaCreditType]:
            client = _client(info, client_slug)
            return [
                SlaCreditType(
                    invoice_id=line.invoice_id,
                    invoice_number=line.invoice.number_display,
                    period_start=line.invoice.period_start,
                    period_end=line.invoice.period_end,
                    currency=line.invoice.currency,
                    amount=money(line.amount, line.invoice.currency),
                    why=line.description,
                )
                for line in selectors.sla_credit_lines(client)
            ]

        return guard_query(body)

    def resolve_billing_dashboard(root: Any, info: Any, months: int | None = None) -> BillingDashboard:
        def body() -> BillingDashboard:
            ensure_sees_all_billing(info.context.user)
            today = timezone.localdate()
            window = max(1, min(months or 12, 36))
            return BillingDashboard(
                mrr_by_service_line=[
                    MrrPoint(
                        month=f"{row['month']:%Y-%m}",
                        service_line=row["service_line"],
                        currency=row["invoice__currency"],
                        amount=money(row["total"], str(row["invoice__currency"])),  # type: ignore[arg-type]
                    )
                    for row in selectors.mrr_by_service_line(today, window)
                ],
                mrr_by_client=[
                    ClientMrr(
                        client_slug=row["invoice__client__slug"],
                        client_name=row["invoice__client__name"],
                        month=f"{row['month']:%Y-%m}",
                        currency=row["invoice__currency"],
                        amount=money(row["total"], str(row["invoice__currency"])),  # type: ignore[arg-type]
                    )
                    for row in selectors.mrr_by_client(today, window)[:200]
                ],
                ar_ageing=[
                    AgeingBucket(
                        bucket=row["bucket"],
                        currency=row["currency"],
                        amount=money(row["total"], str(row["currency"])),  # type: ignore[arg-type]
                        invoices=row["invoices"],
                    )
                    for row in selectors.ar_ageing(today)
                ],
                drafts_to_review=selectors.drafts_waiting(),
            )

        return guard_query(body)
