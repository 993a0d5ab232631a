"""Connections between apps that the layers contract keeps apart (the project assembles them).

Imported from `PortalConfig.ready()`, once every app's models are loaded."""

from __future__ import annotations

from collections.abc import Collection

from django.db.models import Q

from services.infrastructure.models import Device
from services.security.devices import DeviceRef, register_device_directory


def devices_by_id(ids: Collection[int]) -> dict[int, DeviceRef]:
    """Active devices of the current client schema among `ids` (one query)."""
    rows = Device.objects.filter(pk__in=list(ids), is_active=True).values_list("pk", "name")
    return {pk: DeviceRef(pk, name) for pk, name in rows}


def search_devices(text: str, limit: int) -> list[DeviceRef]:
    """Active devices whose name or serial contains `text`, by name (one query)."""
    rows = Device.objects.filter(is_active=True)
    text = text.strip()
    if text:
        rows = rows.filter(Q(name__icontains=text) | Q(serial__icontains=text))
    return [DeviceRef(pk, name) for pk, name in rows.order_by("name", "pk").values_list("pk", "name")[:limit]]


def connect_apps() -> None:
    """Security names the client's devices on incidents through infrastructure's inventory."""
    register_device_directory(devices_by_id, search_devices)
