"""The signals read the real apps now on main: billing's invoices (public), services.security's
incidents and MFA snapshots and services.infrastructure's closed availability months (each
client's schema, one UNION ALL per batch). Data is written through the real models, so the
providers' SQL is checked against the real tables. A source made unavailable through the
provider registry is "no data" for everyone, and a client whose sources have nothing is
"no data" for those signals — never a made-up value."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from billing.models import Invoice
from services.infrastructure.monitoring_models import AvailabilityMonth, ClientService
from services.outreach.health import read_signals, score_of
from services.outreach.models import OutreachSettings
from services.outreach.signals import SIGNALS, Context
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
