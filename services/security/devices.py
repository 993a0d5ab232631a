"""The client's device inventory, as security sees it: ids and names, through a look-up the
project wires in.

Infrastructure and security sit side by side in the layers contract, so neither imports the
other. Incidents keep a device's id and its name at the time (`IncidentAffectedDevice`); the
project package (which assembles every app) registers the functions that read the inventory
(`msp_portal.apps`). Without them, no device can be named on an incident: fails closed.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass


@dataclass(frozen=True)
class DeviceRef:
    id: int
    name: str


DevicesById = Callable[[Collection[int]], dict[int, DeviceRef]]
DeviceSearch = Callable[[str, int], list[DeviceRef]]

_by_id: DevicesById | None = None
_search: DeviceSearch | None = None


def register_device_directory(by_id: DevicesById, search: DeviceSearch) -> None:
    """Wire the inventory in (called once at start-up by the project)."""
    global _by_id, _search
    _by_id, _search = by_id, search


def devices_by_id(ids: Collection[int]) -> dict[int, DeviceRef]:
    """The active devices among `ids` in the current client schema (one query)."""
    if not ids or _by_id is None:
        return {}
    return _by_id(ids)


def search_devices(text: str, limit: int = 20) -> list[DeviceRef]:
    """Active devices whose name or serial contains `text` (one query)."""
    if _search is None:
        return []
    return _search(text, limit)
