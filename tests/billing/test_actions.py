"""Bad input gets a typed error and writes nothing; invoices move only along their
lifecycle; credit notes and payments never exceed what is open."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from billing import actions, runs
from billing.models import (
    BillingProfile,
    Contract,
    ContractLine,
    CreditNote,
    Invoice,
    InvoiceStatus,
    Payment,
    RunItem,
)
from core.errors import ActionError
from tests.billing.conftest import add_line, make_contract
from tests.conftest import World


def codes(excinfo: Any) -> list[tuple[str, str | None]]:
    return [(e.code, e.field) for e in excinfo.value.errors]


def issued_invoice(world: World, price: str = "100.00", tax: str = "0") -> Invoice:
    contract = make_contract(world.a, world.admin)
    actions.save_billing_profile(world.a, actor=world.admin, tax_rate=tax)
    add_line(contract, world.admin, "flat", price)
    run = runs.start_run(date(2026, 4, 1), trigger="command", enqueue=False, client_ids=[world.a.pk])
    item = RunItem.objects.get(run=run)
    runs.draft_item(item.pk)
    actions.approve_run_item(item, actor=world.admin)
    return actions.issue_run_item(item, actor=world.admin, today=date(2026, 4, 1))


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"currency": "XYZ"}, ("UNKNOWN_CURRENCY", "currency")),
        ({"currency": "usd "}, None),  # normalised
        ({"billing_day": 0}, ("INVALID", "billingDay")),
        ({"billing_day": 32}, ("INVALID", "billingDay")),
        ({"tax_rate": "-1"}, ("NEGATIVE", "taxRate")),
        ({"tax_rate": "100.5"}, ("INVALID", "taxRate")),
        ({"tax_rate": "1e3"}, ("INVALID", "taxRate")),
        ({"billing_email": "not-an-address"}, ("INVALID", "billingEmail")),
        ({"legal_name": "x\x00y"}, ("INVALID", "legalName")),
        ({"address": "x" * 601}, ("TOO_LONG", "address")),
        ({"collection_method": "barter"}, ("INVALID", "collectionMethod")),
    ],
)
def test_profile_input(world: World, fields: dict[str, Any], expected: tuple[str, str] | None) -> None:
    if expected is None:
        assert actions.save_billing_profile(world.a, actor=world.admin, **fields).currency == "USD"
        return
    with pytest.raises(ActionError) as refused:
        actions.save_billing_profile(world.a, actor=world.admin, **fields)
    assert codes(refused) == [expected]
    assert not BillingProfile.objects.filter(client=world.a).exists()


def test_currency_is_fixed_once_invoiced(world: World) -> None:
    issued_invoice(world)
    with pytest.raises(ActionError) as refused:
        actions.save_billing_profile(world.a, actor=world.admin, currency="EUR")
    assert codes(refused) == [("CURRENCY_LOCKED", "currency")]
    assert BillingProfile.objects.get(client=world.a).currency == "USD"


def test_overlapping_contracts_are_refused(world: World) -> None:
    make_contract(world.a, world.admin, starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31))
    for starts_on, ends_on in [
        (date(2026, 12, 31), None),
        (date(2025, 1, 1), date(2026, 1, 1)),
        (date(2025, 1, 1), None),
    ]:
        with pytest.raises(ActionError) as refused:
            actions.create_contract(
                world.a, actor=world.admin, name="Second", starts_on=starts_on, ends_on=ends_on
            )
        assert codes(refused) == [("OVERLAPPING_CONTRACT", "startsOn")]
    assert Contract.objects.filter(client=world.a).count() == 1
    actions.create_contract(world.a, actor=world.admin, name="Next year", starts_on=date(2027, 1, 1))
    actions.create_contract(world.b, actor=world.admin, name="Other client", starts_on=date(2026, 1, 1))


def test_the_database_refuses_an_overlap_the_check_did_not_see(world: World) -> None:
    from django.db import IntegrityError, transaction

    make_contract(world.a, world.admin, starts_on=date(2026, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Contract.objects.create(client=world.a, name="Raced", starts_on=date(2026, 6, 1))


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"unit_price": "-5"}, ("NEGATIVE", "unitPrice")),
        ({"quantity": "-1"}, ("NEGATIVE", "quantity")),
        ({"unit_price": "abc"}, ("INVALID", "unitPrice")),
        ({"unit_price": "NaN"}, ("INVALID", "unitPrice")),
        ({"unit_price": "1.123456"}, ("INVALID", "unitPrice")),
        ({"unit_price": "1" * 20}, ("INVALID", "unitPrice")),
        ({"quantity": "99999999999"}, ("INVALID", "quantity")),
        ({"description": ""}, ("REQUIRED", "description")),
        ({"description": "x" * 201}, ("TOO_LONG", "description")),
        ({"overage_rate": "10"}, ("INVALID", "pricingModel")),  # on a flat line
        ({"starts_on": date(2025, 12, 31)}, ("INVALID", "startsOn")),
    ],
)
def test_line_input(
    world: World, contract_a: Contract, fields: dict[str, Any], expected: tuple[str, str]
) -> None:
    args: dict[str, Any] = {"description": "Managed service", "unit_price": "10.00"}
    args.update(fields)
    with pytest.raises(ActionError) as refused:
        actions.add_contract_line(contract_a, actor=world.admin, pricing_model="flat", **args)
    assert codes(refused) == [expected]
    assert not ContractLine.objects.filter(contract=contract_a).exists()


def test_a_change_mid_period_makes_a_new_version(world: World, contract_a: Contract) -> None:
    line = add_line(contract_a, world.admin, "per_seat", "20.00", quantity="5")
    new = actions.change_contract_line(line, actor=world.admin, effective_on=date(2026, 3, 11), quantity="8")
    line.refresh_from_db()
    assert (
        line.ends_on == date(2026, 3, 10)
        and new.starts_on == date(2026, 3, 11)
        and new.replaces_id == line.pk
    )
    assert new.quantity == 8 and line.quantity == 5


def test_a_period_already_invoiced_cannot_be_changed_or_drafted_again(world: World) -> None:
    invoice = issued_invoice(world)
    line = ContractLine.objects.get(client=world.a)
    with pytest.raises(ActionError) as refused:
        actions.change_contract_line(line, actor=world.admin, effective_on=date(2026, 3, 15), unit_price="1")
    assert codes(refused) == [("ALREADY_INVOICED", "effectiveOn")]
    with pytest.raises(ActionError) as refused:
        actions.update_contract(line.contract, actor=world.admin, ends_on=date(2026, 3, 20))
    assert codes(refused) == [("ALREADY_INVOICED", "endsOn")]
    item = RunItem.objects.get(invoice=invoice)
    with pytest.raises(ActionError) as refused:
        actions.redraft_run_item(item, actor=world.admin)
    assert codes(refused) == [("INVALID_STATE", None)]
    again = runs.start_run(date(2026, 4, 1), trigger="command", enqueue=False)
    assert again.total_items == 0


def test_payments_partial_then_full_and_never_more_than_due(world: World) -> None:
    invoice = issued_invoice(world, price="100.00", tax="20")  # total 120.00
    for amount, code in [
        ("-1", "NEGATIVE"),
        ("0", "INVALID"),
        ("120.01", "OVERPAYMENT"),
        ("0.001", "INVALID"),
    ]:
        with pytest.raises(ActionError) as refused:
            actions.record_payment(invoice, actor=world.admin, amount=amount)
        assert codes(refused) == [(code, "amount")]
    assert not Payment.objects.filter(invoice=invoice).exists()
    actions.record_payment(invoice, actor=world.admin, amount="50", reference="Bank 1")
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PARTIALLY_PAID and invoice.balance == Decimal("70.00")
    with pytest.raises(ActionError) as refused:
        actions.record_payment(invoice, actor=world.admin, amount="70.01")
    assert codes(refused) == [("OVERPAYMENT", "amount")]
    actions.record_payment(invoice, actor=world.admin, amount="70.00")
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID and invoice.balance == 0
    with pytest.raises(ActionError):
        actions.record_payment(invoice, actor=world.admin, amount="1")


def test_credit_notes_never_exceed_what_is_open(world: World) -> None:
    invoice = issued_invoice(world, price="100.00", tax="20")
    actions.record_payment(invoice, actor=world.admin, amount="20.00")
    with pytest.raises(ActionError) as refused:
        actions.create_credit_note(invoice, actor=world.admin, amount="100.01", reason="Too much")
    assert codes(refused) == [("CREDIT_TOO_LARGE", "amount")]
    with pytest.raises(ActionError) as refused:
        actions.create_credit_note(invoice, actor=world.admin, amount="10", reason="  ")
    assert codes(refused) == [("REQUIRED", "reason")]
    assert not CreditNote.objects.exists()
    note = actions.create_credit_note(
        invoice, actor=world.admin, amount="60.00", reason="Printer not installed"
    )
    assert (note.amount, note.tax_amount, note.total) == (
        Decimal("50.00"),
        Decimal("10.00"),
        Decimal("60.00"),
    )
    assert note.number_display.startswith("CN-")
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PARTIALLY_PAID and invoice.balance == Decimal("40.00")
    actions.create_credit_note(invoice, actor=world.admin, amount="40.00", reason="Rest")
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID and invoice.balance == 0
    assert invoice.total == invoice.amount_paid + invoice.amount_credited


def test_void_and_write_off(world: World) -> None:
    invoice = issued_invoice(world)
    actions.record_payment(invoice, actor=world.admin, amount="10")
    with pytest.raises(ActionError):
        actions.void_invoice(invoice, actor=world.admin, reason="Wrong client")
    written_off = actions.mark_uncollectible(invoice, actor=world.admin, reason="Client bankrupt")
    assert written_off.status == InvoiceStatus.UNCOLLECTIBLE
    late = actions.record_payment(invoice, actor=world.admin, amount="90")  # the liquidator paid after all
    invoice.refresh_from_db()
    assert late.amount == 90 and invoice.status == InvoiceStatus.PAID


def test_an_issued_invoice_is_never_recomputed(world: World) -> None:
    invoice = issued_invoice(world)
    item = RunItem.objects.get(invoice=invoice)
    snapshot_count = item.snapshots.count()
    with pytest.raises(ActionError):
        actions.approve_run_item(item, actor=world.admin)
    with pytest.raises(ActionError):
        actions.issue_invoice(invoice, actor=world.admin)
    assert snapshot_count == 0 and Invoice.objects.get(pk=invoice.pk).number == invoice.number


def test_grants_only_for_members(world: World) -> None:
    with pytest.raises(ActionError) as refused:
        actions.grant_billing_access(world.a, actor=world.admin, user_id=world.b_member.pk)
    assert codes(refused) == [("NOT_FOUND", "userId")]
    with pytest.raises(ActionError):
        actions.grant_billing_access(world.a, actor=world.admin, user_id=world.a_lead.pk)
    actions.grant_billing_access(world.a, actor=world.admin, user_id=world.a_member.pk)
    actions.grant_billing_access(world.a, actor=world.admin, user_id=world.a_member.pk)
    assert actions.revoke_billing_access(world.a, actor=world.admin, user_id=world.a_member.pk) == 1
