"""Monitoring through /graphql/: staff manage services, monitors and maintenance; typed
errors with nothing written; IT leads read; constant query counts; the Down now board."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from services.infrastructure.monitor_index.models import MonitorSchedule
from services.infrastructure.monitoring import CheckResultIn, record_check_results
from services.infrastructure.monitoring_models import ClientService, MaintenanceWindow, Monitor
from tests.conftest import World
from tests.services.infrastructure.monitoring_helpers import monitor, service

pytestmark = pytest.mark.django_db

CREATE_SERVICE = """
mutation($input: ClientServiceInput!) {
  createClientService(clientSlug: "alpha", input: $input) {
    service { id name category isBusinessCritical promisedAvailability state monitors { id } }
    errors { field code message }
  }
}"""
CREATE_MONITOR = """
mutation($serviceId: ID!, $input: MonitorInput!) {
  createMonitor(clientSlug: "alpha", serviceId: $serviceId, input: $input) {
    monitor { id key kind target intervalSeconds failuresToDown successesToUp state pingUrl }
    errors { field code message }
  }
}"""
SERVICES = """
{ clientServices(clientSlug: "alpha") {
    id name state promisedAvailability
    monitors { id name kind state target lastMessage }
    openOutages { ticketNumber startedAt }
    maintenance { reason } nextMaintenance { reason }
} }"""


def test_staff_create_a_service_and_monitors(world: World, gql) -> None:
    staff = gql(world.technician)
    created = staff.data(
        CREATE_SERVICE,
        {
            "input": {
                "name": "VPN",
                "category": "CONNECTIVITY",
                "isBusinessCritical": True,
                "promisedAvailability": 99.95,
            }
        },
    )["createClientService"]
    assert created["errors"] == [] and created["service"]["state"] == "UNKNOWN"
    assert created["service"]["promisedAvailability"] == 99.95
    service_id = created["service"]["id"]
    web = staff.data(
        CREATE_MONITOR,
        {
            "serviceId": service_id,
            "input": {"name": "VPN portal", "kind": "HTTP", "target": "https://vpn.example.com/"},
        },
    )["createMonitor"]
    assert web["errors"] == []
    assert (web["monitor"]["key"], web["monitor"]["failuresToDown"], web["monitor"]["successesToUp"]) == (
        "vpn-portal",
        3,
        2,
    )
    beat = staff.data(
        CREATE_MONITOR,
        {"serviceId": service_id, "input": {"name": "Backup", "kind": "HEARTBEAT", "intervalSeconds": 3600}},
    )["createMonitor"]["monitor"]
    assert beat["failuresToDown"] == 1 and "/monitoring/ping/" in beat["pingUrl"]
    row = MonitorSchedule.objects.get(client=world.a, monitor_id=int(web["monitor"]["id"]))
    assert (row.kind, row.is_scheduled, row.service_name, row.is_business_critical) == (
        "http",
        True,
        "VPN",
        True,
    )


@pytest.mark.parametrize(
    ("input", "field", "code"),
    [
        ({"name": "x", "kind": "HTTP", "target": "not a url"}, "target", "INVALID"),
        ({"name": "x", "kind": "HTTP", "target": "ftp://files.example.com"}, "target", "INVALID"),
        ({"name": "x", "kind": "HTTP", "target": "https://exa mple.com"}, "target", "INVALID"),
        ({"name": "x", "kind": "HTTP", "target": "http://example.com:99999/"}, "target", "INVALID"),
        ({"name": "x", "kind": "TCP", "target": "example.com"}, "target", "INVALID"),
        ({"name": "x", "kind": "TCP", "target": "example.com:0"}, "target", "INVALID"),
        ({"name": "x", "kind": "TCP", "target": "-bad-.com:22"}, "target", "INVALID"),
        ({"name": "x", "kind": "PUSH", "target": "example.com:22"}, "target", "INVALID"),
        (
            {"name": "x", "kind": "TCP", "target": "h.example:22", "intervalSeconds": 5},
            "intervalSeconds",
            "INVALID",
        ),
        (
            {"name": "x", "kind": "TCP", "target": "h.example:22", "intervalSeconds": 10**9},
            "intervalSeconds",
            "INVALID",
        ),
        (
            {"name": "x", "kind": "TCP", "target": "h.example:22", "timeoutSeconds": 0},
            "timeoutSeconds",
            "INVALID",
        ),
        (
            {
                "name": "x",
                "kind": "TCP",
                "target": "h.example:22",
                "intervalSeconds": 30,
                "timeoutSeconds": 30,
            },
            "timeoutSeconds",
            "INVALID",
        ),
        ({"name": "x", "kind": "PUSH", "failuresToDown": 0}, "failuresToDown", "INVALID"),
        ({"name": "x", "kind": "PUSH", "successesToUp": 21}, "successesToUp", "INVALID"),
        (
            {"name": "x", "kind": "HTTP", "target": "https://a.example", "expectedStatus": 999},
            "expectedStatus",
            "INVALID",
        ),
        ({"name": "x", "kind": "PUSH", "key": "Bad Key!"}, "key", "INVALID"),
        ({"name": "", "kind": "PUSH"}, "name", "REQUIRED"),
        ({"name": "a\x00b", "kind": "PUSH"}, "name", "INVALID"),
        ({"name": "x" * 121, "kind": "PUSH"}, "name", "TOO_LONG"),
        ({"name": "x", "kind": "HTTP", "target": "https://a.example/" + "p" * 600}, "target", "TOO_LONG"),
    ],
)
def test_bad_monitor_input_is_a_typed_error_and_nothing_is_written(
    world: World, gql, input, field, code
) -> None:
    with tenant_context(world.a):
        svc = service(world.a, world.technician)
    result = gql(world.technician).data(CREATE_MONITOR, {"serviceId": str(svc.pk), "input": input})[
        "createMonitor"
    ]
    assert result["monitor"] is None
    assert (result["errors"][0]["field"], result["errors"][0]["code"]) == (field, code)
    with tenant_context(world.a):
        assert not Monitor.objects.exists()
    assert not MonitorSchedule.objects.filter(client=world.a).exists()


@pytest.mark.parametrize(
    ("service_id", "code"),
    [("abc", "INVALID"), ("999999", "NOT_FOUND"), ("Q2xpZW50OjE=", "INVALID"), ("-1", "INVALID")],
)
def test_foreign_or_broken_service_ids(world: World, gql, service_id, code) -> None:
    result = gql(world.technician).data(
        CREATE_MONITOR, {"serviceId": service_id, "input": {"name": "x", "kind": "PUSH"}}
    )
    assert result["createMonitor"]["errors"][0]["code"] == code


def test_bad_service_input(world: World, gql) -> None:
    staff = gql(world.technician)
    for promise in (0, 100.5, -1, float("1e308")):
        result = staff.data(
            CREATE_SERVICE, {"input": {"name": "VPN", "category": "OTHER", "promisedAvailability": promise}}
        )
        assert result["createClientService"]["errors"][0]["field"] == "promisedAvailability"
    staff.data(CREATE_SERVICE, {"input": {"name": "VPN", "category": "OTHER"}})
    dup = staff.data(CREATE_SERVICE, {"input": {"name": "vpn", "category": "OTHER"}})["createClientService"]
    assert dup["errors"][0]["code"] == "DUPLICATE"
    with tenant_context(world.a):
        assert ClientService.objects.count() == 1


def test_who_may_change_and_who_may_read(world: World, gql) -> None:
    for user in (world.account_manager, world.a_lead, world.a_member):
        result = gql(user, host=world.a if not user.is_msp_staff else "testserver").execute(
            CREATE_SERVICE.replace('clientSlug: "alpha", ', ""),
            {"input": {"name": "VPN", "category": "OTHER"}},
        )
        payload = (result.get("data") or {}).get("createClientService")
        assert payload is None or payload["errors"][0]["code"] == "PERMISSION_DENIED"
    with tenant_context(world.a):
        svc = service(world.a, world.technician)
        monitor(world.a, world.technician, svc, "Web", "http", target="https://secret.example/")
        assert ClientService.objects.count() == 1
    lead = gql(world.a_lead, host=world.a).data(SERVICES.replace('(clientSlug: "alpha")', ""))[
        "clientServices"
    ]
    assert lead[0]["monitors"][0]["target"] == ""  # targets are the MSP's business
    member = gql(world.a_member, host=world.a).execute(SERVICES.replace('(clientSlug: "alpha")', ""))
    assert member["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"


def test_maintenance_windows(world: World, gql) -> None:
    with tenant_context(world.a):
        svc = service(world.a, world.technician)
    staff = gql(world.technician)
    schedule = """mutation($s: ID!, $from: DateTime!, $to: DateTime!, $reason: String!) {
      scheduleMaintenance(clientSlug: "alpha", serviceId: $s, startsAt: $from, endsAt: $to, reason: $reason) {
        window { id reason } errors { field code } } }"""
    now = timezone.now()
    ok = staff.data(
        schedule,
        {
            "s": str(svc.pk),
            "from": (now + timedelta(hours=1)).isoformat(),
            "to": (now + timedelta(hours=3)).isoformat(),
            "reason": "Firmware",
        },
    )["scheduleMaintenance"]
    assert ok["errors"] == []
    for start, end, field in (
        (now - timedelta(days=1), now + timedelta(hours=1), "startsAt"),
        (now + timedelta(hours=3), now + timedelta(hours=2), "endsAt"),
        (now + timedelta(hours=1), now + timedelta(days=40), "endsAt"),
    ):
        bad = staff.data(
            schedule, {"s": str(svc.pk), "from": start.isoformat(), "to": end.isoformat(), "reason": "x"}
        )
        assert bad["scheduleMaintenance"]["errors"][0]["field"] == field
    services = staff.data(SERVICES)["clientServices"]
    assert services[0]["nextMaintenance"] == {"reason": "Firmware"}
    cancel = staff.data(
        f'mutation {{ cancelMaintenance(clientSlug: "alpha", id: "{ok["window"]["id"]}") {{ cancelledId errors {{ code }} }} }}'
    )["cancelMaintenance"]
    assert cancel["errors"] == []
    with tenant_context(world.a):
        assert not MaintenanceWindow.objects.exists()


def test_pause_and_resume(world: World, gql) -> None:
    with tenant_context(world.a):
        mon = monitor(world.a, world.technician, service(world.a, world.technician))
    pause = 'mutation { setMonitorPaused(clientSlug: "alpha", id: "%s", paused: %s) { monitor { state isPaused } errors { code } } }'
    staff = gql(world.technician)
    assert staff.data(pause % (mon.pk, "true"))["setMonitorPaused"]["monitor"] == {
        "state": "PAUSED",
        "isPaused": True,
    }
    assert staff.data(pause % (mon.pk, "false"))["setMonitorPaused"]["monitor"] == {
        "state": "UNKNOWN",
        "isPaused": False,
    }


def _down(client, mon) -> None:
    now = timezone.now()
    record_check_results(
        client,
        [
            CheckResultIn(status="down", observed_at=now - timedelta(seconds=s), monitor_key=mon.key)
            for s in (3, 2, 1)
        ],
        now=now,
    )


def test_client_services_in_constant_queries(world: World, gql) -> None:
    def count() -> int:
        staff = gql(world.technician)
        with CaptureQueriesContext(connection) as queries:
            staff.data(SERVICES)
        return len(queries)

    with tenant_context(world.a):
        svc = service(world.a, world.technician, name="S0")
        _down(world.a, monitor(world.a, world.technician, svc, "M0"))
    small = count()
    with tenant_context(world.a):
        for n in range(1, 4):
            svc = service(world.a, world.technician, name=f"S{n}")
            for m in range(3):
                _down(world.a, monitor(world.a, world.technician, svc, f"M{n}-{m}"))
    assert count() == small


def test_down_now_board_in_constant_queries(world: World, gql) -> None:
    query = "{ downNow { clientSlug clientName serviceName monitorName state ticketNumber } }"

    def count() -> tuple[int, list]:
        staff = gql(world.technician)
        with CaptureQueriesContext(connection) as queries:
            rows = staff.data(query)["downNow"]
        return len(queries), rows

    with tenant_context(world.a):
        _down(world.a, monitor(world.a, world.technician, service(world.a, world.technician), "A mail"))
    small, rows = count()
    assert [(r["clientSlug"], r["monitorName"], r["state"]) for r in rows] == [("alpha", "A mail", "DOWN")]
    with tenant_context(world.b):
        svc = service(world.b, world.technician)
        for n in range(4):
            _down(world.b, monitor(world.b, world.technician, svc, f"B {n}"))
    large, rows = count()
    assert large == small and len(rows) == 5
    # Only on the MSP host, only for staff; the limited technician sees client A only.
    limited = gql(world.limited_technician).data(query)["downNow"]
    assert {r["clientSlug"] for r in limited} == {"alpha"}
    assert (
        gql(world.a_lead, host=world.a).execute(query)["errors"][0]["extensions"]["code"]
        == "PERMISSION_DENIED"
    )
