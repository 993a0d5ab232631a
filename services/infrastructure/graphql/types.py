"""GraphQL types of sites and devices, their enums and the app's error type."""

from __future__ import annotations

from typing import Any

import graphene
from graphene import relay
from graphene_django import DjangoObjectType

from core.graphql.errors import error_type
from core.graphql.types import CountedConnection, enum_from_choices
from services.infrastructure.models import (
    Criticality,
    Device,
    DeviceType,
    PatchStatus,
    ProtectionStatus,
    Site,
    SiteKind,
)

InfrastructureError = error_type(
    "InfrastructureError",
    ["DUPLICATE", "CLIENT_READ_ONLY", "TOO_LARGE", "HAS_ERRORS", "NOTHING_TO_DO", "INVALID_STATE"],
    "Why a change to sites, devices or a device import failed.",
)

SiteKindEnum = enum_from_choices("SiteKind", SiteKind, "Office, data room or a person's home office.")
DeviceKindEnum = enum_from_choices("DeviceKind", DeviceType, "What kind of device it is.")
CriticalityEnum = enum_from_choices("DeviceCriticality", Criticality, "How much the business depends on it.")
ProtectionStatusEnum = enum_from_choices(
    "ProtectionStatus", ProtectionStatus, "Endpoint protection as last reported (ingest)."
)
PatchStatusEnum = enum_from_choices("PatchStatus", PatchStatus, "Patch state as last reported (ingest).")


class AssetPerson(graphene.ObjectType):
    """A contact of the client, as a site's or device's person."""

    id = graphene.ID(required=True, description="The contact's id (for ownerId/contactId).")
    full_name = graphene.String(required=True)
    email = graphene.String(required=True)


class SiteRef(graphene.ObjectType):
    id = graphene.ID(required=True)
    name = graphene.String(required=True)
    kind = SiteKindEnum(required=True)


def _person(contact: Any) -> AssetPerson | None:
    if contact is None:
        return None
    return AssetPerson(id=str(contact.pk), full_name=contact.full_name, email=contact.email)


class SiteNode(DjangoObjectType):
    """A place the MSP supports: an office, a data room or a person's home office."""

    kind = SiteKindEnum(required=True)
    contact = graphene.Field(AssetPerson, description="For a home office: the person who works there.")
    device_count = graphene.Int(required=True, description="Active devices at the site.")

    class Meta:
        model = Site
        name = "Site"
        interfaces = (relay.Node,)
        connection_class = CountedConnection
        fields = ("id", "name", "address", "is_active", "created_at")

    @classmethod
    def get_node(cls, info: Any, id: Any) -> Site | None:
        return None  # reached through `sites`, which authorises

    def resolve_kind(root: Site, info: Any) -> str:
        return root.kind

    def resolve_contact(root: Site, info: Any) -> AssetPerson | None:
        return _person(root.contact)

    def resolve_device_count(root: Site, info: Any) -> int:
        return int(getattr(root, "active_devices", 0))


class DeviceNode(DjangoObjectType):
    """A device of the client's inventory, with the protection and patch state reported for it."""

    device_type = DeviceKindEnum(required=True)
    criticality = CriticalityEnum(required=True)
    protection_status = ProtectionStatusEnum(required=True)
    patch_status = PatchStatusEnum(required=True)
    owner = graphene.Field(AssetPerson)
    site = graphene.Field(SiteRef)

    class Meta:
        model = Device
        name = "Device"
        interfaces = (relay.Node,)
        connection_class = CountedConnection
        fields = (
            "id",
            "name",
            "os",
            "os_version",
            "is_managed",
            "serial",
            "warranty_ends_on",
            "last_seen_at",
            "protection_product",
            "protection_reported_at",
            "patch_reported_at",
            "is_active",
            "created_at",
            "updated_at",
        )

    @classmethod
    def get_node(cls, info: Any, id: Any) -> Device | None:
        return None  # reached through `devices`, which authorises

    def resolve_device_type(root: Device, info: Any) -> str:
        return root.device_type

    def resolve_criticality(root: Device, info: Any) -> str:
        return root.criticality

    def resolve_protection_status(root: Device, info: Any) -> str:
        return root.protection_status

    def resolve_patch_status(root: Device, info: Any) -> str:
        return root.patch_status

    def resolve_owner(root: Device, info: Any) -> AssetPerson | None:
        return _person(root.owner)

    def resolve_site(root: Device, info: Any) -> SiteRef | None:
        site = root.site
        return SiteRef(id=str(site.pk), name=site.name, kind=site.kind) if site else None
