"""Django admin of ingest tokens: the back office looks and revokes; tokens are created in the
portal (their secret is shown once there)."""

from typing import Any

from django.contrib import admin

from services.ingest.actions import revoke_token
from services.ingest.models import IngestBatch, IngestToken

TOKEN_FIELDS = (
    "client",
    "name",
    "key_id",
    "created_by",
    "created_at",
    "last_used_at",
    "revoked_at",
    "revoked_by",
)


@admin.register(IngestToken)
class IngestTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "key_id", "client", "created_by", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "key_id", "client__name", "client__slug"]
    fields = TOKEN_FIELDS
    readonly_fields = TOKEN_FIELDS
    actions = ["revoke"]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request: Any, queryset: Any) -> None:
        for token in queryset.select_related("client"):
            revoke_token(token.pk, actor=request.user, clients=[token.client_id])


@admin.register(IngestBatch)
class IngestBatchAdmin(admin.ModelAdmin):
    list_display = ["batch_id", "client", "token", "item_count", "check_count", "device_count", "received_at"]
    search_fields = ["batch_id", "client__slug"]
    readonly_fields = [field.name for field in IngestBatch._meta.fields]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False
