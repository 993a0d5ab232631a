"""Device state reported by the client's RMM (push ingest): last seen, OS, endpoint
protection and patch status. The only writer of those reported fields.

Devices are matched by serial number, case-insensitively (the same key as the CSV import).
A serial the portal does not know yet is registered as a new managed device, named after
the reported host name: an RMM's inventory is the MSP's source of truth for the machines
it manages, as PSA integrations (Autotask/Datto RMM, ConnectWise Automate) sync it.
Existing devices keep the name, type, owner and site people gave them; only the reported
fields move, and only forwards in time: a report older than what is stored (batches that
arrive out of order, retries) changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from core.bulk import update_rows
from core.tenancy import require_schema
from services.infrastructure.models import Device, DeviceType, PatchStatus, ProtectionStatus
from tenants.models import Client

# What a report may say (the "not reported" default is the absence of a report).
REPORTED_PROTECTION = (ProtectionStatus.PROTECTED, ProtectionStatus.OUTDATED, ProtectionStatus.MISSING)
REPORTED_PATCH = (PatchStatus.CURRENT, PatchStatus.PENDING, PatchStatus.OVERDUE)


def field_limit(name: str) -> int:
    """The longest text a report may carry in `Device.<name>` (the column's own limit)."""
    field = Device._meta.get_field(name)
    assert isinstance(field, models.CharField)
    return int(field.max_length or 0)


@dataclass(frozen=True)
class DeviceReport:
    """One device as the RMM sees it. Validated by the caller (services.ingest.payload):
    lengths within the model's limits, statuses among the reported choices, times aware."""

    serial: str
    hostname: str
    observed_at: datetime
    last_seen_at: datetime | None = None
    device_type: str = ""
    os: str = ""
    os_version: str = ""
    protection_status: str = ""
    protection_product: str = ""
    patch_status: str = ""


@dataclass(frozen=True)
class RecordedDevices:
    updated: int = 0
    registered: int = 0
    unchanged: int = 0


def _newer(new: datetime, stored: datetime | None) -> bool:
    return stored is None or new >= stored


def _apply(device: Device, report: DeviceReport) -> bool:
    """Move the device's reported fields forward to `report`; True when something changed."""
    changed = False
    seen = report.last_seen_at or report.observed_at
    if device.last_seen_at is None or seen > device.last_seen_at:
        device.last_seen_at, changed = seen, True
    latest_report = max(
        (at for at in (device.protection_reported_at, device.patch_reported_at) if at is not None),
        default=None,
    )
    if _newer(report.observed_at, latest_report):
        for name in ("os", "os_version"):
            value = getattr(report, name)
            if value and getattr(device, name) != value:
                setattr(device, name, value)
                changed = True
    if report.protection_status and _newer(report.observed_at, device.protection_reported_at):
        device.protection_status = report.protection_status
        device.protection_product = report.protection_product
        device.protection_reported_at = report.observed_at
        changed = True
    if report.patch_status and _newer(report.observed_at, device.patch_reported_at):
        device.patch_status = report.patch_status
        device.patch_reported_at = report.observed_at
        changed = True
    return changed


REPORTED_FIELDS = [
    "last_seen_at",
    "os",
    "os_version",
    "protection_status",
    "protection_product",
    "protection_reported_at",
    "patch_status",
    "patch_reported_at",
    "updated_at",
]


def record_device_reports(
    client: Client, reports: Sequence[DeviceReport], *, now: datetime | None = None
) -> RecordedDevices:
    """Apply the RMM's device reports of `client` (inside its schema and the caller's
    transaction). A constant number of queries whatever the number of reports: one locking
    read of the known devices, one insert of the new ones (plus one read of any a
    concurrent batch inserted first), one update."""
    require_schema(client)
    if not reports:
        return RecordedDevices()
    now = now or timezone.now()
    # Several reports of one device in a batch: applied oldest first, so the newest wins.
    by_serial: dict[str, list[DeviceReport]] = {}
    for report in sorted(reports, key=lambda r: r.observed_at):
        by_serial.setdefault(report.serial.lower(), []).append(report)

    def locked(serials: Sequence[str]) -> dict[str, Device]:
        rows = (
            Device.objects.annotate(serial_key=Lower("serial"))
            # The predicate of the unique index on lower(serial), so the lookup can use it.
            .exclude(serial="")
            .filter(serial_key__in=list(serials))
            .order_by("pk")
            .select_for_update(of=("self",))
        )
        return {row.serial.lower(): row for row in rows}

    devices = locked(list(by_serial))
    missing = [serial for serial in by_serial if serial not in devices]
    if missing:
        # A concurrent batch may register the same serial first: its row is kept (the
        # insert skips the conflict) and read back with the others.
        Device.objects.bulk_create(
            [
                Device(
                    name=by_serial[serial][-1].hostname,
                    serial=by_serial[serial][-1].serial,
                    device_type=by_serial[serial][-1].device_type or DeviceType.OTHER,
                    is_managed=True,
                    created_at=now,
                    updated_at=now,
                )
                for serial in missing
            ],
            ignore_conflicts=True,
        )
        devices.update(locked(missing))
    changed_rows: list[Device] = []
    for serial, device_reports in by_serial.items():
        device = devices[serial]
        changed = False
        for report in device_reports:
            changed = _apply(device, report) or changed
        if changed:
            device.updated_at = now
            changed_rows.append(device)
    if changed_rows:
        update_rows(Device, changed_rows, REPORTED_FIELDS)
    registered = len(missing)
    return RecordedDevices(
        updated=len(changed_rows) - registered,
        registered=registered,
        unchanged=len(by_serial) - len(changed_rows),
    )
