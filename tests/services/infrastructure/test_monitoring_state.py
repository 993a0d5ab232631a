"""The monitor state machine: flap suppression, one outage and one ticket per outage,
recovery, maintenance, stale results and bad input."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django_tenants.utils import tenant_context

from core.errors import ActionError
from services.infrastructure import monitoring_actions as actions
from services.infrastructure.monitor_index.models import MonitorSchedule
from services.infrastructure.monitoring import CheckResultIn, record_check_results
from services.infrastructure.monitoring_models import Monitor, MonitorStateChange, Outage
from services.support.models import Ticket, TicketActivity
from services.workqueue.models import WorkItem
from tests.conftest import World
from tests.services.infrastructure.monitoring_helpers import T0, monitor, report, service

pytestmark = pytest.mark.django_db


def _states(mon: Monitor) -> list[tuple[str, str]]:
    return list(MonitorStateChange.objects.filter(monitor=mon).values_list("from_state", "to_state"))


def test_three_failures_open_one_outage_and_one_incident_ticket(world: World) -> None:
    with tenant_context(world.a):
        svc = service(world.a, world.technician, is_business_critical=True)
        mon = monitor(world.a, world.technician, svc)
        report(world.a, mon, "up", start=T0)
        first = report(world.a, mon, "down", "down", start=T0 + timedelta(minutes=1))
        mon.refresh_from_db()
        assert mon.state == "up" and first.outages_opened == 0 and not Ticket.objects.exists()
        third = report(world.a, mon, "down", "down", "down", start=T0 + timedelta(minutes=3))
        mon.refresh_from_db()
        assert mon.state == "down"
        # Down since the first failed check of the confirming run.
        assert mon.state_since == T0 + timedelta(minutes=1)
        assert third.outages_opened == 1 and len(third.tickets_opened) == 1
        ticket = Ticket.objects.get()
        assert (ticket.channel, ticket.service_line, ticket.impact, ticket.urgency) == (
            "monitoring",
            "infrastructure",
            "high",
            "high",
        )
        assert ticket.priority == "P1" and ticket.created_by_id is None and ticket.sla_policy_id is not None
        assert ticket.requester.user_id == world.a_lead.pk
        assert WorkItem.objects.filter(client=world.a, object_id=ticket.pk, is_open=True).exists()
        assert Outage.objects.get().ticket_id == ticket.pk
        assert _states(mon) == [("unknown", "up"), ("up", "down")]
        row = MonitorSchedule.objects.get(client=world.a, monitor_id=mon.pk)
        assert (row.state, row.open_ticket_number) == ("down", ticket.number)


def test_medium_impact_when_the_service_is_not_business_critical(world: World) -> None:
    with tenant_context(world.a):
        svc = service(world.a, world.technician, name="Website")
        mon = monitor(world.a, world.technician, svc, urgency="medium", failures_to_down=1)
        report(world.a, mon, "down", start=T0)
        ticket = Ticket.objects.get()
        assert (ticket.impact, ticket.urgency, ticket.priority) == ("medium", "medium", "P3")


def test_flapping_never_goes_down(world: World) -> None:
    with tenant_context(world.a):
        mon = monitor(world.a, world.technician, service(world.a, world.technician))
        report(world.a, mon, "up", "down", "down", "up", "down", "down", "up", "down", start=T0)
        mon.refresh_from_db()
        assert mon.state == "up" and not Outage.objects.exists() and not Ticket.objects.exists()


def test_recovery_needs_two_successes_then_notes_and_resolves_the_ticket(world: World) -> None:
    with tenant_context(world.a):
        mon = monitor(world.a, world.technician, service(world.a, world.technician))
        report(world.a, mon, "down", "down", "down", "down", start=T0)
        one = report(world.a, mon, "up", start=T0 + timedelta(minutes=10))
        mon.refresh_from_db()
        assert mon.state == "down" and one.outages_closed == 0
        report(world.a, mon, "down", "up", start=T0 + timedelta(minutes=11))
        mon.refresh_from_db()
        assert mon.state == "down"
        two = report(world.a, mon, "up", start=T0 + timedelta(minutes=13))
        mon.refresh_from_db()
        assert mon.state == "up" and two.outages_closed == 1
        assert mon.state_since == T0 + timedelta(minutes=12)
        outage = Outage.objects.get()
        assert (outage.started_at, outage.ended_at) == (T0, T0 + timedelta(minutes=12))
        ticket = Ticket.objects.get()
        assert ticket.status == "resolved"
        entries = list(
            ticket.activities.filter(kind=TicketActivity.Kind.MONITORING).values_list("detail", flat=True)
        )
        assert [e["event"] for e in entries] == ["down", "recovered"]
        assert entries[1]["down_minutes"] == 12
        assert WorkItem.objects.get(client=world.a, object_id=ticket.pk).is_open is False
        assert MonitorSchedule.objects.get(client=world.a, monitor_id=mon.pk).open_ticket_number is None


def test_recovery_leaves_the_ticket_open_when_the_service_says_so(world: World) -> None:
    with tenant_context(world.a):
        svc = service(world.a, world.technician, resolve_ticket_on_recovery=False)
        mon = monitor(world.a, world.technician, svc, failures_to_down=1, successes_to_up=1)
        report(world.a, mon, "down", "up", start=T0)
        ticket = Ticket.objects.get()
        assert ticket.status == "new"
        assert ticket.activities.filter(kind="monitoring", detail__event="recovered").count() == 1


def test_a_second_outage_raises_a_second_ticket(world: World) -> None:
    with tenant_context(world.a):
        mon = monitor(
            world.a,
            world.technician,
            service(world.a, world.technician),
            failures_to_down=1,
            successes_to_up=1,
        )
        report(world.a, mon, "down", "down", "up", "down", start=T0)
        assert Outage.objects.count() == 2 and Ticket.objects.count() == 2


def test_degraded_is_reachable_and_moves_at_once(world: World) -> None:
    with tenant_context(world.a):
        mon = monitor(world.a, world.technician, service(world.a, world.technician))
        report(world.a, mon, "up", "degraded", "up", start=T0)
        assert _states(mon) == [("unknown", "up"), ("up", "degraded"), ("degraded", "up")]
        assert not Outage.objects.exists()


def test_an_older_result_is_ignored(world: World) -> None:
    with tenant_context(world.a):
        mon = monitor(world.a, world.technician, service(world.a, world.technician), failures_to_down=1)
        report(world.a, mon, "up", start=T0 + timedelta(minutes=5))
        late = report(world.a, mon, "down", start=T0)
        mon.refresh_from_db()
        assert (late.accepted, late.ignored_stale, mon.state) == (0, 1, "up")


def test_no_outage_inside_maintenance_and_one_after_it(world: World) -> None:
    with tenant_context(world.a):
        svc = service(world.a, world.technician)
        mon = monitor(world.a, world.technician, svc, failures_to_down=1)
        actions.schedule_maintenance(
            world.a,
            svc.pk,
            actor=world.technician,
            starts_at=T0,
            ends_at=T0 + timedelta(hours=1),
            reason="Patching",
            now=T0,
        )
        report(world.a, mon, "down", "down", start=T0 + timedelta(minutes=10))
        mon.refresh_from_db()
        assert mon.state == "down" and not Outage.objects.exists() and not Ticket.objects.exists()
        report(world.a, mon, "down", start=T0 + timedelta(minutes=61))
        outage = Outage.objects.get()
        assert outage.started_at == T0 + timedelta(hours=1) and outage.ticket is not None


def test_paused_monitor_keeps_its_state(world: World) -> None:
    with tenant_context(world.a):
        mon = monitor(world.a, world.technician, service(world.a, world.technician), failures_to_down=1)
        actions.set_monitor_paused(world.a, mon.pk, actor=world.technician, paused=True, now=T0)
        report(world.a, mon, "down", "down", start=T0 + timedelta(minutes=1))
        mon.refresh_from_db()
        assert mon.state == "paused" and mon.last_result_status == "down" and not Outage.objects.exists()
        assert MonitorSchedule.objects.get(client=world.a, monitor_id=mon.pk).is_scheduled is False


@pytest.mark.parametrize(
    ("result", "field", "code"),
    [
        ({"monitor_key": "no-such-monitor"}, "results.0.monitorKey", "NOT_FOUND"),
        ({"monitor_key": "bad\x00key"}, "results.0.monitorKey", "NOT_FOUND"),
        ({"monitor_key": "", "monitor_id": None}, "results.0.monitorKey", "REQUIRED"),
        ({"status": "sideways"}, "results.0.status", "INVALID"),
        ({"observed_at": T0.replace(tzinfo=None)}, "results.0.observedAt", "INVALID"),
        ({"observed_at": T0 + timedelta(hours=1)}, "results.0.observedAt", "INVALID"),
        ({"latency_ms": -1}, "results.0.latencyMs", "INVALID"),
        ({"message": "nul\x00"}, "results.0.message", "INVALID"),
    ],
)
def test_bad_results_are_typed_errors_and_nothing_is_written(world: World, result, field, code) -> None:
    with tenant_context(world.a):
        mon = monitor(world.a, world.technician, service(world.a, world.technician), failures_to_down=1)
        good = CheckResultIn(status="down", observed_at=T0, monitor_key=mon.key)
        values = {"status": "down", "observed_at": T0, "monitor_key": mon.key, **result}
        with pytest.raises(ActionError) as raised:
            record_check_results(world.a, [good, CheckResultIn(**values)], now=T0)
        assert [(e.field, e.code) for e in raised.value.errors] == [(field.replace(".0.", ".1."), code)]
        mon.refresh_from_db()
        assert mon.last_result_at is None and not Outage.objects.exists() and not Ticket.objects.exists()


def test_another_clients_monitor_key_is_not_found(world: World) -> None:
    with tenant_context(world.b):
        other = monitor(world.b, world.technician, service(world.b, world.technician), key="bravo-vpn")
    with tenant_context(world.a), pytest.raises(ActionError) as raised:
        record_check_results(
            world.a, [CheckResultIn(status="down", observed_at=T0, monitor_key=other.key)], now=T0
        )
    assert raised.value.errors[0].code == "NOT_FOUND"
    with tenant_context(world.a), pytest.raises(ActionError):
        record_check_results(
            world.a, [CheckResultIn(status="down", observed_at=T0, monitor_id=other.pk)], now=T0
        )


def test_too_many_results(world: World) -> None:
    with tenant_context(world.a), pytest.raises(ActionError) as raised:
        record_check_results(
            world.a, [CheckResultIn(status="up", observed_at=T0, monitor_key="x")] * 1001, now=T0
        )
    assert raised.value.errors[0].code == "TOO_MANY"
