"""Business calendars, SLA policies with per-priority targets, and the triage matrix.

These live in the public schema: the MSP defines them once and assigns them to clients.
The SLA engine (`services.sla.engine`) never reads the database; `to_engine()` builds
the engine's immutable objects from these rows.
"""

from __future__ import annotations

from datetime import date

import pghistory
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.timezone import now

from core.history import trackers
from tenants.models import Client

MINUTES_PER_DAY = 24 * 60


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


@pghistory.track(*trackers())
class BusinessCalendar(models.Model):
    """When business time runs: an IANA timezone, weekly windows, holidays and closures."""

    name = models.CharField(max_length=120, unique=True)
    timezone = models.CharField(max_length=64, default="UTC")
    always_open = models.BooleanField(
        default=False, help_text="24x7: every second counts, holidays included."
    )
    holiday_country = models.CharField(
        max_length=2, blank=True, help_text="ISO code for public holidays (GB, US…)."
    )
    holiday_subdivision = models.CharField(max_length=8, blank=True, help_text="e.g. ENG, NY, NSW.")
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def format_minute_of_day(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


@pghistory.track(*trackers())
class WorkingWindow(models.Model):
    """One working window on a weekday, half-open [start, end); end 1440 is written 24:00."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="windows")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start_minute = models.PositiveSmallIntegerField()
    end_minute = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["calendar", "weekday", "start_minute"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_minute__lt=models.F("end_minute")) & Q(end_minute__lte=MINUTES_PER_DAY),
                name="working_window_valid_range",
            )
        ]

    def __str__(self) -> str:
        hours = f"{format_minute_of_day(self.start_minute)}–{format_minute_of_day(self.end_minute)}"
        return f"{self.get_weekday_display()} {hours}"


@pghistory.track(*trackers())
class CalendarClosure(models.Model):
    """A whole local date on which the calendar is closed (on top of public holidays)."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="closures")
    date = models.DateField()
    reason = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="calendar_closure_unique")]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.reason}".strip()


class Priority(models.TextChoices):
    P1 = "P1", "P1 – critical"
    P2 = "P2", "P2 – high"
    P3 = "P3", "P3 – medium"
    P4 = "P4", "P4 – low"


@pghistory.track(*trackers())
class SlaPolicy(models.Model):
    """Targets per priority on a business calendar, with warning thresholds."""

    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.PROTECT, related_name="policies")
    warning_thresholds = models.JSONField(
        default=list, help_text="Fractions of the budget at which to warn, e.g. [0.75, 0.9]."
    )
    is_default = models.BooleanField(default=False, help_text="Used for clients without an explicit choice.")
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "SLA policies"
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="sla_policy_one_default"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        thresholds = self.warning_thresholds or []
        if not isinstance(thresholds, list) or not all(
            isinstance(t, int | float) and 0 < t < 1 for t in thresholds
        ):
            raise ValidationError({"warning_thresholds": "List fractions between 0 and 1, e.g. [0.75, 0.9]."})
        if sorted(set(thresholds)) != thresholds:
            raise ValidationError({"warning_thresholds": "List each fraction once, smallest first."})


@pghistory.track(*trackers())
class SlaTarget(models.Model):
    """A policy's targets for one priority, in business minutes. Empty means "no target";
    zero is refused (SLA convention 2)."""

    policy = models.ForeignKey(SlaPolicy, on_delete=models.CASCADE, related_name="targets")
    priority = models.CharField(max_length=2, choices=Priority.choices)
    first_response_minutes = models.PositiveIntegerField(null=True, blank=True)
    next_update_minutes = models.PositiveIntegerField(null=True, blank=True)
    resolution_minutes = models.PositiveIntegerField(null=True, blank=True)
    around_the_clock = models.BooleanField(
        default=False, help_text="Measure this priority 24x7 instead of on the policy's calendar."
    )

    class Meta:
        ordering = ["policy", "priority"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "priority"], name="sla_target_unique_priority"),
            models.CheckConstraint(
                condition=(Q(first_response_minutes__isnull=True) | Q(first_response_minutes__gt=0))
                & (Q(next_update_minutes__isnull=True) | Q(next_update_minutes__gt=0))
                & (Q(resolution_minutes__isnull=True) | Q(resolution_minutes__gt=0)),
                name="sla_target_no_zero_minutes",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy} {self.priority}"


class Impact(models.TextChoices):
    HIGH = "high", "High – many people or a whole site"
    MEDIUM = "medium", "Medium – a team or a department"
    LOW = "low", "Low – one person"


class Urgency(models.TextChoices):
    HIGH = "high", "High – work has stopped"
    MEDIUM = "medium", "Medium – work is impaired"
    LOW = "low", "Low – an inconvenience"


class TriageRule(models.Model):
    """One cell of the impact × urgency → priority matrix."""

    impact = models.CharField(max_length=8, choices=Impact.choices)
    urgency = models.CharField(max_length=8, choices=Urgency.choices)
    priority = models.CharField(max_length=2, choices=Priority.choices)

    class Meta:
        ordering = ["impact", "urgency"]
        constraints = [models.UniqueConstraint(fields=["impact", "urgency"], name="triage_rule_unique_cell")]

    def __str__(self) -> str:
        return f"{self.impact} impact × {self.urgency} urgency → {self.priority}"


class ClientSla(models.Model):
    """A client's SLA choice. No row: the MSP's default policy. A row with no policy: an
    explicit "no SLA" (clocks are not measured)."""

    client = models.OneToOneField(Client, on_delete=models.CASCADE, related_name="sla_setting")
    policy = models.ForeignKey(SlaPolicy, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.client}: {self.policy or 'no SLA'}"


def closure_dates(calendar: BusinessCalendar) -> list[date]:
    return [closure.date for closure in calendar.closures.all()]
