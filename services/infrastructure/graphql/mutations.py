"""Mutations of sites, devices and the device import: one per use case, each one action.

Staff who reach the client make every change (`actions.ensure_may_edit_assets`); the
client is resolved and the session authorised by `client_schema` first.
"""

from __future__ import annotations

from collections.abc import Callable
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


def _record_mutations(
    name: str,
    node: type[graphene.ObjectType],
    input_type: type[graphene.InputObjectType],
    to_input: Callable[[Any], Any],
    limits: dict[str, int],
    actions_of: tuple[Callable[..., Any], Callable[..., Any], Callable[..., Any]],
    docs: tuple[str, str, str],
) -> tuple[type[BaseMutation], type[BaseMutation], type[BaseMutation]]:
    """`Create<name>`, `Update<name>` and `Retire<name>` of one asset kind (a site, a device):
    each decodes the id, calls its action in the client's schema and answers the row in the
    field `<name>` (lower-cased); the actions take `<name>_id=` and `data=`."""
    field = name.lower()
    create, update, retire = actions_of

    def perform_create(cls: Any, info: Any, input: Any, client_slug: str | None = None) -> Any:
        with client_schema(info.context, client_slug) as client:
            return cls.success(**{field: create(client, actor=info.context.user, data=to_input(input))})

    def perform_update(cls: Any, info: Any, id: str, input: Any, client_slug: str | None = None) -> Any:
        key = decode_id(id, name, "id")
        with client_schema(info.context, client_slug) as client:
            row = update(client, actor=info.context.user, data=to_input(input), **{f"{field}_id": key})
            return cls.success(**{field: row})

    def perform_retire(cls: Any, info: Any, id: str, client_slug: str | None = None) -> Any:
        key = decode_id(id, name, "id")
        with client_schema(info.context, client_slug) as client:
            return cls.success(**{field: retire(client, actor=info.context.user, **{f"{field}_id": key})})

    def make(verb: str, doc: str, perform: Callable[..., Any], with_id: bool, with_input: bool) -> Any:
        arguments: dict[str, Any] = {"client_slug": graphene.String()}
        if with_id:
            arguments["id"] = graphene.ID(required=True)
        if with_input:
            arguments["input"] = input_type(required=True)
        namespace: dict[str, Any] = {
            "__doc__": doc,
            "__module__": __name__,
            "Arguments": type("Arguments", (), arguments),
            field: graphene.Field(node),
            "perform": classmethod(perform),
        }
        if with_input:
            namespace["max_lengths"] = limits
        return type(f"{verb}{name}", (InfrastructureMutationBase,), namespace)

    create_doc, update_doc, retire_doc = docs
    return (
        make("Create", create_doc, perform_create, with_id=False, with_input=True),
        make("Update", update_doc, perform_update, with_id=True, with_input=True),
        make("Retire", retire_doc, perform_retire, with_id=True, with_input=False),
    )


CreateSite, UpdateSite, RetireSite = _record_mutations(
    "Site",
    SiteNode,
    SiteInput,
    _site_input,
    SITE_LIMITS,
    (actions.create_site, actions.update_site, actions.retire_site),
    (
        "Staff: add a site (a home office names its contact).",
        "Staff: change a site.",
        "Staff: retire a site (kept for history).",
    ),
)
CreateDevice, UpdateDevice, RetireDevice = _record_mutations(
    "Device",
    DeviceNode,
    DeviceInput,
    _device_input,
    DEVICE_LIMITS,
    (actions.create_device, actions.update_device, actions.retire_device),
    (
        "Staff: add a device.",
        "Staff: change a device's details.",
        "Staff: retire a device (kept for history, out of lists and counts).",
    ),
)


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
