"""The signals read the real apps now on main: billing's invoices (public), services.security's
incidents and MFA snapshots and services.infrastructure's closed availability months (each
client's schema, one UNION ALL per batch). Data is written through the real models, so the
providers' SQL is checked against the real tables. A source made unavailable through the
provider registry is "no data" for everyone, and a client whose sources have nothing is
"no data" for those signals — never a made-up value."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from billing.models import Invoice
from services.infrastructure.monitoring import availability
from services.infrastructure.monitoring_models import (
    AvailabilityMonth,
    ClientService,
    MaintenanceWindow,
    Monitor,
    MonitorStateChange,
)
from services.outreach.health import read_signals, score_of
from services.outreach.models import OutreachSettings
from services.outreach.signals import SIGNALS, Context, linear
from services.security.mfa_models import MfaSnapshot
from services.security.models import SecurityIncident


def test_a_client_whose_sources_have_nothing_is_no_data_for_them(world):
    readings = read_signals([world.a], timezone.now(), OutreachSettings.current())[world.a.pk]
    # Never invoiced, no closed month measured, no MFA snapshot: no data, not a guess.
    for key in ("overdue_invoices", "availability", "mfa_coverage"):
        assert readings[key] is None, key
    # The security app is there and nothing happened: a real 100.
    assert readings["security_incidents"] is not None and readings["security_incidents"].subscore == 100.0


def test_an_unavailable_source_is_no_data_for_everyone_and_says_so(world, monkeypatch):
    monkeypatch.setitem(
        SIGNALS, "overdue_invoices", replace(SIGNALS["overdue_invoices"], installed=lambda: False)
    )
    Invoice.objects.create(
        client=world.a,
        status="issued",
        number=9001,
        currency="EUR",
        due_on=date(2020, 1, 1),
        total=Decimal(10),
    )
    settings = OutreachSettings.current()
    readings = read_signals([world.a, world.b], timezone.now(), settings)
    assert (
        readings[world.a.pk]["overdue_invoices"] is None and readings[world.b.pk]["overdue_invoices"] is None
    )
    rows = {row["key"]: row for row in score_of(readings[world.a.pk], settings).explanation}
    assert rows["overdue_invoices"]["display"] == "no data (billing is not connected yet)"


def test_overdue_invoices_come_from_billing(world):
    now = timezone.now()
    today = now.date()

    def invoice(client, number, status, due_on):
        Invoice.objects.create(
            client=client, status=status, number=number, currency="EUR", due_on=due_on, total=Decimal(100)
        )

    invoice(world.a, 9101, "issued", today - timedelta(days=40))
    invoice(world.a, 9102, "partially_paid", today - timedelta(days=5))
    invoice(world.a, 9103, "issued", today + timedelta(days=10))  # not due yet
    invoice(world.a, 9104, "paid", today - timedelta(days=90))
    invoice(world.b, 9105, "paid", today - timedelta(days=90))
    Invoice.objects.create(client=world.b, status="draft", currency="EUR", total=Decimal(5))
    ctx = Context(now=now, settings=OutreachSettings.current())
    found = SIGNALS["overdue_invoices"].read([world.a, world.b], ctx)
    assert found[world.a.pk].value == 2.0 and found[world.a.pk].subscore == 50.0
    assert f"the oldest due {today - timedelta(days=40):%Y-%m-%d}" in found[world.a.pk].display
    assert found[world.b.pk].value == 0.0 and found[world.b.pk].subscore == 100.0  # all paid


def test_security_incidents_and_mfa_read_each_clients_schema(world):
    now = timezone.now()
    with tenant_context(world.a):
        for number, severity, status, age in (
            (801, "high", "new", 1),
            (802, "low", "closed", 10),
            (803, "critical", "closed", 200),  # outside the 90-day window
        ):
            SecurityIncident.objects.create(
                number=number,
                title="Probe",
                kind="malware",
                severity=severity,
                status=status,
                created_at=now - timedelta(days=age),
            )
        MfaSnapshot.objects.create(day=now.date() - timedelta(days=1), total_accounts=40, covered_accounts=30)
        MfaSnapshot.objects.create(
            day=now.date() - timedelta(days=30), total_accounts=40, covered_accounts=10
        )
    with tenant_context(world.b):
        MfaSnapshot.objects.create(
            day=now.date() - timedelta(days=20), total_accounts=10, covered_accounts=10
        )
    ctx = Context(now=now, settings=OutreachSettings.current())
    incidents = SIGNALS["security_incidents"].read([world.a, world.b], ctx)
    assert incidents[world.a.pk].value == 2.0
    assert incidents[world.a.pk].subscore == 100 - 40 - 20
    assert "1 critical/high, 1 open" in incidents[world.a.pk].display
    assert incidents[world.b.pk].subscore == 100.0
    mfa = SIGNALS["mfa_coverage"].read([world.a, world.b], ctx)
    assert mfa[world.a.pk].value == 75.0 and mfa[world.a.pk].subscore == 50.0
    assert world.b.pk not in mfa  # its only snapshot is too old: no data


@pytest.mark.parametrize(("a_percent", "subscore"), [("99.950", 100.0), ("99.400", 50.0), ("97.000", 0.0)])
def test_availability_is_the_worst_service_of_the_last_closed_month(world, a_percent, subscore):
    now = timezone.now()
    last = (now.date().replace(day=1) - timedelta(days=1)).replace(day=1)
    older = (last - timedelta(days=1)).replace(day=1)
    with tenant_context(world.a):
        mail = ClientService.objects.create(name="Mail", promised_availability=Decimal("99.900"))
        files = ClientService.objects.create(name="Files", promised_availability=Decimal("99.000"))
        for service, percent, month in (
            (mail, a_percent, last),
            (files, "99.500", last),
            (mail, "50.000", older),  # an older month does not count
        ):
            AvailabilityMonth.objects.create(
                service=service,
                year=month.year,
                month=month.month,
                measured_seconds=1000,
                down_seconds=0,
                maintenance_seconds=0,
                availability_percent=Decimal(percent),
                promised_percent=service.promised_availability,
                met=Decimal(percent) >= service.promised_availability,
            )
    with tenant_context(world.b):
        stale = ClientService.objects.create(name="Old", promised_availability=Decimal("99.900"))
        AvailabilityMonth.objects.create(
            service=stale,
            year=2020,
            month=1,
            measured_seconds=1,
            down_seconds=1,
            maintenance_seconds=0,
            availability_percent=Decimal(0),
            promised_percent=Decimal("99.900"),
            met=False,
        )
    ctx = Context(now=now, settings=OutreachSettings.current())
    found = SIGNALS["availability"].read([world.a, world.b], ctx)
    assert found[world.a.pk].subscore == subscore
    assert f"in {last.year}-{last.month:02d}" in found[world.a.pk].display
    assert world.b.pk not in found  # only a month years old: no data


NOW = datetime(2026, 12, 10, 12, tzinfo=UTC)  # frozen: the 10th day of a month


def _monitor(service, key: str, created_at) -> Monitor:
    return Monitor.objects.create(
        service=service, name=key, key=key, kind="push", created_at=created_at, state_since=created_at
    )


def _change(monitor, to_state: str, at) -> None:
    MonitorStateChange.objects.create(monitor=monitor, from_state="unknown", to_state=to_state, at=at)


def test_availability_counts_the_current_month_to_date_as_the_monitoring_module_does(world):
    """This month so far (no month closed yet): computed from the monitors' state history,
    maintenance left out, exactly the figure `monitoring.availability` shows live."""
    month_start = datetime(2026, 12, 1, tzinfo=UTC)
    with tenant_context(world.a):
        mail = ClientService.objects.create(name="Mail", promised_availability=Decimal("99.900"))
        web = ClientService.objects.create(name="Web", promised_availability=Decimal("99.000"))
        ClientService.objects.create(name="Unmonitored", promised_availability=Decimal("99.900"))
        first = _monitor(mail, "mail-1", month_start - timedelta(days=40))
        second = _monitor(mail, "mail-2", month_start + timedelta(days=2))  # joined mid-month
        _change(first, "up", month_start - timedelta(days=39))  # the state before the month
        _change(first, "down", month_start + timedelta(days=3))
        _change(first, "up", month_start + timedelta(days=3, hours=5))
        _change(second, "up", month_start + timedelta(days=2, minutes=1))
        _change(second, "down", month_start + timedelta(days=6))
        _change(second, "up", month_start + timedelta(days=6, hours=2))
        # Maintenance covers part of the first outage: it counts neither for nor against.
        MaintenanceWindow.objects.create(
            service=mail,
            starts_at=month_start + timedelta(days=3),
            ends_at=month_start + timedelta(days=3, hours=1),
            reason="Patching",
        )
        site = _monitor(web, "web-1", month_start - timedelta(days=5))
        _change(site, "up", month_start - timedelta(days=5))
        live = {
            f.service_id: f
            for f in availability(world.a, 2026, 12, now=NOW)
            if f.monitor_id is None and f.availability_percent is not None
        }
    assert set(live) == {mail.pk, web.pk}
    reading = SIGNALS["availability"].read([world.a, world.b], Context(NOW, OutreachSettings.current()))
    assert world.b.pk not in reading  # no monitors at all: no data
    live_percent = live[mail.pk].availability_percent
    assert live_percent is not None
    expected = float(live_percent) - 99.9
    assert 95.0 < float(live_percent) < 99.9  # the outages cost something
    assert reading[world.a.pk].value == round(expected, 3)
    assert reading[world.a.pk].subscore == linear(expected, full_at=0.0, zero_at=-1.0)
    assert "1 of 2 service-months met their promise (2026-12 to date)" in reading[world.a.pk].display
    assert f"worst Mail {float(live_percent):g} %" in reading[world.a.pk].display


def test_availability_takes_the_worse_of_the_closed_month_and_this_month_so_far(world):
    month_start = datetime(2026, 12, 1, tzinfo=UTC)
    with tenant_context(world.a):
        mail = ClientService.objects.create(name="Mail", promised_availability=Decimal("99.900"))
        AvailabilityMonth.objects.create(
            service=mail,
            year=2026,
            month=11,
            measured_seconds=1000,
            down_seconds=5,
            maintenance_seconds=0,
            availability_percent=Decimal("99.500"),
            promised_percent=Decimal("99.900"),
            met=False,
        )
        monitor = _monitor(mail, "mail", month_start - timedelta(days=60))
        _change(monitor, "up", month_start - timedelta(days=60))  # all up this month
    ctx = Context(NOW, OutreachSettings.current())
    reading = SIGNALS["availability"].read([world.a], ctx)[world.a.pk]
    assert reading.value == -0.4 and reading.subscore == 60.0  # November decides
    assert "(2026-11 and 2026-12 to date)" in reading.display and "in 2026-11" in reading.display
    with tenant_context(world.a):
        _change(monitor, "down", month_start + timedelta(days=1))
        _change(monitor, "up", month_start + timedelta(days=2))  # a day down of 9.5: ~89 %
    reading = SIGNALS["availability"].read([world.a], ctx)[world.a.pk]
    assert reading.subscore == 0.0 and "promised in 2026-12 to date" in reading.display


def test_monitors_that_measured_nothing_yet_are_no_data(world):
    with tenant_context(world.a):
        service = ClientService.objects.create(name="Mail", promised_availability=Decimal("99.900"))
        _monitor(service, "mail", NOW - timedelta(days=1))  # no result yet: state unknown
    ctx = Context(NOW, OutreachSettings.current())
    assert SIGNALS["availability"].read([world.a], ctx) == {}


def test_the_availability_signal_reads_a_batch_in_a_constant_number_of_queries(
    world, django_assert_num_queries
):
    with tenant_context(world.a):
        service = ClientService.objects.create(name="Mail", promised_availability=Decimal("99.900"))
        monitor = _monitor(service, "mail", NOW - timedelta(days=30))
        _change(monitor, "up", NOW - timedelta(days=30))
    with tenant_context(world.b):
        service = ClientService.objects.create(name="Files", promised_availability=Decimal("99.000"))
        for index in range(3):
            monitor = _monitor(service, f"files-{index}", NOW - timedelta(days=30))
            _change(monitor, "up", NOW - timedelta(days=30))
    ctx = Context(NOW, OutreachSettings.current())
    # closed months, monitors, state changes, maintenance windows: four UNION ALL queries
    with django_assert_num_queries(4):
        found = SIGNALS["availability"].read([world.a, world.b], ctx)
    assert set(found) == {world.a.pk, world.b.pk}
