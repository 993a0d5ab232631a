"""The monthly run: which clients are billed on a day, and drafting one client's period.

Invoices are in arrears: the run on a client's billing day drafts the period that just
ended (`billing.periods.period_ending_on`). `start_run` writes one `RunItem` per (client,
period) — unique in the database, inserted with ON CONFLICT DO NOTHING — and queues one
drafting task per new item through the outbox, so a re-run, a retried task or two
dispatchers at once never make a second item, let alone a second invoice. `draft_item`
locks its item and drafts only a queued one; a failure marks that item failed (with no
exception text) and the others go on.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from billing import engine
from billing.models import (
    BillingProfile,
    BillingRun,
    BlockHourPeriod,
    Contract,
    ContractLine,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    PricingModel,
    RunItem,
    RunItemStatus,
    RunStatus,
    RunTrigger,
    UsageKind,
    UsageSnapshot,
)
from billing.periods import Period, period_containing, period_ending_on
from billing.usage import active_seats, tenant_usage
from core.tasks import TRANSIENT_ERRORS, enqueue_on_commit
from tenants.models import Client, User

logger = logging.getLogger(__name__)

DRAFT_TASK = "billing.draft_run_item"
COUNTED = (PricingModel.PER_SEAT, PricingModel.PER_DEVICE)


@dataclass(frozen=True)
class Due:
    client_id: int
    period: Period


def clients_due(run_on: date, client_ids: list[int] | None = None) -> list[Due]:
    """Clients whose billing day makes `run_on` a period start and whose contract covers
    at least one day of the period that ended then. Three queries whatever the count."""
    profiles = BillingProfile.objects.filter(client__kind="client")
    if client_ids is not None:
        profiles = profiles.filter(client_id__in=client_ids)
    by_day: dict[int, list[int]] = defaultdict(list)
    for client_id, billing_day in profiles.values_list("client_id", "billing_day"):
        by_day[billing_day].append(client_id)
    due: list[Due] = []
    periods = {day: period_ending_on(run_on, day) for day in by_day}
    condition = Q(pk__in=[])
    for day, period in periods.items():
        if period is None:
            continue
        condition |= Q(
            Q(ends_on__isnull=True) | Q(ends_on__gte=period.start),
            client_id__in=by_day[day],
            starts_on__lt=period.end,
        )
    covered = set(Contract.objects.filter(condition).values_list("client_id", flat=True))
    for day, period in periods.items():
        if period is None:
            continue
        due.extend(Due(client_id, period) for client_id in by_day[day] if client_id in covered)
    return sorted(due, key=lambda d: d.client_id)


def start_run(
    run_on: date,
    *,
    trigger: str = RunTrigger.BEAT,
    actor: User | None = None,
    client_ids: list[int] | None = None,
    enqueue: bool = True,
) -> BillingRun:
    """Open a run for `run_on` and queue every (client, period) not drafted before.

    One transaction: the run, its items and their outbox messages commit together."""
    with transaction.atomic():
        run = BillingRun.objects.create(run_on=run_on, trigger=trigger, started_by=actor)
        due = clients_due(run_on, client_ids)
        RunItem.objects.bulk_create(
            [
                RunItem(run=run, client_id=d.client_id, period_start=d.period.start, period_end=d.period.end)
                for d in due
            ],
            ignore_conflicts=True,
            batch_size=500,
        )
        item_ids = list(RunItem.objects.filter(run=run).values_list("pk", flat=True))
        run.total_items = len(item_ids)
        if not item_ids:
            run.status = RunStatus.DONE
            run.finished_at = timezone.now()
        run.save(update_fields=["total_items", "status", "finished_at"])
        if enqueue:
            for item_id in item_ids:
                enqueue_on_commit(DRAFT_TASK, item_id, dedupe_key=f"billing-draft:{item_id}")
    return run


def draft_item_safely(item_id: int) -> RunItem | None:
    """What the task runs: draft, or record why not. Transient errors (database, broker)
    propagate so the task is retried; anything else fails this item only."""
    try:
        return draft_item(item_id)
    except TRANSIENT_ERRORS:
        raise
    except Exception:
        logger.exception("billing draft failed", extra={"run_item": item_id})
        with transaction.atomic():
            RunItem.objects.filter(pk=item_id, status=RunItemStatus.QUEUED).update(
                status=RunItemStatus.FAILED,
                error="Drafting failed unexpectedly; the error is in the log with this item's id.",
                updated_at=timezone.now(),
            )
            _finish_run_if_done(RunItem.objects.filter(pk=item_id).values_list("run_id", flat=True).first())
        return None


def draft_item(item_id: int) -> RunItem | None:
    """Draft one queued (client, period): count, snapshot, price. Done once: the item is
    locked and anything but a queued item is left as it is."""
    with transaction.atomic():
        item = RunItem.objects.select_for_update().filter(pk=item_id).first()
        if item is None or item.status != RunItemStatus.QUEUED:
            return item
        item.attempts += 1
        loaded = _load(item)
        count_usage(item, loaded)
        price_item(item, loaded)
        _finish_run_if_done(item.run_id)
    return item


def _finish_run_if_done(run_id: int | None) -> None:
    if run_id is None:
        return
    if not RunItem.objects.filter(run_id=run_id, status=RunItemStatus.QUEUED).exists():
        BillingRun.objects.filter(pk=run_id, status=RunStatus.RUNNING).update(
            status=RunStatus.DONE, finished_at=timezone.now()
        )


@dataclass
class Loaded:
    """What drafting one item reads once: the client with its profile, contracts and lines."""

    client: Client
    contracts: list[Contract]
    lines: list[ContractLine]
    snapshots: list[UsageSnapshot] | None = None  # as just counted


def _load(item: RunItem) -> Loaded:
    client = Client.objects.select_related("billing_profile").get(pk=item.client_id)
    contracts = contracts_of(item)
    return Loaded(client, contracts, _lines_of(contracts))


def contracts_of(item: RunItem) -> list[Contract]:
    return list(
        Contract.objects.filter(client_id=item.client_id, starts_on__lt=item.period_end)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=item.period_start))
        .order_by("starts_on")
    )


def _clipped_terms(contracts: list[Contract], lines: list[ContractLine]) -> list[engine.LineTerms]:
    """Lines as the engine sees them: dates inside their contract, each with the first
    version of its chain (`replaces`) as its block."""
    by_contract = {c.pk: c for c in contracts}
    by_id = {line.pk: line for line in lines}

    def root(line: ContractLine) -> int:
        seen = line
        while seen.replaces_id and seen.replaces_id in by_id:
            seen = by_id[seen.replaces_id]
        return seen.pk

    terms = []
    for line in lines:
        contract = by_contract[line.contract_id]
        ends = [d for d in (line.ends_on, contract.ends_on) if d is not None]
        terms.append(
            engine.LineTerms(
                id=line.pk,
                pricing_model=line.pricing_model,
                description=line.description,
                unit_price=line.unit_price,
                starts_on=max(line.starts_on, contract.starts_on),
                ends_on=min(ends) if ends else None,
                quantity=line.quantity,
                service_line=line.service_line,
                included_minutes=line.included_minutes,
                overage_rate=line.overage_rate,
                rollover_periods=line.rollover_periods,
                root_id=root(line),
                position=line.position,
            )
        )
    return terms


def _lines_of(contracts: list[Contract]) -> list[ContractLine]:
    return list(ContractLine.objects.filter(contract__in=contracts).order_by("position", "starts_on", "id"))


def count_usage(item: RunItem, loaded: Loaded | None = None) -> None:
    """Snapshot the live counts for the item's seat, device and block-hour lines, next to
    the contracted number and last period's billed one."""
    loaded = loaded or _load(item)
    client, contracts, lines = loaded.client, loaded.contracts, loaded.lines
    period = Period(item.period_start, item.period_end)
    terms = {t.id: t for t in _clipped_terms(contracts, lines)}
    in_period = [line for line in lines if engine.service_days(terms[line.pk], period, date.min, None)]
    wants_devices = any(line.pricing_model == PricingModel.PER_DEVICE for line in in_period)
    rounding = contracts[-1].time_rounding_minutes if contracts else 6
    wants_minutes = any(line.pricing_model == PricingModel.BLOCK_HOURS for line in in_period)
    usage = tenant_usage(
        client,
        item.period_start,
        item.period_end,
        rounding_minutes=rounding,
        count_devices=wants_devices,
        count_minutes=wants_minutes,
        count_outcomes=bool(contracts and contracts[-1].sla_credits_enabled),
    )
    seats = (
        active_seats(client) if any(line.pricing_model == PricingModel.PER_SEAT for line in in_period) else 0
    )
    previous: dict[int, Decimal] = {}
    if any(line.pricing_model in COUNTED for line in in_period):
        previous_item = (
            RunItem.objects.filter(client_id=item.client_id, period_end__lte=item.period_start)
            .order_by("-period_start")
            .first()
        )
        if previous_item is not None:
            for snap in UsageSnapshot.objects.filter(run_item=previous_item):
                previous[snap.contract_line_id] = snap.billed
    snapshots: list[UsageSnapshot] = []
    first_block: int | None = None
    for line in in_period:
        prior = previous.get(line.pk, previous.get(line.replaces_id or 0))
        live: Decimal | None
        if line.pricing_model == PricingModel.PER_SEAT:
            live, kind = Decimal(seats), UsageKind.SEATS
        elif line.pricing_model == PricingModel.PER_DEVICE:
            live = None if usage.managed_devices is None else Decimal(usage.managed_devices)
            kind = UsageKind.DEVICES
        elif line.pricing_model == PricingModel.BLOCK_HOURS:
            # One snapshot of the period's billable minutes, on the contract's first block
            # (time entries name no block): pricing spreads them over every block in the
            # order of BILLING_CONVENTIONS §5 (engine.consume_blocks). A block's versions
            # share its first version's id.
            root_id = terms[line.pk].block_id
            if first_block is not None:
                continue
            first_block = root_id
            snapshots.append(
                UsageSnapshot(
                    run_item=item,
                    contract_line_id=root_id,
                    kind=UsageKind.MINUTES,
                    live_count=Decimal(usage.billable_minutes),
                    contracted=Decimal(line.included_minutes),
                    previous=previous.get(root_id),
                    billed=Decimal(usage.billable_minutes),
                )
            )
            continue
        else:
            continue
        snapshots.append(
            UsageSnapshot(
                run_item=item,
                contract_line=line,
                kind=kind,
                live_count=live,
                contracted=line.quantity,
                previous=prior,
                billed=live if live is not None else line.quantity,
            )
        )
    if snapshots:
        UsageSnapshot.objects.bulk_create(snapshots)
    loaded.snapshots = snapshots
    item.contract = contracts[-1] if contracts else None
    item.sla_judged = usage.sla_judged
    item.sla_met = usage.sla_met


