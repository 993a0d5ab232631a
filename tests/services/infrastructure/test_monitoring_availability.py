"""Availability from the state history, maintenance excluded; closed months stored once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context

from core.errors import ActionError
from services.infrastructure import availability_math as am
from services.infrastructure.monitoring import (
    availability,
    close_availability_month,
    daily_availability,
    service_statuses,
)
from services.infrastructure.monitoring_models import AvailabilityMonth, MaintenanceWindow
from tests.conftest import World
from tests.services.infrastructure.monitoring_helpers import monitor, report, service

NOV = datetime(2026, 11, 1, tzinfo=UTC)
DEC = datetime(2026, 12, 1, tzinfo=UTC)


def test_interval_arithmetic() -> None:
    h = timedelta(hours=1)
    assert am.merge([(NOV + h, NOV + 3 * h), (NOV, NOV + 2 * h)]) == [(NOV, NOV + 3 * h)]
    assert am.subtract([(NOV, NOV + 4 * h)], [(NOV + h, NOV + 2 * h)]) == [
        (NOV, NOV + h),
        (NOV + 2 * h, NOV + 4 * h),
    ]
    states = am.state_intervals([(NOV + h, "down"), (NOV + 2 * h, "up")], "up", NOV, NOV + 3 * h)
    assert states == {"up": [(NOV, NOV + h), (NOV + 2 * h, NOV + 3 * h)], "down": [(NOV + h, NOV + 2 * h)]}
    assert am.percent(0, 0) is None
    assert am.percent(3 * 3600, 3600) == Decimal("66.6666")  # floored, never rounded up


@pytest.mark.django_db
def test_month_with_an_outage_and_maintenance(world: World) -> None:
    with tenant_context(world.a):
        svc = service(world.a, world.technician, promised_availability="99.9")
        mon = monitor(world.a, world.technician, svc, failures_to_down=1, successes_to_up=1)
        type(mon).objects.filter(pk=mon.pk).update(created_at=NOV, state_since=NOV)
        mon.refresh_from_db()
        # Up from Nov 1; down 2 h on Nov 10 (one hour of it inside maintenance); up again.
        report(world.a, mon, "up", start=NOV)
        report(world.a, mon, "down", start=NOV + timedelta(days=9, hours=10))
        report(world.a, mon, "up", start=NOV + timedelta(days=9, hours=12))
        MaintenanceWindow.objects.create(
            service=svc,
            starts_at=NOV + timedelta(days=9, hours=11),
            ends_at=NOV + timedelta(days=9, hours=13),
            reason="Patch",
        )
        figures = availability(world.a, 2026, 11, now=DEC + timedelta(days=1))
        by_monitor = {f.monitor_id: f for f in figures}
        month = 30 * 86_400
        expected_measured = month - 2 * 3600
        for figure in (by_monitor[mon.pk], by_monitor[None]):
            assert figure.measured_seconds == expected_measured
            assert figure.down_seconds == 3600
            assert figure.maintenance_seconds == 7200
            assert figure.availability_percent == am.percent(expected_measured, 3600) == Decimal("99.8607")
            assert figure.met is False and figure.outage_count == 1 and figure.is_final is False
        # Closing stores it once; later changes never rewrite a closed month.
        assert close_availability_month(world.a, 2026, 11, now=DEC + timedelta(days=1)) == 2
        assert close_availability_month(world.a, 2026, 11, now=DEC + timedelta(days=2)) == 0
        MaintenanceWindow.objects.all().delete()
        stored = availability(world.a, 2026, 11, now=DEC + timedelta(days=3))
        assert all(f.is_final for f in stored) and stored[0].availability_percent == Decimal("99.8607")
        assert AvailabilityMonth.objects.count() == 2
        with pytest.raises(ActionError):
            close_availability_month(world.a, 2026, 12, now=DEC + timedelta(days=3))
        assert availability(world.a, 2027, 1, now=DEC) == []
        with pytest.raises(ActionError):
            availability(world.a, 2026, 13)


@pytest.mark.django_db
def test_time_before_the_first_result_and_paused_time_count_neither_way(world: World) -> None:
    with tenant_context(world.a):
        svc = service(world.a, world.technician)
        mon = monitor(world.a, world.technician, svc, failures_to_down=1)
        type(mon).objects.filter(pk=mon.pk).update(created_at=NOV, state_since=NOV)
        mon.refresh_from_db()
        report(world.a, mon, "up", start=NOV + timedelta(days=15))
        figure = availability(world.a, 2026, 11, now=DEC)[-1]
        assert figure.measured_seconds == 15 * 86_400 and figure.availability_percent == Decimal("100.0000")


@pytest.mark.django_db
def test_status_and_daily_figures_in_constant_queries(world: World, django_assert_num_queries) -> None:
    now = NOV + timedelta(days=20)
    with tenant_context(world.a):
        for n in range(3):
            svc = service(world.a, world.technician, name=f"Service {n}")
            for m in range(2):
                mon = monitor(world.a, world.technician, svc, f"Monitor {n}-{m}", failures_to_down=1)
                report(world.a, mon, "up", "down", start=NOV + timedelta(days=n))
        with django_assert_num_queries(4):
            statuses = service_statuses(world.a, now=now)
        assert [s.state for s in statuses] == ["down", "down", "down"]
        with django_assert_num_queries(4):
            days = daily_availability(world.a, days=7, now=now)
        assert len(days) == 3 * 7
        with django_assert_num_queries(5):
            availability(world.a, 2026, 11, now=now)
