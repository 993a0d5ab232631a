"""The invoice calculation: pure functions from a contract, counted usage and SLA outcomes to
invoice lines and totals. No database: `billing.runs` gathers the inputs and stores the
result, tests and the benchmark call it directly. Rules: docs/billing.md and
BILLING_CONVENTIONS (§3 proration, §5 block hours, §6 SLA credits, §7 tax).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction

from billing.money import line_amount, round_money
from billing.periods import Period

FLAT = "flat"
PER_SEAT = "per_seat"
PER_DEVICE = "per_device"
BLOCK_HOURS = "block_hours"
ONE_OFF = "one_off"
SUPPORT = "support"


@dataclass(frozen=True)
class LineTerms:
    """What the engine needs of a contract line (`billing.models.ContractLine`)."""

    id: int
    pricing_model: str
    description: str
    unit_price: Decimal
    starts_on: date
    ends_on: date | None
    quantity: Decimal = Decimal(1)
    service_line: str = SUPPORT
    included_minutes: int = 0
    overage_rate: Decimal = Decimal(0)
    rollover_periods: int = 0
    root_id: int | None = None  # the first version of this line (blocks span versions)
    position: int = 0

    @property
    def block_id(self) -> int:
        return self.root_id or self.id


@dataclass(frozen=True)
class SlaTerms:
    tiers: tuple[tuple[Decimal, Decimal], ...]  # (below met %, credit % of support lines)
    cap_percent: Decimal = Decimal(10)
    minimum_outcomes: int = 5
    enabled: bool = True


@dataclass(frozen=True)
class RolloverGrant:
    """Unused allowance of an earlier period still available (what is left of it)."""

    period_start: date
    minutes: int


@dataclass
class DraftLine:
    kind: str  # charge, overage, one_off, sla_credit
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    amount: Decimal
    service_line: str
    contract_line_id: int | None = None
    numerator: int = 1
    denominator: int = 1
    service_start: date | None = None
    service_end: date | None = None


@dataclass
class BlockUsage:
    """One block's consumption in the period (minutes), as the ledger stores it."""

    block_id: int
    allowance: int
    used: int
    from_rollover: int
    from_allowance: int
    overage: int
    rolled_in: int
    rollover_used: dict[str, int]
    expired: int
    overage_rate: Decimal
    rollover_periods: int

    @property
    def unused(self) -> int:
        return self.allowance - self.from_allowance


@dataclass
class SlaCredit:
    judged: int
    met: int
    met_percent: Fraction | None
    tier_below: Decimal | None
    tier_percent: Decimal | None
    support_base: Decimal
    exact_credit: Fraction
    capped: bool
    amount: Decimal  # ≤ 0
    explanation: str


@dataclass
class Draft:
    currency: str
    lines: list[DraftLine] = field(default_factory=list)
    blocks: list[BlockUsage] = field(default_factory=list)
    sla: SlaCredit | None = None
    subtotal: Decimal = Decimal(0)
    credit_total: Decimal = Decimal(0)
    tax_rate: Decimal = Decimal(0)
    tax_amount: Decimal = Decimal(0)
    total: Decimal = Decimal(0)

    @property
    def is_empty(self) -> bool:
        return not self.lines


def fmt_date(day: date) -> str:
    return f"{day:%d %b %Y}"


def service_days(
    line: LineTerms, period: Period, contract_start: date, contract_end: date | None
) -> tuple[date, date] | None:
    """The half-open days of `period` in which the line (and its contract) is in service."""
    first = max(line.starts_on, contract_start)
    ends = [d for d in (line.ends_on, contract_end) if d is not None]
    last = min(ends) if ends else None
    if last is not None and last < first:
        return None
    return period.overlap_days(first, last)


def percent_text(value: Fraction) -> str:
    """87.5 %, 66.67 % — for people; comparisons use the exact fraction."""
    shown = round_money(value, "USD") if value.denominator != 1 else Decimal(value.numerator)
    return f"{shown.normalize():f} %"


def _unit(pricing_model: str) -> str:
    return {PER_SEAT: "seat", PER_DEVICE: "device", ONE_OFF: "item"}.get(pricing_model, "month")


def consume_block(
    *,
    block_id: int,
    allowance: int,
    used: int,
    grants: Sequence[RolloverGrant],
    expired: int,
    overage_rate: Decimal,
    rollover_periods: int,
) -> BlockUsage:
    """§5 for a contract with one block: rolled-over minutes oldest first, then this
    period's allowance, then overage."""
    return consume_blocks(
        [BlockTerms(block_id, allowance, overage_rate, rollover_periods)],
        used=used,
        grants={block_id: list(grants)},
        expired={block_id: expired},
    )[0]


@dataclass(frozen=True)
class BlockTerms:
    """What consumption needs of one block (the terms of its version in service last)."""

    block_id: int
    allowance: int
    overage_rate: Decimal
    rollover_periods: int


