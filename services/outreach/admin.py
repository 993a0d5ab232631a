"""Django admin of outreach: the settings (validated like the API) and read-only records."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin

from services.outreach import actions
from services.outreach.models import Broadcast, CheckIn, FollowUp, OutreachSettings, QbrReport, Segment


class OutreachSettingsForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = OutreachSettings
        fields = [
            "premium_cadence_days",
            "standard_cadence_days",
            "essential_cadence_days",
            "reminder_days_before",
            "weights",
            "thresholds",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Empty objects are valid: the documented defaults apply.
        self.fields["weights"].required = False
        self.fields["thresholds"].required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        weights, thresholds = data.get("weights") or {}, data.get("thresholds") or {}
        if not isinstance(weights, dict) or not isinstance(thresholds, dict):
            raise forms.ValidationError("Weights and thresholds are JSON objects (key: number).")
        change = actions.SettingsChange(
            cadence_days={
                tier: data[field]
                for tier, field in actions.TIER_FIELDS.items()
                if data.get(field) is not None
            },
            weights=weights,
            thresholds=thresholds,
            reminder_days_before=data.get("reminder_days_before"),
        )
        problems = actions.settings_problems(change, OutreachSettings.current())
        if problems:
            raise forms.ValidationError([p.message for p in problems])
        return data


@admin.register(OutreachSettings)
class OutreachSettingsAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = OutreachSettingsForm
    list_display = ["__str__", "premium_cadence_days", "standard_cadence_days", "essential_cadence_days"]

    def has_add_permission(self, request: Any) -> bool:
        return not OutreachSettings.objects.exists()

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def save_model(self, request: Any, obj: OutreachSettings, form: Any, change: bool) -> None:
        obj.pk = 1
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


class ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    """Outreach records change through the portal's actions, not here."""

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(CheckIn)
class CheckInAdmin(ReadOnly):
    list_display = ["client", "kind", "status", "subject", "owner", "held_at", "scheduled_for"]
    list_filter = ["kind", "status", "sentiment"]


@admin.register(FollowUp)
class FollowUpAdmin(ReadOnly):
    list_display = ["client", "title", "owner", "due_on", "done_at", "ticket_number"]


@admin.register(Segment)
class SegmentAdmin(ReadOnly):
    list_display = ["name", "created_at"]


@admin.register(Broadcast)
class BroadcastAdmin(ReadOnly):
    list_display = ["title", "kind", "segment", "publish_at", "published_at"]


@admin.register(QbrReport)
class QbrReportAdmin(ReadOnly):
    list_display = ["client", "period_start", "period_end", "status", "progress", "created_at"]
    exclude = ["pdf"]