def _rollover_state(
    item: RunItem, block_ids: set[int]
) -> tuple[dict[int, list[engine.RolloverGrant]], dict[int, int]]:
    """What is left of earlier periods' unused allowance at this period's start, per block,
    and what expired exactly then. Derived from the ledger of earlier periods only."""
    if not block_ids:
        return {}, {}
    rows = list(
        BlockHourPeriod.objects.filter(
            contract_line_id__in=block_ids, period_start__lt=item.period_start
        ).order_by("period_start")
    )
    grants: dict[int, list[engine.RolloverGrant]] = defaultdict(list)
    expired: dict[int, int] = defaultdict(int)
    for row in rows:
        if not row.unused_minutes or row.expires_before is None:
            continue
        used_later = sum(
            other.rollover_used.get(row.period_start.isoformat(), 0)
            for other in rows
            if other.contract_line_id == row.contract_line_id and other.period_start > row.period_start
        )
        left = max(row.unused_minutes - used_later, 0)
        if not left:
            continue
        if row.expires_before > item.period_start:
            grants[row.contract_line_id].append(engine.RolloverGrant(row.period_start, left))
        elif row.expires_before == item.period_start:
            expired[row.contract_line_id] += left
    return grants, expired


def _expires_before(period: Period, billing_day: int, periods: int) -> date | None:
    if periods <= 0:
        return None
    after = period
    for _ in range(periods + 1):
        after = after.next(billing_day)
    return after.start


