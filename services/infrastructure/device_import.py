"""Device CSV import (preview, then all-or-nothing apply) on `core.csv_import`.

Columns (header names are case-insensitive; `type` and `name` are required):

    name, type, os, os_version, serial, owner_email, site, criticality, managed,
    warranty_end, last_seen

Matching a row to a device already in the inventory:
- **serial is the key** (case-insensitive, retired devices included: a retired device that
  appears in a current inventory file is active again);
- a row whose serial is new matches the one device of the same name that has no serial
  yet (it gets the serial), otherwise it creates a device;
- a row without serial matches the one device of that name (several → an AMBIGUOUS row
  error: add the serial); none → a new device. An empty serial never clears a stored one.

A column that is absent leaves that detail of existing devices as it is; a column that is
present sets it (an empty cell clears it, or sets the default for type-like columns).
Devices missing from the file are left alone (a file may cover one site). Rows identical
to the stored device are "unchanged": importing the same file twice writes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models.functions import Lower
from django.utils import timezone

from core import csv_import
from core.csv_import import Column, ParsedFile, ParsedRow, Plan, RowError
from core.tenancy import require_schema
from services.directory.models import Contact
from services.infrastructure.models import Criticality, Device, DeviceImport, DeviceType, Site
from tenants.actions import record_audit
from tenants.models import Client, User

APPLY_TASK = "infrastructure.apply_device_import"
BATCH = 250  # rows per write (and per progress update)


def _limit(name: str) -> int:
    return int(Device._meta.get_field(name).max_length)  # type: ignore[arg-type,union-attr]


def _future_guard(value: dt.datetime) -> dt.datetime:
    if value > timezone.now() + dt.timedelta(minutes=5):
        raise csv_import.CellError("INVALID_DATE", "Last seen can't be in the future.")
    return value


def _warranty(text: str) -> dt.date:
    value = csv_import.parse_date(text)
    if not (dt.date(1990, 1, 1) <= value <= dt.date(2100, 12, 31)):
        raise csv_import.CellError("INVALID_DATE", "Use a warranty end between 1990 and 2100.")
    return value


COLUMNS: tuple[Column, ...] = (
    Column("name", required=True, max_length=_limit("name"), aliases=("hostname", "device", "device_name")),
    Column(
        "type",
        required=True,
        parse=csv_import.parse_choice(dict(DeviceType.choices), "device type"),
        aliases=("device_type",),
    ),
    Column("os", max_length=_limit("os"), aliases=("operating_system",)),
    Column("os_version", max_length=_limit("os_version"), aliases=("version",)),
    Column("serial", max_length=_limit("serial"), aliases=("serial_number",)),
    Column("owner_email", max_length=254, parse=csv_import.parse_email, default=None, aliases=("owner",)),
    Column("site", max_length=int(Site._meta.get_field("name").max_length or 120), default=None),
    Column(
        "criticality",
        parse=csv_import.parse_choice(dict(Criticality.choices), "criticality"),
        default=Criticality.MEDIUM,
    ),
    Column("managed", parse=csv_import.parse_bool, default=True, aliases=("is_managed",)),
    Column("warranty_end", parse=_warranty, default=None, aliases=("warranty_ends_on", "warranty")),
    Column(
        "last_seen",
        parse=lambda text: _future_guard(csv_import.parse_datetime(text)),
        default=None,
        aliases=("last_seen_at",),
    ),
)

# CSV column → Device field, for the columns copied as they are (after parsing).
DIRECT = {
    "name": "name",
    "type": "device_type",
    "os": "os",
    "os_version": "os_version",
    "criticality": "criticality",
    "managed": "is_managed",
    "warranty_end": "warranty_ends_on",
    "last_seen": "last_seen_at",
}


@dataclass
class DeviceChange:
    line: int
    device: Device | None  # None: a new device
    values: dict[str, Any] = field(default_factory=dict)


def plan_devices(parsed: ParsedFile) -> Plan:
    """What the file would do to the inventory (five queries, whatever its size)."""
    rows = parsed.rows
    present = set(parsed.columns)
    csv_import.duplicate_errors(rows, lambda r: r.values.get("serial") or None, "serial", "serial number")
    csv_import.duplicate_errors(
        [r for r in rows if not r.values.get("serial")],
        lambda r: r.values.get("name") or None,
        "name",
        "device name (without a serial)",
    )
    emails = {r.values["owner_email"] for r in rows if r.values.get("owner_email")}
    owners = {
        c.email.lower(): c
        for c in Contact.objects.annotate(lemail=Lower("email")).filter(lemail__in=emails, is_active=True)
    }
    site_names = {r.values["site"].lower() for r in rows if r.values.get("site")}
    sites = {
        s.name.lower(): s
        for s in Site.objects.annotate(lname=Lower("name")).filter(lname__in=site_names, is_active=True)
    }
    serials = {r.values["serial"].lower() for r in rows if r.values.get("serial")}
    by_serial: dict[str, Device] = {
        d.serial.lower(): d
        for d in Device.objects.annotate(lserial=Lower("serial")).filter(lserial__in=serials)
    }
    names = {r.values["name"].lower() for r in rows if r.values.get("name")}
    by_name: dict[str, list[Device]] = {}
    for named in Device.objects.annotate(lname=Lower("name")).filter(lname__in=names).order_by("pk"):
        by_name.setdefault(named.name.lower(), []).append(named)

    plan = Plan(total_rows=len(rows))
    claimed: dict[int, int] = {}  # device pk -> line that matched it
    for row in rows:
        if row.errors:
            continue
        values = row.values
        owner = site = None
        if values.get("owner_email"):
            owner = owners.get(values["owner_email"])
            if owner is None:
                row.errors.append(
                    RowError(
                        row.line, "owner_email", "UNKNOWN_OWNER", "No active contact has this e-mail address."
                    )
                )
        if values.get("site"):
            site = sites.get(values["site"].lower())
            if site is None:
                row.errors.append(RowError(row.line, "site", "UNKNOWN_SITE", "No active site has this name."))
        device = _match(row, by_serial, by_name)
        if device is not None and device.pk in claimed:
            row.errors.append(
                RowError(
                    row.line,
                    "serial",
                    "DUPLICATE",
                    f"This row and line {claimed[device.pk]} are the same device.",
                )
            )
        if row.errors:
            continue
        wanted = _wanted(values, present, owner, site)
        if device is None:
            plan.to_create += 1
            plan.changes.append(DeviceChange(row.line, None, wanted))
            continue
        claimed[device.pk] = row.line
        changed = {key: value for key, value in wanted.items() if _current(device, key) != value}
        if not device.is_active:
            changed["is_active"] = True
        if changed:
            plan.to_update += 1
            plan.changes.append(DeviceChange(row.line, device, changed))
        else:
            plan.unchanged += 1
    return plan  # row errors are on the rows (`ParsedFile.errors` collects them)


def _match(row: ParsedRow, by_serial: dict[str, Device], by_name: dict[str, list[Device]]) -> Device | None:
    serial = (row.values.get("serial") or "").lower()
    same_name = by_name.get(row.values["name"].lower(), [])
    if serial:
        if serial in by_serial:
            return by_serial[serial]
        unnamed = [d for d in same_name if not d.serial]
        return unnamed[0] if len(unnamed) == 1 else None
    if len(same_name) > 1:
        row.errors.append(
            RowError(
                row.line,
                "name",
                "AMBIGUOUS",
                f"{len(same_name)} devices are named '{row.values['name'][:60]}': add the serial number.",
            )
        )
        return None
    return same_name[0] if same_name else None


def _wanted(
    values: dict[str, Any], present: set[str], owner: Contact | None, site: Site | None
) -> dict[str, Any]:
    wanted: dict[str, Any] = {}
    for column, name in DIRECT.items():
        if column in present:
            wanted[name] = values[column]
    if values.get("serial"):
        wanted["serial"] = values["serial"]
    if "owner_email" in present:
        wanted["owner_id"] = owner.pk if owner else None
    if "site" in present:
        wanted["site_id"] = site.pk if site else None
    return wanted


def _current(device: Device, key: str) -> Any:
    return getattr(device, key)


def write_devices(plan: Plan, progress: Any) -> None:
    """Write the plan: new devices in batches, changed ones in batches."""
    now = timezone.now()
    done = 0
    new = [
        Device(**change.values, created_at=now, updated_at=now)
        for change in plan.changes
        if change.device is None
    ]
    for start in range(0, len(new), BATCH):
        Device.objects.bulk_create(new[start : start + BATCH])
        done += len(new[start : start + BATCH])
        progress(done)
    changed = [change for change in plan.changes if change.device is not None]
    fields: set[str] = {"updated_at"}
    devices = []
    for change in changed:
        for key, value in change.values.items():
            setattr(change.device, key, value)
        change.device.updated_at = now  # type: ignore[union-attr]
        fields.update(change.values)
        devices.append(change.device)
    for start in range(0, len(devices), BATCH):
        Device.objects.bulk_update(devices[start : start + BATCH], sorted(fields))
        done += len(devices[start : start + BATCH])
        progress(done)


# ------------------------------------------------------------------ use cases


def preview_device_import(client: Client, *, actor: User, file_name: str, data_base64: str) -> DeviceImport:
    """Check an uploaded device list and store its preview; no device is written."""
    from services.infrastructure.actions import ensure_may_edit_assets

    require_schema(client)
    ensure_may_edit_assets(actor, client)
    job = csv_import.store_preview(
        DeviceImport,
        data_base64=data_base64,
        file_name=file_name,
        columns=COLUMNS,
        planner=plan_devices,
        requested_by_id=actor.pk,
    )
    return job  # type: ignore[return-value]


def apply_device_import(client: Client, *, actor: User, import_id: Any) -> DeviceImport:
    """Queue the apply of a previewed list without errors (a Celery task through the outbox)."""
    from services.infrastructure.actions import ensure_may_edit_assets

    require_schema(client)
    ensure_may_edit_assets(actor, client)
    job = csv_import.request_apply(DeviceImport, import_id, APPLY_TASK)
    record_audit("device_import.requested", actor=actor, client=client, job=str(job.pk), file=job.file_name)
    return job  # type: ignore[return-value]


def discard_device_import(client: Client, *, actor: User, import_id: Any) -> DeviceImport:
    from services.infrastructure.actions import ensure_may_edit_assets

    require_schema(client)
    ensure_may_edit_assets(actor, client)
    return csv_import.discard(DeviceImport, import_id)  # type: ignore[return-value]


def run_device_import(job_id: str) -> DeviceImport | None:
    """The worker's side (task `infrastructure.apply_device_import`)."""
    return csv_import.run_apply(  # type: ignore[return-value]
        DeviceImport, job_id, columns=COLUMNS, planner=plan_devices, writer=write_devices
    )
