"""Reads of billing that pages need: lists with a constant number of queries, the block-hour
balance, MRR and AR ageing (one aggregate query each, whatever the number of clients)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    IntegerField,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)

from billing import engine
from billing.models import (
    ISSUED_STATES,
    OPEN_INVOICE_STATUSES,
    BillingRun,
    BlockHourPeriod,
    ClientMrrMonth,
    Contract,
    ContractLine,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    LineKind,
    MrrMonth,
    PricingModel,
    RunItem,
    RunItemStatus,
    UsageSnapshot,
)
from billing.periods import Period, period_containing
from billing.usage import tenant_usage
from tenants.models import Client

MAX_INVOICES = 100
MAX_RUNS = 50


def invoices_of(
    clients: QuerySet[Client], *, include_drafts: bool, status: str | None = None
) -> QuerySet[Invoice]:
    rows = Invoice.objects.filter(client__in=clients).select_related("client")
    if not include_drafts:
        rows = rows.exclude(status=InvoiceStatus.DRAFT)
    if status:
        rows = rows.filter(status=status)
    return rows.order_by(F("issued_on").desc(nulls_first=True), "-number", "-id")


def invoice_detail(invoice_id: int) -> Invoice | None:
    return (
        Invoice.objects.select_related("client")
        .prefetch_related("lines", "credit_notes", "payments")
        .filter(pk=invoice_id)
        .first()
    )


def contracts_of(client: Client) -> QuerySet[Contract]:
    return Contract.objects.filter(client=client).prefetch_related(
        Prefetch("lines", queryset=ContractLine.objects.order_by("position", "starts_on", "id"))
    )


def runs_list(limit: int = MAX_RUNS) -> list[BillingRun]:
    runs = list(BillingRun.objects.select_related("started_by")[:limit])
    attach_progress(runs)
    return runs


def attach_progress(runs: list[BillingRun]) -> None:
    """Each run's items counted by status, in one query for all of them."""
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for row in (
        RunItem.objects.filter(run__in=runs).values("run_id", "status").annotate(n=Count("id")).order_by()
    ):
        counts[row["run_id"]][row["status"]] = row["n"]
    for run in runs:
        run.progress = counts.get(run.pk, {})  # type: ignore[attr-defined]


RUN_PAGE = 50


def run_items(
    run: BillingRun | None,
    clients: QuerySet[Client] | None = None,
    offset: int = 0,
    limit: int = RUN_PAGE,
    item_id: int | None = None,
) -> list[RunItem]:
    """A page of a run's items (clients by name) with their snapshots and invoices: three
    queries whatever the page holds. With `item_id`, that item alone."""
    rows = RunItem.objects.filter(pk=item_id) if item_id is not None else RunItem.objects.filter(run=run)
    if clients is not None:
        rows = rows.filter(client__in=clients)
    return list(
        rows.select_related("client", "invoice", "approved_by")
        .prefetch_related(
            Prefetch(
                "snapshots",
                queryset=UsageSnapshot.objects.select_related("contract_line", "adjusted_by").order_by("id"),
            )
        )
        .order_by("client__name", "id")[offset : offset + limit]
    )


# ------------------------------------------------------------------ block hours


@dataclass
class BlockBalance:
    """A client's block of hours: the ledger of billed periods and the current period so far."""

    description: str = ""
    ledger: list[BlockHourPeriod] = field(default_factory=list)
    period: Period | None = None
    allowance_minutes: int = 0
    rolled_in_minutes: int = 0
    used_minutes: int = 0
    covered_minutes: int = 0
    billable_minutes: int = 0
    non_billable_minutes: int = 0
    overage_rate: Decimal = Decimal(0)
    currency: str = "USD"

    @property
    def left_minutes(self) -> int:
        return max(self.allowance_minutes + self.rolled_in_minutes - self.covered_minutes, 0)


