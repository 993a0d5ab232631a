"""Mutations of sites, devices and the device import: one per use case, each one action.

Staff who reach the client make every change (`actions.ensure_may_edit_assets`); the
client is resolved and the session authorised by `client_schema` first.
"""

from __future__ import annotations

from typing import Any

import graphene

from core.graphql.ids import decode_id
from core.graphql.imports import csv_import_mutations
from core.graphql.mutations import BaseMutation, model_limit
from core.graphql.types import enum_value
from services.infrastructure import actions, device_import
from services.infrastructure.graphql.types import (
    CriticalityEnum,
    DeviceKindEnum,
    DeviceNode,
    InfrastructureError,
    SiteKindEnum,
    SiteNode,
)
from services.infrastructure.models import Device, Site
from tenants.request_scope import client_schema


class SiteInput(graphene.InputObjectType):
    name = graphene.String(required=True)
    kind = SiteKindEnum(required=True)
    address = graphene.String()
    contact_id = graphene.ID(description="The contact a home office belongs to.")


class DeviceInput(graphene.InputObjectType):
    name = graphene.String(required=True)
    device_type = DeviceKindEnum(required=True)
    os = graphene.String()
    os_version = graphene.String()
    owner_id = graphene.ID()
    site_id = graphene.ID()
    criticality = CriticalityEnum()
    is_managed = graphene.Boolean()
    serial = graphene.String()
    warranty_ends_on = graphene.Date()
    last_seen_at = graphene.DateTime()


def _site_input(data: Any) -> actions.SiteInput:
    return actions.SiteInput(
        name=data.name or "",
        kind=enum_value(data.kind),
        address=data.address or "",
        contact_id=decode_id(data.contact_id, "AssetPerson", "contactId", required=False),
    )


def _device_input(data: Any) -> actions.DeviceInput:
    return actions.DeviceInput(
        name=data.name or "",
        device_type=enum_value(data.device_type),
        os=data.os or "",
        os_version=data.os_version or "",
        owner_id=decode_id(data.owner_id, "AssetPerson", "ownerId", required=False),
        site_id=decode_id(data.site_id, "Site", "siteId", required=False),
        criticality=enum_value(data.criticality) or "medium",
        is_managed=True if data.is_managed is None else bool(data.is_managed),
        serial=data.serial or "",
        warranty_ends_on=data.warranty_ends_on,
        last_seen_at=data.last_seen_at,
    )


SITE_LIMITS = {"name": model_limit(Site, "name"), "address": model_limit(Site, "address")}
DEVICE_LIMITS = {
    "name": model_limit(Device, "name"),
    "os": model_limit(Device, "os"),
    "osVersion": model_limit(Device, "os_version"),
    "serial": model_limit(Device, "serial"),
}


class InfrastructureMutationBase(BaseMutation):
    default_error_type = InfrastructureError

    class Meta:
        abstract = True


class CreateSite(InfrastructureMutationBase):
    """Staff: add a site (a home office names its contact)."""

    class Arguments:
        client_slug = graphene.String()
        input = SiteInput(required=True)

    max_lengths = SITE_LIMITS
    site = graphene.Field(SiteNode)

    @classmethod
    def perform(cls, info: Any, input: Any, client_slug: str | None = None) -> Any:
        with client_schema(info.context, client_slug) as client:
            site = actions.create_site(client, actor=info.context.user, data=_site_input(input))
            return cls.success(site=site)


class UpdateSite(InfrastructureMutationBase):
    """Staff: change a site."""

    class Arguments:
        client_slug = graphene.String()
        id = graphene.ID(required=True)
        input = SiteInput(required=True)

    max_lengths = SITE_LIMITS
    site = graphene.Field(SiteNode)

    @classmethod
    def perform(cls, info: Any, id: str, input: Any, client_slug: str | None = None) -> Any:
        site_id = decode_id(id, "Site", "id")
        with client_schema(info.context, client_slug) as client:
            site = actions.update_site(
                client,
                actor=info.context.user,
                site_id=site_id,  # type: ignore[arg-type]
                data=_site_input(input),
            )
            return cls.success(site=site)


class RetireSite(InfrastructureMutationBase):
    """Staff: retire a site (kept for history)."""

    class Arguments:
        client_slug = graphene.String()
        id = graphene.ID(required=True)

    site = graphene.Field(SiteNode)

    @classmethod
    def perform(cls, info: Any, id: str, client_slug: str | None = None) -> Any:
        site_id = decode_id(id, "Site", "id")
        with client_schema(info.context, client_slug) as client:
            site = actions.retire_site(client, actor=info.context.user, site_id=site_id)  # type: ignore[arg-type]
            return cls.success(site=site)


class CreateDevice(InfrastructureMutationBase):
    """Staff: add a device."""

    class Arguments:
        client_slug = graphene.String()
        input = DeviceInput(required=True)

    max_lengths = DEVICE_LIMITS
    device = graphene.Field(DeviceNode)

    @classmethod
    def perform(cls, info: Any, input: Any, client_slug: str | None = None) -> Any:
        with client_schema(info.context, client_slug) as client:
            device = actions.create_device(client, actor=info.context.user, data=_device_input(input))
            return cls.success(device=device)


class UpdateDevice(InfrastructureMutationBase):
    """Staff: change a device's details."""

    class Arguments:
        client_slug = graphene.String()
        id = graphene.ID(required=True)
        input = DeviceInput(required=True)

    max_lengths = DEVICE_LIMITS
    device = graphene.Field(DeviceNode)

    @classmethod
    def perform(cls, info: Any, id: str, input: Any, client_slug: str | None = None) -> Any:
        device_id = decode_id(id, "Device", "id")
        with client_schema(info.context, client_slug) as client:
            device = actions.update_device(
                client,
                actor=info.context.user,
                device_id=device_id,  # type: ignore[arg-type]
                data=_device_input(input),
            )
            return cls.success(device=device)


class RetireDevice(InfrastructureMutationBase):
    """Staff: retire a device (kept for history, out of lists and counts)."""

    class Arguments:
        client_slug = graphene.String()
        id = graphene.ID(required=True)

    device = graphene.Field(DeviceNode)

    @classmethod
    def perform(cls, info: Any, id: str, client_slug: str | None = None) -> Any:
        device_id = decode_id(id, "Device", "id")
        with client_schema(info.context, client_slug) as client:
            device = actions.retire_device(client, actor=info.context.user, device_id=device_id)  # type: ignore[arg-type]
            return cls.success(device=device)


PreviewDeviceImport, ApplyDeviceImport, DiscardDeviceImport = csv_import_mutations(
    InfrastructureMutationBase,
    name="DeviceImport",
    payload_field="device_import",
    preview=device_import.preview_device_import,
    apply=device_import.apply_device_import,
    discard=device_import.discard_device_import,
    client_schema=client_schema,
    docs=(
        "Staff: upload a device list (CSV, base64) and get its preview; no device is written.",
        "Staff: apply a previewed list without errors (all or nothing, in the background).",
        "Staff: drop a preview that will not be applied.",
    ),
)


class InfrastructureMutation(graphene.ObjectType):
    create_site = CreateSite.Field(required=True)
    update_site = UpdateSite.Field(required=True)
    retire_site = RetireSite.Field(required=True)
    create_device = CreateDevice.Field(required=True)
    update_device = UpdateDevice.Field(required=True)
    retire_device = RetireDevice.Field(required=True)
    preview_device_import = PreviewDeviceImport.Field(required=True)
    apply_device_import = ApplyDeviceImport.Field(required=True)
    discard_device_import = DiscardDeviceImport.Field(required=True)
