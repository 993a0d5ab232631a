"""Root query fields of sites and devices: `sites`, `devices`, `deviceImport`."""

from __future__ import annotations

from typing import Any

import graphene
from django.db.models import Count, Q

from core.errors import AccessDenied, ActionError
from core.graphql.connections import InSchema, TenantConnectionField
from core.graphql.errors import guard_query
from core.graphql.ids import decode_id
from core.graphql.imports import CsvImport, import_id
from core.graphql.types import enum_value
from services.infrastructure import actions
from services.infrastructure.graphql.types import (
    CriticalityEnum,
    DeviceKindEnum,
    DeviceNode,
    PatchStatusEnum,
    ProtectionStatusEnum,
    SiteKindEnum,
    SiteNode,
)
from services.infrastructure.models import DeviceImport
from tenants.request_scope import client_schema


def _bad_filter(exc: ActionError) -> AccessDenied:
    error = exc.errors[0]
    return AccessDenied(error.message, code=error.code)


class InfrastructureQuery(graphene.ObjectType):
    sites = TenantConnectionField(
        SiteNode,
        required=True,
        client_slug=graphene.String(),
        kind=SiteKindEnum(),
        search=graphene.String(),
        include_retired=graphene.Boolean(),
        description="The client's sites: staff and IT leads all, members their own home office.",
    )
    devices = TenantConnectionField(
        DeviceNode,
        required=True,
        client_slug=graphene.String(),
        site_id=graphene.ID(),
        device_type=DeviceKindEnum(),
        owner_id=graphene.ID(),
        managed=graphene.Boolean(),
        criticality=CriticalityEnum(),
        protection_status=ProtectionStatusEnum(),
        patch_status=PatchStatusEnum(),
        search=graphene.String(description="Name, serial, OS or owner."),
        include_retired=graphene.Boolean(),
        description="The client's devices: staff and IT leads all, members those they own or have at home.",
    )
    device_import = graphene.Field(
        CsvImport,
        client_slug=graphene.String(),
        id=graphene.ID(required=True),
        description="Staff: an uploaded device list (preview, progress, outcome); null if unknown.",
    )

    def resolve_sites(root: Any, info: Any, client_slug: str | None = None, **filters: Any) -> InSchema:
        def body() -> InSchema:
            with client_schema(info.context, client_slug) as client:
                rows = actions.sites_visible_to(client, info.context.user).select_related("contact")
                if not filters.get("include_retired"):
                    rows = rows.filter(is_active=True)
                if filters.get("kind") is not None:
                    rows = rows.filter(kind=enum_value(filters["kind"]))
                if filters.get("search"):
                    term = filters["search"].strip()[:100]
                    rows = rows.filter(Q(name__icontains=term) | Q(address__icontains=term))
                rows = rows.annotate(active_devices=Count("devices", filter=Q(devices__is_active=True)))
                return InSchema(rows.order_by("name", "pk"))

        return guard_query(body)

    def resolve_devices(root: Any, info: Any, client_slug: str | None = None, **filters: Any) -> InSchema:
        def body() -> InSchema:
            try:
                site_id = decode_id(filters.get("site_id"), "Site", "siteId", required=False)
                owner_id = decode_id(filters.get("owner_id"), "AssetPerson", "ownerId", required=False)
            except ActionError as exc:
                raise _bad_filter(exc) from None
            with client_schema(info.context, client_slug) as client:
                rows = actions.devices_visible_to(client, info.context.user).select_related("owner", "site")
                if not filters.get("include_retired"):
                    rows = rows.filter(is_active=True)
                if site_id is not None:
                    rows = rows.filter(site_id=site_id)
                if owner_id is not None:
                    rows = rows.filter(owner_id=owner_id)
                if filters.get("managed") is not None:
                    rows = rows.filter(is_managed=filters["managed"])
                for name, field in (
                    ("device_type", "device_type"),
                    ("criticality", "criticality"),
                    ("protection_status", "protection_status"),
                    ("patch_status", "patch_status"),
                ):
                    if filters.get(name) is not None:
                        rows = rows.filter(**{field: enum_value(filters[name])})
                if filters.get("search"):
                    term = filters["search"].strip()[:100]
                    rows = rows.filter(
                        Q(name__icontains=term)
                        | Q(serial__icontains=term)
                        | Q(os__icontains=term)
                        | Q(owner__full_name__icontains=term)
                        | Q(owner__email__icontains=term)
                    )
                return InSchema(rows.order_by("name", "pk"))

        return guard_query(body)

    def resolve_device_import(
        root: Any, info: Any, id: str, client_slug: str | None = None
    ) -> CsvImport | None:
        def body() -> CsvImport | None:
            with client_schema(info.context, client_slug):
                if not info.context.user.is_msp_staff:
                    raise AccessDenied("Only the MSP's staff import devices.")
                try:
                    key = import_id(id, "id")
                except ActionError:
                    return None
                job = DeviceImport.objects.filter(pk=key).first()
                return CsvImport.from_job(job) if job else None

        return guard_query(body)