def block_balance(client: Client, today: date, *, months: int = 12) -> BlockBalance:
    """Hours used, left, rolled over and over the block, per billed period and for the current
    period so far (time read live from the service desk, rounded as the invoice will be)."""
    from billing.runs import _rollover_state

    profile = getattr(client, "billing_profile", None)
    balance = BlockBalance(currency=profile.currency if profile else "USD")
    balance.ledger = list(
        BlockHourPeriod.objects.filter(client=client)
        .exclude(run_item__invoice__status=InvoiceStatus.VOID)
        .order_by("-period_start")[:months]
    )
    if profile is None:
        return balance
    period = period_containing(today, profile.billing_day)
    balance.period = period
    contract = (
        Contract.objects.filter(client=client, starts_on__lte=today)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .first()
    )
    blocks: list[ContractLine] = []
    roots: dict[int, int] = {}
    if contract is not None:
        # Every line of the contract in one query: the blocks in service today (contract
        # order) and each one's first version (a block's versions share one ledger).
        lines = list(ContractLine.objects.filter(contract=contract).order_by("position", "starts_on", "id"))
        by_id = {line.pk: line for line in lines}
        for line in lines:
            if (
                line.pricing_model == PricingModel.BLOCK_HOURS
                and line.starts_on <= today
                and (line.ends_on is None or line.ends_on >= today)
            ):
                blocks.append(line)
                root, seen = line, {line.pk}
                while root.replaces_id and root.replaces_id in by_id and root.replaces_id not in seen:
                    root = by_id[root.replaces_id]
                    seen.add(root.pk)
                roots[line.pk] = root.pk
    usage = tenant_usage(
        client,
        period.start,
        min(today + timedelta(days=1), period.end),
        rounding_minutes=contract.time_rounding_minutes if contract else 6,
        count_devices=False,
    )
    balance.non_billable_minutes = usage.non_billable_minutes
    if not blocks:
        balance.billable_minutes = usage.billable_minutes
        return balance
    fake = RunItem(client=client, period_start=period.start, period_end=period.end)
    rolling = {roots[b.pk] for b in blocks if b.rollover_periods}
    grants, _ = _rollover_state(fake, rolling) if rolling else ({}, {})
    consumed = engine.consume_blocks(
        [
            engine.BlockTerms(roots[b.pk], b.included_minutes, b.overage_rate, b.rollover_periods)
            for b in blocks
        ],
        used=usage.billable_minutes,
        grants={root: grants.get(root, []) for root in rolling},
        expired={},
    )
    balance.description = " + ".join(b.description for b in blocks)
    balance.allowance_minutes = sum(b.included_minutes for b in blocks)
    balance.rolled_in_minutes = sum(c.rolled_in for c in consumed)
    balance.used_minutes = usage.billable_minutes
    balance.covered_minutes = sum(c.from_rollover + c.from_allowance for c in consumed)
    balance.billable_minutes = sum(c.overage for c in consumed)
    balance.overage_rate = blocks[0].overage_rate
    return balance


def sla_credit_lines(client: Client, *, limit: int = 24) -> list[InvoiceLine]:
    return list(
        InvoiceLine.objects.filter(
            invoice__client=client, kind=LineKind.SLA_CREDIT, invoice__status__in=ISSUED_STATES
        )
        .select_related("invoice")
        .order_by("-invoice__period_start", "-id")[:limit]
    )


# ------------------------------------------------------------------ MRR and AR


def month_start(day: date) -> date:
    return day.replace(day=1)


def months_back(today: date, months: int) -> date:
    year, month = today.year, today.month - (months - 1)
    while month <= 0:
        month += 12
        year -= 1
    return date(year, month, 1)


def mrr_by_service_line(today: date, months: int) -> list[dict[str, object]]:
    """Recurring charges of issued invoices per month of service, service line and currency,
    read from the running totals (`MrrMonth`, kept by `billing.mrr`): one query over at most
    months × service lines × currencies rows, whatever the number of invoices."""
    since = months_back(today, months)
    return [
        {
            "month": row.month,
            "service_line": row.service_line,
            "invoice__currency": row.currency,
            "total": row.total,
        }
        for row in MrrMonth.objects.filter(month__gte=since).order_by("month", "service_line", "currency")
    ]


def mrr_by_client(today: date, months: int) -> list[dict[str, object]]:
    """Each client's recurring charges in its latest issued month within the window, read
    from the running totals (`ClientMrrMonth`): one query over clients × months rows."""
    since = months_back(today, months)
    rows = (
        ClientMrrMonth.objects.filter(month__gte=since)
        .order_by("client_id", "currency", "-month")
        .distinct("client_id", "currency")
        .values("client_id", "client__name", "client__slug", "currency", "month", "total")
    )
    latest = [
        {
            "invoice__client_id": row["client_id"],
            "invoice__client__name": row["client__name"],
            "invoice__client__slug": row["client__slug"],
            "invoice__currency": row["currency"],
            "month": row["month"],
            "total": row["total"],
        }
        for row in rows
    ]
    return sorted(latest, key=lambda r: (-r["total"], r["invoice__client__name"]))  # type: ignore[operator]


AGEING_BUCKETS = ("0-30", "31-60", "61-90", "90+")


def ar_ageing(today: date) -> list[dict[str, object]]:
    """Open balances by days past the due date (not yet due counts as 0), per currency."""
    money: Any = DecimalField(max_digits=18, decimal_places=4)
    rows = (
        Invoice.objects.filter(status__in=OPEN_INVOICE_STATUSES)
        .annotate(
            open_amount=F("total") - F("amount_paid") - F("amount_credited"),
            bucket=Case(
                When(due_on__gte=today - timedelta(days=30), then=Value(0)),
                When(due_on__gte=today - timedelta(days=60), then=Value(1)),
                When(due_on__gte=today - timedelta(days=90), then=Value(2)),
                default=Value(3),
                output_field=IntegerField(),
            ),
        )
        .values("currency", "bucket")
        .annotate(total=Sum("open_amount", output_field=money), invoices=Count("id"))
        .order_by("currency", "bucket")
    )
    return [
        {
            "currency": row["currency"],
            "bucket": AGEING_BUCKETS[row["bucket"]],
            "total": row["total"],
            "invoices": row["invoices"],
        }
        for row in rows
    ]


def drafts_waiting() -> int:
    return RunItem.objects.filter(status__in=[RunItemStatus.DRAFT, RunItemStatus.APPROVED]).count()
