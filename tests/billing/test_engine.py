"""The invoice calculation (billing.engine), without a database: proration (§3), block hours
and rollover (§5), SLA credit tiers (§6), tax and reconciliation (§1, §7)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from billing import engine
from billing.engine import LineTerms, RolloverGrant, SlaTerms, compute_draft, consume_block, sla_credit
from billing.money import line_amount, minor_unit
from billing.periods import Period

MARCH = Period(date(2026, 3, 1), date(2026, 4, 1))  # 31 days
TIERS = SlaTerms(tiers=((Decimal(95), Decimal(5)), (Decimal(90), Decimal(10)), (Decimal(80), Decimal(20))))


def flat(id: int = 1, price: str = "1000.00", **kw: Any) -> LineTerms:
    base: dict[str, Any] = {"starts_on": date(2026, 1, 1), "ends_on": None, "service_line": "support"}
    base.update(kw)
    return LineTerms(
        id=id, pricing_model="flat", description="Managed service", unit_price=Decimal(price), **base
    )  # type: ignore[arg-type]


def draft(lines: list[LineTerms], **kw: object) -> engine.Draft:
    args: dict[str, object] = {
        "period": MARCH,
        "currency": "USD",
        "tax_rate": Decimal(0),
        "contract_start": date(2026, 1, 1),
        "contract_end": None,
        "lines": lines,
        "quantities": {},
        "block_minutes": {},
    }
    args.update(kw)
    return compute_draft(**args)  # type: ignore[arg-type]


def test_a_full_period_is_one_line_at_the_full_price() -> None:
    result = draft([flat()])
    assert [(line.amount, line.numerator, line.denominator) for line in result.lines] == [
        (Decimal("1000.00"), 1, 1)
    ]
    assert result.total == Decimal("1000.00")


def test_a_quantity_change_mid_period_is_two_prorated_lines() -> None:
    # 5 seats until 10 March, 8 from 11 March: 10 and 21 of 31 days.
    before = LineTerms(
        1, "per_seat", "Seats", Decimal("30.00"), date(2026, 1, 1), date(2026, 3, 10), quantity=Decimal(5)
    )
    after = LineTerms(
        2, "per_seat", "Seats", Decimal("30.00"), date(2026, 3, 11), None, quantity=Decimal(8), root_id=1
    )
    result = draft([before, after], quantities={1: Decimal(5), 2: Decimal(8)})
    assert [(line.numerator, line.denominator, line.amount) for line in result.lines] == [
        (10, 31, Decimal("48.39")),  # 5 × 30 × 10/31 = 48.387…
        (21, 31, Decimal("162.58")),  # 8 × 30 × 21/31 = 162.580…
    ]
    assert "1 Mar 2026" in result.lines[0].description or "01 Mar 2026" in result.lines[0].description


def test_contract_start_and_end_prorate_and_one_offs_never_do() -> None:
    one_off = LineTerms(3, "one_off", "Onboarding", Decimal("499.99"), date(2026, 3, 20), date(2026, 3, 20))
    result = draft([flat(), one_off], contract_start=date(2026, 3, 16), contract_end=None)
    assert result.lines[0].numerator == 16 and result.lines[0].amount == Decimal("516.13")  # 1000 × 16/31
    assert result.lines[1].amount == Decimal("499.99") and result.lines[1].kind == "one_off"
    ended = draft([flat()], contract_end=date(2026, 3, 1))
    assert ended.lines[0].numerator == 1 and ended.lines[0].amount == Decimal("32.26")
    assert draft([flat()], contract_end=date(2026, 2, 28)).is_empty


def test_seats_bill_the_reviewed_quantity_not_the_contracted_one() -> None:
    seats = LineTerms(1, "per_seat", "Seats", Decimal("12.50"), date(2026, 1, 1), None, quantity=Decimal(10))
    assert draft([seats], quantities={1: Decimal(13)}).lines[0].amount == Decimal("162.50")


def block(**kw: object) -> LineTerms:
    base: dict[str, object] = {
        "id": 7,
        "pricing_model": "block_hours",
        "description": "10-hour block",
        "unit_price": Decimal("900.00"),
        "starts_on": date(2026, 1, 1),
        "ends_on": None,
        "included_minutes": 600,
        "overage_rate": Decimal("120.00"),
    }
    base.update(kw)
    return LineTerms(**base)  # type: ignore[arg-type]


def test_block_hours_overage_is_billed_per_minute_at_the_hourly_rate() -> None:
    result = draft([block()], block_minutes={7: 600 + 78})
    fee, overage = result.lines
    assert fee.amount == Decimal("900.00")
    assert (overage.kind, overage.quantity, overage.numerator, overage.denominator) == ("overage", 78, 1, 60)
    assert overage.amount == Decimal("156.00")  # 78/60 × 120
    assert result.blocks[0].overage == 78 and result.blocks[0].from_allowance == 600


def test_the_full_allowance_applies_when_the_fee_is_charged_for_one_day() -> None:
    result = draft([block(starts_on=date(2026, 3, 31))], block_minutes={7: 540})
    assert result.lines[0].numerator == 1  # 1 of 31 days of the fee
    assert len(result.lines) == 1  # 540 min inside the full 600
    assert result.blocks[0].unused == 60


def test_rollover_is_used_oldest_first_then_allowance_then_overage() -> None:
    usage = consume_block(
        block_id=7,
        allowance=600,
        used=900,
        grants=[RolloverGrant(date(2026, 2, 1), 100), RolloverGrant(date(2026, 1, 1), 50)],
        expired=0,
        overage_rate=Decimal(100),
        rollover_periods=3,
    )
    assert usage.rollover_used == {"2026-01-01": 50, "2026-02-01": 100}
    assert (usage.from_rollover, usage.from_allowance, usage.overage, usage.unused) == (150, 600, 150, 0)
    light = consume_block(
        block_id=7,
        allowance=600,
        used=70,
        grants=[RolloverGrant(date(2026, 1, 1), 50), RolloverGrant(date(2026, 2, 1), 100)],
        expired=0,
        overage_rate=Decimal(100),
        rollover_periods=3,
    )
    assert light.rollover_used == {"2026-01-01": 50, "2026-02-01": 20} and light.unused == 600


def test_rollover_off_ignores_grants() -> None:
    result = draft(
        [block(rollover_periods=0)],
        block_minutes={7: 650},
        rollover={7: [RolloverGrant(date(2026, 2, 1), 100)]},
    )
    assert result.blocks[0].from_rollover == 0 and result.blocks[0].overage == 50


def test_sla_credit_needs_five_outcomes_and_compares_exactly() -> None:
    base: dict[str, Any] = {
        "support_base": Decimal("1000.00"),
        "charges": Decimal("1000.00"),
        "currency": "USD",
    }
    assert sla_credit(TIERS, judged=4, met=0, **base) is None  # fewer than 5 judged
    assert sla_credit(TIERS, judged=20, met=19, **base) is None  # exactly 95 % is not below 95
    credit = sla_credit(TIERS, judged=21, met=19, **base)  # 90.476… % → below 95 → 5 %
    assert credit is not None and credit.tier_percent == 5 and credit.amount == Decimal("-50.00")
    # 89.99…% (1799/2000 would be 89.95): strictly below 90 → 10 %, capped at 10 % of charges anyway
    credit = sla_credit(TIERS, judged=2000, met=1799, **base)
    assert credit is not None and credit.tier_percent == 10 and credit.amount == Decimal("-100.00")
    assert "1799 of 2000" in credit.explanation and "89.95 %" in credit.explanation


def test_sla_credit_is_capped_at_ten_percent_of_charges() -> None:
    # support is 1000 of 3000 charges; 20 % tier → 200, cap 10 % of 3000 = 300 → 200 stands
    credit = sla_credit(
        TIERS, judged=10, met=7, support_base=Decimal(1000), charges=Decimal(3000), currency="USD"
    )
    assert credit is not None and credit.amount == Decimal("-200.00") and not credit.capped
    # all charges are support: 20 % of 1000 = 200 > cap 100
    credit = sla_credit(
        TIERS, judged=10, met=7, support_base=Decimal(1000), charges=Decimal(1000), currency="USD"
    )
    assert credit is not None and credit.amount == Decimal("-100.00") and credit.capped
    assert "capped" in credit.explanation


def test_sla_credit_is_one_line_and_tax_applies_after_it() -> None:
    infra = flat(id=2, price="500.00", service_line="infrastructure")
    result = draft(
        [flat(), infra], tax_rate=Decimal("20"), sla=TIERS, sla_judged=10, sla_met=8
    )  # 80 % → below 90 → 10 %
    credit = [line for line in result.lines if line.kind == "sla_credit"]
    assert len(credit) == 1 and credit[0].amount == Decimal("-100.00")  # 10 % of support 1000, cap 150
    assert result.subtotal == Decimal("1500.00") and result.credit_total == Decimal("-100.00")
    assert result.tax_amount == Decimal("280.00") and result.total == Decimal("1680.00")


@settings(max_examples=100, deadline=None)
@given(
    prices=st.lists(st.decimals(min_value=0, max_value=99999, places=4), min_size=1, max_size=6),
    seats=st.integers(0, 500),
    days=st.integers(1, 31),
    minutes=st.integers(0, 5000),
    judged=st.integers(0, 40),
    met_share=st.fractions(min_value=0, max_value=1),
    tax=st.decimals(min_value=0, max_value=30, places=2),
    currency=st.sampled_from(["USD", "JPY", "KWD"]),
)
def test_lines_credits_and_tax_always_reconcile_to_the_total(
    prices: list[Decimal],
    seats: int,
    days: int,
    minutes: int,
    judged: int,
    met_share: Fraction,
    tax: Decimal,
    currency: str,
) -> None:
    lines = [flat(id=i + 1, price=str(p), starts_on=date(2026, 3, 32 - days)) for i, p in enumerate(prices)]
    lines.append(
        LineTerms(90, "per_seat", "Seats", Decimal("9.99"), date(2026, 1, 1), None, service_line="security")
    )
    lines.append(block(id=91))
    met = int(judged * met_share)
    result = draft(
        lines,
        currency=currency,
        tax_rate=tax,
        quantities={90: Decimal(seats)},
        block_minutes={91: minutes},
        sla=TIERS,
        sla_judged=judged,
        sla_met=met,
    )
    for line in result.lines:
        if line.kind != "sla_credit":
            assert line.amount == line_amount(
                line.quantity, line.unit_price, line.numerator, line.denominator, currency
            )
    charges = sum((line.amount for line in result.lines if line.kind != "sla_credit"), Decimal(0))
    credits = sum((line.amount for line in result.lines if line.kind == "sla_credit"), Decimal(0))
    assert result.subtotal == charges and result.credit_total == credits
    half_unit = Decimal(1).scaleb(-minor_unit(currency)) / 2
    assert -credits <= charges / 10 + half_unit  # never more than the cap (+ its one rounding)
    assert result.total == charges + credits + result.tax_amount
    assert result.total >= 0


def test_every_block_counts_soonest_expiring_allowance_first_overage_on_the_first_block() -> None:
    # A 10-hour block that rolls over for 3 periods, then a 5-hour top-up without rollover.
    main = block(id=7, rollover_periods=3)
    top_up = block(id=8, description="5-hour top-up", included_minutes=300, overage_rate=Decimal("150.00"))
    light = draft([main, top_up], block_minutes={7: 400})
    by_id = {b.block_id: b for b in light.blocks}
    # The top-up expires at the period's end: used first; the main block's allowance rolls over.
    assert (by_id[8].from_allowance, by_id[8].unused) == (300, 0)
    assert (by_id[7].from_allowance, by_id[7].unused) == (100, 500)
    assert [line.kind for line in light.lines] == ["charge", "charge"]
    heavy = draft([main, top_up], block_minutes={7: 600 + 300 + 90})
    by_id = {b.block_id: b for b in heavy.blocks}
    assert (by_id[7].from_allowance, by_id[8].from_allowance) == (600, 300)
    assert (by_id[7].overage, by_id[8].overage) == (90, 0)
    assert sum(b.used for b in heavy.blocks) == 990
    overage = heavy.lines[-1]
    assert overage.kind == "overage" and overage.contract_line_id == 7
    assert overage.amount == Decimal("180.00")  # 90/60 × the first block's 120
    assert heavy.total == Decimal("900.00") * 2 + Decimal("180.00")


def test_rollover_of_every_block_is_used_oldest_first_across_blocks() -> None:
    usages = engine.consume_blocks(
        [
            engine.BlockTerms(7, 600, Decimal(100), 3),
            engine.BlockTerms(8, 300, Decimal(100), 3),
        ],
        used=170,
        grants={
            7: [RolloverGrant(date(2026, 2, 1), 100)],
            8: [RolloverGrant(date(2026, 1, 1), 50), RolloverGrant(date(2026, 2, 1), 40)],
        },
        expired={},
    )
    first, second = usages
    # Jan (block 8) 50, then Feb: block 7's 100 (contract order), then 20 of block 8's Feb.
    assert second.rollover_used == {"2026-01-01": 50, "2026-02-01": 20}
    assert first.rollover_used == {"2026-02-01": 100}
    assert (first.from_allowance, second.from_allowance, first.overage) == (0, 0, 0)
    assert (first.rolled_in, second.rolled_in) == (100, 90)
    assert engine.consume_blocks([], used=10, grants={}, expired={}) == []
