"""Django admin for sites, devices and device imports (on a client's portal host, where the
connection is in that client's schema; the MSP host shows none of them). Changes go through
the actions, so they are checked and audited like the API's."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django_tenants.utils import get_public_schema_name

from core.errors import AccessDenied, ActionError
from core.tenancy import current_schema_name
from services.infrastructure import actions
from services.infrastructure.models import Device, DeviceImport, Site
from tenants.models import Client


def _client() -> Client:
    return Client.objects.get(schema_name=current_schema_name())


class ClientSchemaAdmin(admin.ModelAdmin):
    """Shown only inside a client's schema (its tables don't exist in public)."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return current_schema_name() != get_public_schema_name() and super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return current_schema_name() != get_public_schema_name() and super().has_view_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # retire instead: history stays

    def _run(self, request: HttpRequest, action: Any) -> Any:
        try:
            return action()
        except AccessDenied as exc:
            raise PermissionDenied(str(exc)) from None
        except ActionError as exc:
            self.message_user(request, "; ".join(e.message for e in exc.errors), messages.ERROR)
            return None


@admin.register(Site)
class SiteAdmin(ClientSchemaAdmin):
    list_display = ["name", "kind", "contact", "address", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "address"]
    fields = ["name", "kind", "address", "contact", "is_active"]
    readonly_fields = ["is_active"]
    actions = ["retire"]

    def save_model(self, request: HttpRequest, obj: Site, form: Any, change: bool) -> None:
        data = actions.SiteInput(name=obj.name, kind=obj.kind, address=obj.address, contact_id=obj.contact_id)
        client, user = _client(), request.user
        if change:
            self._run(request, lambda: actions.update_site(client, actor=user, site_id=obj.pk, data=data))  # type: ignore[arg-type]
        else:
            site = self._run(request, lambda: actions.create_site(client, actor=user, data=data))  # type: ignore[arg-type]
            if site is not None:
                obj.pk = site.pk

    @admin.action(description="Retire the selected sites")
    def retire(self, request: HttpRequest, queryset: Any) -> None:
        client = _client()
        for site in queryset:
            self._run(request, lambda s=site: actions.retire_site(client, actor=request.user, site_id=s.pk))  # type: ignore[arg-type]


@admin.register(Device)
class DeviceAdmin(ClientSchemaAdmin):
    list_display = [
        "name",
        "device_type",
        "owner",
        "site",
        "criticality",
        "is_managed",
        "protection_status",
        "patch_status",
        "last_seen_at",
        "is_active",
    ]
    list_filter = [
        "device_type",
        "criticality",
        "is_managed",
        "protection_status",
        "patch_status",
        "is_active",
    ]
    search_fields = ["name", "serial", "os"]
    list_select_related = ["owner", "site"]
    fields = [
        "name",
        "device_type",
        "os",
        "os_version",
        "owner",
        "site",
        "criticality",
        "is_managed",
        "serial",
        "warranty_ends_on",
        "last_seen_at",
        "protection_status",
        "protection_product",
        "protection_reported_at",
        "patch_status",
        "patch_reported_at",
        "is_active",
    ]
    # Reported by the ingest, not typed in.
    readonly_fields = [
        "protection_status",
        "protection_product",
        "protection_reported_at",
        "patch_status",
        "patch_reported_at",
        "is_active",
    ]
    actions = ["retire"]

    def save_model(self, request: HttpRequest, obj: Device, form: Any, change: bool) -> None:
        data = actions.DeviceInput(
            name=obj.name,
            device_type=obj.device_type,
            os=obj.os,
            os_version=obj.os_version,
            owner_id=obj.owner_id,
            site_id=obj.site_id,
            criticality=obj.criticality,
            is_managed=obj.is_managed,
            serial=obj.serial,
            warranty_ends_on=obj.warranty_ends_on,
            last_seen_at=obj.last_seen_at,
        )
        client, user = _client(), request.user
        if change:
            self._run(request, lambda: actions.update_device(client, actor=user, device_id=obj.pk, data=data))  # type: ignore[arg-type]
        else:
            device = self._run(request, lambda: actions.create_device(client, actor=user, data=data))  # type: ignore[arg-type]
            if device is not None:
                obj.pk = device.pk

    @admin.action(description="Retire the selected devices")
    def retire(self, request: HttpRequest, queryset: Any) -> None:
        client = _client()
        for device in queryset:
            self._run(
                request,
                lambda d=device: actions.retire_device(
                    client,
                    actor=request.user,  # type: ignore[arg-type]
                    device_id=d.pk,
                ),
            )


@admin.register(DeviceImport)
class DeviceImportAdmin(ClientSchemaAdmin):
    list_display = [
        "created_at",
        "file_name",
        "status",
        "total_rows",
        "to_create",
        "to_update",
        "error_count",
    ]
    list_filter = ["status"]
    exclude = ["content"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
