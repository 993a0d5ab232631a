"""The monthly run end to end on client A: counting (seats, devices, minutes, SLA outcomes),
snapshots with drift, review (adjust with a reason, approve), issue, block-hour rollover,
and a run that is done once whatever happens twice."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail

from billing import actions, runs, selectors
from billing.models import (
    BillingRun,
    BlockHourPeriod,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    RunItem,
    RunItemStatus,
    UsageKind,
    UsageSnapshot,
)
from core.errors import ActionError
from tests.billing.conftest import add_devices, add_line, judge_slas, log_time, make_contract
from tests.conftest import World

APRIL_1 = date(2026, 4, 1)


def draft_for(world: World, run_on: date = APRIL_1) -> RunItem:
    run = runs.start_run(run_on, trigger="command", enqueue=False, client_ids=[world.a.pk])
    item = RunItem.objects.get(run=run, client=world.a)
    runs.draft_item(item.pk)
    item.refresh_from_db()
    return item


def test_a_run_counts_snapshots_and_drafts_an_invoice(world: World) -> None:
    contract = make_contract(world.a, world.admin, currency="EUR")
    actions.save_billing_profile(world.a, actor=world.admin, tax_rate="20")
    add_line(contract, world.admin, "flat", "1000.00", service_line="support")
    seats = add_line(contract, world.admin, "per_seat", "25.00", quantity="1", service_line="support")
    devices = add_line(
        contract, world.admin, "per_device", "10.00", quantity="4", service_line="infrastructure"
    )
    add_line(contract, world.admin, "block_hours", "600.00", included_hours="5", overage_rate="90.00")
    add_devices(world.a, managed=3, unmanaged=2)
    # 13 raw minutes → 18 (6-minute unit), 301 → 306, 2 → 6: 330 billed minutes; non-billable ignored
    log_time(world.a, [(date(2026, 3, 2), 13), (date(2026, 3, 9), 301), (date(2026, 3, 31), 2)])
    log_time(world.a, [(date(2026, 3, 3), 600)], billable=False)
    log_time(world.a, [(date(2026, 4, 1), 600)])  # next period
    judge_slas(world.a, date(2026, 3, 10), met=8, breached=2)  # 80 % → below 90 → 10 %

    item = draft_for(world)
    assert item.status == RunItemStatus.DRAFT and (item.sla_judged, item.sla_met) == (10, 8)
    snapshots = {s.kind: s for s in UsageSnapshot.objects.filter(run_item=item)}
    assert snapshots[UsageKind.SEATS].live_count == 2  # a_lead and a_member
    assert snapshots[UsageKind.SEATS].contracted == 1 and snapshots[UsageKind.SEATS].drift == 1
    assert snapshots[UsageKind.DEVICES].live_count == 3 and snapshots[UsageKind.DEVICES].drift == -1
    assert snapshots[UsageKind.MINUTES].live_count == 330 and snapshots[UsageKind.MINUTES].contracted == 300

    invoice = Invoice.objects.get(run_item=item)
    amounts = [(line.kind, line.amount) for line in invoice.lines.all()]
    assert amounts == [
        ("charge", Decimal("1000.00")),
        ("charge", Decimal("50.00")),
        ("charge", Decimal("30.00")),
        ("charge", Decimal("600.00")),
        ("overage", Decimal("45.00")),  # 30 min at 90/h
        ("sla_credit", Decimal("-169.50")),  # 10 % of support (1000 + 50 + 600 + 45); cap 172.50
    ]
    assert invoice.subtotal == Decimal("1725.00") and invoice.credit_total == Decimal("-169.50")
    assert invoice.tax_amount == Decimal("311.10") and invoice.total == Decimal("1866.60")
    assert invoice.currency == "EUR" and invoice.number is None

    # review: one seat is a shared mailbox; the admin bills 1 with a reason
    actions.adjust_usage(snapshots[UsageKind.SEATS], actor=world.admin, quantity="1", reason="Shared mailbox")
    invoice.refresh_from_db()
    assert invoice.subtotal == Decimal("1700.00")
    kept = UsageSnapshot.objects.get(pk=snapshots[UsageKind.SEATS].pk)
    assert kept.adjusted and kept.adjustment_reason == "Shared mailbox" and kept.live_count == 2

    with pytest.raises(ActionError) as refused:
        actions.issue_run_item(item, actor=world.admin)
    assert refused.value.errors[0].code == "NOT_APPROVED"
    actions.approve_run_item(item, actor=world.admin)
    issued = actions.issue_run_item(item, actor=world.admin, today=APRIL_1)
    assert issued.status == InvoiceStatus.ISSUED and issued.number_display.startswith("INV-")
    assert issued.due_on == date(2026, 5, 1) and issued.buyer_details["name"] == world.a.name
    assert devices.pk and seats.pk


def test_devices_without_inventory_are_never_invented(world: World) -> None:
    contract = make_contract(world.a, world.admin)
    add_line(contract, world.admin, "per_device", "10.00", quantity="12")
    item = draft_for(world)
    snapshot = UsageSnapshot.objects.get(run_item=item)
    assert snapshot.live_count is None and snapshot.drift is None and snapshot.billed == 12
    assert Invoice.objects.get(run_item=item).subtotal == Decimal("120.00")


def test_previous_period_and_rollover_carry_into_the_next_run(world: World) -> None:
    contract = make_contract(world.a, world.admin)
    add_line(
        contract,
        world.admin,
        "block_hours",
        "500.00",
        included_hours="10",
        overage_rate="100",
        rollover_periods=1,
    )
    add_line(contract, world.admin, "per_seat", "20.00", quantity="2")
    log_time(world.a, [(date(2026, 3, 5), 420)])  # March: 420 of 600 → 180 unused
    log_time(world.a, [(date(2026, 4, 5), 700)])  # April: 702 billed = 180 rolled + 522 of 600
    log_time(world.a, [(date(2026, 5, 5), 660)])  # May: March's minutes are gone; April's 78 roll in
    march = draft_for(world)
    april = draft_for(world, date(2026, 5, 1))
    may = draft_for(world, date(2026, 6, 1))
    ledger = {row.period_start.month: row for row in BlockHourPeriod.objects.filter(client=world.a)}
    assert (ledger[3].used_minutes, ledger[3].unused_minutes, ledger[3].from_rollover_minutes) == (
        420,
        180,
        0,
    )
    assert (
        ledger[4].rolled_in_minutes,
        ledger[4].from_rollover_minutes,
        ledger[4].from_allowance_minutes,
    ) == (180, 180, 522)
    assert ledger[4].rollover_used == {"2026-03-01": 180}
    assert (ledger[5].rolled_in_minutes, ledger[5].from_rollover_minutes, ledger[5].overage_minutes) == (
        78,
        78,
        0,
    )
    assert ledger[5].expired_minutes == 0
    seats_april = UsageSnapshot.objects.get(run_item=april, kind=UsageKind.SEATS)
    assert seats_april.previous == 2
    assert march.status == may.status == RunItemStatus.DRAFT
    # adjusting March now would change what rolled into April: refused
    minutes = UsageSnapshot.objects.get(run_item=march, kind=UsageKind.MINUTES)
    with pytest.raises(ActionError) as refused:
        actions.adjust_usage(minutes, actor=world.admin, quantity="400", reason="Write-off")
    assert refused.value.errors[0].code == "LATER_PERIOD_DRAFTED"


def test_every_block_of_hours_counts_and_the_client_sees_them_together(world: World) -> None:
    contract = make_contract(world.a, world.admin)
    add_line(contract, world.admin, "block_hours", "500.00", included_hours="10", overage_rate="100")
    add_line(contract, world.admin, "block_hours", "200.00", included_hours="2", overage_rate="150")
    log_time(world.a, [(date(2026, 3, 5), 700)])  # 702 rounded: 600 + 102 of the second block's 120
    item = draft_for(world)
    ledger = list(BlockHourPeriod.objects.filter(client=world.a).order_by("allowance_minutes"))
    # Both expire at the period's end (no rollover): contract order, the 10-hour block first.
    assert [
        (row.allowance_minutes, row.used_minutes, row.unused_minutes, row.overage_minutes) for row in ledger
    ] == [
        (120, 102, 18, 0),
        (600, 600, 0, 0),
    ]
    invoice = Invoice.objects.get(run_item=item)
    assert invoice.subtotal == Decimal("700.00")  # both fees, no overage: 702 ≤ 600 + 120
    log_time(world.a, [(date(2026, 4, 5), 780)])  # 780: 720 covered, 60 over at the first block's rate
    april = draft_for(world, date(2026, 5, 1))
    lines = list(InvoiceLine.objects.filter(invoice__run_item=april).order_by("position"))
    assert [line.kind for line in lines] == ["charge", "charge", "overage"]
    assert lines[-1].amount == Decimal("100.00")  # 60 min × 100/h
    balance = selectors.block_balance(world.a, date(2026, 5, 10))
    assert balance.allowance_minutes == 720 and " + " in balance.description


def test_unused_rollover_expires(world: World) -> None:
    contract = make_contract(world.a, world.admin)
    add_line(
        contract,
        world.admin,
        "block_hours",
        "500.00",
        included_hours="1",
        overage_rate="100",
        rollover_periods=1,
    )
    draft_for(world)  # March: 60 unused
    draft_for(world, date(2026, 5, 1))  # April: 60 rolled in, none used, plus 60 unused
    draft_for(world, date(2026, 6, 1))  # May: March's 60 expired, April's 60 rolled in
    ledger = {row.period_start.month: row for row in BlockHourPeriod.objects.filter(client=world.a)}
    assert (ledger[5].rolled_in_minutes, ledger[5].expired_minutes) == (60, 60)


def test_a_rerun_and_a_second_draft_add_nothing(world: World) -> None:
    contract = make_contract(world.a, world.admin)
    add_line(contract, world.admin, "flat", "100.00")
    item = draft_for(world)
    again = runs.start_run(APRIL_1, trigger="command", enqueue=False, client_ids=[world.a.pk])
    assert again.total_items == 0 and RunItem.objects.filter(run=again).count() == 0
    runs.draft_item(item.pk)  # a retried task
    assert Invoice.objects.filter(client=world.a).count() == 1
    assert BillingRun.objects.get(pk=item.run_id).status == "done"


def test_a_failing_client_does_not_stop_the_others(world: World, monkeypatch: Any) -> None:
    make_contract(world.a, world.admin)
    add_line(world.a.contracts.get(), world.admin, "flat", "100.00")
    make_contract(world.b, world.admin)
    add_line(world.b.contracts.get(), world.admin, "flat", "200.00")
    original = runs.count_usage

    def broken(item: RunItem, loaded: Any = None) -> None:
        if item.client_id == world.a.pk:
            raise ValueError("secret detail")
        original(item, loaded)

    monkeypatch.setattr(runs, "count_usage", broken)
    run = runs.start_run(APRIL_1, trigger="command", enqueue=False)
    for item_id in RunItem.objects.filter(run=run).values_list("pk", flat=True):
        runs.draft_item_safely(item_id)
    statuses = dict(RunItem.objects.filter(run=run).values_list("client__slug", "status"))
    assert statuses == {world.a.slug: "failed", world.b.slug: "draft"}
    failed = RunItem.objects.get(run=run, client=world.a)
    assert "secret" not in failed.error and Invoice.objects.filter(client=world.a).count() == 0
    monkeypatch.setattr(runs, "count_usage", original)
    actions.redraft_run_item(failed, actor=world.admin)
    assert RunItem.objects.get(pk=failed.pk).status == "draft"


def test_issue_emails_the_pdf_to_the_billing_contact(
    world: World, eager_tasks: None, django_capture_on_commit_callbacks: Any
) -> None:
    contract = make_contract(world.a, world.admin)
    actions.save_billing_profile(
        world.a, actor=world.admin, billing_contact_id=world.a_member.pk, billing_email="ap@alpha.test"
    )
    add_line(contract, world.admin, "flat", "100.00")
    item = draft_for(world)
    actions.approve_run_item(item, actor=world.admin)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.issue_run_item(item, actor=world.admin)
    # the member has no billing grant: only the billing address receives it
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ap@alpha.test"]
    assert mail.outbox[0].attachments[0][2] == "application/pdf"
    assert mail.outbox[0].attachments[0][1][:5] == b"%PDF-"
    invoice = Invoice.objects.get(run_item=item)
    assert invoice.emailed_at is not None
    from billing.emails import send_invoice_email

    assert send_invoice_email(invoice.pk) == 0  # sent once
    actions.grant_billing_access(world.a, actor=world.a_lead, user_id=world.a_member.pk)
    Invoice.objects.filter(pk=invoice.pk).update(emailed_at=None)
    mail.outbox.clear()
    assert send_invoice_email(invoice.pk) == 2
    assert sorted(mail.outbox[0].to) == sorted([world.a_member.email, "ap@alpha.test"])


def test_the_cli_drafts_with_progress(world: World, capsys: Any) -> None:
    from django.core.management import call_command

    contract = make_contract(world.a, world.admin)
    add_line(contract, world.admin, "flat", "100.00")
    call_command("run_billing", "--date", "2026-04-01", "--client", world.a.slug)
    out = capsys.readouterr().out
    assert "1 client period(s) to draft" in out and "1/1 drafted" in out and "1 draft(s) to review" in out
    call_command("run_billing", "--date", "2026-04-01", "--client", world.a.slug)
    assert "0 client period(s)" in capsys.readouterr().out


def test_the_invoice_pdf_prints_names_in_any_european_script() -> None:
    """The embedded font covers what the core fonts could not (they printed "?")."""
    from billing.pdf import FONT, new_document

    pdf = new_document()
    pdf.add_page()
    pdf.set_font(FONT, "", 10)
    pdf.cell(0, 5, "Łódź Ελλάδα Москва – €")
    document = bytes(pdf.output())
    assert document.startswith(b"%PDF-")
    # The subset embeds the glyphs the text needs (Lslash, Cyrillic, Greek, Euro).
    assert b"FontFile2" in document


def test_pdfs_share_the_parsed_font_but_embed_only_their_own_glyphs() -> None:
    """The font is parsed once per process; documents never see each other's subset."""
    from datetime import UTC, datetime

    from billing.pdf import FONT, new_document

    def render(text: str) -> tuple[bytes, Any]:
        pdf = new_document()
        pdf.set_creation_date(datetime(2026, 4, 1, tzinfo=UTC))
        pdf.add_page()
        pdf.set_font(FONT, "B", 12)
        pdf.cell(0, 5, text)
        pdf.set_font(FONT, "", 10)
        pdf.cell(0, 5, text)
        return bytes(pdf.output()), pdf

    european = "Łódź Ελλάδα Москва Ǆ ẞ ő ș ț – € №"
    first, first_pdf = render(european)
    small, small_pdf = render("AB")
    again, again_pdf = render(european)
    # Rendering another document in between changes nothing: same bytes, own font objects.
    assert again == first
    assert small_pdf.fonts["dejavu"] is not first_pdf.fonts["dejavu"]
    assert small_pdf.fonts["dejavu"].ttfont is not again_pdf.fonts["dejavu"].ttfont
    # Every character printed with a real glyph, in both weights.
    for pdf in (first_pdf, again_pdf):
        assert pdf.fonts["dejavu"].missing_glyphs == [] and pdf.fonts["dejavuB"].missing_glyphs == []
    # Each embedded font holds only what its document used (fpdf2 subsets the document's copy).
    glyphs = len(first_pdf.fonts["dejavu"].ttfont.getGlyphOrder())
    assert len(small_pdf.fonts["dejavu"].ttfont.getGlyphOrder()) < glyphs < 60
    assert len(small) < len(first)
