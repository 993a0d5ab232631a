from django.contrib import admin

from services.workqueue.models import Notification, WorkItem


@admin.register(WorkItem)
class WorkItemAdmin(admin.ModelAdmin):
    list_display = [
        "client",
        "number",
        "title",
        "priority",
        "status",
        "assignee",
        "next_deadline_at",
        "breach_state",
    ]
    list_filter = ["is_open", "breach_state", "priority", "service_line"]
    search_fields = ["title", "client__name"]

    # A read model, derived from the tickets and written only in the transaction that changes
    # the ticket it mirrors: nobody adds, edits or deletes rows here (deleting one would take
    # an open ticket out of every technician's queue and stop its SLA warnings).
    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "kind", "title", "read_at"]
    list_filter = ["kind"]
