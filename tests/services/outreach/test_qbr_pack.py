"""The QBR pack reads every source for its period — the service desk, monitoring's
availability against each promise, security incidents and the MFA trend, invoices, the open
balance and block hours, the status page's remote-work hierarchy, health history, check-ins
and follow-ups — and prints names in any European script (billing's embedded DejaVu Sans).
The text is read back out of the PDF. Time is frozen: the pack is built "on" `NOW`."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context

from billing import runs
from billing.models import BlockHourPeriod, Invoice, RunItem
from services.infrastructure.monitoring_models import AvailabilityMonth, ClientService
from services.outreach import qbr
from services.outreach.models import (
    CheckIn,
    CheckInStatus,
    FollowUp,
    HealthBand,
    HealthSnapshot,
    QbrReport,
    QbrStatus,
)
from services.security.mfa_models import MfaSnapshot
from services.security.models import SecurityIncident
from services.support.actions import NewTicket, create_ticket
from services.support.models import SlaOutcome, Ticket
from tenants.models import Client
from tests.billing.conftest import add_line, log_time, make_contract
from tests.services.outreach.pdf_text import pdf_text

PERIOD = (date(2026, 7, 1), date(2026, 9, 30))
NOW = datetime(2026, 10, 15, 9, tzinfo=UTC)
NAME = "Łódź Ελλάδα Москва Clinic"


def _at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def _report(client: Client, actor) -> QbrReport:
    return QbrReport.objects.create(
        client=client, period_start=PERIOD[0], period_end=PERIOD[1], requested_by=actor
    )


def _document(report: QbrReport) -> bytes:
    assert report.pdf is not None
    return bytes(report.pdf)


def _service_desk(world) -> None:
    ticket = create_ticket(
        world.a,
        NewTicket(title="Printer", category="Hardware", impact="high", urgency="high"),
        actor=world.a_lead,
    )
    Ticket.objects.filter(pk=ticket.pk).update(created_at=_at(date(2026, 8, 3)))
    for cycle, (clock, result, priority, day) in enumerate(
        (
            ("first_response", "met", "P1", date(2026, 7, 2)),
            ("first_resolution", "met", "P1", date(2026, 7, 3)),
            ("first_response", "breached", "P3", date(2026, 8, 4)),
            ("first_response", "met", "P3", date(2026, 8, 5)),
            ("first_response", "met", "P3", date(2026, 11, 1)),  # after the period
        )
    ):
        SlaOutcome.objects.create(
            ticket=ticket,
            clock=clock,
            cycle=cycle,
            result=result,
            priority=priority,
            policy_id=1,
            target_minutes=60,
            business_minutes_used=30,
            minutes_over=-30,
            due_at=_at(day),
            judged_at=_at(day),
        )


def _availability() -> None:
    mail = ClientService.objects.create(name="Mail", promised_availability=Decimal("99.900"))
    for month, percent, down in ((7, "99.950", 1), (8, "99.500", 10), (9, "100.000", 0)):
        AvailabilityMonth.objects.create(
            service=mail,
            year=2026,
            month=month,
            measured_seconds=2_000_000,
            down_seconds=down * 1000,
            maintenance_seconds=0,
            availability_percent=Decimal(percent),
            promised_percent=mail.promised_availability,
            met=Decimal(percent) >= mail.promised_availability,
            outage_count=1 if down else 0,
        )


def _security() -> None:
    for number, severity, day in (
        (501, "high", date(2026, 8, 10)),
        (502, "low", date(2026, 8, 20)),
        (503, "critical", date(2026, 10, 2)),  # after the period
    ):
        SecurityIncident.objects.create(
            number=number, title=f"Phish {number}", kind="phishing", severity=severity, created_at=_at(day)
        )
    MfaSnapshot.objects.create(day=date(2026, 7, 5), total_accounts=40, covered_accounts=20)
    MfaSnapshot.objects.create(day=date(2026, 9, 25), total_accounts=40, covered_accounts=36)


def _billing(world) -> None:
    contract = make_contract(world.a, world.admin, currency="EUR")
    add_line(contract, world.admin, "block_hours", "600.00", included_hours="10", overage_rate="90.00")
    log_time(world.a, [(date(2026, 7, 7), 420)])  # 7 of 10 hours in July
    run = runs.start_run(date(2026, 8, 1), trigger="command", enqueue=False, client_ids=[world.a.pk])
    runs.draft_item(RunItem.objects.get(run=run, client=world.a).pk)
    assert BlockHourPeriod.objects.filter(client=world.a).count() == 1
    Invoice.objects.create(
        client=world.a,
        status="issued",
        number=7001,
        number_display="INV-7001",
        currency="EUR",
        issued_on=date(2026, 8, 1),
        due_on=date(2026, 8, 31),  # overdue on NOW
        total=Decimal("500.00"),
        amount_paid=Decimal("100.00"),
    )
    Invoice.objects.create(  # issued before the period, paid: not listed, not owed
        client=world.a,
        status="paid",
        number=7000,
        number_display="INV-7000",
        currency="EUR",
        issued_on=date(2026, 6, 1),
        total=Decimal("50.00"),
        amount_paid=Decimal("50.00"),
    )


def _outreach(world) -> None:
    for day, score in ((date(2026, 7, 1), 82), (date(2026, 8, 1), 64), (date(2026, 9, 1), 71)):
        HealthSnapshot.objects.create(
            client=world.a, day=day, score=score, band=HealthBand.WATCH, explanation=[], computed_at=_at(day)
        )
    checkin = CheckIn.objects.create(
        client=world.a,
        kind="meeting",
        status=CheckInStatus.DONE,
        subject="Żółć review",
        owner=world.account_manager,
        held_at=_at(date(2026, 8, 12)),
    )
    FollowUp.objects.create(
        client=world.a,
        checkin=checkin,
        title="Roll out MFA to the front desk",
        owner=world.account_manager,
        due_on=date(2026, 9, 1),
        created_at=_at(date(2026, 8, 12)),
    )


def test_the_pack_reads_every_source_of_its_period_and_prints_any_script(world):
    Client.objects.filter(pk=world.a.pk).update(name=NAME)
    world.a.refresh_from_db()
    with tenant_context(world.a):
        _service_desk(world)
        _availability()
        _security()
    _billing(world)
    _outreach(world)
    report = qbr.build_qbr(str(_report(world.a, world.account_manager).pk), now=NOW)
    assert (report.status, report.progress) == (QbrStatus.READY, 100)
    document = _document(report)
    assert b"FontFile2" in document  # the font is embedded: a fresh machine prints it
    text = pdf_text(document)
    lines = text.splitlines()
    assert NAME in lines  # as written, not "?"
    assert "?" not in text.replace("? ", "")
    expected = [
        # SLA by month and priority (November's outcome is outside the period)
        "2026-07",
        "100 % of 2",
        "50 % of 2",
        "P1 (% met)",
        # tickets by category and trend
        "Hardware",
        # availability vs promised, per month and for the period (the chart's label)
        "99.950 %",
        "99.500 %",
        "100.000 %",
        "99.9 %",
        "Axis from 98 % to 100 %; red tick: the promised availability.",
        # security: the two incidents of the period, not October's
        "2 opened: 1 high, 1 low",
        "Phish 501",
        "36 of 40 accounts with MFA on 25 Sep 2026 (90 %), from 50 % on 05 Jul 2026.",
        # remote-work hierarchy (the status page's, through the project's wiring)
        "As on 15 Oct 2026, bottom layer first:",
        "Connectivity",
        "Innovation",
        # invoices, balance, block hours
        "INV-7001",
        "400.00 EUR",
        "Open balance on 15 Oct 2026: 400.00 EUR over 1 invoice(s), 1 overdue.",
        "Security",
        "• 2 high-severity security incident(s) open.",
        "Block Hours",
        "10.0 h",
        "7.0 h",
        "3.0 h",
        # health history, check-ins, follow-ups agreed
        "01 Jul: 82",
        "01 Sep: 71",
        "Żółć review",
        "Roll out MFA to the front desk",
    ]
    for piece in expected:
        assert piece in text, piece
    for absent in ("Phish 503", "INV-7000", "not connected", "No data"):
        assert absent not in text, absent


def test_sections_without_data_say_so_and_never_invent_a_figure(world, monkeypatch):
    monkeypatch.setattr(qbr, "_hierarchy_readers", [])  # an MSP without the status page
    with tenant_context(world.b):  # a snapshot of no account has no percent: not 0 %, not 100 %
        MfaSnapshot.objects.create(day=date(2026, 8, 1), total_accounts=0, covered_accounts=0)
    report = qbr.build_qbr(str(_report(world.b, world.account_manager).pk), now=NOW)
    text = pdf_text(_document(report))
    for piece in (
        "No SLA clock was judged in this period.",
        "No data: no monitored service measured anything in this period.",
        "No security incident was opened in this period.",
        "No data: no MFA snapshot with accounts in this period.",
        "No data: the status page is not connected.",
        "No invoice was issued in this period.",
        "Nothing owed on 15 Oct 2026.",
        "No block of hours was billed in this period.",
        "Not enough history yet.",
        "None agreed in this period",
    ):
        assert piece in text, piece
    assert "%" not in text.split("Availability vs promised")[1].split("Security incidents")[0]


def test_the_project_wires_the_status_page_hierarchy_into_the_pack():
    from msp_portal.wiring import remote_work_hierarchy

    assert qbr.hierarchy_reader() is remote_work_hierarchy


def test_a_failing_source_marks_the_pack_failed_and_it_can_be_requested_again(world, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("monitoring is down")

    monkeypatch.setattr(qbr, "_availability", broken)
    report = _report(world.a, world.account_manager)
    with pytest.raises(RuntimeError, match="monitoring is down"):
        qbr.build_qbr(str(report.pk), now=NOW)
    report.refresh_from_db()
    assert report.status == QbrStatus.FAILED and report.pdf is None
    assert report.step == "Failed: the pack could not be built; try again."
    assert report.progress == 20  # the step it reached


def test_a_pack_is_built_once_when_the_task_is_delivered_twice(world):
    report = _report(world.b, world.account_manager)
    first = qbr.build_qbr(str(report.pk), now=NOW)
    second = qbr.build_qbr(str(report.pk), now=NOW + timedelta(hours=1))
    assert _document(first) == _document(second) and first.finished_at == second.finished_at
