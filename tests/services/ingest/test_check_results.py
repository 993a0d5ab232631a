"""Check results pushed through the ingest move the client's monitors (the monitoring
state machine: outage and incident ticket after the confirming failures)."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django_tenants.utils import tenant_context

from services.infrastructure.models import Device
from services.infrastructure.monitoring_models import Monitor, Outage
from services.ingest.models import IngestBatch
from services.support.models import Ticket
from tests.conftest import World
from tests.services.infrastructure.monitoring_helpers import monitor, service
from tests.services.ingest.helpers import NOW, device_item


def back_to_public() -> None:
    """Leave the schema the last request switched to (as a new request would)."""
    connection.set_schema_to_public()  # type: ignore[attr-defined]


def push_monitor(world: World, client, key: str = "vpn-gateway") -> Monitor:
    with tenant_context(client):
        svc = service(client, world.technician, name="Remote access VPN", is_business_critical=True)
        return monitor(client, world.technician, svc, name="VPN gateway", key=key)


def check(key: str, status: str, seconds_ago: int, **fields) -> dict:
    observed = (NOW - timedelta(seconds=seconds_ago)).isoformat()
    return {"kind": "check", "monitor": key, "status": status, "observed_at": observed, **fields}


def test_pushed_failures_open_an_outage_and_its_incident_ticket(world: World, sender) -> None:
    mon = push_monitor(world, world.a)
    rmm = sender(world.a)
    items = [check("vpn-gateway", "up", 240, latency_ms=12)] + [
        check("vpn-gateway", "down", 180 - 60 * n, message="no route to host") for n in range(3)
    ]
    response = rmm.post({"batch_id": "checks-1", "items": items})
    assert response.status_code == 200, response.content
    assert response.json()["accepted"] == 4
    with tenant_context(world.a):
        mon.refresh_from_db()
        assert mon.state == "down"
        outage = Outage.objects.get(monitor=mon)
        assert outage.ended_at is None and outage.ticket is not None
        assert Ticket.objects.count() == 1
    stored = IngestBatch.objects.get(client=world.a, batch_id="checks-1")
    assert (stored.check_count, stored.device_count) == (4, 0)
    # The same outage reported again in the next batch opens nothing more.
    again = rmm.post({"batch_id": "checks-2", "items": [check("vpn-gateway", "down", 0)]})
    assert again.status_code == 200
    with tenant_context(world.a):
        assert Outage.objects.count() == 1 and Ticket.objects.count() == 1


def test_an_unknown_monitor_refuses_the_whole_batch(world: World, sender) -> None:
    push_monitor(world, world.a)
    response = sender(world.a).post(
        {
            "batch_id": "mixed",
            "items": [
                device_item("SN-1", patch_status="current"),
                check("vpn-gateway", "down", 10),
                check("no-such-monitor", "up", 10),
            ],
        }
    )
    assert response.status_code == 400
    body = response.json()
    assert body["error"]["code"] == "invalid_items"
    assert body["items"][0] == {"index": 0, "status": "not_stored"}
    assert body["items"][1] == {"index": 1, "status": "not_stored"}
    assert body["items"][2]["status"] == "rejected"
    assert [(e["field"], e["code"]) for e in body["items"][2]["errors"]] == [("monitor", "not_found")]
    with tenant_context(world.a):
        assert not Device.objects.exists()
        assert Monitor.objects.get(key="vpn-gateway").state == "unknown"
    assert not IngestBatch.objects.filter(client=world.a).exists()


def test_a_token_of_a_cannot_report_bs_monitors(world: World, sender) -> None:
    b_monitor = push_monitor(world, world.b, key="bravo-firewall")
    response = sender(world.a).post({"batch_id": "probe", "items": [check("bravo-firewall", "down", 0)]})
    assert response.status_code == 400
    assert response.json()["items"][0]["errors"][0]["code"] == "not_found"
    with tenant_context(world.b):
        b_monitor.refresh_from_db()
        assert b_monitor.state == "unknown" and b_monitor.last_result_at is None


def test_bad_check_items_are_named(world: World, sender) -> None:
    response = sender(world.a).post(
        {
            "batch_id": "bad",
            "items": [
                {"kind": "check", "status": "sideways", "latency_ms": -1, "observed_at": "soon"},
                {"kind": "check", "monitor": "m", "status": "up", "latency_ms": True, "message": "x" * 4001},
                {"kind": "check", "monitor": "m\u0000", "status": "up", "exit_code": 2},
            ],
        }
    )
    assert response.status_code == 400
    codes = [{(e["field"], e["code"]) for e in item["errors"]} for item in response.json()["items"]]
    assert codes[0] == {
        ("monitor", "required"),
        ("status", "invalid_choice"),
        ("latency_ms", "out_of_range"),
        ("observed_at", "invalid"),
    }
    assert codes[1] == {("latency_ms", "out_of_range"), ("message", "too_long")}
    assert codes[2] == {("monitor", "nul_byte"), ("exit_code", "unknown_field")}


def test_a_mixed_batch_costs_the_same_queries_at_any_size(
    world: World, sender, django_assert_num_queries
) -> None:
    keys = [f"agent-{n}" for n in range(5)]
    with tenant_context(world.a):
        svc = service(world.a, world.technician, name="Endpoints")
        for key in keys:
            monitor(world.a, world.technician, svc, name=key, key=key)
    rmm = sender(world.a)
    # Warm up: every monitor is up already, so neither batch below changes a state.
    assert rmm.post({"batch_id": "warm", "items": [check(key, "up", 300) for key in keys]}).status_code == 200
    back_to_public()

    def send(size: int, batch_id: str, seconds_ago: int) -> None:
        items = []
        for n in range(size):
            items.append(check(keys[n % len(keys)], "up", seconds_ago, latency_ms=n))
            items.append(device_item(f"{batch_id}-{n}", protection_status="protected"))
        response = rmm.post({"batch_id": batch_id, "items": items})
        assert response.status_code == 200, response.content
        back_to_public()

    with django_assert_num_queries(19) as small:
        send(5, "small", 200)
    with django_assert_num_queries(len(small.captured_queries)):
        send(100, "large", 100)
