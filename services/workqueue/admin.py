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

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # a read model: written only with the ticket it mirrors


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "kind", "title", "read_at"]
    list_filter = ["kind"]
