"""Availability from the state history, maintenance excluded; closed months stored once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context

from core.errors import ActionError
from services.infrastructure import availability_math as am
from services.infrastructure import monitoring_actions
from services.infrastructure.monitoring import (
    _compute_days,
    availability,
    close_availability_month,
    daily_availability,
    service_statuses,
    store_closed_days,
    uptime_overview,
)
from services.infrastructure.monitoring_models import (
    AvailabilityDay,
    AvailabilityMonth,
    ClientService,
    MaintenanceWindow,
    Monitor,
    MonitorStateChange,
)
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
        with django_assert_num_queries(8):  # the first read also computes and stores the closed days
            days = daily_availability(world.a, days=7, now=now)
        assert len(days) == 3 * 7
        with django_assert_num_queries(5):  # then: services, monitors, stored days, today live
            again = daily_availability(world.a, days=7, now=now)
        assert again == days
        with django_assert_num_queries(5):
            availability(world.a, 2026, 11, now=now)


def _fresh_daily(days: int, now: datetime) -> dict[tuple[int, object], tuple[int, int, int]]:
    """The same figures computed from the history alone, nothing stored."""
    services = list(ClientService.objects.filter(is_active=True))
    monitors = list(Monitor.objects.filter(service__in=services))
    first = now.date() - timedelta(days=days - 1)
    computed = _compute_days(services, monitors, first, now)
    return {(sid, day): values for (sid, mid, day), values in computed.items() if mid is None}


def _as_seconds(days: list) -> dict[tuple[int, object], tuple[int, int, int]]:
    return {
        (d.service_id, d.day): (d.availability_percent, d.down_seconds, d.maintenance_seconds) for d in days
    }


@pytest.mark.django_db
def test_closed_days_are_stored_once_and_only_today_is_computed_live(world: World) -> None:
    now = NOV + timedelta(days=20, hours=6)
    with tenant_context(world.a):
        svc = service(world.a, world.technician, promised_availability="99.9")
        mon = monitor(world.a, world.technician, svc, failures_to_down=1, successes_to_up=1)
        type(mon).objects.filter(pk=mon.pk).update(created_at=NOV, state_since=NOV)
        mon.refresh_from_db()
        report(world.a, mon, "up", start=NOV + timedelta(days=1))
        report(world.a, mon, "down", start=NOV + timedelta(days=14, hours=3))
        report(world.a, mon, "up", start=NOV + timedelta(days=14, hours=9))  # 6 h down on Nov 15
        report(world.a, mon, "down", start=now - timedelta(hours=2))  # down again today
        first = daily_availability(world.a, days=10, now=now)
        by_day = {d.day: d for d in first}
        assert by_day[date(2026, 11, 15)].down_seconds == 6 * 3600
        assert by_day[date(2026, 11, 15)].availability_percent == Decimal("75.0000")
        assert by_day[date(2026, 11, 21)].down_seconds == 2 * 3600  # today, live
        # The month's 20 closed days (it reaches further back than the bars) × (the service
        # and its monitor) stored; today never is.
        assert AvailabilityDay.objects.count() == 40
        assert not AvailabilityDay.objects.filter(day=date(2026, 11, 21)).exists()
        # The month's figure is the stored days plus today: the same as computing it all live.
        month, days = uptime_overview(world.a, days=10, now=now)
        live = next(f for f in availability(world.a, 2026, 11, now=now) if f.monitor_id is None)
        assert (month[svc.pk].measured_seconds, month[svc.pk].down_seconds) == (
            live.measured_seconds,
            live.down_seconds,
        )
        assert month[svc.pk].availability_percent == live.availability_percent
        assert days == first
        # Closed days are read from their rows: history before today removed behind the
        # portal's back leaves them as stored, while today follows the history.
        MonitorStateChange.objects.filter(at__gte=now - timedelta(hours=3)).delete()
        after = {d.day: d for d in daily_availability(world.a, days=10, now=now)}
        assert after[date(2026, 11, 15)] == by_day[date(2026, 11, 15)]
        assert after[date(2026, 11, 21)].down_seconds == 0


@pytest.mark.django_db
def test_a_late_result_for_a_closed_day_is_computed_again(world: World) -> None:
    now = NOV + timedelta(days=20, hours=6)
    with tenant_context(world.a):
        svc = service(world.a, world.technician)
        other = service(world.a, world.technician, name="Other")
        mon = monitor(world.a, world.technician, svc, failures_to_down=1, successes_to_up=1)
        calm = monitor(world.a, world.technician, other, "Calm", failures_to_down=1)
        Monitor.objects.update(created_at=NOV, state_since=NOV)
        mon.refresh_from_db()
        calm.refresh_from_db()
        report(world.a, mon, "up", start=NOV + timedelta(days=1))
        report(world.a, calm, "up", start=NOV + timedelta(days=1))
        daily_availability(world.a, days=10, now=now)
        stored_other = set(AvailabilityDay.objects.filter(service=other).values_list("pk", flat=True))
        assert len(stored_other) == 40
        # An agent's buffered results arrive today for Nov 18: down 4 h, then back.
        late = NOV + timedelta(days=17, hours=10)
        report(world.a, mon, "down", start=late)
        report(world.a, mon, "up", start=late + timedelta(hours=4))
        # The service's rows from Nov 18 on are gone; the other service's are untouched.
        assert not AvailabilityDay.objects.filter(service=svc, day__gte=date(2026, 11, 18)).exists()
        assert AvailabilityDay.objects.filter(service=svc, day__lt=date(2026, 11, 18)).count() == 34
        assert set(AvailabilityDay.objects.filter(service=other).values_list("pk", flat=True)) == stored_other
        figures = daily_availability(world.a, days=10, now=now)
        assert {d.day: d.down_seconds for d in figures if d.service_id == svc.pk}[
            date(2026, 11, 18)
        ] == 4 * 3600
        assert _as_seconds(figures) == {
            key: (am.percent(m, d), d, mt) for key, (m, d, mt) in _fresh_daily(10, now).items()
        }


@pytest.mark.django_db
def test_maintenance_reaching_back_and_a_removed_monitor_recompute_their_service(world: World) -> None:
    now = NOV + timedelta(days=20, hours=6)
    with tenant_context(world.a):
        svc = service(world.a, world.technician)
        keep = monitor(world.a, world.technician, svc, "Keep", failures_to_down=1)
        gone = monitor(world.a, world.technician, svc, "Gone", failures_to_down=1)
        Monitor.objects.update(created_at=NOV, state_since=NOV)
        report(world.a, keep, "up", start=NOV + timedelta(days=1))
        report(world.a, gone, "up", start=NOV + timedelta(days=1))
        report(world.a, gone, "down", start=NOV + timedelta(days=16))
        daily_availability(world.a, days=10, now=now)
        assert AvailabilityDay.objects.filter(service=svc).count() == 60
        monitoring_actions.delete_monitor(world.a, gone.pk, actor=world.technician)
        assert not AvailabilityDay.objects.filter(service=svc).exists()
        figures = daily_availability(world.a, days=10, now=now)
        assert {d.down_seconds for d in figures} == {0}  # the removed monitor's downtime went with it
        assert AvailabilityDay.objects.filter(service=svc).count() == 40
        # Ending a window in progress (started yesterday) forgets the days it touched.
        window = MaintenanceWindow.objects.create(
            service=svc, starts_at=now - timedelta(hours=10), ends_at=now + timedelta(hours=1), reason="Patch"
        )
        monitoring_actions.cancel_maintenance(world.a, window.pk, actor=world.technician, now=now)
        assert not AvailabilityDay.objects.filter(service=svc, day__gte=date(2026, 11, 20)).exists()
        by_day = {d.day: d for d in daily_availability(world.a, days=10, now=now)}
        assert by_day[date(2026, 11, 20)].maintenance_seconds == 4 * 3600


@pytest.mark.django_db
def test_the_nightly_task_stores_the_day_that_ended_once(world: World) -> None:
    now = NOV + timedelta(days=20, minutes=5)
    with tenant_context(world.a):
        svc = service(world.a, world.technician)
        mon = monitor(world.a, world.technician, svc, failures_to_down=1)
        Monitor.objects.update(created_at=NOV, state_since=NOV)
        report(world.a, mon, "up", start=NOV + timedelta(days=1))
        assert store_closed_days(world.a, days=1, now=now) == 2  # the service and its monitor
        assert store_closed_days(world.a, days=1, now=now) == 0
        assert set(AvailabilityDay.objects.values_list("day", flat=True)) == {date(2026, 11, 20)}
        assert store_closed_days(world.a, days=3, now=now) == 4
        with pytest.raises(ActionError):
            store_closed_days(world.a, days=0, now=now)