def consume_blocks(
    blocks: Sequence[BlockTerms],
    *,
    used: int,
    grants: dict[int, list[RolloverGrant]],
    expired: dict[int, int],
) -> list[BlockUsage]:
    """§5 across every block of hours of the contract (time entries name no block, so the
    period's billable minutes are one pool), `blocks` in contract order:

    1. rolled-over minutes of every block, oldest first (same period: contract order);
    2. this period's allowances, the one that expires soonest first — blocks without
       rollover (gone at the period's end) before those rolling over for 1, 2, … periods,
       contract order among equals;
    3. what is left is overage, billed on the first block at its overage rate.

    One `BlockUsage` per block, in `blocks` order; their `used` add up to `used`."""
    if not blocks:
        return []
    left = used
    rollover_used: dict[int, dict[str, int]] = {b.block_id: {} for b in blocks}
    pool = sorted(
        (
            (grant.period_start, index, block.block_id, grant)
            for index, block in enumerate(blocks)
            for grant in grants.get(block.block_id, [])
        ),
        key=lambda item: (item[0], item[1]),
    )
    for _start, _index, block_id, grant in pool:
        if left <= 0:
            break
        take = min(grant.minutes, left)
        if take > 0:
            rollover_used[block_id][grant.period_start.isoformat()] = take
            left -= take
    from_allowance: dict[int, int] = {}
    for index in sorted(range(len(blocks)), key=lambda i: (blocks[i].rollover_periods, i)):
        block = blocks[index]
        take = min(block.allowance, max(left, 0))
        from_allowance[block.block_id] = take
        left -= take
    overage = max(left, 0)
    usages = []
    for index, block in enumerate(blocks):
        from_rollover = sum(rollover_used[block.block_id].values())
        block_overage = overage if index == 0 else 0
        usages.append(
            BlockUsage(
                block_id=block.block_id,
                allowance=block.allowance,
                used=from_rollover + from_allowance[block.block_id] + block_overage,
                from_rollover=from_rollover,
                from_allowance=from_allowance[block.block_id],
                overage=block_overage,
                rolled_in=sum(g.minutes for g in grants.get(block.block_id, [])),
                rollover_used=rollover_used[block.block_id],
                expired=expired.get(block.block_id, 0),
                overage_rate=block.overage_rate,
                rollover_periods=block.rollover_periods,
            )
        )
    return usages


def sla_credit(
    terms: SlaTerms, *, judged: int, met: int, support_base: Decimal, charges: Decimal, currency: str
) -> SlaCredit | None:
    """§6: with at least `minimum_outcomes` judged, the tier with the lowest threshold that
    met % is strictly below gives a percentage of the support lines, capped at `cap_percent`
    of the charges before credits. None when no credit is due."""
    if not terms.enabled or judged < max(terms.minimum_outcomes, 1):
        return None
    met_percent = Fraction(met * 100, judged)
    applicable = [(below, pct) for below, pct in terms.tiers if met_percent < Fraction(below)]
    if not applicable:
        return None
    below, pct = min(applicable, key=lambda tier: tier[0])
    exact = Fraction(support_base) * Fraction(pct) / 100
    cap = Fraction(charges) * Fraction(terms.cap_percent) / 100
    capped = exact > cap
    amount = round_money(min(exact, cap), currency)
    if amount <= 0:
        return None
    explanation = (
        f"SLA credit: {met} of {judged} SLA targets met ({percent_text(met_percent)}), "
        f"below {below.normalize():f} % → {pct.normalize():f} % of support"
        + (f", capped at {terms.cap_percent.normalize():f} % of charges" if capped else "")
    )
    return SlaCredit(
        judged=judged,
        met=met,
        met_percent=met_percent,
        tier_below=below,
        tier_percent=pct,
        support_base=support_base,
        exact_credit=exact,
        capped=capped,
        amount=-amount,
        explanation=explanation,
    )


