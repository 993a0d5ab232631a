"""Django admin for MSP admins' back-office edits (public schema)."""

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from tenants.actions import change_staff_access, deactivate_user
from tenants.models import (
    AuditEvent,
    Client,
    Domain,
    Invitation,
    Membership,
    ProvisioningJob,
    StaffClientAccess,
    User,
)


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "kind", "industry", "tier", "status", "account_manager", "created_at"]
    list_filter = ["kind", "industry", "tier", "status"]
    search_fields = ["name", "slug"]
    readonly_fields = ["schema_name", "slug", "kind", "created_at"]
    inlines = [DomainInline, MembershipInline]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        # Clients are provisioned (schema, domain, invitation) through `create_client` or the SPA.
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


class StaffClientAccessInline(admin.TabularInline):
    model = StaffClientAccess
    extra = 0
    fields = ["client"]


# What decides which clients a person reaches: changed only through `change_staff_access`,
# which also unassigns the open tickets of clients the person can no longer work.
ACCESS_FIELDS = ("msp_role", "limited_to_allowed_clients", "is_active")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "msp_role", "is_active", "last_login"]
    list_filter = ["msp_role", "is_active", "is_staff"]
    search_fields = ["email", "full_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("full_name", "timezone")}),
        ("MSP role", {"fields": ("msp_role", "limited_to_allowed_clients")}),
        ("Django admin", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),
    )
    inlines = [StaffClientAccessInline]

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        """Save the person's other fields; access changes wait for `save_related`, where the
        allow-list is known too, and go through the action in one call."""
        if change:
            stored = User.objects.only(*ACCESS_FIELDS).get(pk=obj.pk)
            obj._wanted_access = {field: getattr(obj, field) for field in ACCESS_FIELDS}
            for field in ACCESS_FIELDS:
                setattr(obj, field, getattr(stored, field))
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):  # type: ignore[no-untyped-def]
        if formset.model is not StaffClientAccess:
            return super().save_formset(request, form, formset, change)
        wanted: list[Any] = []
        for inline_form in formset.forms:
            data = getattr(inline_form, "cleaned_data", None) or {}
            if data.get("client") is None or formset._should_delete_form(inline_form):
                continue
            wanted.append(data["client"])
        form.instance._wanted_clients = wanted
        # Nothing is written here; the admin's change message reads these.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        return None

    def delete_model(self, request, obj):  # type: ignore[no-untyped-def]
        # Tickets hold the assignee's id, not a foreign key: release them before the row goes.
        deactivate_user(obj, actor=request.user)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):  # type: ignore[no-untyped-def]
        for user in queryset:
            deactivate_user(user, actor=request.user)
        super().delete_queryset(request, queryset)

    def save_related(self, request, form, formsets, change):  # type: ignore[no-untyped-def]
        super().save_related(request, form, formsets, change)
        user = form.instance
        change_staff_access(
            user,
            actor=request.user,
            allowed_clients=getattr(user, "_wanted_clients", None),
            **getattr(user, "_wanted_access", {}),
        )


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "client", "role", "created_at", "expires_at", "accepted_at", "revoked_at"]
    list_filter = ["role"]
    search_fields = ["email", "client__name"]
    exclude = ["token_hash"]


@admin.register(ProvisioningJob)
class ProvisioningJobAdmin(admin.ModelAdmin):
    list_display = ["slug", "status", "step", "total_steps", "message", "created_at", "finished_at"]
    list_filter = ["status"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "action", "actor", "client"]
    list_filter = ["action"]

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


admin.site.register(Domain)
