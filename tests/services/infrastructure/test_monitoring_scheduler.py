"""The scheduler over the public index, heartbeat pings, and one outage → one ticket when
results race (two connections, forced interleaving)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.test import Client as HttpClient
from django_tenants.utils import schema_context, tenant_context

from core.models import OutboxMessage
from services.infrastructure import monitoring_actions as actions
from services.infrastructure.monitor_index.models import MonitorSchedule
from services.infrastructure.monitoring import CheckResultIn, record_check_results
from services.infrastructure.monitoring_models import ClientService, Monitor, Outage
from services.infrastructure.scheduler import RUN_CHECKS_TASK, dispatch_due_checks
from services.support.models import Ticket
from tests.concurrency import first_holds_while_second_waits
from tests.conftest import World
from tests.services.infrastructure.monitoring_helpers import T0, monitor, service


@pytest.mark.django_db
def test_due_monitors_are_claimed_once_and_queued_per_client(world: World, capture_task: Any) -> None:
    capture_task(RUN_CHECKS_TASK)  # queued, not run
    with tenant_context(world.a):
        svc = service(world.a, world.technician)
        a1 = monitor(
            world.a,
            world.technician,
            svc,
            "A web",
            "tcp",
            target="127.0.0.1:9",
            interval_seconds=60,
            timeout_seconds=5,
        )
        a2 = monitor(
            world.a,
            world.technician,
            svc,
            "A db",
            "tcp",
            target="127.0.0.1:9",
            interval_seconds=300,
            timeout_seconds=5,
        )
        monitor(world.a, world.technician, svc, "A push", "push")
    with tenant_context(world.b):
        b1 = monitor(
            world.b,
            world.technician,
            service(world.b, world.technician),
            "B web",
            "tcp",
            target="127.0.0.1:9",
            timeout_seconds=5,
        )
    MonitorSchedule.objects.exclude(client__in=[world.a, world.b]).update(is_scheduled=False)
    result = dispatch_due_checks(T0 + timedelta(seconds=10))
    assert (result.claimed, result.tasks) == (3, 2)
    messages = OutboxMessage.objects.filter(task=RUN_CHECKS_TASK).order_by("schema_name")
    assert [(m.schema_name, sorted(m.args[0])) for m in messages] == [
        (world.a.schema_name, sorted([a1.pk, a2.pk])),
        (world.b.schema_name, [b1.pk]),
    ]
    rows = dict(MonitorSchedule.objects.filter(client=world.a).values_list("monitor_id", "next_check_at"))
    assert rows[a1.pk] == T0 + timedelta(seconds=60)
    assert rows[a2.pk] == T0 + timedelta(seconds=300)
    assert dispatch_due_checks(T0 + timedelta(seconds=20)).claimed == 0
    # Far behind: the next check is an interval after now, not a burst of catch-up checks.
    later = T0 + timedelta(hours=2)
    assert dispatch_due_checks(later).claimed == 3
    assert MonitorSchedule.objects.get(client=world.a, monitor_id=a1.pk).next_check_at == later + timedelta(
        seconds=60
    )


@pytest.mark.django_db
def test_offboarded_clients_are_moved_on_without_checks(world: World) -> None:
    with tenant_context(world.a):
        mon = monitor(
            world.a,
            world.technician,
            service(world.a, world.technician),
            "Web",
            "tcp",
            target="127.0.0.1:9",
            timeout_seconds=5,
        )
    type(world.a).objects.filter(pk=world.a.pk).update(status="offboarded")
    result = dispatch_due_checks(T0 + timedelta(seconds=1))
    assert result.tasks == 0 and result.skipped_not_live >= 1
    moved = MonitorSchedule.objects.get(client=world.a, monitor_id=mon.pk).next_check_at
    assert moved is not None and moved > T0 + timedelta(seconds=1)


@pytest.mark.django_db
def test_heartbeat_ping_url_records_up_and_moves_the_deadline(world: World) -> None:
    with tenant_context(world.a):
        beat = monitor(
            world.a,
            world.technician,
            service(world.a, world.technician),
            "Backup",
            "heartbeat",
            interval_seconds=3600,
        )
        token = actions.ping_token(world.a, beat)
    http = HttpClient()
    assert http.get(f"/monitoring/ping/{token}").status_code == 200
    assert http.post(f"/monitoring/ping/{token}x").status_code == 404
    assert http.get("/monitoring/ping/").status_code in (200, 404)  # the SPA's 404 page
    with tenant_context(world.a):
        beat.refresh_from_db()
        assert beat.state == "up"
    row = MonitorSchedule.objects.get(client=world.a, monitor_id=beat.pk)
    assert beat.last_result_at is not None
    assert row.next_check_at == beat.last_result_at + timedelta(seconds=3660)
    # Another client's monitor id behind a valid token shape finds nothing.
    assert http.get(f"/monitoring/ping/{world.b.pk}-{beat.heartbeat_secret}").status_code == 404


@pytest.fixture
def committed_monitor(world_state: World, django_db_blocker: Any) -> Any:
    with django_db_blocker.unblock():
        with schema_context(world_state.a.schema_name):
            svc = actions.create_service(
                world_state.a, actions.ServiceInput(name="Race VPN"), actor=world_state.technician, now=T0
            )
            mon = actions.create_monitor(
                world_state.a,
                svc.pk,
                actions.MonitorInput(name="Race", kind="push", failures_to_down=1),
                actor=world_state.technician,
                now=T0,
            )
        yield mon
        with schema_context(world_state.a.schema_name):
            ticket_ids = list(Outage.objects.filter(monitor=mon).values_list("ticket_id", flat=True))
            ClientService.objects.filter(pk=svc.pk).delete()
            from services.workqueue.models import WorkItem

            WorkItem.objects.filter(client=world_state.a, object_id__in=ticket_ids).delete()
            for ticket in Ticket.objects.filter(pk__in=ticket_ids):
                ticket.sla_events.all().delete()
                ticket.activities.all().delete()
                ticket.delete()
        MonitorSchedule.objects.filter(client=world_state.a, monitor_id=mon.pk).delete()


def test_two_racing_reports_of_one_outage_open_one_ticket(
    world_state: World, committed_monitor: Monitor, django_db_blocker: Any
) -> None:
    a = world_state.a

    def report(minute: int) -> Any:
        return lambda: record_check_results(
            a,
            [
                CheckResultIn(
                    status="down",
                    observed_at=T0 + timedelta(minutes=minute),
                    monitor_key=committed_monitor.key,
                )
            ],
            now=T0 + timedelta(minutes=minute),
        )

    with django_db_blocker.unblock():
        first, second = first_holds_while_second_waits(report(1), report(2), a.schema_name)
        assert (first.outages_opened, second.outages_opened) == (1, 0)
        with schema_context(a.schema_name):
            assert Outage.objects.filter(monitor_id=committed_monitor.pk).count() == 1
            assert Outage.objects.get(monitor_id=committed_monitor.pk).ticket_id is not None
            assert Monitor.objects.get(pk=committed_monitor.pk).consecutive_failures == 2


def test_the_open_outage_constraint_backs_up_the_lock(
    world_state: World, committed_monitor: Monitor, django_db_blocker: Any
) -> None:
    from django.db import IntegrityError

    with django_db_blocker.unblock(), schema_context(world_state.a.schema_name):
        Outage.objects.create(monitor_id=committed_monitor.pk, started_at=T0)
        with pytest.raises(IntegrityError), transaction.atomic():
            Outage.objects.create(monitor_id=committed_monitor.pk, started_at=T0 + timedelta(minutes=1))
        Outage.objects.filter(monitor_id=committed_monitor.pk).delete()