def price_item(item: RunItem, loaded: Loaded | None = None) -> Invoice | None:
    """(Re)compute the item's draft invoice from its snapshots: lines, totals and block-hour
    ledger. The item ends as a draft to review, or "nothing to bill" with no invoice."""
    first_time = loaded is not None  # straight after counting: nothing to replace yet
    loaded = loaded or _load(item)
    profile = loaded.client.billing_profile  # type: ignore[attr-defined]
    contracts, lines = loaded.contracts, loaded.lines
    terms = _clipped_terms(contracts, lines)
    period = Period(item.period_start, item.period_end)
    counted = any(t.pricing_model in COUNTED or t.pricing_model == engine.BLOCK_HOURS for t in terms)
    if loaded.snapshots is not None:
        snapshots = loaded.snapshots
    else:
        snapshots = list(UsageSnapshot.objects.filter(run_item=item)) if counted else []
    quantities = {s.contract_line_id: s.billed for s in snapshots if s.kind != UsageKind.MINUTES}
    block_minutes = {s.contract_line_id: int(s.billed) for s in snapshots if s.kind == UsageKind.MINUTES}
    grants, expired = _rollover_state(
        item, {t.block_id for t in terms if t.pricing_model == engine.BLOCK_HOURS}
    )
    contract = contracts[-1] if contracts else None
    sla = None
    if contract is not None:
        sla = engine.SlaTerms(
            tiers=tuple((Decimal(t["below"]), Decimal(t["percent"])) for t in contract.sla_credit_tiers),
            cap_percent=contract.sla_credit_cap_percent,
            minimum_outcomes=contract.sla_minimum_outcomes,
            enabled=contract.sla_credits_enabled,
        )
    draft = engine.compute_draft(
        period=period,
        currency=profile.currency,
        tax_rate=profile.tax_rate,
        contract_start=date.min,
        contract_end=None,
        lines=terms,
        quantities=quantities,
        block_minutes=block_minutes,
        rollover=grants,
        expired=expired,
        sla=sla,
        sla_judged=item.sla_judged,
        sla_met=item.sla_met,
    )
    if not first_time:
        BlockHourPeriod.objects.filter(run_item=item).delete()
    invoice = None if first_time else Invoice.objects.filter(run_item=item).first()
    now = timezone.now()
    if draft.is_empty:
        if invoice is not None:
            invoice.delete()
        item.status = RunItemStatus.NOTHING_TO_BILL
        item.updated_at = now
        item.save()
        return None
    if invoice is None:
        invoice = Invoice(client_id=item.client_id, run_item=item)
    elif invoice.status != InvoiceStatus.DRAFT:
        raise RuntimeError("price_item on an issued invoice")  # guarded by every caller
    invoice.currency = profile.currency
    invoice.period_start = item.period_start
    invoice.period_end = item.period_end
    invoice.subtotal = draft.subtotal
    invoice.credit_total = draft.credit_total
    invoice.tax_rate = draft.tax_rate
    invoice.tax_amount = draft.tax_amount
    invoice.total = draft.total
    invoice.collection_method = profile.collection_method
    invoice.updated_at = now
    invoice.save()
    if not first_time:
        InvoiceLine.objects.filter(invoice=invoice).delete()
    InvoiceLine.objects.bulk_create(
        [
            InvoiceLine(
                invoice=invoice,
                contract_line_id=line.contract_line_id,
                kind=line.kind,
                service_line=line.service_line,
                description=line.description[:300],
                quantity=line.quantity,
                unit=line.unit,
                unit_price=line.unit_price,
                factor_numerator=line.numerator,
                factor_denominator=line.denominator,
                service_start=line.service_start,
                service_end=line.service_end,
                amount=line.amount,
                position=position,
            )
            for position, line in enumerate(draft.lines)
        ]
    )
    if draft.blocks:
        BlockHourPeriod.objects.bulk_create(
            [
                BlockHourPeriod(
                    client_id=item.client_id,
                    contract_line_id=block.block_id,
                    run_item=item,
                    period_start=item.period_start,
                    period_end=item.period_end,
                    allowance_minutes=block.allowance,
                    used_minutes=block.used,
                    from_rollover_minutes=block.from_rollover,
                    from_allowance_minutes=block.from_allowance,
                    overage_minutes=block.overage,
                    rolled_in_minutes=block.rolled_in,
                    unused_minutes=block.unused,
                    expires_before=_expires_before(period, profile.billing_day, block.rollover_periods),
                    rollover_used=block.rollover_used,
                    expired_minutes=block.expired,
                )
                for block in draft.blocks
            ]
        )
    if item.status in (RunItemStatus.QUEUED, RunItemStatus.APPROVED, RunItemStatus.NOTHING_TO_BILL):
        item.status = RunItemStatus.DRAFT
    item.updated_at = now
    item.save()
    return invoice


def current_period(client_id: int, today: date) -> Period | None:
    profile = BillingProfile.objects.filter(client_id=client_id).first()
    return None if profile is None else period_containing(today, profile.billing_day)
