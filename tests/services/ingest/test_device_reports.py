"""Device state from the RMM: matched by serial (any case), registered when new, moved only
forwards in time, people's own fields left alone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django_tenants.utils import tenant_context

from core.tenancy import WrongSchemaError
from services.infrastructure.device_reports import DeviceReport, record_device_reports
from services.infrastructure.models import Device
from tests.conftest import World
from tests.services.ingest.helpers import NOW, device_item


def report(serial: str, minutes_ago: int = 0, **fields) -> DeviceReport:
    return DeviceReport(
        serial=serial,
        hostname=fields.pop("hostname", serial.lower()),
        observed_at=NOW - timedelta(minutes=minutes_ago),
        **fields,
    )


def known_device(**fields) -> Device:
    return Device.objects.create(
        name="CEO laptop", device_type="laptop", serial="AbC-123", criticality="high", **fields
    )


def test_a_known_device_is_matched_by_serial_in_any_case_and_keeps_its_own_fields(world: World) -> None:
    with tenant_context(world.a):
        device = known_device()
        outcome = record_device_reports(
            world.a,
            [
                report(
                    "abc-123",
                    hostname="DESKTOP-7QX",
                    os="Windows 11",
                    os_version="24H2",
                    protection_status="outdated",
                    protection_product="Defender",
                    patch_status="pending",
                )
            ],
            now=NOW,
        )
        assert (outcome.updated, outcome.registered, outcome.unchanged) == (1, 0, 0)
        device.refresh_from_db()
        assert (device.name, device.device_type, device.serial, device.criticality) == (
            "CEO laptop",
            "laptop",
            "AbC-123",
            "high",
        )
        assert (device.os, device.os_version) == ("Windows 11", "24H2")
        assert (device.protection_status, device.protection_product, device.protection_reported_at) == (
            "outdated",
            "Defender",
            NOW,
        )
        assert (device.patch_status, device.patch_reported_at, device.last_seen_at) == ("pending", NOW, NOW)
        assert Device.objects.count() == 1


def test_an_unknown_serial_is_registered_as_a_managed_device(world: World) -> None:
    with tenant_context(world.a):
        outcome = record_device_reports(
            world.a,
            [report("NEW-1", hostname="srv-files", device_type="server", patch_status="current")],
            now=NOW,
        )
        assert (outcome.updated, outcome.registered) == (0, 1)
        device = Device.objects.get()
        assert (device.name, device.serial, device.device_type, device.is_managed) == (
            "srv-files",
            "NEW-1",
            "server",
            True,
        )
        assert (device.patch_status, device.protection_status) == ("current", "unknown")
        record_device_reports(world.a, [report("new-1", hostname="renamed")], now=NOW)
        assert Device.objects.get().name == "srv-files"  # registered once, name kept


def test_older_reports_never_overwrite_newer_ones(world: World) -> None:
    with tenant_context(world.a):
        device = known_device()
        record_device_reports(
            world.a, [report("ABC-123", 5, protection_status="protected", patch_status="current")], now=NOW
        )
        # A batch delayed in transit arrives later with state from 20 minutes ago.
        outcome = record_device_reports(
            world.a,
            [report("ABC-123", 20, protection_status="missing", patch_status="overdue", os="Windows 10")],
            now=NOW,
        )
        assert outcome.unchanged == 1
        device.refresh_from_db()
        assert (device.protection_status, device.patch_status, device.os) == ("protected", "current", "")
        assert device.last_seen_at == NOW - timedelta(minutes=5)


def test_reports_of_one_device_in_a_batch_apply_in_time_order(world: World) -> None:
    with tenant_context(world.a):
        known_device()
        record_device_reports(
            world.a,
            [
                report("ABC-123", 1, protection_status="protected"),
                report("ABC-123", 9, protection_status="missing", patch_status="overdue"),
                report("ABC-123", 5, patch_status="current"),
            ],
            now=NOW,
        )
        device = Device.objects.get()
        assert (device.protection_status, device.patch_status) == ("protected", "current")
        assert device.protection_reported_at == NOW - timedelta(minutes=1)
        assert device.patch_reported_at == NOW - timedelta(minutes=5)


def test_a_report_without_a_status_leaves_that_status_alone(world: World) -> None:
    with tenant_context(world.a):
        known_device(protection_status="protected", protection_reported_at=NOW - timedelta(days=1))
        record_device_reports(world.a, [report("ABC-123", last_seen_at=NOW - timedelta(minutes=2))], now=NOW)
        device = Device.objects.get()
        assert device.protection_status == "protected"
        assert device.protection_reported_at == NOW - timedelta(days=1)
        assert device.last_seen_at == NOW - timedelta(minutes=2)


def test_the_action_refuses_to_run_outside_the_clients_schema(world: World) -> None:
    with tenant_context(world.b), pytest.raises(WrongSchemaError):
        record_device_reports(world.a, [report("X")], now=NOW)


def test_status_updates_through_the_endpoint(world: World, sender) -> None:
    with tenant_context(world.a):
        known_device(protection_status="protected", protection_reported_at=NOW - timedelta(hours=1))
    rmm = sender(world.a)
    response = rmm.post(
        {
            "batch_id": "status",
            "items": [
                device_item(
                    "abc-123",
                    protection_status="missing",
                    patch_status="overdue",
                    os="Windows 11",
                    os_version="23H2",
                    last_seen_at=(NOW - timedelta(minutes=3)).isoformat().replace("+00:00", "Z"),
                )
            ],
        }
    )
    assert response.status_code == 200, response.content
    with tenant_context(world.a):
        device = Device.objects.get()
        assert (device.protection_status, device.protection_product, device.patch_status) == (
            "missing",
            "",
            "overdue",
        )
        assert device.last_seen_at == NOW - timedelta(minutes=3)
        assert device.protection_reported_at == NOW
