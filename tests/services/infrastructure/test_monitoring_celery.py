"""A real Celery worker runs a client's checks against a loopback HTTP server."""

from __future__ import annotations

from typing import Any

import pytest
from django_tenants.utils import schema_context

from services.infrastructure import monitoring_actions as actions
from services.infrastructure.monitor_index.models import MonitorSchedule
from services.infrastructure.monitoring_models import ClientService, Monitor
from services.infrastructure.tasks import run_checks_task
from tests.conftest import World
from tests.services.infrastructure.loopback import http_server

pytestmark = pytest.mark.celery_worker


def test_a_worker_runs_the_check_in_the_clients_schema(
    world_state: World, worker: Any, django_db_blocker: Any
) -> None:
    a = world_state.a
    with http_server() as base:
        with django_db_blocker.unblock(), schema_context(a.schema_name):
            svc = actions.create_service(
                a, actions.ServiceInput(name="Celery web"), actor=world_state.technician
            )
            mon = actions.create_monitor(
                a,
                svc.pk,
                actions.MonitorInput(
                    name="Health", kind="http", target=f"{base}/health", keyword="OPERATIONAL"
                ),
                actor=world_state.technician,
            )
        try:
            with schema_context(a.schema_name):
                result = run_checks_task.delay([mon.pk]).get(timeout=30)
            assert result["checked"] == 1 and result["state_changes"] == 1
            with django_db_blocker.unblock():
                with schema_context(a.schema_name):
                    checked = Monitor.objects.get(pk=mon.pk)
                assert (checked.state, checked.last_message) == ("up", "HTTP 200.")
                assert MonitorSchedule.objects.get(client=a, monitor_id=mon.pk).state == "up"
        finally:
            with django_db_blocker.unblock():
                with schema_context(a.schema_name):
                    ClientService.objects.filter(pk=svc.pk).delete()
                MonitorSchedule.objects.filter(client=a, monitor_id=mon.pk).delete()
