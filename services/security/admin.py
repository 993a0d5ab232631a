"""Django admin for MFA coverage (on a client's portal host, inside its schema): the
imported accounts, the imports and the daily snapshots — read-only (they come from
imports and the beat task)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django_tenants.utils import get_public_schema_name

from core.tenancy import current_schema_name
from services.security.mfa_models import IdpAccount, IdpAccountImport, MfaSnapshot


class ReadOnlyClientSchemaAdmin(admin.ModelAdmin):
    def has_module_permission(self, request: HttpRequest) -> bool:
        return current_schema_name() != get_public_schema_name() and super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return current_schema_name() != get_public_schema_name() and super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(IdpAccount)
class IdpAccountAdmin(ReadOnlyClientSchemaAdmin):
    list_display = [
        "login",
        "display_name",
        "mfa_enabled",
        "mfa_method",
        "account_enabled",
        "last_sign_in_at",
    ]
    list_filter = ["mfa_enabled", "account_enabled"]
    search_fields = ["login", "display_name"]


@admin.register(IdpAccountImport)
class IdpAccountImportAdmin(ReadOnlyClientSchemaAdmin):
    list_display = ["created_at", "file_name", "status", "total_rows", "to_create", "to_update", "to_remove"]
    list_filter = ["status"]
    exclude = ["content"]


@admin.register(MfaSnapshot)
class MfaSnapshotAdmin(ReadOnlyClientSchemaAdmin):
    list_display = ["day", "covered_accounts", "total_accounts", "portal_covered", "idp_covered", "taken_at"]
    date_hierarchy = "day"
