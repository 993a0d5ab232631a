"""The monitor index in the MSP's back office: read-only (monitors are managed per client in
the portal; their rows live in each client's schema, which this admin site does not enter)."""

from django.contrib import admin

from services.infrastructure.monitor_index.models import MonitorSchedule


@admin.register(MonitorSchedule)
class MonitorScheduleAdmin(admin.ModelAdmin):
    list_display = [
        "client",
        "service_name",
        "monitor_name",
        "kind",
        "state",
        "state_since",
        "next_check_at",
        "is_scheduled",
        "open_ticket_number",
    ]
    list_filter = ["state", "kind", "is_scheduled", "is_business_critical"]
    search_fields = ["client__name", "service_name", "monitor_name"]
    exclude = ["ping_token_hash"]

    # Written only in the transaction that changes the monitor it mirrors.
    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