def compute_draft(
    *,
    period: Period,
    currency: str,
    tax_rate: Decimal,
    contract_start: date,
    contract_end: date | None,
    lines: Sequence[LineTerms],
    quantities: dict[int, Decimal],
    block_minutes: dict[int, int],
    rollover: dict[int, list[RolloverGrant]] | None = None,
    expired: dict[int, int] | None = None,
    sla: SlaTerms | None = None,
    sla_judged: int = 0,
    sla_met: int = 0,
) -> Draft:
    """Every line of one client's invoice for `period`, its totals and block-hour ledger.

    `quantities` holds the reviewed seat/device counts per line id; `block_minutes` the
    rounded billable minutes per block (first version's id) in the period; `rollover` what
    is left of earlier periods' unused allowance per block."""
    draft = Draft(currency=currency, tax_rate=tax_rate)
    rollover = rollover or {}
    expired = expired or {}
    blocks_charged: dict[int, LineTerms] = {}
    ordered = sorted(lines, key=lambda line: (line.position, line.starts_on, line.id))
    for line in ordered:
        if line.pricing_model == ONE_OFF:
            if period.contains(line.starts_on) and service_days(line, period, contract_start, contract_end):
                draft.lines.append(
                    DraftLine(
                        kind="one_off",
                        description=line.description,
                        quantity=line.quantity,
                        unit="item",
                        unit_price=line.unit_price,
                        amount=line_amount(line.quantity, line.unit_price, 1, 1, currency),
                        service_line=line.service_line,
                        contract_line_id=line.id,
                        service_start=line.starts_on,
                        service_end=None,
                    )
                )
            continue
        days = service_days(line, period, contract_start, contract_end)
        if days is None:
            continue
        start, end = days
        in_service = (end - start).days
        numerator, denominator = (1, 1) if in_service == period.days else (in_service, period.days)
        if line.pricing_model in (PER_SEAT, PER_DEVICE):
            quantity = quantities.get(line.id, line.quantity)
        elif line.pricing_model == BLOCK_HOURS:
            quantity = Decimal(1)
            blocks_charged[line.block_id] = line  # the last version in service sets the terms
        else:
            quantity = line.quantity
        description = line.description
        if numerator != denominator:
            description += f" ({fmt_date(start)} – {fmt_date(end)}: {in_service} of {period.days} days)"
        draft.lines.append(
            DraftLine(
                kind="charge",
                description=description,
                quantity=quantity,
                unit=_unit(line.pricing_model),
                unit_price=line.unit_price,
                amount=line_amount(quantity, line.unit_price, numerator, denominator, currency),
                service_line=line.service_line,
                contract_line_id=line.id,
                numerator=numerator,
                denominator=denominator,
                service_start=start,
                service_end=end,
            )
        )
    # §5 over every block charged this period (the period's minutes are one pool: time
    # entries name no block); the full allowance applies once a block is charged ≥ 1 day.
    usages = consume_blocks(
        [
            BlockTerms(block_id, line.included_minutes, line.overage_rate, line.rollover_periods)
            for block_id, line in blocks_charged.items()
        ],
        used=sum(block_minutes.values()),
        grants={
            block_id: rollover.get(block_id, [])
            for block_id, line in blocks_charged.items()
            if line.rollover_periods
        },
        expired=expired,
    )
    for usage in usages:
        line = blocks_charged[usage.block_id]
        draft.blocks.append(usage)
        if usage.overage:
            hours = Fraction(usage.overage, 60)
            draft.lines.append(
                DraftLine(
                    kind="overage",
                    description=(
                        f"{line.description}: {_hours_text(hours)} beyond the block "
                        f"({usage.used} min used, {usage.allowance} included"
                        + (f", {usage.from_rollover} rolled over" if usage.from_rollover else "")
                        + ")"
                    ),
                    quantity=Decimal(usage.overage),
                    unit="minute",
                    unit_price=line.overage_rate,
                    amount=line_amount(Decimal(usage.overage), line.overage_rate, 1, 60, currency),
                    service_line=line.service_line,
                    contract_line_id=line.id,
                    numerator=1,
                    denominator=60,
                    service_start=period.start,
                    service_end=period.end,
                )
            )
    charges = sum((line.amount for line in draft.lines), Decimal(0))
    support_base = sum((line.amount for line in draft.lines if line.service_line == SUPPORT), Decimal(0))
    if sla is not None:
        credit = sla_credit(
            sla, judged=sla_judged, met=sla_met, support_base=support_base, charges=charges, currency=currency
        )
        draft.sla = credit
        if credit is not None:
            draft.lines.append(
                DraftLine(
                    kind="sla_credit",
                    description=credit.explanation,
                    quantity=Decimal(1),
                    unit="item",
                    unit_price=credit.amount,
                    amount=credit.amount,
                    service_line=SUPPORT,
                    service_start=period.start,
                    service_end=period.end,
                )
            )
    totals(draft)
    return draft


def totals(draft: Draft) -> Draft:
    """subtotal (charges) + credits + tax (§7: rate on the sum after credits, rounded once)."""
    draft.subtotal = sum((line.amount for line in draft.lines if line.kind != "sla_credit"), Decimal(0))
    draft.credit_total = sum((line.amount for line in draft.lines if line.kind == "sla_credit"), Decimal(0))
    net = draft.subtotal + draft.credit_total
    draft.tax_amount = round_money(Fraction(net) * Fraction(draft.tax_rate) / 100, draft.currency)
    draft.total = net + draft.tax_amount
    return draft


def _hours_text(hours: Fraction) -> str:
    whole = hours.numerator // hours.denominator
    minutes = round((hours - whole) * 60)
    return f"{whole} h {minutes:02d} min"
