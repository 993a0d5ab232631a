"""Use cases of sites and devices: one transaction each, explicit acting user.

Who may do what (checked here as well as at the API):
- MSP staff who reach the client create, edit and retire its sites and devices;
- the client's IT leads see all of them (read-only: the MSP keeps the inventory);
- members see only what is theirs: their home office and the devices they own or that
  stand in their home office.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from core.errors import AccessDenied, ActionError, FieldError
from core.tenancy import require_schema
from services.directory.models import Contact
from services.infrastructure.models import (
    Criticality,
    Device,
    DeviceType,
    Site,
    SiteKind,
)
from tenants.access import clients_reachable_by, ensure_client_writable
from tenants.actions import record_audit
from tenants.models import Client, ClientRole, Membership, User


def _limit(model: type[Any], name: str) -> int:
    return int(model._meta.get_field(name).max_length)


# ------------------------------------------------------------------ who may


def is_it_lead(user: User, client: Client) -> bool:
    return Membership.objects.filter(user=user, client=client, role=ClientRole.IT_LEAD).exists()


def ensure_may_edit_assets(user: Any, client: Client) -> User:
    """MSP staff whose roles reach the client (any staff role); the client is not offboarded.
    (The session — signed in, second factor — is the API's check: `client_schema`.)"""
    if not user.is_msp_staff or not clients_reachable_by(user).filter(pk=client.pk).exists():
        raise AccessDenied("Only the MSP's staff change the client's sites and devices.")
    ensure_client_writable(client)
    return user  # type: ignore[no-any-return]


def sees_all_assets(user: User, client: Client) -> bool:
    return bool(user.is_msp_staff) or is_it_lead(user, client)


def contact_of(user: User) -> Contact | None:
    return Contact.objects.filter(user_id=user.pk).first()


def sites_visible_to(client: Client, user: User) -> QuerySet[Site]:
    """Staff and IT leads: every site; members: their own home office (nothing else)."""
    require_schema(client)
    if sees_all_assets(user, client):
        return Site.objects.all()
    return Site.objects.filter(kind=SiteKind.HOME_OFFICE, contact__user_id=user.pk)


def devices_visible_to(client: Client, user: User) -> QuerySet[Device]:
    """Staff and IT leads: every device; members: the devices they own and those in their
    home office."""
    require_schema(client)
    if sees_all_assets(user, client):
        return Device.objects.all()
    return Device.objects.filter(
        Q(owner__user_id=user.pk) | Q(site__kind=SiteKind.HOME_OFFICE, site__contact__user_id=user.pk)
    )


# ------------------------------------------------------------------ input checks


def clean_text(value: str | None, model: type[Any], name: str, field: str, *, required: bool = False) -> str:
    """Trimmed text within the column's limit; REQUIRED/TOO_LONG/INVALID on `field`."""
    text = (value or "").strip()
    if "\x00" in text:
        raise ActionError.single("INVALID", "Remove the NUL character (\\0) from this text.", field)
    if required and not text:
        raise ActionError.single("REQUIRED", "Fill this in.", field)
    limit = _limit(model, name)
    if len(text) > limit:
        raise ActionError.single("TOO_LONG", f"Use at most {limit} characters here.", field)
    return text


def _choice(value: str | None, choices: Any, field: str, what: str) -> str:
    if value not in choices.values:
        raise ActionError.single("INVALID", f"Unknown {what} '{str(value)[:40]}'.", field)
    return str(value)


def _active_contact(contact_id: int | None, field: str) -> Contact | None:
    if contact_id is None:
        return None
    contact = Contact.objects.filter(pk=contact_id, is_active=True).first()
    if contact is None:
        raise ActionError.single("NOT_FOUND", "No such contact at this client.", field)
    return contact


def _active_site(site_id: int | None, field: str) -> Site | None:
    if site_id is None:
        return None
    site = Site.objects.filter(pk=site_id, is_active=True).first()
    if site is None:
        raise ActionError.single("NOT_FOUND", "No such site at this client (or it is retired).", field)
    return site


# ------------------------------------------------------------------ sites


@dataclass
class SiteInput:
    name: str
    kind: str = SiteKind.OFFICE
    address: str = ""
    contact_id: int | None = None


def _clean_site(data: SiteInput, *, exclude_pk: int | None = None) -> dict[str, Any]:
    problems: list[FieldError] = []
    values: dict[str, Any] = {}
    for name, required in (("name", True), ("address", False)):
        try:
            values[name] = clean_text(getattr(data, name), Site, name, name, required=required)
        except ActionError as exc:
            problems.extend(exc.errors)
    try:
        values["kind"] = _choice(data.kind, SiteKind, "kind", "site kind")
    except ActionError as exc:
        problems.extend(exc.errors)
    try:
        values["contact"] = _active_contact(data.contact_id, "contactId")
    except ActionError as exc:
        problems.extend(exc.errors)
    if problems:
        raise ActionError(problems)
    if values["kind"] == SiteKind.HOME_OFFICE and values["contact"] is None:
        raise ActionError.single(
            "REQUIRED", "A home office belongs to a person: choose the contact.", "contactId"
        )
    others = Site.objects.exclude(pk=exclude_pk) if exclude_pk else Site.objects.all()
    if others.annotate(lname=Lower("name")).filter(lname=values["name"].lower()).exists():
        raise ActionError.single("DUPLICATE", "Another site already has this name.", "name")
    if (
        values["kind"] == SiteKind.HOME_OFFICE
        and others.filter(kind=SiteKind.HOME_OFFICE, contact=values["contact"]).exists()
    ):
        raise ActionError.single("DUPLICATE", "This person already has a home office.", "contactId")
    return values


def _save(row: Any, duplicate_field: str, message: str) -> None:
    """Save; a unique constraint hit by a concurrent request is a DUPLICATE, not a 500."""
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        raise ActionError.single("DUPLICATE", message, duplicate_field) from None


def create_site(client: Client, *, actor: User, data: SiteInput) -> Site:
    """Add a site (office, data room, home office of a contact)."""
    require_schema(client)
    ensure_may_edit_assets(actor, client)
    with transaction.atomic():
        site = Site(**_clean_site(data))
        _save(site, "name", "Another site already has this name (or the person already has a home office).")
        record_audit("site.created", actor=actor, client=client, site=site.pk, name=site.name)
    return site


def get_site(site_id: int, *, for_update: bool = False) -> Site:
    rows = Site.objects.select_for_update() if for_update else Site.objects.all()
    site = rows.filter(pk=site_id).first()
    if site is None:
        raise ActionError.single("NOT_FOUND", "No such site.", "id")
    return site


def update_site(client: Client, *, actor: User, site_id: int, data: SiteInput) -> Site:
    """Change a site's name, kind, address or contact."""
    require_schema(client)
    ensure_may_edit_assets(actor, client)
    with transaction.atomic():
        site = get_site(site_id, for_update=True)
        values = _clean_site(data, exclude_pk=site.pk)
        changed = sorted(k for k, v in values.items() if getattr(site, k) != v)
        for key, value in values.items():
            setattr(site, key, value)
        _save(site, "name", "Another site already has this name (or the person already has a home office).")
        if changed:
            record_audit("site.updated", actor=actor, client=client, site=site.pk, changed=changed)
    return site


def retire_site(client: Client, *, actor: User, site_id: int) -> Site:
    """Retire a site (it stays in history; its devices keep it until they are moved).
    Retiring a retired site changes nothing."""
    require_schema(client)
    ensure_may_edit_assets(actor, client)
    with transaction.atomic():
        site = get_site(site_id, for_update=True)
        if site.is_active:
            site.is_active = False
            site.save(update_fields=["is_active"])
            record_audit("site.retired", actor=actor, client=client, site=site.pk)
    return site


# ------------------------------------------------------------------ devices


@dataclass
class DeviceInput:
    name: str
    device_type: str
    os: str = ""
    os_version: str = ""
    owner_id: int | None = None
    site_id: int | None = None
    criticality: str = Criticality.MEDIUM
    is_managed: bool = True
    serial: str = ""
    warranty_ends_on: dt.date | None = None
    last_seen_at: dt.datetime | None = None


WARRANTY_RANGE = (dt.date(1990, 1, 1), dt.date(2100, 12, 31))


def _clean_device(data: DeviceInput, *, now: dt.datetime, exclude_pk: int | None = None) -> dict[str, Any]:
    problems: list[FieldError] = []
    values: dict[str, Any] = {}
    camel = {"os_version": "osVersion"}
    for name, required in (("name", True), ("os", False), ("os_version", False), ("serial", False)):
        try:
            values[name] = clean_text(
                getattr(data, name), Device, name, camel.get(name, name), required=required
            )
        except ActionError as exc:
            problems.extend(exc.errors)
    for name, choices, what, field in (
        ("device_type", DeviceType, "device type", "deviceType"),
        ("criticality", Criticality, "criticality", "criticality"),
    ):
        try:
            values[name] = _choice(getattr(data, name), choices, field, what)
        except ActionError as exc:
            problems.extend(exc.errors)
    try:
        values["owner"] = _active_contact(data.owner_id, "ownerId")
    except ActionError as exc:
        problems.extend(exc.errors)
    try:
        values["site"] = _active_site(data.site_id, "siteId")
    except ActionError as exc:
        problems.extend(exc.errors)
    warranty = data.warranty_ends_on
    if warranty is not None and not (WARRANTY_RANGE[0] <= warranty <= WARRANTY_RANGE[1]):
        problems.append(FieldError("INVALID", "Use a warranty end between 1990 and 2100.", "warrantyEndsOn"))
    seen = data.last_seen_at
    if seen is not None and (seen > now + dt.timedelta(minutes=5) or seen.year < 1990):
        problems.append(FieldError("INVALID", "Last seen can't be in the future.", "lastSeenAt"))
    if problems:
        raise ActionError(problems)
    values["is_managed"] = bool(data.is_managed)
    values["warranty_ends_on"] = warranty
    values["last_seen_at"] = seen
    if values["serial"]:
        others = Device.objects.exclude(pk=exclude_pk) if exclude_pk else Device.objects.all()
        if others.annotate(lserial=Lower("serial")).filter(lserial=values["serial"].lower()).exists():
            raise ActionError.single("DUPLICATE", "Another device already has this serial number.", "serial")
    return values


def create_device(
    client: Client, *, actor: User, data: DeviceInput, now: dt.datetime | None = None
) -> Device:
    """Add a device to the client's inventory."""
    require_schema(client)
    ensure_may_edit_assets(actor, client)
    now = now or timezone.now()
    with transaction.atomic():
        device = Device(**_clean_device(data, now=now), created_at=now, updated_at=now)
        _save(device, "serial", "Another device already has this serial number.")
        record_audit("device.created", actor=actor, client=client, device=device.pk, name=device.name)
    return device


def get_device(device_id: int, *, for_update: bool = False) -> Device:
    rows = Device.objects.select_for_update() if for_update else Device.objects.all()
    device = rows.filter(pk=device_id).first()
    if device is None:
        raise ActionError.single("NOT_FOUND", "No such device.", "id")
    return device


def update_device(
    client: Client, *, actor: User, device_id: int, data: DeviceInput, now: dt.datetime | None = None
) -> Device:
    """Change a device's details (protection and patch state come from the ingest)."""
    require_schema(client)
    ensure_may_edit_assets(actor, client)
    now = now or timezone.now()
    with transaction.atomic():
        device = get_device(device_id, for_update=True)
        values = _clean_device(data, now=now, exclude_pk=device.pk)
        changed = sorted(k for k, v in values.items() if getattr(device, k) != v)
        if changed:
            for key, value in values.items():
                setattr(device, key, value)
            device.updated_at = now
            _save(device, "serial", "Another device already has this serial number.")
            record_audit("device.updated", actor=actor, client=client, device=device.pk, changed=changed)
    return device


def retire_device(client: Client, *, actor: User, device_id: int, now: dt.datetime | None = None) -> Device:
    """Retire a device (kept for history, out of the lists and counts). Idempotent."""
    require_schema(client)
    ensure_may_edit_assets(actor, client)
    with transaction.atomic():
        device = get_device(device_id, for_update=True)
        if device.is_active:
            device.is_active = False
            device.updated_at = now or timezone.now()
            device.save(update_fields=["is_active", "updated_at"])
            record_audit("device.retired", actor=actor, client=client, device=device.pk)
    return device


__all__ = [
    "DeviceInput",
    "SiteInput",
    "create_device",
    "create_site",
    "devices_visible_to",
    "ensure_may_edit_assets",
    "retire_device",
    "retire_site",
    "sites_visible_to",
    "update_device",
    "update_site",
]
