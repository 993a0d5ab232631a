"""core.bulk.update_rows: one UPDATE … FROM (VALUES …) writes each row's own values."""

from __future__ import annotations

from datetime import UTC, datetime

from django_tenants.utils import tenant_context

from core.bulk import update_rows
from services.infrastructure.models import Device
from tests.conftest import World

AT = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def test_each_row_gets_its_own_values_nulls_included(world: World, django_assert_num_queries) -> None:
    with tenant_context(world.a):
        rows = Device.objects.bulk_create(
            [Device(name=f"d{n}", device_type="laptop", serial=f"S{n}", last_seen_at=AT) for n in range(3)]
        )
        untouched = Device.objects.create(name="other", device_type="server", serial="OTHER", os="Linux")
        rows[0].os, rows[0].last_seen_at, rows[0].is_managed = "Windows 11", None, False
        rows[1].os, rows[1].protection_status = 'it\'s "quoted"', "outdated"
        rows[2].os = ""
        with django_assert_num_queries(1):
            assert update_rows(Device, rows, ["os", "last_seen_at", "is_managed", "protection_status"]) == 3
        stored = {d.serial: d for d in Device.objects.all()}
        assert (stored["S0"].os, stored["S0"].last_seen_at, stored["S0"].is_managed) == (
            "Windows 11",
            None,
            False,
        )
        assert (stored["S1"].os, stored["S1"].protection_status, stored["S1"].last_seen_at) == (
            'it\'s "quoted"',
            "outdated",
            AT,
        )
        assert stored["S2"].os == "" and stored["S2"].is_managed is True
        assert stored["OTHER"].os == "Linux" and stored["OTHER"].name == untouched.name


def test_nothing_to_update_sends_nothing(world: World, django_assert_num_queries) -> None:
    with tenant_context(world.a), django_assert_num_queries(0):
        assert update_rows(Device, [], ["os"]) == 0
