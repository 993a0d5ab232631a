"""Django admin for security (back office): incidents, phishing, response targets and MFA
coverage (imported accounts, imports, daily snapshots — read-only, they come from imports and
the beat task). Its tables live in each client's schema, so these
pages appear on a client's portal host (`<slug>.<suffix>/admin/`) only; on the MSP host there is
nothing of one client to show. Incidents and phishing reports are read-only here — they change
through the actions (clocks, queue row and timeline move together); response targets are saved
through `save_response_targets`, with its checks."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.db.models import QuerySet
from django.http import HttpRequest

from core.errors import ActionError
from core.tenancy import current_schema_name
from services.security import actions
from services.security.mfa_models import IdpAccount, IdpAccountImport, MfaSnapshot
from services.security.models import (
    PhishingCampaign,
    PhishingReport,
    SecurityIncident,
    SecurityResponseTarget,
)
from tenants.models import Client


def _in_client_schema() -> bool:
    return current_schema_name() not in ("", "public")


class ClientSchemaAdmin(admin.ModelAdmin):
    """Visible only inside a client schema (the portal host of that client).

    Django's admin log lives in the public schema and points at public content types, while
    these models' content types are the client schema's own: an entry would break its foreign
    key at commit. Changes here go through actions, which write the portal's audit log."""

    def _unsaved_entry(self, request: HttpRequest, obj: Any, flag: int, message: Any) -> LogEntry:
        return LogEntry(
            user_id=request.user.pk or 0,
            object_id=str(obj.pk),
            object_repr=str(obj)[:200],
            action_flag=flag,
            change_message=str(message),
        )

    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> LogEntry:
        return self._unsaved_entry(request, obj, ADDITION, message)  # not saved (see above)

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> LogEntry:
        return self._unsaved_entry(request, obj, CHANGE, message)  # not saved (see above)

    def log_deletions(self, request: HttpRequest, queryset: Any) -> list[LogEntry]:
        return []

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _in_client_schema() and super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _in_client_schema() and super().has_view_permission(request, obj)


class ReadOnlyAdmin(ClientSchemaAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SecurityIncident)
class SecurityIncidentAdmin(ReadOnlyAdmin):
    list_display = ["number", "title", "kind", "severity", "status", "created_at", "resolved_at"]
    list_filter = ["status", "severity", "kind"]
    search_fields = ["title", "description"]


@admin.register(PhishingCampaign)
class PhishingCampaignAdmin(ReadOnlyAdmin):
    list_display = ["subject", "sender_domain", "status", "report_count", "last_reported_at"]
    list_filter = ["status"]
    search_fields = ["subject", "sender_domain"]


@admin.register(PhishingReport)
class PhishingReportAdmin(ReadOnlyAdmin):
    list_display = ["subject", "from_address", "reporter", "created_at"]
    search_fields = ["subject", "from_address", "message_id"]
    # The raw message is never shown here (it is attacker-controlled content).
    exclude = ["raw_message"]


@admin.register(SecurityResponseTarget)
class SecurityResponseTargetAdmin(ClientSchemaAdmin):
    list_display = [
        "severity",
        "acknowledge_minutes",
        "contain_minutes",
        "resolve_minutes",
        "around_the_clock",
    ]
    fields = ["severity", "acknowledge_minutes", "contain_minutes", "resolve_minutes", "around_the_clock"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[SecurityResponseTarget]:
        return super().get_queryset(request) if _in_client_schema() else SecurityResponseTarget.objects.none()

    def save_model(self, request: HttpRequest, obj: SecurityResponseTarget, form: Any, change: bool) -> None:
        client = Client.objects.get(schema_name=current_schema_name())
        try:
            actions.save_response_targets(
                client,
                [
                    actions.TargetInput(
                        obj.severity,
                        obj.acknowledge_minutes,
                        obj.contain_minutes,
                        obj.resolve_minutes,
                        obj.around_the_clock,
                    )
                ],
                actor=request.user,  # type: ignore[arg-type]
            )
        except ActionError as exc:
            messages.error(request, str(exc))


@admin.register(IdpAccount)
class IdpAccountAdmin(ReadOnlyAdmin):
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
class IdpAccountImportAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "file_name", "status", "total_rows", "to_create", "to_update", "to_remove"]
    list_filter = ["status"]
    exclude = ["content"]


@admin.register(MfaSnapshot)
class MfaSnapshotAdmin(ReadOnlyAdmin):
    list_display = ["day", "covered_accounts", "total_accounts", "portal_covered", "idp_covered", "taken_at"]
    date_hierarchy = "day"
