"""Django admin for the catalog: MSP admins edit calendars, policies and the triage matrix."""

from django.contrib import admin

from services.catalog.models import (
    BusinessCalendar,
    CalendarClosure,
    ClientSla,
    SlaPolicy,
    SlaTarget,
    TriageRule,
    WorkingWindow,
)


class WorkingWindowInline(admin.TabularInline):
    model = WorkingWindow
    extra = 0
    help_texts = {"start_minute": "Minutes after midnight (540 = 09:00)", "end_minute": "1440 = 24:00"}


class CalendarClosureInline(admin.TabularInline):
    model = CalendarClosure
    extra = 0


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    list_display = ["name", "timezone", "always_open", "holiday_country", "holiday_subdivision"]
    inlines = [WorkingWindowInline, CalendarClosureInline]


class SlaTargetInline(admin.TabularInline):
    model = SlaTarget
    extra = 0


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = ["name", "calendar", "is_default", "warning_thresholds"]
    inlines = [SlaTargetInline]


@admin.register(TriageRule)
class TriageRuleAdmin(admin.ModelAdmin):
    list_display = ["impact", "urgency", "priority"]
    list_editable = ["priority"]


@admin.register(ClientSla)
class ClientSlaAdmin(admin.ModelAdmin):
    list_display = ["client", "policy", "updated_at"]
    autocomplete_fields = ["client"]
