"""Connections between apps that the layers contract keeps apart (the project assembles them).

Imported from `PortalConfig.ready()`, once every app's models are loaded."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from django.db.models import Q

from services.infrastructure.models import Device
from services.outreach.qbr import HierarchyLayerState, register_hierarchy_reader
from services.security.devices import DeviceRef, register_device_directory
from services.status.selectors import load_status
from tenants.models import Client


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


def remote_work_hierarchy(client: Client, now: datetime) -> list[HierarchyLayerState]:
    """The status page's remote-work hierarchy of `client` now, as the IT lead sees it (in the
    client's schema), for the QBR pack."""
    snapshot = load_status(client, now=now, full=True)
    return [
        HierarchyLayerState(
            label=layer.label, state=str(layer.state), reasons=tuple(r.text for r in layer.reasons)
        )
        for layer in snapshot.hierarchy or []
    ]


def connect_apps() -> None:
    """Security names the client's devices on incidents through infrastructure's inventory;
    the QBR pack reads the status page's remote-work hierarchy (the status app sits above
    outreach, so the project connects them)."""
    register_device_directory(devices_by_id, search_devices)
    register_hierarchy_reader(remote_work_hierarchy)
